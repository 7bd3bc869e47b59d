package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
)

// localURLFile is where a running process with the embedded server leaves
// its loopback client URL (bus.Config.LocalURLFile).
func (a *app) localURLFile() string { return filepath.Join(a.cfg.DataDir, "nats", "local.url") }

// natsFor returns the NATS URL a one-shot command uses: natsURL if given,
// else the embedded server of a `diembao run` of this data dir if one is
// running, else "" (open the embedded store itself).
func (a *app) natsFor(natsURL string) string {
	if natsURL != "" {
		return natsURL
	}
	return bus.LocalURL(a.localURLFile())
}

// dial connects to the bus of a one-shot command as name: the server at
// natsURL, or (natsURL empty) the embedded store under the data dir, which
// only one process may hold at a time. Streams are not declared.
func (a *app) dial(ctx context.Context, natsURL, name string, log *slog.Logger) (*bus.Bus, error) {
	sync := a.cfg.NATS.Sync == nil || *a.cfg.NATS.Sync
	return bus.Open(ctx, bus.Config{URL: natsURL, StoreDir: filepath.Join(a.cfg.DataDir, "nats"), Sync: sync, Name: name}, log)
}

// openBus opens the bus for a one-shot command: the external server named
// by nats.url (DIEMBAO_NATS_URL), the embedded server of a running `diembao
// run`, or the embedded store under the data dir, which only one process may
// hold at a time.
func (a *app) openBus(ctx context.Context, natsURL string) (*bus.Bus, error) {
	natsURL = a.natsFor(natsURL)
	b, err := a.dial(ctx, natsURL, "", a.log)
	if err != nil {
		if natsURL == "" {
			return nil, fmt.Errorf("%w (if `diembao run` is using %s, stop it or pass --nats / DIEMBAO_NATS_URL)", err, a.cfg.DataDir)
		}
		return nil, err
	}
	if err := b.Setup(ctx); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// streamArchive reads the ARTICLES stream, the log of record, for rule
// backtests: the latest revision of every article published since a time.
type streamArchive struct{ a *app }

func (s streamArchive) ArticlesSince(ctx context.Context, since time.Time, fn func(article.Article) error) error {
	b, err := s.a.openBus(ctx, s.a.cfg.NATS.URL)
	if err != nil {
		return err
	}
	defer b.Close()
	return b.ArticlesSince(ctx, since, fn)
}
