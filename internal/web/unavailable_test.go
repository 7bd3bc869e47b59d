package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/errkind"
)

// TestUnavailableIndexIs503: a search the index refuses for now (a full
// disk, a reopen) is a 503 with Retry-After and a Vietnamese explanation,
// not an internal error.
func TestUnavailableIndexIs503(t *testing.T) {
	e := newEnv(t, Config{}, func(d *Deps) {
		d.Searcher = SearcherFunc(func(context.Context, indexer.Query) (indexer.Result, error) {
			return indexer.Result{}, fmt.Errorf("index: %w: the disk is almost full", errkind.Unavailable)
		})
	})
	c := e.login("an")
	resp, body := get(t, c, e.ts.URL+"/?q=bien+gioi")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "tạm thời không khả dụng") {
		t.Errorf("search page: %d, Retry-After %q, body has the notice: %v", resp.StatusCode, resp.Header.Get("Retry-After"), strings.Contains(body, "tạm thời không khả dụng"))
	}
	resp, _ = get(t, c, e.ts.URL+"/api/search?q=bien+gioi")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("API search: %d, want 503", resp.StatusCode)
	}
}
