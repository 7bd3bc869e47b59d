package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/kv"
)

// countingStore counts the values read.
type countingStore struct {
	*kv.Memory
	gets int
}

func (c *countingStore) Get(ctx context.Context, key string) (kv.Entry, error) {
	c.gets++
	return c.Memory.Get(ctx, key)
}

// An alert's audit entries are found by their key prefix: the alert page
// reads its own entries, however long the log of the others grows, and
// the whole log comes newest first.
func TestAuditLogReadsOnlyTheAlertsEntries(t *testing.T) {
	st := &countingStore{Memory: kv.NewMemory()}
	a := NewAccounts(st)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for i := range 500 {
		e := AuditEntry{Time: t0.Add(time.Duration(i) * time.Minute), User: "an", Action: "view", AlertID: fmt.Sprintf("alert%03d", i%50)}
		if i%7 == 0 {
			e.AlertID, e.Action = "", "login"
		}
		if err := a.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	st.gets = 0
	got, err := a.AuditLog(ctx, "alert001", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || st.gets != len(got) {
		t.Errorf("alert001: %d entries for %d reads", len(got), st.gets)
	}
	for i, e := range got {
		if e.AlertID != "alert001" || i > 0 && e.Time.After(got[i-1].Time) {
			t.Errorf("entry %d: %+v", i, e)
		}
	}
	all, err := a.AuditLog(ctx, "", 30)
	if err != nil || len(all) != 30 || !all[0].Time.Equal(t0.Add(499*time.Minute)) {
		t.Fatalf("whole log: %d entries, first %+v, %v", len(all), all[0], err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Time.After(all[i-1].Time) {
			t.Errorf("whole log not newest first at %d", i)
		}
	}
}
