package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/cli"
)

// TestRunBadInputExits2: `run` with an invalid sources.yaml or a missing
// rules folder is bad input: exit 2 with a one-line message naming the
// file (the contract), not 1.
func TestRunBadInputExits2(t *testing.T) {
	tests := []struct {
		name, extra, sources, want string
	}{
		{"invalid sources.yaml", "", "sources:\n  - id: dong\n    feeds: [http://127.0.0.1:9/rss.xml]\n    colour: red\n", "sources.yaml:4"},
		{"missing rules folder", "rules: [%s/khong-co]\n", "sources:\n  - {id: dong, name: Dong, kind: press, feeds: [\"http://127.0.0.1:9/rss.xml\"], allow_private: true}\n", "khong-co"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTestFile(t, filepath.Join(dir, "sources.yaml"), tt.sources)
			extra := tt.extra
			if strings.Contains(extra, "%s") {
				extra = fmt.Sprintf(extra, dir)
			}
			cfg := filepath.Join(dir, "diembao.yaml")
			writeTestFile(t, cfg, fmt.Sprintf("data_dir: %s\nsources: sources.yaml\nhttp: {listen: \"127.0.0.1:%d\"}\nmetrics: {listen: \"127.0.0.1:%d\"}\n%s",
				filepath.Join(dir, "data"), freePort(t), freePort(t), extra))
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var out, errb bytes.Buffer
			code := realMain(ctx, []string{"--config", cfg, "run"}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
			if code != cli.ExitUsage || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and a message containing %q", code, lastLine(errb.String()), cli.ExitUsage, tt.want)
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
