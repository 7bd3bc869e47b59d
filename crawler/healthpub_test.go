package crawler

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/kv"
)

// TestSourceUptimeFromPublishedHealth: the report's uptime per source is read
// from the health the crawl role publishes, over the report's days only.
func TestSourceUptimeFromPublishedHealth(t *testing.T) {
	ctx := context.Background()
	st := kv.NewMemory()
	h := HealthStore{St: st}
	if u, err := h.Uptime(ctx, time.Now().AddDate(0, 0, -1), time.Now()); err != nil || len(u) != 0 {
		t.Fatalf("before any crawl: %v %v", u, err)
	}
	list := []SourceHealth{
		{Source: "a", Days: []DayPasses{{Day: "2026-01-05", Passes: 10, Failed: 1}, {Day: "2027-01-01", Passes: 4, Failed: 4}}},
		{Source: "b", Days: []DayPasses{{Day: "2025-12-31", Passes: 3}}},
	}
	b, _ := json.Marshal(list)
	if _, err := st.Put(ctx, "sources", b); err != nil {
		t.Fatal(err)
	}
	loc := time.FixedZone("ICT", 7*3600)
	u, err := h.Uptime(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, loc), time.Date(2027, 1, 1, 0, 0, 0, 0, loc))
	if err != nil {
		t.Fatal(err)
	}
	if len(u) != 1 || u["a"] != 0.9 {
		t.Errorf("uptime of 2026 %v, want a: 0.9 and nothing for b", u)
	}
}
