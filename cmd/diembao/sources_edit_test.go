package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/crawler/sourcestore"
	"github.com/diembao/diembao/internal/bus"
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
	bucket, err := b.KVHistory(ctx, bucketSources, sourcestore.History)
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
	if code != exitOK || !strings.Contains(out, `"source":"moi"`) || !strings.Contains(out, `"title":"Tuần tra biên giới"`) || strings.Contains(out, `"dong"`) {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	// sources list shows both, the disabled one marked.
	code, out, errs = realMainOut(t, dir, "sources", "list", "--json", "--data", data)
	if code != exitOK || !strings.Contains(out, `{"id":"dong","name":"dong","kind":"press","origin":"edited","disabled":true,"by":"quantri"`) ||
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
