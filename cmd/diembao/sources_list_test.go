package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/cli"
)

// TestSourcesListEmptyPathIsTheDefault: `sources list` with `sources: ""`
// in diembao.yaml lists the embedded sources.
func TestSourcesListEmptyPathIsTheDefault(t *testing.T) {
	embedded, err := crawler.ParseSources("embedded", crawler.DefaultSourcesYAML)
	if err != nil {
		t.Fatal(err)
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
