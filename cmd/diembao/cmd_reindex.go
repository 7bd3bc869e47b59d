package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/rules"
)

// articleSourceFunc opens a reader over the whole ARTICLES stream, oldest
// first, with the number of messages it holds (0 if unknown). close is
// called when the rebuild ends. busArticleSource is the real one.
type articleSourceFunc func(ctx context.Context, a *app) (src indexer.Source, total uint64, close func(), err error)

// cmdReindex is "diembao reindex": it rebuilds the index from the ARTICLES
// stream into DATA/index.rebuild, drawing a progress bar with ETA on stderr,
// then swaps it in for DATA/index. It refuses to run while a `diembao run`
// answers at http.base_url (that process owns the index).
func cmdReindex(ctx context.Context, a *app, args []string) int {
	if len(args) > 0 {
		return a.exitCode(fmt.Errorf("%w: reindex takes no arguments", errUsage))
	}
	if serverRunning(ctx, a) {
		return a.exitCode(fmt.Errorf("reindex: a diembao process answers at %s; stop it first (it holds the index)", a.cfg.HTTP.BaseURL))
	}
	if err := reindex(ctx, a, busArticleSource); err != nil {
		return a.exitCode(fmt.Errorf("reindex: %w", err))
	}
	return exitOK
}

func serverRunning(ctx context.Context, a *app) bool {
	_, err := searchRemote(ctx, a, searchOpts{params: map[string][]string{"q": {"x"}, "size": {"1"}}})
	return !errors.Is(err, errNoServer)
}

func reindex(ctx context.Context, a *app, open articleSourceFunc) error {
	final := filepath.Join(a.cfg.DataDir, "index")
	tmp := final + ".rebuild"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	rl, err := rules.NewReloader(rules.ReloaderConfig{Dirs: a.cfg.Rules}, a.log)
	if err != nil {
		return fmt.Errorf("load rules: %w", err)
	}
	src, total, closeSrc, err := open(ctx, a)
	if err != nil {
		return fmt.Errorf("open ARTICLES: %w", err)
	}
	defer closeSrc()
	// A rebuild classifies with the rules loaded now, not the verdicts the
	// messages carry from the time they were crawled.
	idx, err := indexer.Open(indexer.Config{Dir: tmp}, indexer.ClassifierFunc(func(a article.Article) ([]string, bool) {
		return rl.Current().Classify(a)
	}), a.log)
	if err != nil {
		return err
	}
	bar := progressBar{w: a.stderr}
	err = idx.Reindex(ctx, src, total, 500, bar.draw)
	bar.done()
	if cerr := idx.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w (the old index is untouched; %s is partial)", err, tmp)
	}
	old := final + ".old"
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if err := os.Rename(final, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("swap indexes: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("swap indexes: %w", err)
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("remove old index: %w", err)
	}
	a.log.Info("index rebuilt", "dir", final, "last_seq", idx.LastSeq())
	return nil
}

// progressBar draws "[#####-----]  45%  4,500/10,000  1,234/s  ETA 0:05" on
// one terminal line.
type progressBar struct {
	w    io.Writer
	last time.Time
	p    indexer.Progress
}

func (b *progressBar) draw(p indexer.Progress) {
	b.p = p
	if time.Since(b.last) < 200*time.Millisecond && (p.Total == 0 || p.Done < p.Total) {
		return
	}
	b.last = time.Now()
	fmt.Fprint(b.w, "\r"+progressLine(p))
}

func (b *progressBar) done() {
	if b.p.Done > 0 {
		fmt.Fprintln(b.w, "\r"+progressLine(b.p))
	}
}

func progressLine(p indexer.Progress) string {
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
