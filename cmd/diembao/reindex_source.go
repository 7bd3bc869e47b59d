package main

import (
	"context"
	"encoding/json"
	"errors"
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
	rctx, cancel := context.WithCancel(ctx)
	s := &streamSource{items: make(chan indexer.ArticleAt, 512), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer close(s.items)
		s.err = b.ReadAll(rctx, bus.StreamArticles, func(m bus.Msg, _ uint64) error {
			var art article.Article
			if err := json.Unmarshal(m.Data, &art); err != nil || art.ID == "" {
				return nil // the live indexer dead-letters these; a rebuild skips them
			}
			select {
			case s.items <- indexer.ArticleAt{Article: art, Seq: m.Seq}:
				return nil
			case <-rctx.Done():
				return rctx.Err()
			}
		})
	}()
	closeFn := func() {
		cancel()
		<-s.done
		b.Close()
	}
	return s, si.State.Msgs, closeFn, nil
}

// streamSource turns the stream reader's callback into indexer.Source.
type streamSource struct {
	items chan indexer.ArticleAt
	done  chan struct{}
	err   error // set before items is closed
}

func (s *streamSource) Next(ctx context.Context) (indexer.ArticleAt, bool, error) {
	select {
	case <-ctx.Done():
		return indexer.ArticleAt{}, false, ctx.Err()
	case it, ok := <-s.items:
		if ok {
			return it, true, nil
		}
		<-s.done
		if s.err != nil && !errors.Is(s.err, context.Canceled) {
			return indexer.ArticleAt{}, false, s.err
		}
		return indexer.ArticleAt{}, false, nil
	}
}
