package node

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
)

// LocalURLFile is where a running process with the embedded server leaves
// its loopback client URL (bus.Config.LocalURLFile).
func (e Env) LocalURLFile() string { return filepath.Join(e.Config.DataDir, "nats", "local.url") }

// NATSFor returns the NATS URL a one-shot command uses: natsURL if given,
// else the embedded server of a `diembao run` of this data dir if one is
// running, else "" (open the embedded store itself).
func (e Env) NATSFor(natsURL string) string {
	if natsURL != "" {
		return natsURL
	}
	return bus.LocalURL(e.LocalURLFile())
}

// Dial connects to the bus of a one-shot command as name: the server at
// natsURL, or (natsURL empty) the embedded store under the data dir, which
// only one process may hold at a time. Streams are not declared.
func (e Env) Dial(ctx context.Context, natsURL, name string, log *slog.Logger) (*bus.Bus, error) {
	sync := e.Config.NATS.Sync == nil || *e.Config.NATS.Sync
	return bus.Open(ctx, bus.Config{URL: natsURL, StoreDir: filepath.Join(e.Config.DataDir, "nats"), Sync: sync, Name: name}, log)
}

// OpenBus opens the bus for a one-shot command and declares the streams:
// the external server named by natsURL (nats.url, DIEMBAO_NATS_URL), the
// embedded server of a running `diembao run`, or the embedded store under
// the data dir, which only one process may hold at a time.
func (e Env) OpenBus(ctx context.Context, natsURL string) (*bus.Bus, error) {
	natsURL = e.NATSFor(natsURL)
	b, err := e.Dial(ctx, natsURL, "", e.Log)
	if err != nil {
		if natsURL == "" {
			return nil, fmt.Errorf("%w (if `diembao run` is using %s, stop it or pass --nats / DIEMBAO_NATS_URL)", err, e.Config.DataDir)
		}
		return nil, err
	}
	if err := b.Setup(ctx); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// StreamArchive reads the ARTICLES stream, the log of record, for rule
// backtests: the latest revision of every article published since a time.
// Each call opens the bus of Env (OpenBus with nats.url) and closes it.
type StreamArchive struct{ Env Env }

// ArticlesSince calls fn with the latest revision of every article
// published since since.
func (s StreamArchive) ArticlesSince(ctx context.Context, since time.Time, fn func(article.Article) error) error {
	b, err := s.Env.OpenBus(ctx, s.Env.Config.NATS.URL)
	if err != nil {
		return err
	}
	defer b.Close()
	return b.ArticlesSince(ctx, since, fn)
}
