package sourcestore

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/crawler"
)

// TestWriteListOrigins: each entry says whether it is the seed as is, an
// edited seed or added in the UI, as JSON and as text.
func TestWriteListOrigins(t *testing.T) {
	at := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	list := []Entry{
		{Source: crawler.Source{ID: "a", Name: "A", Kind: "press"}, Seeded: true},
		{Source: crawler.Source{ID: "b", Name: "B", Kind: "press"}, Seeded: true, Edited: true, By: "admin", At: at, Disabled: true},
		{Source: crawler.Source{ID: "c", Name: "C", Kind: "portal"}, Edited: true, By: "admin", At: at},
	}
	var b bytes.Buffer
	if err := WriteList(&b, list, true, time.FixedZone("ICT", 7*3600)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], `"origin":"seed"`) || !strings.Contains(lines[1], `"origin":"edited"`) ||
		!strings.Contains(lines[1], `"at":"2026-12-01T10:00:00+07:00"`) || !strings.Contains(lines[2], `"origin":"added"`) {
		t.Errorf("json:\n%s", b.String())
	}
	b.Reset()
	WriteList(&b, list, false, time.UTC)
	if !strings.Contains(b.String(), "b                    off  press    edited  B  (admin, 2026-12-01T03:00:00Z)") {
		t.Errorf("text:\n%s", b.String())
	}
}
