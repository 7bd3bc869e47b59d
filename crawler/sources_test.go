package crawler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadSources(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "sources.yaml")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := `sources:
  - id: baothanhhoa
    name: Báo Thanh Hóa
    kind: press
    feeds: [https://baothanhhoa.vn/rss/thoi-su.xml]
    sitemaps: []
    listings: [{url: "https://baothanhhoa.vn/thoi-su", links: "-[0-9]+\\.htm$"}]
    interval: 10m
    delay: 2s
    allow_private: false
    require_area: false
    selectors: {title: "h1.title", body: "", date: ""}
`
	srcs, err := LoadSources(write(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 1 || srcs[0].Interval.D() != 10*time.Minute || srcs[0].Delay.D() != 2*time.Second || srcs[0].Listings[0].Links != `-[0-9]+\.htm$` {
		t.Fatalf("%+v", srcs)
	}
	if bom, err := LoadSources(write("\xef\xbb\xbf" + good)); err != nil || len(bom) != 1 || bom[0].Name != "Báo Thanh Hóa" {
		t.Errorf("a file with a byte order mark (Windows Notepad): %+v, %v", bom, err)
	}
	tests := []struct{ name, body, want string }{
		{"unknown key after a BOM", "\xef\xbb\xbf" + strings.Replace(good, "    delay: 2s\n", "    delay: 2s\n    dealy: 3s\n", 1), ":10:"},
		{"unknown key", strings.Replace(good, "    delay: 2s\n", "    delay: 2s\n    dealy: 3s\n", 1), ":10:"},
		{"bad id", strings.Replace(good, "id: baothanhhoa", "id: Bao_TH", 1), ":2: sources[0]: id"},
		{"bad kind", strings.Replace(good, "kind: press", "kind: blog", 1), ":4: sources[0]: kind"},
		{"bad regexp", strings.Replace(good, `links: "-[0-9]+\\.htm$"`, `links: "([a-"`, 1), ":7: sources[0]: listing"},
		{"bad selector", strings.Replace(good, `title: "h1.title"`, `title: "h1[["`, 1), ":12: sources[0]: selectors.title"},
		{"duplicate id", good + strings.TrimPrefix(good, "sources:\n"), ":13: sources[1]: duplicate id"},
		{"bad duration", strings.Replace(good, "interval: 10m", "interval: often", 1), ":8: invalid duration"},
		{"no discovery", "sources:\n  - id: x\n    name: X\n", ":2: sources[0]: no feeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadSources(write(tt.body))
			if err == nil || !strings.Contains(err.Error(), "sources.yaml"+tt.want) {
				t.Errorf("error %v, want it to contain %q", err, "sources.yaml"+tt.want)
			}
		})
	}
}

func TestDefaultSources(t *testing.T) {
	srcs, err := ParseSources("sources.default.yaml", DefaultSourcesYAML)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, s := range srcs {
		ids[s.ID] = true
		if s.AllowPrivate {
			t.Errorf("%s: a real outlet must not allow private addresses", s.ID)
		}
	}
	for _, want := range []string{"baothanhhoa", "bienphong", "vnexpress", "tuoitre", "thanhnien", "dantri", "qdnd", "thanhhoa-portal"} {
		if !ids[want] {
			t.Errorf("default sources lack %s", want)
		}
	}
}
