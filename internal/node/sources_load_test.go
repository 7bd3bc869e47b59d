package node

import (
	"path/filepath"
	"testing"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/config"
)

// TestSourcesEmptyPathIsTheDefault: `sources: ""` in diembao.yaml names no
// file, so every reader of the sources (the crawl role, the source editor,
// `sources list`) takes the default: ./sources.yaml, else the embedded list.
// A named file must exist.
func TestSourcesEmptyPathIsTheDefault(t *testing.T) {
	embedded, err := crawler.ParseSources("embedded", crawler.DefaultSourcesYAML)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Sources = ""
	got, err := LoadSources(cfg.Sources)
	if err != nil || len(got) != len(embedded) || got[0].ID != embedded[0].ID {
		t.Fatalf("LoadSources(\"\"): %d sources, %v; want the %d embedded", len(got), err, len(embedded))
	}
	if _, err := LoadSources(filepath.Join(t.TempDir(), "named.yaml")); err == nil {
		t.Error("a named file that does not exist is no error")
	}

}
