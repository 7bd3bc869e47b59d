package main

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/e2e"
	"github.com/diembao/diembao/internal/mailcatcher"
)

// The process-level helpers live in internal/e2e (shared with the fault
// suite, internal/faulttest); these adapters keep this package's browser
// test and pipeline benchmark short.

// apiClient talks to a running serve role with HTTP basic auth.
type apiClient struct {
	base, user, pass string
}

func (c apiClient) api() e2e.API { return e2e.API{Base: c.base, User: c.user, Pass: c.pass} }

func (c apiClient) search(q string) (indexer.Result, error) { return c.api().Search(q) }

func (c apiClient) alerts() ([]e2e.Alert, error) { return c.api().Alerts() }

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	e2e.WriteFile(t, path, content)
}

func mailAlertIDs(t *testing.T, raw []byte) []string {
	t.Helper()
	return e2e.MailAlertIDs(t, raw)
}

func freePort(t *testing.T) int { return e2e.FreePort(t) }

func e2eConfig(dataDir, sources string, httpPort int, catcher *mailcatcher.Catcher, natsURL string) string {
	return e2e.Config(dataDir, sources, httpPort, catcher, natsURL, "")
}

func (c apiClient) get(path string, v any) error { return c.api().Get(path, v) }

func (c apiClient) raw(path string) (string, error) { return c.api().Raw(path) }

// testApp is an app over cfg whose log (Info and up) goes to a buffer,
// the tail of which is shown when the test fails.
func testApp(t *testing.T, cfg config.Config) *app {
	t.Helper()
	logBuf := &lockedBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			b := logBuf.String()
			if len(b) > 8000 {
				b = b[len(b)-8000:]
			}
			t.Logf("---- node log (tail) ----\n%s", b)
		}
	})
	log := slog.New(slog.NewTextHandler(logBuf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return &app{cfg: cfg, log: log, stdout: logBuf, stderr: logBuf, stdin: strings.NewReader(""), getenv: func(string) string { return "" }}
}
