package node

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/config"
)

// sourceNamesTTL is how long the names are kept before they are read again,
// so an edit in the Sources page shows in mails and pages within a minute.
const sourceNamesTTL = time.Minute

// sourceNamer gives the sources' display names by id for mails, digests and
// the web UI: sources.yaml's names overlaid by the edits kept on the bus,
// and the own portals' names. It reads them at most once per ttl; a read
// that fails keeps the names it had and is logged.
type sourceNamer struct {
	load func(context.Context) (map[string]string, error)
	ttl  time.Duration
	now  func() time.Time
	log  *slog.Logger

	mu    sync.Mutex
	names map[string]string
	at    time.Time // when names were read; zero: never
}

// Names returns the current names. The map is shared: callers must not
// change it.
func (s *sourceNamer) Names() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now := s.now(); s.at.IsZero() || now.Sub(s.at) >= s.ttl {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		names, err := s.load(ctx)
		cancel()
		s.at = now
		if err != nil {
			s.log.Warn("source names not read again; the last ones are shown", "err", err)
		} else {
			s.names = names
		}
	}
	return s.names
}

// newSourceNamer reads the names of n's sources and portals.
func (n *Node) newSourceNamer() *sourceNamer {
	return newSourceNamer(n.cfg, n.bus, n.log)
}

// newSourceNamer reads the names of cfg's sources and portals, with the
// source edits kept on b.
func newSourceNamer(cfg config.Config, b *bus.Bus, log *slog.Logger) *sourceNamer {
	load := func(ctx context.Context) (map[string]string, error) { return readSourceNames(ctx, cfg, b) }
	return &sourceNamer{load: load, ttl: sourceNamesTTL, now: time.Now, log: log}
}

// readSourceNames reads sources.yaml with the edits kept on b (when the
// file can be read) and the portals of cfg.
func readSourceNames(ctx context.Context, cfg config.Config, b *bus.Bus) (map[string]string, error) {
	names := map[string]string{}
	for _, p := range cfg.Portals {
		if p.Name != "" {
			names[p.ID] = p.Name
		}
	}
	seed, err := LoadSources(cfg.Sources)
	if err != nil {
		return names, nil // a process without the sources file shows ids, as it did
	}
	for _, s := range seed {
		names[s.ID] = s.Name
	}
	st, err := openSourceStoreOn(ctx, b, seed)
	if err != nil {
		return nil, err
	}
	list, err := st.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range list {
		if e.Source.Name != "" {
			names[e.Source.ID] = e.Source.Name
		}
	}
	return names, nil
}
