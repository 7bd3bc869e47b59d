// Package node assembles the stages one diembao process runs for its roles.
// In: the validated configuration (internal/config), a logger, the roles and
// a NATS URL. Out: a Node whose Run consumes the streams, crawls, indexes,
// matches, mails and serves until its context ends, and the openers the
// one-shot commands share with it (the bus, the remote index, the case
// service, report providers, the effective sources, the digest). It is the
// one place where diembao.yaml becomes each package's settings (convert.go).
package node

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/stages"
	"github.com/diembao/diembao/rules"
)

// KV bucket names.
const (
	bucketCrawl     = "crawlstate"
	BucketAlerts    = "alerts" // alert records (alerts.Store)
	bucketAlerted   = "matched"
	BucketAccounts  = "accounts"  // users, sessions, saved searches
	BucketRevisions = "revisions" // every revision of every article
	BucketHealth    = "health"    // per-source crawl health
	BucketDigests   = "digests"   // digest archive, sent marks, the report reminder
)

// Env is what every opener of this package needs: the configuration,
// validated and defaulted by internal/config, and the logger.
type Env struct {
	Config config.Config
	Log    *slog.Logger
}

// Roles says which stages a process runs.
type Roles struct{ Crawl, Index, Match, Notify, Serve bool }

// AllRoles is every role, as `diembao run` runs them.
func AllRoles() Roles { return Roles{true, true, true, true, true} }

// ParseRole gives the Roles of the one-role command name (crawl, index,
// match, notify or serve); ok is false for any other name.
func ParseRole(name string) (r Roles, ok bool) {
	switch name {
	case "crawl":
		r.Crawl = true
	case "index":
		r.Index = true
	case "match":
		r.Match = true
	case "notify":
		r.Notify = true
	case "serve":
		r.Serve = true
	default:
		return r, false
	}
	return r, true
}

// Node is one diembao process: a bus connection and the stages of its roles.
type Node struct {
	cfg     config.Config
	roles   Roles
	bus     *bus.Bus
	rules   *rules.Reloader
	idx     *indexer.Index
	reg     *prometheus.Registry
	metrics *stageMetrics
	log     *slog.Logger
	names   *sourceNamer // sources' display names for mails, digests and pages

	// httpReady receives the web server's address once it listens (the
	// demo prints it).
	httpReady chan string
}

// Open connects the bus (embedded when natsURL is empty) and declares the
// streams. The caller then calls Run, or Close if it does not.
func Open(ctx context.Context, env Env, roles Roles, natsURL string) (*Node, error) {
	n := &Node{cfg: env.Config, roles: roles, log: env.Log, httpReady: make(chan string, 1)}
	cfg := env.Config
	sync := cfg.NATS.Sync == nil || *cfg.NATS.Sync
	bc := bus.Config{URL: natsURL, StoreDir: filepath.Join(cfg.DataDir, "nats"), Sync: sync, Name: "diembao",
		Replicas: cfg.NATS.Replicas, MinFree: cfg.Health.MinFreeBytes()}
	if natsURL == "" {
		bc.LocalURLFile = env.LocalURLFile() // user, digest, rules check reach the running server
	}
	b, err := bus.Open(ctx, bc, env.Log)
	if err != nil {
		return nil, err
	}
	n.bus = b
	if err := b.Setup(ctx); err != nil {
		b.Close()
		return nil, err
	}
	n.reg = prometheus.NewRegistry()
	n.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	n.metrics = newStageMetrics(n.reg)
	n.names = n.newSourceNamer()
	return n, nil
}

// env is the node's configuration and logger, for the openers.
func (n *Node) env() Env { return Env{Config: n.cfg, Log: n.log} }

func (n *Node) kv(ctx context.Context, bucket string) (kv.Store, error) {
	return n.bus.KV(ctx, bucket)
}

// KV opens (creating it if needed) the KV bucket named bucket on the node's
// bus.
func (n *Node) KV(ctx context.Context, bucket string) (kv.Store, error) { return n.kv(ctx, bucket) }

// Bus is the node's bus connection, closed when Run returns.
func (n *Node) Bus() *bus.Bus { return n.bus }

// Config is the configuration the node runs with.
func (n *Node) Config() config.Config { return n.cfg }

// HTTPReady receives the web server's address once the serve role listens.
func (n *Node) HTTPReady() <-chan string { return n.httpReady }

// Close closes the bus of a node that will not Run.
func (n *Node) Close() { n.bus.Close() }

// Run starts the stages and blocks until ctx is cancelled, then shuts down
// from the front: stop crawling, drain consumers, flush the index, close
// NATS. A rule file that does not load is a usage error (cli.ErrUsage).
func (n *Node) Run(ctx context.Context) error {
	defer n.bus.Close()
	cfg := n.cfg
	rl, err := rules.NewReloader(rules.ReloaderConfig{Dirs: cfg.Rules}, n.log)
	if err != nil {
		return fmt.Errorf("%w: rules: %w", cli.ErrUsage, err) // bad input: exit 2
	}
	n.rules = rl
	if n.roles.Index {
		closeIndex, err := n.openIndex(ctx)
		if err != nil {
			return err
		}
		defer closeIndex()
	}
	// Front stages (crawler, portal watch) and back stages (consumers, web)
	// are separate groups so that shutdown can stop the front first.
	errc := make(chan error, 16)
	front, back := stages.NewGroup(ctx, errc), stages.NewGroup(ctx, errc)
	defer front.Cancel()
	defer back.Cancel()
	back.Go("rules", func() error { return rl.Run(back.Context()) })
	defer n.reloadOnHUP(back.Context())()
	bctx := back.Context()
	for _, st := range []struct {
		on    bool
		start func() error
	}{
		{n.roles.Index, func() error { return n.startIndex(bctx, back) }},
		{n.roles.Match, func() error { return n.startMatch(bctx, back) }},
		{n.roles.Notify, func() error { return n.startNotify(bctx, back) }},
		{n.roles.Serve, func() error { return n.startServe(bctx, back) }},
		{true, func() error { return n.startCases(bctx, back) }}, // cases.go
		{n.roles.Crawl, func() error { return n.startCrawl(front) }},
		{n.roles.Crawl, func() error { return n.startPortals(front.Context(), front) }}, // own portals (portals.go)
		{cfg.Metrics.Listen != "", func() error { return n.startMetrics(bctx, back) }},
	} {
		if st.on {
			if err := st.start(); err != nil {
				return err
			}
		}
	}
	n.log.Info("diembao running", "roles", n.roles.String(), "data_dir", cfg.DataDir, "nats", displayNATS(cfg.NATS.URL))
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	n.log.Info("shutting down: stopping crawlers")
	front.Stop()
	n.log.Info("shutting down: draining consumers")
	back.Stop()
	n.log.Info("shutdown complete")
	return runErr
}

// openIndex opens the index role's index, classified by the rules in force,
// and warms it in the background; closeIndex stops the warm-up and closes
// it (flushing what was written).
func (n *Node) openIndex(ctx context.Context) (closeIndex func(), err error) {
	cfg := n.cfg
	idx, err := indexer.Open(indexer.Config{Dir: filepath.Join(cfg.DataDir, "index"), MinFree: cfg.Health.MinFreeBytes()}, Classifier{Rules: n.rules}, n.log)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	n.idx = idx
	stopWarm := idx.WarmInBackground(ctx)
	return func() {
		stopWarm()
		if err := idx.Close(); err != nil {
			n.log.Error("index close", "err", err)
		}
	}, nil
}

// reloadOnHUP reloads the rules on SIGHUP until ctx ends; stop stops
// listening for the signal.
func (n *Node) reloadOnHUP(ctx context.Context) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go rules.ReloadOn(ctx, n.rules, hup, n.log)
	return func() { signal.Stop(hup) }
}

// String lists the roles, comma-separated, for logs and /healthz.
func (r Roles) String() string {
	s := ""
	for _, x := range []struct {
		on   bool
		name string
	}{{r.Crawl, "crawl"}, {r.Index, "index"}, {r.Match, "match"}, {r.Notify, "notify"}, {r.Serve, "serve"}} {
		if x.on {
			if s != "" {
				s += ","
			}
			s += x.name
		}
	}
	return s
}

func displayNATS(u string) string {
	if u == "" {
		return "embedded"
	}
	return u
}

// PackTopics lists the current rule set's topics, in the pack's order, for
// mails and digests.
func PackTopics(rl *rules.Reloader) alerts.Topics {
	return func() []alerts.Topic {
		var out []alerts.Topic
		for _, t := range rl.Current().Topics() {
			out = append(out, alerts.Topic{ID: t.ID, Name: t.Name})
		}
		return out
	}
}
