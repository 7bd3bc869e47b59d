package faulttest

import (
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/e2e"
)

// TestSplitRoles runs crawl, index, match, notify and serve as five
// processes against an external nats-server process, and checks that the
// sample site's articles become searchable and every alert is mailed once.
func TestSplitRoles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs binaries; skipped with -short")
	}
	bin := e2e.BuildBinary(t, "diembao", e2e.DiembaoPkg)
	natsBin := e2e.BuildBinary(t, "nats-server", e2e.NATSServerPkg)
	dir := t.TempDir()

	natsPort := e2e.FreePort(t)
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", natsPort)
	e2e.StartProc(t, dir, "nats-server", nil, natsBin, "-js", "-a", "127.0.0.1", "-p", fmt.Sprint(natsPort), "-sd", filepath.Join(dir, "nats"))

	site, catcher, cfg, httpPort := e2e.Fixture(t, dir, natsURL)

	// The user is created through NATS before the serve role starts; this
	// also waits for the NATS server to accept connections.
	e2e.Poll(t, 30*time.Second, "nats-server and user add", func() (bool, string) {
		cmd := osexec.Command(bin, "--config", cfg, "user", "add", "tester", "--role", "admin", "--password-stdin", "--nats", natsURL)
		cmd.Stdin = strings.NewReader(e2e.Password + "\n")
		out, err := cmd.CombinedOutput()
		return err == nil || strings.Contains(string(out), "exists"), string(out)
	})
	// Every role process serves its own /metrics on metrics.listen.
	metricsAddr := map[string]string{}
	for _, role := range []string{"index", "match", "notify", "serve", "crawl"} {
		data := filepath.Join(dir, "data-"+role)
		metricsAddr[role] = fmt.Sprintf("127.0.0.1:%d", e2e.FreePort(t))
		e2e.StartProc(t, dir, role, []string{"DIEMBAO_METRICS_LISTEN=" + metricsAddr[role]},
			bin, role, "--nats", natsURL, "--config", cfg, "--data", data)
	}
	api := e2e.API{Base: fmt.Sprintf("http://127.0.0.1:%d", httpPort), User: "tester", Pass: e2e.Password}

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
	e2e.Poll(t, 90*time.Second, "the Sầm Tớ article in search", func() (bool, string) {
		r, err := api.Search("sam to")
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
	var alerts []e2e.Alert
	e2e.Poll(t, 90*time.Second, "alerts mailed", func() (bool, string) {
		var err error
		alerts, err = api.Alerts()
		if err != nil || len(alerts) == 0 {
			return false, fmt.Sprint(err)
		}
		want := 0
		for _, a := range alerts {
			for _, aud := range a.Audiences {
				if e2e.AudienceAddrs()[aud] != "" {
					want++
				}
			}
		}
		got := 0
		for _, m := range catcher.Messages() {
			got += len(e2e.MailAlertIDs(t, m.Data)) * len(m.To)
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
	e2e.CheckMailedOnce(t, catcher.Messages(), alerts)

	// Each role counts its own stage, without a login.
	for role, counter := range map[string]string{
		"crawl": "diembao_crawl_articles_published_total", "index": "diembao_index_articles_total",
		"match": "diembao_match_articles_total", "notify": "diembao_mail_sent_total", "serve": "go_goroutines",
	} {
		body := e2e.HTTPGet(t, "http://"+metricsAddr[role]+"/metrics")
		if v := e2e.MetricValue(body, counter); v <= 0 {
			t.Errorf("%s role: %s = %v on its /metrics, want > 0", role, counter, v)
		}
		if h := e2e.HTTPGet(t, "http://"+metricsAddr[role]+"/healthz"); !strings.Contains(h, `"status":"ok"`) || !strings.Contains(h, `"roles":"`+role+`"`) {
			t.Errorf("%s role: /healthz = %q", role, h)
		}
	}
}

// TestCrashRecovery kills `diembao run` with SIGKILL while the pipeline is
// busy, starts it again, and checks that every article is indexed once and
// every alert mailed once.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs binaries; skipped with -short")
	}
	bin := e2e.BuildBinary(t, "diembao", e2e.DiembaoPkg)
	dir := t.TempDir()
	site, catcher, cfg, httpPort := e2e.Fixture(t, dir, "")
	pass := e2e.AddUser(t, bin, cfg)
	api := e2e.API{Base: fmt.Sprintf("http://127.0.0.1:%d", httpPort), User: "tester", Pass: pass}

	first := e2e.StartProc(t, dir, "run-1", nil, bin, "--config", cfg, "run")
	// Kill as soon as the pipeline is busy: the first alert is raised.
	e2e.Poll(t, 90*time.Second, "the first alert", func() (bool, string) {
		b, _ := os.ReadFile(first.Log)
		return strings.Contains(string(b), "alert raised"), ""
	})
	first.Kill()

	second := e2e.StartProc(t, dir, "run-2", nil, bin, "--config", cfg, "run")
	t.Cleanup(func() {
		if keep := os.Getenv("DIEMBAO_E2E_KEEP"); keep != "" && t.Failed() {
			second.Kill()
			_ = osexec.Command("cp", "-a", dir, keep).Run()
		}
	})
	items := site.Articles()
	e2e.Poll(t, 3*time.Minute, "every article indexed", func() (bool, string) {
		missing := 0
		var titles []string
		for _, it := range items {
			r, err := api.Search(`"` + it.Title + `"`)
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
				derr := api.Get("/api/articles/"+article.ID(site.URL()+it.Path), &doc)
				titles = append(titles, fmt.Sprintf("%s (total %d, get err %v)", it.Title, r.Total, derr))
			}
		}
		return missing == 0, fmt.Sprintf("%d of %d missing: %q", missing, len(items), titles)
	})
	var alerts []e2e.Alert
	e2e.Poll(t, 90*time.Second, "alerts mailed after restart", func() (bool, string) {
		var err error
		alerts, err = api.Alerts()
		if err != nil {
			return false, err.Error()
		}
		want, got := 0, 0
		for _, a := range alerts {
			want += len(a.Audiences)
		}
		for _, m := range catcher.Messages() {
			got += len(e2e.MailAlertIDs(t, m.Data)) * len(m.To)
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
	e2e.CheckMailedOnce(t, catcher.Messages(), alerts)

	// One process serves every stage's counters on /metrics.
	metrics, err := api.Raw("/metrics")
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
	other := e2e.API{Base: api.Base, User: "second", Pass: "another-horse-battery"}
	if r, err := other.Search("sam to"); err != nil || r.Total == 0 {
		t.Errorf("the user added while run runs: search %v, %v", r.Total, err)
	}
	out, err := osexec.Command(bin, "--config", cfg, "digest", "--out", "-").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "<html") {
		t.Errorf("digest while run runs: %v\n%.300s", err, out)
	}
	second.Stop(t)
}
