package indexer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"
)

// Rebuild builds a new index of every article src gives (total of them, 0
// if unknown) into dir+".rebuild", classified by cls, drawing a progress bar
// on progress, then swaps it in for dir. On failure the old index is left
// untouched. It returns the new index's last sequence.
func Rebuild(ctx context.Context, dir string, cls Classifier, src Source, total uint64, progress io.Writer, log *slog.Logger) (uint64, error) {
	tmp := dir + ".rebuild"
	if err := os.RemoveAll(tmp); err != nil {
		return 0, err
	}
	idx, err := Open(Config{Dir: tmp}, cls, log)
	if err != nil {
		return 0, err
	}
	bar := progressBar{w: progress}
	err = idx.Reindex(ctx, src, total, 500, bar.draw)
	bar.done()
	if cerr := idx.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("%w (the old index is untouched; %s is partial)", err, tmp)
	}
	old := dir + ".old"
	if err := os.RemoveAll(old); err != nil {
		return 0, err
	}
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, fmt.Errorf("swap indexes: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return 0, fmt.Errorf("swap indexes: %w", err)
	}
	if err := os.RemoveAll(old); err != nil {
		return 0, fmt.Errorf("remove old index: %w", err)
	}
	return idx.LastSeq(), nil
}

// progressBar draws "[#####-----]  45%  4,500/10,000  1,234/s  ETA 0:05" on
// one terminal line.
type progressBar struct {
	w    io.Writer
	last time.Time
	p    Progress
}

func (b *progressBar) draw(p Progress) {
	b.p = p
	if time.Since(b.last) < 200*time.Millisecond && (p.Total == 0 || p.Done < p.Total) {
		return
	}
	b.last = time.Now()
	fmt.Fprint(b.w, "\r"+p.Line())
}

func (b *progressBar) done() {
	if b.p.Done > 0 {
		fmt.Fprintln(b.w, "\r"+b.p.Line())
	}
}

// Line is the progress as one line of text, a bar with the rate and the
// time left when the total is known.
func (p Progress) Line() string {
	rate := 0.0
	if s := p.Elapsed.Seconds(); s > 0 {
		rate = float64(p.Done) / s
	}
	if p.Total == 0 {
		return fmt.Sprintf("%d bài  %.0f bài/s  %s", p.Done, rate, p.Elapsed.Round(time.Second))
	}
	frac := min(float64(p.Done)/float64(p.Total), 1)
	const width = 30
	n := int(frac * width)
	return fmt.Sprintf("[%s%s] %3.0f%%  %d/%d  %.0f bài/s  ETA %s",
		strings.Repeat("#", n), strings.Repeat("-", width-n), frac*100,
		p.Done, p.Total, rate, p.ETA().Round(time.Second))
}

// PushSource turns a reader that pushes articles (fill, run in its own
// goroutine until it returns) into a Source. stop ends fill (its push
// returns the context's error) and waits for it. An error of fill other
// than a cancellation is Next's last error.
func PushSource(ctx context.Context, fill func(ctx context.Context, push func(ArticleAt) error) error) (src Source, stop func()) {
	rctx, cancel := context.WithCancel(ctx)
	s := &pushSource{items: make(chan ArticleAt, 512), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer close(s.items)
		s.err = fill(rctx, func(a ArticleAt) error {
			select {
			case s.items <- a:
				return nil
			case <-rctx.Done():
				return rctx.Err()
			}
		})
	}()
	return s, func() {
		cancel()
		<-s.done
	}
}

type pushSource struct {
	items chan ArticleAt
	done  chan struct{}
	err   error // set before items is closed
}

func (s *pushSource) Next(ctx context.Context) (ArticleAt, bool, error) {
	select {
	case <-ctx.Done():
		return ArticleAt{}, false, ctx.Err()
	case it, ok := <-s.items:
		if ok {
			return it, true, nil
		}
		<-s.done
		if s.err != nil && !errors.Is(s.err, context.Canceled) {
			return ArticleAt{}, false, s.err
		}
		return ArticleAt{}, false, nil
	}
}
