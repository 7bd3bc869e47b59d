package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
)

// busArticleSource reads the whole ARTICLES stream, oldest first, for
// `diembao reindex`: the embedded store under the data dir, or nats.url.
func busArticleSource(ctx context.Context, a *app) (indexer.Source, uint64, func(), error) {
	b, err := a.openBus(ctx, a.cfg.NATS.URL)
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
