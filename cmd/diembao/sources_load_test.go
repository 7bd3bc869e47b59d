package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/config"
)

// TestSourcesEmptyPathIsTheDefault: `sources: ""` in diembao.yaml names no
// file, so every reader of the sources (the crawl role, the source editor,
// `sources list`) takes the default: ./sources.yaml, else the embedded list.
func TestSourcesEmptyPathIsTheDefault(t *testing.T) {
	embedded, err := crawler.ParseSources("embedded", crawler.DefaultSourcesYAML)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Sources = ""
	got, err := loadSources(cfg.Sources)
	if err != nil || len(got) != len(embedded) || got[0].ID != embedded[0].ID {
		t.Fatalf("loadSources(\"\"): %d sources, %v; want the %d embedded", len(got), err, len(embedded))
	}
	if _, err := loadSources(filepath.Join(t.TempDir(), "named.yaml")); err == nil {
		t.Error("a named file that does not exist is no error")
	}

	dir := t.TempDir()
	conf := filepath.Join(dir, "diembao.yaml")
	writeTestFile(t, conf, "sources: \"\"\n")
	var out, errb strings.Builder
	code := realMain(t.Context(), []string{"sources", "list", "--json", "--config", conf, "--data", filepath.Join(dir, "data")},
		strings.NewReader(""), &out, &errb, func(string) string { return "" })
	if code != cli.ExitOK || !strings.Contains(out.String(), `"id":"`+embedded[0].ID+`"`) {
		t.Errorf("sources list with sources: \"\": exit %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
}
