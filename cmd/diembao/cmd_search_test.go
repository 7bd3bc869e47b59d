package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/cli"
)

func runSearch(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := realMain(context.Background(), append([]string{"search"}, args...), strings.NewReader(""), &out, &errb,
		func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func TestSearchAsksTheServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "ana" || p != "pw" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("q") == `"biên` {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "truy vấn không hợp lệ: thiếu dấu ngoặc kép đóng"})
			return
		}
		if r.URL.Path != "/api/search" || r.URL.Query().Get("q") != "biên giới" {
			t.Errorf("unexpected request %s", r.URL)
		}
		if f := r.URL.Query().Get("from"); f != "" && (f != "2026-11-01" || r.URL.Query().Get("source") != "bienphong") {
			t.Errorf("flags not passed on: %s", r.URL)
		}
		json.NewEncoder(w).Encode(indexer.Result{Total: 1, Hits: []indexer.Hit{{ID: "x", Title: "Tuần tra biên giới", Snippet: "<mark>biên</mark> &lt;b&gt;"}}})
	}))
	defer srv.Close()
	env := map[string]string{"DIEMBAO_HTTP_BASE_URL": srv.URL, "DIEMBAO_USER": "ana", "DIEMBAO_PASSWORD": "pw"}
	code, out, errs := runSearch(t, env, "--source", "bienphong", "--from=2026-11-01", "biên", "giới")
	if code != 0 || !strings.Contains(out, "Tuần tra biên giới") || !strings.Contains(out, "«biên» <b>") {
		t.Fatalf("code %d out %q err %q", code, out, errs)
	}
	code, out, _ = runSearch(t, env, "--json", "biên giới")
	var res indexer.Result
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Total != 1 {
		t.Fatalf("--json: code %d out %q", code, out)
	}
	code, _, errs = runSearch(t, env, `"biên`)
	if code != cli.ExitUsage || !strings.Contains(errs, "ngoặc kép") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("bad query: code %d err %q", code, errs)
	}
}

func TestSearchOpensTheIndex(t *testing.T) {
	data := t.TempDir()
	idx, err := indexer.Open(indexer.Config{Dir: filepath.Join(data, "index")}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	a := article.Article{ID: "a1", URL: "https://example.vn/a1", Source: "baothanhhoa", Title: "Đồn Biên phòng Bát Mọt",
		Body: "Tuần tra biên giới Việt - Lào.", Revision: 1, Published: time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)}
	if err := idx.Index(context.Background(), []indexer.ArticleAt{{Article: a, Seq: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	// A base URL where nothing listens.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	l.Close()
	env := map[string]string{"DIEMBAO_HTTP_BASE_URL": base}
	code, out, errs := runSearch(t, env, "--data", data, "bien gioi")
	if code != 0 || !strings.Contains(out, "Đồn Biên phòng Bát Mọt") {
		t.Fatalf("code %d out %q err %q", code, out, errs)
	}
	code, _, errs = runSearch(t, env, "--data", data, "-Lào")
	if code != cli.ExitUsage {
		t.Fatalf("bad query: code %d err %q", code, errs)
	}
	code, _, _ = runSearch(t, env, "--data", data)
	if code != cli.ExitUsage {
		t.Fatalf("missing query: code %d", code)
	}
}

// TestSearchBadFlags: a bad search parameter is a usage error (exit 2) whose
// one line names the flag, read by the parser the API uses.
func TestSearchBadFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--from", "1/11/2026", "biên giới"}, `diembao: search: --from "1/11/2026": want a date YYYY-MM-DD`},
		{[]string{"biên giới", "--size=101"}, `--size "101": want a number from 1 to 100`},
		{[]string{"--sort", "score", "x"}, `--sort "score": want relevance or date`},
		{[]string{"--area", "maybe", "x"}, `--area "maybe": want true or false`},
		{[]string{"--format", "pdf", "x"}, `--format "pdf": want json, csv or xlsx`},
		{[]string{"--topic", "border"}, "missing QUERY"},
		{[]string{"--colour", "x"}, "unknown flag --colour"},
		{[]string{strings.Repeat("biên ", 101)}, `QUERY "biên biên`},
	} {
		code, _, errs := runSearch(t, map[string]string{}, append(tt.args, "--data", t.TempDir())...)
		if code != cli.ExitUsage || !strings.Contains(errs, tt.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, code, errs, cli.ExitUsage, tt.want)
		}
	}
}
