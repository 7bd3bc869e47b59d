package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/poll"
)

// TestSplitRoles runs crawl, index, match, notify and serve as five
// processes against an external nats-server process, and checks that the
// sample site's articles become searchable and every alert is mailed once.
func TestSplitRoles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs binaries; skipped with -short")
	}
	bin := buildBinary(t, "diembao", "github.com/diembao/diembao/cmd/diembao")
	natsBin := buildBinary(t, "nats-server", "github.com/nats-io/nats-server/v2")
	dir := t.TempDir()

	natsPort := freePort(t)
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", natsPort)
	startProc(t, dir, "nats-server", natsBin, "-js", "-a", "127.0.0.1", "-p", fmt.Sprint(natsPort), "-sd", filepath.Join(dir, "nats"))

	site, catcher, cfg, httpPort := e2eFixture(t, dir, natsURL)

	// The user is created through NATS before the serve role starts; this
	// also waits for the NATS server to accept connections.
	poll.Until(t, 30*time.Second, "nats-server and user add", func() (bool, string) {
		cmd := osexec.Command(bin, "--config", cfg, "user", "add", "tester", "--role", "admin", "--password-stdin", "--nats", natsURL)
		cmd.Stdin = strings.NewReader("correct-horse-battery\n")
		out, err := cmd.CombinedOutput()
		return err == nil || strings.Contains(string(out), "exists"), string(out)
	})
	// Every role process serves its own /metrics on metrics.listen.
	metricsAddr := map[string]string{}
	for _, role := range []string{"index", "match", "notify", "serve", "crawl"} {
		data := filepath.Join(dir, "data-"+role)
		metricsAddr[role] = fmt.Sprintf("127.0.0.1:%d", freePort(t))
		startProcEnv(t, dir, role, []string{"DIEMBAO_METRICS_LISTEN=" + metricsAddr[role]},
			bin, role, "--nats", natsURL, "--config", cfg, "--data", data)
	}
	api := apiClient{base: fmt.Sprintf("http://127.0.0.1:%d", httpPort), user: "tester", pass: "correct-horse-battery"}

	// An article about Sầm Tớ ends up searchable, found without diacritics too.
	var samto demosite.Item
	for _, it := range site.Articles() {
		if it.Area && strings.Contains(strings.Join(it.Topics, ","), "laos") {
			samto = it
			break
		}
	}
	if samto.Path == "" {
		t.Fatal("the sample site has no area article on Laos")
	}
	poll.Until(t, 90*time.Second, "the Sầm Tớ article in search", func() (bool, string) {
		r, err := api.search("sam to")
		if err != nil {
			return false, err.Error()
		}
		for _, h := range r.Hits {
			if h.URL == site.URL()+samto.Path {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d hits", r.Total)
	})

	// Every alert of the run reaches its audiences once.
	var alerts []apiAlert
	poll.Until(t, 90*time.Second, "alerts mailed", func() (bool, string) {
		var err error
		alerts, err = api.alerts()
		if err != nil || len(alerts) == 0 {
			return false, fmt.Sprint(err)
		}
		want := 0
		for _, a := range alerts {
			for _, aud := range a.Audiences {
				if audienceAddr[aud] != "" {
					want++
				}
			}
		}
		got := 0
		for _, m := range catcher.Messages() {
			got += len(mailAlertIDs(t, m.Data)) * len(m.To)
		}
		return got >= want && want > 0, fmt.Sprintf("%d of %d alert deliveries", got, want)
	})
	var found bool
	for _, a := range alerts {
		if a.URL == site.URL()+samto.Path {
			if found {
				t.Errorf("article %s alerted twice", a.URL)
			}
			found = true
		}
	}
	if !found {
		t.Errorf("no alert for %s", samto.Path)
	}
	checkMailedOnce(t, catcher.Messages(), alerts, audienceAddr)

	// Each role counts its own stage, without a login.
	for role, counter := range map[string]string{
		"crawl": "diembao_crawl_articles_published_total", "index": "diembao_index_articles_total",
		"match": "diembao_match_articles_total", "notify": "diembao_mail_sent_total", "serve": "go_goroutines",
	} {
		body := httpGet(t, "http://"+metricsAddr[role]+"/metrics")
		if v := metricValue(body, counter); v <= 0 {
			t.Errorf("%s role: %s = %v on its /metrics, want > 0", role, counter, v)
		}
		if h := httpGet(t, "http://"+metricsAddr[role]+"/healthz"); h != "ok "+role+"\n" {
			t.Errorf("%s role: /healthz = %q", role, h)
		}
	}
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// metricValue returns the value of an unlabelled sample in a Prometheus
// text exposition, or -1 when it is absent.
func metricValue(body, name string) float64 {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

// TestCrashRecovery kills `diembao run` with SIGKILL while the pipeline is
// busy, starts it again, and checks that every article is indexed once and
// every alert mailed once.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs binaries; skipped with -short")
	}
	bin := buildBinary(t, "diembao", "github.com/diembao/diembao/cmd/diembao")
	dir := t.TempDir()
	site, catcher, cfg, httpPort := e2eFixture(t, dir, "")
	pass := addUser(t, bin, cfg)
	api := apiClient{base: fmt.Sprintf("http://127.0.0.1:%d", httpPort), user: "tester", pass: pass}

	first := startProc(t, dir, "run-1", bin, "--config", cfg, "run")
	// Kill as soon as the pipeline is busy: the first alert is raised.
	poll.Until(t, 90*time.Second, "the first alert", func() (bool, string) {
		b, _ := os.ReadFile(first.log)
		return strings.Contains(string(b), "alert raised"), ""
	})
	first.kill()

	second := startProc(t, dir, "run-2", bin, "--config", cfg, "run")
	t.Cleanup(func() {
		if keep := os.Getenv("DIEMBAO_E2E_KEEP"); keep != "" && t.Failed() {
			second.kill()
			_ = osexec.Command("cp", "-a", dir, keep).Run()
		}
	})
	items := site.Articles()
	poll.Until(t, 3*time.Minute, "every article indexed", func() (bool, string) {
		missing := 0
		var titles []string
		for _, it := range items {
			r, err := api.search(`"` + it.Title + `"`)
			if err != nil {
				return false, err.Error()
			}
			n := 0
			for _, h := range r.Hits {
				if h.URL == site.URL()+it.Path {
					n++
				}
			}
			if n > 1 {
				t.Fatalf("article %s indexed %d times", it.Path, n)
			}
			if n == 0 {
				missing++
				var doc map[string]any
				derr := api.get("/api/articles/"+article.ID(site.URL()+it.Path), &doc)
				titles = append(titles, fmt.Sprintf("%s (total %d, get err %v)", it.Title, r.Total, derr))
			}
		}
		return missing == 0, fmt.Sprintf("%d of %d missing: %q", missing, len(items), titles)
	})
	var alerts []apiAlert
	poll.Until(t, 90*time.Second, "alerts mailed after restart", func() (bool, string) {
		var err error
		alerts, err = api.alerts()
		if err != nil {
			return false, err.Error()
		}
		want, got := 0, 0
		for _, a := range alerts {
			want += len(a.Audiences)
		}
		for _, m := range catcher.Messages() {
			got += len(mailAlertIDs(t, m.Data)) * len(m.To)
		}
		return want > 0 && got >= want, fmt.Sprintf("%d of %d", got, want)
	})
	byArticle := map[string]int{}
	for _, a := range alerts {
		byArticle[a.ArticleID]++
	}
	for id, n := range byArticle {
		if n > 1 {
			t.Errorf("article %s has %d alerts, want 1", id, n)
		}
	}
	checkMailedOnce(t, catcher.Messages(), alerts, audienceAddr)

	// One process serves every stage's counters on /metrics.
	metrics, err := api.raw("/metrics")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"diembao_crawl_articles_published_total", "diembao_index_articles_total",
		"diembao_match_articles_total", "diembao_mail_sent_total", "diembao_http_requests_total"} {
		if !strings.Contains(metrics, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}

	// One-shot commands work while `run` holds the embedded store: they
	// reach its server through DATA/nats/local.url.
	cmd := osexec.Command(bin, "--config", cfg, "user", "add", "second", "--role", "analyst", "--password-stdin")
	cmd.Stdin = strings.NewReader("another-horse-battery\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user add while run runs: %v\n%s", err, out)
	}
	other := apiClient{base: api.base, user: "second", pass: "another-horse-battery"}
	if r, err := other.search("sam to"); err != nil || r.Total == 0 {
		t.Errorf("the user added while run runs: search %v, %v", r.Total, err)
	}
	out, err := osexec.Command(bin, "--config", cfg, "digest").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "<html") {
		t.Errorf("digest while run runs: %v\n%.300s", err, out)
	}
	second.stop(t)
}
