package bus

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/kv"
)

// TestKVHistory: a history bucket keeps the last depth values of a key,
// oldest first, leaves deletions out, and signals changes.
func TestKVHistory(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := openTest(t, t.TempDir())
	defer b.Close()
	if _, err := b.KVHistory(ctx, "bad", MaxKVHistory+1); err == nil {
		t.Fatal("depth above the JetStream limit accepted")
	}
	h, err := b.KVHistory(ctx, "edits", 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.History(ctx, "x"); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
	changes, err := h.Changes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := h.Put(ctx, "x", fmt.Appendf(nil, "v%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-changes:
	case <-time.After(10 * time.Second):
		t.Fatal("no change signal after five writes")
	}
	es, err := h.History(ctx, "x")
	if err != nil || len(es) != 3 || string(es[0].Value) != "v2" || string(es[2].Value) != "v4" || es[0].Revision >= es[2].Revision {
		t.Fatalf("history %+v %v", es, err)
	}
	if err := h.Delete(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if es, err := h.History(ctx, "x"); err != nil || len(es) != 2 {
		t.Fatalf("history after delete: %d values, %v", len(es), err)
	}
	// Reopening with a deeper history keeps what is stored.
	h2, err := b.KVHistory(ctx, "edits", 10)
	if err != nil {
		t.Fatal(err)
	}
	if e, err := h2.Get(ctx, "x"); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("deleted key after reopen: %+v %v", e, err)
	}
}
