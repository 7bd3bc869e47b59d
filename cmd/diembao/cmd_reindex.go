package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/cli"
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
		return a.exitCode(fmt.Errorf("%w: reindex takes no arguments", cli.ErrUsage))
	}
	if a.client().Running(ctx) {
		return a.exitCode(fmt.Errorf("reindex: a diembao process answers at %s; stop it first (it holds the index)", a.cfg.HTTP.BaseURL))
	}
	if err := reindex(ctx, a, busArticleSource); err != nil {
		return a.exitCode(fmt.Errorf("reindex: %w", err))
	}
	return cli.ExitOK
}

// reindex rebuilds DATA/index from the articles open gives, classified
// with the rules loaded now, not the verdicts the messages carry from the
// time they were crawled.
func reindex(ctx context.Context, a *app, open articleSourceFunc) error {
	rl, err := rules.NewReloader(rules.ReloaderConfig{Dirs: a.cfg.Rules}, a.log)
	if err != nil {
		return fmt.Errorf("load rules: %w", err)
	}
	src, total, closeSrc, err := open(ctx, a)
	if err != nil {
		return fmt.Errorf("open ARTICLES: %w", err)
	}
	defer closeSrc()
	final := filepath.Join(a.cfg.DataDir, "index")
	seq, err := indexer.Rebuild(ctx, final, indexer.ClassifierFunc(func(a article.Article) ([]string, bool) {
		return rl.Current().Classify(a)
	}), src, total, a.stderr, a.log)
	if err != nil {
		return err
	}
	a.log.Info("index rebuilt", "dir", final, "last_seq", seq)
	return nil
}
