package tools

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/goccy/go-yaml"

	"github.com/diembao/diembao/internal/config"
)

var roles = []string{"crawl", "index", "match", "notify", "serve"}

const (
	configPath  = "/etc/diembao/diembao.yaml"
	sourcesPath = "/etc/diembao/sources.yaml"
)

// load reads ../docker-compose.yml the way `docker compose` does (the same
// loader: interpolation, merge keys, normalisation, validation against the
// compose schema) without needing a Docker engine.
func load(t *testing.T) *types.Project {
	t.Helper()
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  "..",
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join("..", "docker-compose.yml")}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) {
		o.SetProjectName("diembao", true)
	})
	if err != nil {
		t.Fatalf("load docker-compose.yml: %v", err)
	}
	return p
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, err := p.GetService(name)
	if err != nil {
		t.Fatalf("service %s: %v", name, err)
	}
	return s
}

func mountAt(s types.ServiceConfig, target string) *types.ServiceVolumeConfig {
	for i := range s.Volumes {
		if s.Volumes[i].Target == target {
			return &s.Volumes[i]
		}
	}
	return nil
}

func published(s types.ServiceConfig) map[uint32]string {
	out := map[uint32]string{}
	for _, p := range s.Ports {
		out[p.Target] = p.Published
	}
	return out
}

// embedded returns the content of a top-level config mounted at target.
func embedded(t *testing.T, p *types.Project, s types.ServiceConfig, target string) string {
	t.Helper()
	for _, c := range s.Configs {
		if c.Target == target {
			obj, ok := p.Configs[c.Source]
			if !ok {
				t.Fatalf("%s: config %q not declared", s.Name, c.Source)
			}
			if obj.Content == "" {
				t.Fatalf("config %q has no inline content", c.Source)
			}
			return obj.Content
		}
	}
	t.Fatalf("%s: nothing mounted at %s", s.Name, target)
	return ""
}

func TestComposeServices(t *testing.T) {
	p := load(t)
	want := append([]string{"nats", "mailpit"}, roles...)
	got := p.ServiceNames()
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("services %v, want %v", got, want)
	}

	nats := service(t, p, "nats")
	if !strings.HasPrefix(nats.Image, "nats:2.12") {
		t.Errorf("nats image %q, want nats:2.12", nats.Image)
	}
	cmd := []string(nats.Command)
	if !slices.Contains(cmd, "-js") {
		t.Errorf("nats command %v lacks -js", cmd)
	}
	i := slices.Index(cmd, "-sd")
	if i < 0 || i+1 >= len(cmd) {
		t.Fatalf("nats command %v sets no store dir (-sd)", cmd)
	}
	store := mountAt(nats, cmd[i+1])
	if store == nil || store.Type != types.VolumeTypeVolume {
		t.Errorf("nats store dir %s is not on a named volume: %+v", cmd[i+1], nats.Volumes)
	} else if _, ok := p.Volumes[store.Source]; !ok {
		t.Errorf("nats volume %q not declared", store.Source)
	}

	mail := service(t, p, "mailpit")
	if !strings.HasPrefix(mail.Image, "axllent/mailpit:") {
		t.Errorf("mail catcher image %q", mail.Image)
	}
	if published(mail)[8025] == "" {
		t.Error("mailpit does not publish its web UI (8025)")
	}
}

func TestComposeRoles(t *testing.T) {
	p := load(t)
	var dataVolume string
	for _, role := range roles {
		s := service(t, p, role)
		argv := append(append([]string{}, s.Entrypoint...), s.Command...)
		if len(argv) == 0 || filepath.Base(argv[0]) != "diembao" {
			t.Errorf("%s: argv %v does not run diembao", role, argv)
			continue
		}
		wantArgs := []string{role, "--nats", "nats://nats:4222", "--config", configPath}
		if !slices.Equal(argv[1:], wantArgs) {
			t.Errorf("%s: args %v, want %v", role, argv[1:], wantArgs)
		}

		// --nats names the NATS service on its client port.
		u, err := url.Parse(argv[slices.Index(argv, "--nats")+1])
		if err != nil {
			t.Fatal(err)
		}
		natsSvc, err := p.GetService(u.Hostname())
		if err != nil || !strings.HasPrefix(natsSvc.Image, "nats:") || u.Port() != "4222" {
			t.Errorf("%s: --nats %s does not point at the NATS service's client port", role, u)
		}
		if _, ok := s.DependsOn[u.Hostname()]; !ok {
			t.Errorf("%s: does not depend on %s", role, u.Hostname())
		}

		if s.Build == nil && s.Image == "" {
			t.Errorf("%s: neither build nor image", role)
		}
		if s.Build != nil && filepath.Base(s.Build.Dockerfile) != "Dockerfile" {
			t.Errorf("%s: builds from %q", role, s.Build.Dockerfile)
		}

		data := mountAt(s, "/var/lib/diembao")
		switch {
		case data == nil || data.Type != types.VolumeTypeVolume:
			t.Errorf("%s: no named data volume at /var/lib/diembao: %+v", role, s.Volumes)
		case dataVolume == "":
			dataVolume = data.Source
		case data.Source != dataVolume:
			t.Errorf("%s: data volume %q, others use %q", role, data.Source, dataVolume)
		}
		embedded(t, p, s, configPath)
		embedded(t, p, s, sourcesPath)

		ports := published(s)
		if role == "serve" {
			if ports[8080] != "8080" {
				t.Errorf("serve publishes %v, want 8080:8080", s.Ports)
			}
		} else if len(ports) > 0 {
			t.Errorf("%s publishes ports %v; only serve should", role, s.Ports)
		}
	}
	if _, ok := p.Volumes[dataVolume]; !ok || dataVolume == "" {
		t.Errorf("data volume %q not declared", dataVolume)
	}
	if _, ok := service(t, p, "notify").DependsOn["mailpit"]; !ok {
		t.Error("notify does not wait for the mail catcher")
	}
}

// TestComposeConfig checks the embedded diembao.yaml with the product's own
// loader (unknown keys are errors) and that it agrees with the services.
func TestComposeConfig(t *testing.T) {
	p := load(t)
	serve := service(t, p, "serve")
	file := filepath.Join(t.TempDir(), "diembao.yaml")
	if err := os.WriteFile(file, []byte(embedded(t, p, serve, configPath)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(file, true, func(string) string { return "" })
	if err != nil {
		t.Fatalf("embedded diembao.yaml: %v", err)
	}
	if cfg.DataDir != "/var/lib/diembao" || cfg.Sources != sourcesPath {
		t.Errorf("data_dir %q, sources %q", cfg.DataDir, cfg.Sources)
	}
	if cfg.NATS.URL != "nats://nats:4222" {
		t.Errorf("nats.url %q", cfg.NATS.URL)
	}
	if !strings.HasSuffix(cfg.HTTP.Listen, ":8080") || strings.HasPrefix(cfg.HTTP.Listen, "127.") {
		t.Errorf("http.listen %q must be reachable from the published port 8080", cfg.HTTP.Listen)
	}
	mail, err := p.GetService(cfg.SMTP.Host)
	if err != nil || !strings.Contains(mail.Image, "mailpit") || cfg.SMTP.Port != 1025 || cfg.SMTP.TLS != "none" {
		t.Errorf("smtp %s:%d tls=%s does not reach the mail catcher", cfg.SMTP.Host, cfg.SMTP.Port, cfg.SMTP.TLS)
	}

	var sources struct {
		Sources []struct {
			ID       string `yaml:"id"`
			Kind     string `yaml:"kind"`
			Listings []struct {
				URL   string `yaml:"url"`
				Links string `yaml:"links"`
			} `yaml:"listings"`
		} `yaml:"sources"`
	}
	if err := yaml.Unmarshal([]byte(embedded(t, p, serve, sourcesPath)), &sources); err != nil {
		t.Fatalf("embedded sources.yaml: %v", err)
	}
	if len(sources.Sources) == 0 {
		t.Fatal("embedded sources.yaml lists no source")
	}
	for _, s := range sources.Sources {
		for _, l := range s.Listings {
			re, err := regexp.Compile(l.Links)
			if err != nil {
				t.Errorf("%s: links %q: %v", s.ID, l.Links, err)
			} else if strings.Contains(l.Links, "$$") || !re.MatchString("https://example.org/tin-moi-224488.htm") {
				t.Errorf("%s: links %q was not interpolated as compose does ($$ → $)", s.ID, l.Links)
			}
		}
	}
}

// TestDockerfile checks what compose relies on: a static build and the
// entrypoint path the roles run.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	if !strings.Contains(df, "CGO_ENABLED=0 go build") {
		t.Error("Dockerfile does not build with CGO_ENABLED=0")
	}
	p := load(t)
	ep := service(t, p, "crawl").Entrypoint
	if len(ep) == 0 || !strings.Contains(df, "COPY --from=build /out/diembao "+ep[0]) {
		t.Errorf("Dockerfile does not install the binary at the compose entrypoint %v", ep)
	}
}
