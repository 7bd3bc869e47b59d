package indexer_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/indexer"
)

// TestWriteTextShowsVietnamDay: a hit stored in the page's own offset is
// printed as its day in Vietnam (19:00 on 22 October at −05:00 is the 23rd).
func TestWriteTextShowsVietnamDay(t *testing.T) {
	ny := time.FixedZone("EST", -5*3600)
	res := indexer.Result{Total: 1, Hits: []indexer.Hit{{ID: "a", Title: "Tin", Source: "x", URL: "https://x/a",
		Published: time.Date(2026, 10, 22, 19, 0, 0, 0, ny)}}}
	var b bytes.Buffer
	res.WriteText(&b, "tin", time.FixedZone("ICT", 7*3600))
	if !strings.Contains(b.String(), "2026-10-23") {
		t.Errorf("printed %q, want the Vietnam day 2026-10-23", b.String())
	}
}
