package node

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/kv"
)

// The openers of the one-shot commands that read what a node writes: each
// reaches a running `diembao run` of the same data dir over its embedded
// server (Env.NATSFor), an external server, or the files under the data
// dir, which only one process may hold at a time.

// OpenLocalIndex opens DATA/index read-only (an empty index when nothing
// was indexed yet). It fails while a running process holds the index.
func OpenLocalIndex(env Env) (*indexer.Index, error) {
	return indexer.OpenReadOnly(filepath.Join(env.Config.DataDir, "index"), env.Config.Location(), env.Log)
}

// OpenAccounts opens the accounts bucket (users, sessions, the audit log)
// for `diembao user`: on the NATS server at natsURL, on the embedded server
// of a running `diembao run`, or on the embedded store under the data dir.
// closeFn closes the bus.
func OpenAccounts(ctx context.Context, env Env, natsURL string) (st kv.Store, closeFn func(), err error) {
	b, err := env.Dial(ctx, env.NATSFor(natsURL), "diembao-user", env.Log)
	if err != nil {
		return nil, nil, err
	}
	st, err = b.KV(ctx, BucketAccounts)
	if err != nil {
		b.Close()
		return nil, nil, err
	}
	return st, b.Close, nil
}

// OpenDigestDeps opens what `diembao digest` reads and sends to: the index
// (DATA/index read-only, or the index role over the bus when a NATS server
// answers), the alerts and digests buckets and the OUTBOX. running says
// whether a diembao process answers at http.base_url; with no NATS server
// to reach, such a process holds the index and the store, and the digest
// refuses to start. closeFn closes what was opened, last first.
func OpenDigestDeps(ctx context.Context, env Env, natsURL string, running func(context.Context) bool) (deps DigestDeps, closeFn func(), err error) {
	cfg := env.Config
	natsURL = env.NATSFor(natsURL) // a running `diembao run` answers for its index
	if natsURL == "" && running(ctx) {
		return DigestDeps{}, nil, fmt.Errorf("a diembao process answers at %s and holds the index and the embedded NATS store; "+
			"stop it first, or use --nats URL against a deployment with an external NATS server", cfg.HTTP.BaseURL)
	}
	var closers []func()
	closeAll := func() {
		for _, c := range slices.Backward(closers) {
			c()
		}
	}
	if natsURL == "" {
		idx, err := OpenLocalIndex(env)
		if err != nil {
			return DigestDeps{}, nil, fmt.Errorf("%w (is `diembao run` holding it? stop it, or use --nats URL)", err)
		}
		closers = append(closers, func() { idx.Close() })
		deps.Index = idx
	}
	b, err := env.Dial(ctx, natsURL, "diembao-digest", env.Log)
	if err != nil {
		closeAll()
		if natsURL == "" {
			err = fmt.Errorf("%w (is `diembao run` holding %s? stop it, or use --nats URL)", err, filepath.Join(cfg.DataDir, "nats"))
		}
		return DigestDeps{}, nil, err
	}
	closers = append(closers, b.Close)
	if err := b.Setup(ctx); err != nil {
		closeAll()
		if natsURL != "" {
			err = fmt.Errorf("NATS at %s: %w", natsURL, err)
		}
		return DigestDeps{}, nil, err
	}
	if deps.Index == nil {
		deps.Index = RemoteIndex{Bus: b}
	}
	if deps.Alerts, err = b.KV(ctx, BucketAlerts); err == nil {
		deps.Digests, err = b.KV(ctx, BucketDigests)
	}
	if err != nil {
		closeAll()
		return DigestDeps{}, nil, err
	}
	deps.Outbox = Outbox(b)
	deps.Sources = newSourceNamer(cfg, b, env.Log).Names
	return deps, closeAll, nil
}
