package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/cli"
)

const sourcesCheckPage = `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Tuần tra biên giới</title>
<meta property="article:published_time" content="2026-11-20T08:15:00+07:00"></head><body><article><h1>Tuần tra biên giới</h1>
<p>Đồn Biên phòng Bát Mọt phối hợp tuần tra khu vực biên giới Việt - Lào thuộc tỉnh Thanh Hóa.</p>
<p>Lực lượng chức năng tuyên truyền cho bà con về bảo vệ chủ quyền lãnh thổ, an ninh biên giới quốc gia.</p></article></body></html>`

func runSourcesCheck(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "DIEMBAO_SOURCES" && dir != "" {
			return filepath.Join(dir, "sources.yaml")
		}
		return ""
	}
	code := realMain(context.Background(), append([]string{"sources", "check"}, args...), strings.NewReader(""), &out, &errb, getenv)
	return code, out.String(), errb.String()
}

func TestSourcesCheckURLJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bai-1.htm" {
			io.WriteString(w, sourcesCheckPage)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	dir := "" // the embedded default sources
	code, out, errs := runSourcesCheck(t, dir, "--json", "--allow-private", "--url", srv.URL+"/bai-1.htm", srv.URL+"/mat.htm")
	if code != cli.ExitError {
		t.Fatalf("exit %d (one URL fails), stderr %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one JSON line per URL, got %q", out)
	}
	var a map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &a); err != nil || !strings.Contains(lines[0], `"title":"Tuần tra biên giới"`) || !strings.Contains(lines[0], `"published":"2026-11-20T08:15:00+07:00"`) {
		t.Errorf("first line %s (%v)", lines[0], err)
	}
	var e map[string]string
	if err := json.Unmarshal([]byte(lines[1]), &e); err != nil || e["url"] != srv.URL+"/mat.htm" || !strings.Contains(e["error"], "404") {
		t.Errorf("second line %s", lines[1])
	}
	// Without --allow-private the loopback page is refused at dial time.
	code, out, _ = runSourcesCheck(t, dir, "--json", "--url", srv.URL+"/bai-1.htm")
	if code != cli.ExitError || !strings.Contains(out, "private or loopback address refused") {
		t.Errorf("exit %d, %s", code, out)
	}
}

func TestSourcesCheckSourceFailsFast(t *testing.T) {
	dir := t.TempDir()
	// A source on a closed loopback port without allow_private: refused before any packet is sent.
	os.WriteFile(filepath.Join(dir, "sources.yaml"), []byte("sources:\n  - id: dong\n    feeds: [http://127.0.0.1:9/rss.xml]\n"), 0o644)
	code, out, errs := runSourcesCheck(t, dir)
	if code != cli.ExitError || !strings.Contains(out, "dong") || !strings.Contains(out, "FAIL") || !strings.Contains(errs, "1 of 1 sources failed") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	os.WriteFile(filepath.Join(dir, "sources.yaml"), []byte("sources:\n  - id: dong\n    feeds: [http://127.0.0.1:9/rss.xml]\n    colour: red\n"), 0o644)
	code, _, errs = runSourcesCheck(t, dir)
	if code != cli.ExitUsage || !strings.Contains(errs, "sources.yaml:4") {
		t.Errorf("unknown key: exit %d, %s", code, errs)
	}
}
