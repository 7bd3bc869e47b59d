package indexer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
)

// TestPushSourceOrderAndError: Next gives the pushed articles in order,
// then the filler's error; stop ends a filler that still pushes.
func TestPushSourceOrderAndError(t *testing.T) {
	boom := errors.New("stream gone")
	src, stop := PushSource(context.Background(), func(ctx context.Context, push func(ArticleAt) error) error {
		for i := uint64(1); i <= 3; i++ {
			if err := push(ArticleAt{Article: article.Article{ID: "a"}, Seq: i}); err != nil {
				return err
			}
		}
		return boom
	})
	defer stop()
	for want := uint64(1); want <= 3; want++ {
		a, ok, err := src.Next(context.Background())
		if !ok || err != nil || a.Seq != want {
			t.Fatalf("item %d: %+v %v %v", want, a, ok, err)
		}
	}
	if _, ok, err := src.Next(context.Background()); ok || !errors.Is(err, boom) {
		t.Fatalf("end: ok %v err %v, want the filler's error", ok, err)
	}

	endless, stopEndless := PushSource(context.Background(), func(ctx context.Context, push func(ArticleAt) error) error {
		for {
			if err := push(ArticleAt{Seq: 1}); err != nil {
				return err
			}
		}
	})
	if _, ok, _ := endless.Next(context.Background()); !ok {
		t.Fatal("endless source gave nothing")
	}
	stopEndless() // returns only once the filler has returned
}

// TestProgressLine: a known total draws the bar and the share.
func TestProgressLine(t *testing.T) {
	p := Progress{Done: 50, Total: 100, Elapsed: 10 * time.Second}
	if got := p.Line(); !strings.HasPrefix(got, "[###############---------------]  50%  50/100  5 bài/s") {
		t.Errorf("Line() = %q", got)
	}
	if got := (Progress{Done: 7, Elapsed: time.Second}).Line(); got != "7 bài  7 bài/s  1s" {
		t.Errorf("unknown total: %q", got)
	}
}
