package main

import (
	"github.com/diembao/diembao/internal/mailcatcher"
	"testing"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/e2e"
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
