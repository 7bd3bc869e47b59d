package node

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/rules"
)

// ArticleSourceFunc opens a reader over the whole ARTICLES stream, oldest
// first, with the number of messages it holds (0 if unknown). close is
// called when the rebuild ends. BusArticleSource is the real one.
type ArticleSourceFunc func(ctx context.Context, env Env) (src indexer.Source, total uint64, close func(), err error)

// Reindex rebuilds DATA/index from the articles open gives, classified
// with the rules loaded now, not the verdicts the messages carry from the
// time they were crawled; the progress bar goes to progress.
func Reindex(ctx context.Context, env Env, open ArticleSourceFunc, progress io.Writer) error {
	rl, err := rules.NewReloader(rules.ReloaderConfig{Dirs: env.Config.Rules}, env.Log)
	if err != nil {
		return fmt.Errorf("load rules: %w", err)
	}
	src, total, closeSrc, err := open(ctx, env)
	if err != nil {
		return fmt.Errorf("open ARTICLES: %w", err)
	}
	defer closeSrc()
	final := filepath.Join(env.Config.DataDir, "index")
	seq, err := indexer.Rebuild(ctx, final, indexer.ClassifierFunc(func(a article.Article) ([]string, bool) {
		return rl.Current().Classify(a)
	}), src, total, progress, env.Log)
	if err != nil {
		return err
	}
	env.Log.Info("index rebuilt", "dir", final, "last_seq", seq)
	return nil
}

// BusArticleSource reads the whole ARTICLES stream, oldest first, for
// `diembao reindex`: the embedded store under the data dir, or nats.url.
func BusArticleSource(ctx context.Context, env Env) (indexer.Source, uint64, func(), error) {
	b, err := env.OpenBus(ctx, env.Config.NATS.URL)
	if err != nil {
		return nil, 0, nil, err
	}
	info, err := b.JetStream().Stream(ctx, bus.StreamArticles)
	if err != nil {
		b.Close()
		return nil, 0, nil, fmt.Errorf("articles stream: %w", err)
	}
	si, err := info.Info(ctx)
	if err != nil {
		b.Close()
		return nil, 0, nil, fmt.Errorf("articles stream: %w", err)
	}
	src, stop := indexer.PushSource(ctx, func(ctx context.Context, push func(indexer.ArticleAt) error) error {
		return b.ReadAll(ctx, bus.StreamArticles, func(m bus.Msg, _ uint64) error {
			var art article.Article
			if err := json.Unmarshal(m.Data, &art); err != nil || art.ID == "" {
				return nil // the live indexer dead-letters these; a rebuild skips them
			}
			return push(indexer.ArticleAt{Article: art, Seq: m.Seq})
		})
	})
	closeFn := func() {
		stop()
		b.Close()
	}
	return src, si.State.Msgs, closeFn, nil
}
