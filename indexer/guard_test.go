package indexer

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

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
