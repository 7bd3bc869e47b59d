package node

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/crawler/sourcestore"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/web"
	"github.com/diembao/diembao/internal/webdata"
)

// BucketSources holds the sources edited in the UI: one key per source id,
// sourcestore.History revisions each (crawler/sourcestore).
const BucketSources = "sources"

// LoadSources reads the sources file named by diembao.yaml's sources key,
// for every reader alike (the crawl role, the source editor, `sources
// check|list`, cases, reports). The default name, or none (`sources: ""`),
// is optional: ./sources.yaml when it exists, else the embedded list of real
// outlets. A path the operator named must exist.
func LoadSources(path string) ([]crawler.Source, error) {
	if def := config.Default().Sources; path == "" || path == def {
		return crawler.LoadSourcesOrDefault(def)
	}
	return crawler.LoadSources(path)
}

// openSourceStore opens the edited-sources bucket over the seed. The UI may
// set allow_private only where sources.yaml already allows a private source
// (test sites and the demo), so an admin's browser cannot aim the crawler
// at the office network of a real deployment.
func (n *Node) openSourceStore(ctx context.Context, seed []crawler.Source) (*sourcestore.Store, error) {
	return openSourceStoreOn(ctx, n.bus, seed)
}

// openSourceStoreOn is openSourceStore on bus b.
func openSourceStoreOn(ctx context.Context, b *bus.Bus, seed []crawler.Source) (*sourcestore.Store, error) {
	bucket, err := b.KVHistory(ctx, BucketSources, sourcestore.History)
	if err != nil {
		return nil, err
	}
	allow := false
	for _, s := range seed {
		allow = allow || s.AllowPrivate
	}
	return sourcestore.New(bucket, sourcestore.Config{Seed: seed, AllowPrivate: allow})
}

// effectiveSources opens the store and returns the list to crawl now: the
// seed overlaid by the edits kept on the bus.
func (n *Node) effectiveSources(ctx context.Context, seed []crawler.Source) (*sourcestore.Store, []crawler.Source, error) {
	st, err := n.openSourceStore(ctx, seed)
	if err != nil {
		return nil, nil, fmt.Errorf("crawl: sources: %w", err)
	}
	srcs, skipped, err := st.Effective(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("crawl: sources: %w", err)
	}
	for _, e := range skipped {
		n.log.Warn("edited source skipped", "err", e)
	}
	return st, srcs, nil
}

// webSourceEditor returns the editor, or nil (the Sources page then shows
// health only) when this process cannot read sources.yaml: a serve role
// must not fail for a file only the crawl role needs.
func (n *Node) webSourceEditor(ctx context.Context) (web.SourceEditor, error) {
	seed, err := LoadSources(n.cfg.Sources)
	if err != nil {
		n.log.Warn("source editor off: cannot read the sources file", "err", err)
		return nil, nil
	}
	st, err := n.openSourceStore(ctx, seed)
	if err != nil {
		return nil, err
	}
	return webdata.SourceEditorFrom(st, OneShotFetch(n.cfg, 15*time.Second), n.log), nil // a preview fails fast
}

// ReadSourceStore opens the edited sources for a one-shot command and
// calls read, when a bus is at hand without side effects: nats.url, a
// running `diembao run`, or an embedded store already under the data dir
// (ok false otherwise, and when read fails).
func ReadSourceStore[T any](ctx context.Context, env Env, seed []crawler.Source, read func(context.Context, *sourcestore.Store) (T, error)) (v T, ok bool, err error) {
	natsURL := env.NATSFor(env.Config.NATS.URL)
	if natsURL == "" {
		if _, err := os.Stat(filepath.Join(env.Config.DataDir, "nats", "jetstream")); err != nil {
			return v, false, nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	b, err := env.Dial(ctx, natsURL, "diembao-sources", slog.New(slog.DiscardHandler)) // errors are returned; the server's chatter is not wanted here
	if err != nil {
		return v, false, err
	}
	defer b.Close()
	bucket, err := b.KVHistory(ctx, BucketSources, sourcestore.History)
	if err != nil {
		return v, false, err
	}
	st, err := sourcestore.New(bucket, sourcestore.Config{Seed: seed})
	if err != nil {
		return v, false, err
	}
	v, err = read(ctx, st)
	return v, err == nil, err
}

// effectiveSources is seed overlaid by the edits kept on b.
func effectiveSources(ctx context.Context, b *bus.Bus, seed []crawler.Source) ([]crawler.Source, error) {
	bucket, err := b.KVHistory(ctx, BucketSources, sourcestore.History)
	if err != nil {
		return nil, err
	}
	st, err := sourcestore.New(bucket, sourcestore.Config{Seed: seed})
	if err != nil {
		return nil, err
	}
	eff, _, err := st.Effective(ctx)
	return eff, err
}

// EditedSources overlays the edits kept on the bus on seed, for `sources
// check` (ReadSourceStore says when a bus is read). Without such a bus it
// returns seed; when the bus cannot be read, seed and the error.
func EditedSources(ctx context.Context, env Env, seed []crawler.Source) ([]crawler.Source, error) {
	srcs, ok, err := ReadSourceStore(ctx, env, seed, func(ctx context.Context, st *sourcestore.Store) ([]crawler.Source, error) {
		srcs, _, err := st.Effective(ctx)
		return srcs, err
	})
	if !ok {
		return seed, err
	}
	return srcs, nil
}

// SourceList is the list `sources list` prints: seed overlaid by the edits
// kept on the bus, disabled sources included. Without such a bus it lists
// seed; when the bus cannot be read, seed and the error.
func SourceList(ctx context.Context, env Env, seed []crawler.Source) ([]sourcestore.Entry, error) {
	list, ok, err := ReadSourceStore(ctx, env, seed, func(ctx context.Context, st *sourcestore.Store) ([]sourcestore.Entry, error) {
		return st.List(ctx)
	})
	if ok {
		return list, nil
	}
	list = nil
	for _, s := range seed {
		list = append(list, sourcestore.Entry{Source: s, Seeded: true})
	}
	return list, err
}
