package indexer

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
)

// TestPanicInIndexIsRecoveredAndReopens makes an Index call panic (through
// its classifier, as a Bleve panic would inside the call): the caller gets
// an errkind.Unavailable error instead of a crash, Health reports the
// failed write, and the next call reopens the index from disk and succeeds.
func TestPanicInIndexIsRecoveredAndReopens(t *testing.T) {
	ctx := context.Background()
	var boom atomic.Bool
	cls := ClassifierFunc(func(a article.Article) ([]string, bool) {
		if boom.Load() {
			panic("assignment to entry in nil map")
		}
		return nil, false
	})
	x, err := Open(Config{Dir: t.TempDir()}, cls, testLog())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.Index(ctx, []ArticleAt{{art("a", "biên giới", "Đồn biên phòng", 5), 1}}); err != nil {
		t.Fatal(err)
	}
	if err := x.Health(); err != nil {
		t.Fatalf("Health after a good write: %v", err)
	}
	boom.Store(true)
	err = x.Index(ctx, []ArticleAt{{art("b", "Lào", "Sầm Tớ", 5), 2}})
	if err == nil || !errors.Is(err, errkind.Unavailable) {
		t.Fatalf("Index during a panic = %v, want an errkind.Unavailable error", err)
	}
	if err := x.Health(); err == nil {
		t.Error("Health after a panicking write is nil")
	}
	// Reads keep working meanwhile.
	if got := ids(t, x, Query{Q: "bien gioi"}); !slices.Equal(got, []string{"a"}) {
		t.Errorf("search after the panic: %v", got)
	}
	boom.Store(false)
	if err := x.Index(ctx, []ArticleAt{{art("b", "Lào", "Sầm Tớ", 5), 2}}); err != nil {
		t.Fatalf("Index after the panic: %v", err)
	}
	if err := x.Health(); err != nil {
		t.Errorf("Health after recovery: %v", err)
	}
	if x.LastSeq() != 2 {
		t.Errorf("LastSeq = %d, want 2", x.LastSeq())
	}
	if n, _ := x.Count(); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
}

// TestFullDiskStopsReadsUntilReopened: below MinFree free bytes a read is
// refused (errkind.Unavailable) without touching Bleve; once space returns
// the first read reopens the index from disk and finds what it held.
func TestFullDiskStopsReadsUntilReopened(t *testing.T) {
	ctx := context.Background()
	x, err := Open(Config{Dir: t.TempDir()}, nil, testLog())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.Index(ctx, []ArticleAt{{art("a", "biên giới", "Đồn biên phòng", 5), 1}}); err != nil {
		t.Fatal(err)
	}
	setMinFree := func(n uint64) {
		x.cfg.MinFree = n
		x.guard.mu.Lock()
		x.guard.diskAt = time.Time{} // read the free space again
		x.guard.mu.Unlock()
	}
	setMinFree(1 << 62) // no disk has that much free: "full"
	if _, err := x.Search(ctx, Query{Q: "bien gioi"}); !errors.Is(err, errkind.Unavailable) {
		t.Fatalf("search on a full disk: %v, want errkind.Unavailable", err)
	}
	if _, err := x.Get(ctx, "a"); !errors.Is(err, errkind.Unavailable) {
		t.Fatalf("get on a full disk: %v, want errkind.Unavailable", err)
	}
	before := x.months["2026-11"]
	setMinFree(1)
	if got := ids(t, x, Query{Q: "bien gioi"}); !slices.Equal(got, []string{"a"}) {
		t.Errorf("search once space returned: %v", got)
	}
	x.mu.RLock()
	after := x.months["2026-11"]
	x.mu.RUnlock()
	if before == nil || after == nil || before == after {
		t.Errorf("the month's index was not reopened (%p → %p)", before, after)
	}
}

// TestReopenWaitsForRunningReads: a reopen closes the monthly indexes only
// after the reads already running on them are over.
func TestReopenWaitsForRunningReads(t *testing.T) {
	ctx := context.Background()
	x, err := Open(Config{Dir: t.TempDir()}, nil, testLog())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.Index(ctx, []ArticleAt{{art("a", "biên giới", "Đồn biên phòng", 5), 1}}); err != nil {
		t.Fatal(err)
	}
	done, err := x.beginRead()
	if err != nil {
		t.Fatal(err)
	}
	x.guard.mu.Lock()
	x.guard.reopen = true
	x.guard.mu.Unlock()
	reopened := make(chan error, 1)
	go func() {
		x.wmu.Lock()
		defer x.wmu.Unlock()
		reopened <- x.reopenIfNeeded()
	}()
	select {
	case err := <-reopened:
		t.Fatalf("reopen finished under a running read: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	done()
	if err := <-reopened; err != nil {
		t.Fatal(err)
	}
	if got := ids(t, x, Query{Q: "bien gioi"}); !slices.Equal(got, []string{"a"}) {
		t.Errorf("search after the reopen: %v", got)
	}
}
