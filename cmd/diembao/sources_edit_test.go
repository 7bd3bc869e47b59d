package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/crawler/sourcestore"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/internal/poll"
	"github.com/diembao/diembao/internal/web"
)

// TestSourcesCheckSeesEdits: `sources check` checks the effective list, the
// seed overlaid by what admins edited in the UI (kept in the embedded
// store under the data dir): an added source is checked, a disabled one
// is not.
func TestSourcesCheckSeesEdits(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/rss.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Mới</title><item><title>Tuần tra biên giới</title><link>`+
				"http://"+r.Host+`/bai-1.htm</link><pubDate>Fri, 20 Nov 2026 08:15:00 +0700</pubDate></item></channel></rss>`)
		case "/bai-1.htm":
			io.WriteString(w, sourcesCheckPage)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	seedYAML := "sources:\n  - id: dong\n    feeds: [http://127.0.0.1:9/rss.xml]\n    allow_private: true\n"
	if err := os.WriteFile(filepath.Join(dir, "sources.yaml"), []byte(seedYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	seed, err := crawler.ParseSources("seed", []byte(seedYAML))
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	ctx := context.Background()
	b, err := bus.Open(ctx, bus.Config{StoreDir: filepath.Join(data, "nats"), Sync: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	bucket, err := b.KVHistory(ctx, node.BucketSources, sourcestore.History)
	if err != nil {
		b.Close()
		t.Fatal(err)
	}
	st, err := sourcestore.New(bucket, sourcestore.Config{Seed: seed, AllowPrivate: true})
	if err == nil {
		_, err = st.Save(ctx, sourcestore.Change{New: true, By: "quantri", Source: crawler.Source{ID: "moi", Feeds: []string{srv.URL + "/rss.xml"}, AllowPrivate: true}})
	}
	if err == nil {
		_, err = st.SetDisabled(ctx, "dong", true, "quantri", "cổng hỏng")
	}
	b.Close()
	if err != nil {
		t.Fatal(err)
	}

	code, out, errs := runSourcesCheck(t, dir, "--json", "--data", data, "--timeout", "10s")
	if code != cli.ExitOK || !strings.Contains(out, `"source":"moi"`) || !strings.Contains(out, `"title":"Tuần tra biên giới"`) || strings.Contains(out, `"dong"`) {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	// sources list shows both, the disabled one marked.
	code, out, errs = realMainOut(t, dir, "sources", "list", "--json", "--data", data)
	if code != cli.ExitOK || !strings.Contains(out, `{"id":"dong","name":"dong","kind":"press","origin":"edited","disabled":true,"by":"quantri"`) ||
		!strings.Contains(out, `{"id":"moi","name":"moi","kind":"press","origin":"added","disabled":false,"by":"quantri"`) {
		t.Errorf("sources list: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
}

func realMainOut(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb strings.Builder
	getenv := func(k string) string {
		if k == "DIEMBAO_SOURCES" {
			return filepath.Join(dir, "sources.yaml")
		}
		return ""
	}
	code := realMain(context.Background(), args, strings.NewReader(""), &out, &errb, getenv)
	return code, out.String(), errb.String()
}

// TestSplitRolesApplySourceEdits: a serve role and a crawl role in separate
// nodes share only a NATS server; a source added through the serve role's
// HTTP form is crawled by the crawl role without a restart, and disabling
// it takes it out of the crawl role's list.
func TestSplitRolesApplySourceEdits(t *testing.T) {
	sd := newSplitDeployment(t)
	ctx, dir := sd.ctx, sd.dir
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/rss.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Mẫu</title><item><title>Tuần tra biên giới</title><link>`+
				"http://"+r.Host+`/bai-1.htm</link><pubDate>Fri, 20 Nov 2026 08:15:00 +0700</pubDate></item></channel></rss>`)
		case "/bai-1.htm":
			io.WriteString(w, sourcesCheckPage)
		case "/quiet.xml":
			io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Trống</title></channel></rss>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	sources := filepath.Join(dir, "sources.yaml")
	writeTestFile(t, sources, "sources:\n  - id: yenlang\n    feeds: [\""+srv.URL+"/quiet.xml\"]\n    interval: 1h\n    delay: 1ms\n    allow_private: true\n")

	hub := sd.hub
	setSources := func(c *config.Config) { c.Sources = sources }
	sd.start("crawl", node.Roles{Crawl: true}, setSources)
	serve := sd.start("serve", node.Roles{Serve: true}, setSources)
	accounts, err := serve.KV(ctx, node.BucketAccounts)
	if err != nil {
		t.Fatal(err)
	}
	if err := web.NewAccounts(accounts).Add(ctx, "quantri", web.RoleAdmin, "mat-khau-dai-du-dung"); err != nil {
		t.Fatal(err)
	}
	base := httpBase(t, serve)
	post := func(path string, form url.Values) int {
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("quantri", "mat-khau-dai-du-dung")
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("/sources/save", url.Values{"action": {"save"}, "new": {"1"}, "id": {"mau"}, "name": {"Báo Mẫu"}, "kind": {"press"},
		"feeds": {srv.URL + "/rss.xml"}, "interval": {"1h"}, "delay": {"1ms"}, "allow_private": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("save: status %d", code)
	}
	waitUntil(t, "the crawl role publishes an article of the new source", func() bool {
		_, err := hub.LastBySubject(ctx, bus.StreamArticles, bus.SubjectArticles+".mau")
		return err == nil
	})
	health, err := hub.KV(ctx, node.BucketHealth)
	if err != nil {
		t.Fatal(err)
	}
	crawled := func() string {
		e, err := health.Get(ctx, "sources")
		if err != nil {
			return ""
		}
		return string(e.Value)
	}
	waitUntil(t, "the crawl role's health lists the new source", func() bool { return strings.Contains(crawled(), `"source":"mau"`) })
	if code := post("/sources/mau/disable", url.Values{"note": {"thử tắt"}}); code != http.StatusSeeOther {
		t.Fatalf("disable: status %d", code)
	}
	waitUntil(t, "the crawl role stops the disabled source (its health kept, marked disabled)", func() bool {
		var hs []crawler.SourceHealth
		if json.Unmarshal([]byte(crawled()), &hs) != nil || len(hs) != 2 {
			return false
		}
		return hs[0].Source == "yenlang" && !hs[0].Disabled && hs[1].Source == "mau" && hs[1].Disabled
	})
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	poll.True(t, 45*time.Second, what, cond)
}
