package sourcestore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/diembao/diembao/crawler"
)

// benchStore is newStore with n sources added in the UI.
func benchStore(b *testing.B, n int) *Store {
	b.Helper()
	st, _ := newStore(b, false)
	ctx := context.Background()
	for i := range n {
		src := crawler.Source{ID: fmt.Sprintf("nguon-%03d", i), Feeds: []string{fmt.Sprintf("https://nguon%d.example/rss.xml", i)}}
		if _, err := st.Save(ctx, Change{Source: src, New: true, By: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	return st
}

// BenchmarkEffective: one read of the effective list (what the crawl role
// does on every change signal and every 30 s poll) with 100 edited sources
// on an embedded JetStream.
func BenchmarkEffective(b *testing.B) {
	st := benchStore(b, 100)
	ctx := context.Background()
	for b.Loop() {
		srcs, _, err := st.Effective(ctx)
		if err != nil || len(srcs) != 102 {
			b.Fatal(len(srcs), err)
		}
	}
}

// BenchmarkSaveToApply: from Save returning to Follow's apply seeing the
// change (the watch, not the poll: the poll is set to an hour).
func BenchmarkSaveToApply(b *testing.B) {
	st := benchStore(b, 20)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	applied := make(chan []crawler.Source, 16)
	go st.Follow(ctx, time.Hour, func(s []crawler.Source) error { applied <- s; return nil }, nil)
	<-applied
	e, err := st.Get(ctx, "nguon-000")
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		e.Source.Name = fmt.Sprintf("Nguồn %d", i)
		r, err := st.Save(ctx, Change{Source: e.Source, BaseRev: e.Rev, By: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		e.Rev = r.Rev
		for s := range applied {
			if s[2].Name == e.Source.Name {
				break
			}
		}
	}
}
