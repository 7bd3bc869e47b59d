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
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/portal"
	"github.com/diembao/diembao/internal/stages"
	"github.com/diembao/diembao/internal/web"
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
	env     Env
	cfg     config.Config
	roles   Roles
	bus     *bus.Bus
	rules   *rules.Reloader
	idx     *indexer.Index
	reg     *prometheus.Registry
	metrics *stageMetrics
	log     *slog.Logger

	// httpReady receives the web server's address once it listens (the
	// demo prints it).
	httpReady chan string
}

// Open connects the bus (embedded when natsURL is empty) and declares the
// streams. The caller then calls Run, or Close if it does not.
func Open(ctx context.Context, env Env, roles Roles, natsURL string) (*Node, error) {
	n := &Node{env: env, cfg: env.Config, roles: roles, log: env.Log, httpReady: make(chan string, 1)}
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
	return n, nil
}

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

// startIndex consumes ARTICLES into the index in batches, keeps every
// revision in a KV bucket for the article page, and answers search
// requests from serve roles in other processes.
func (n *Node) startIndex(ctx context.Context, g *stages.Group) error {
	revs, err := n.kv(ctx, BucketRevisions)
	if err != nil {
		return err
	}
	handler := func(ctx context.Context, msgs []bus.Decoded[article.Article]) []error {
		in := make([]indexer.Incoming, len(msgs))
		for i, m := range msgs {
			in[i] = indexer.Incoming{Article: m.Value, Seq: m.Msg.Seq, Raw: m.Msg.Data}
		}
		t0 := time.Now()
		errs := n.idx.IndexBatch(ctx, revs, in)
		done := 0
		for _, err := range errs {
			if err == nil {
				done++
			}
		}
		if done > 0 {
			n.metrics.indexed.Add(float64(done))
			n.metrics.indexSeconds.Observe(time.Since(t0).Seconds())
		}
		return errs
	}
	g.Go("index", func() error {
		return n.bus.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamArticles, Durable: "indexer", Batch: 1000,
			MaxWait: 300 * time.Millisecond, MaxAttempts: 20, AckWait: 30 * time.Second},
			bus.JSONBatch("article", handler))
	})
	return serveIndexRequests(ctx, n.bus, n.idx)
}

func (n *Node) startMatch(ctx context.Context, g *stages.Group) error {
	alerted, err := n.kv(ctx, bucketAlerted)
	if err != nil {
		return err
	}
	match := alerts.MatcherFunc(func(a article.Article) (bool, []article.Match) {
		m := n.rules.Current().Verdict(a)
		return m.Area, m.Matches
	})
	pub := alerts.AlertPublisherFunc(func(ctx context.Context, al article.Alert) error {
		return n.bus.PublishJSON(ctx, bus.SubjectAlerts+"."+bus.Token(alerts.TopTopic(al.Matches)), al.ID, al)
	})
	m, err := alerts.NewRaiser(match, alerted, pub, time.Now, n.log)
	if err != nil {
		return err
	}
	g.Go("match", func() error {
		return n.bus.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamArticles, Durable: "matcher", Batch: 64,
			MaxWait: 300 * time.Millisecond, MaxAttempts: 20, AckWait: 30 * time.Second},
			bus.JSON("article", func(ctx context.Context, a article.Article, _ bus.Msg) error {
				err := m.Handle(ctx, a)
				if err == nil {
					n.metrics.matched.Inc()
				}
				return err
			}))
	})
	return nil
}

// Outbox publishes mails on b's OUTBOX work queue, one subject per
// audience, with the mail's id as Nats-Msg-Id.
func Outbox(b *bus.Bus) alerts.Outbox {
	return alerts.OutboxFunc(func(ctx context.Context, m alerts.Mail) error {
		return b.PublishJSON(ctx, bus.SubjectOutbox+"."+bus.Token(m.Audience), m.MsgID(), m)
	})
}

func (n *Node) mailer() (alerts.Mailer, error) {
	if n.cfg.SMTP.Host == "" {
		dir := filepath.Join(n.cfg.DataDir, "mail")
		n.log.Warn("no SMTP host configured: mails are written as .eml files", "dir", dir)
		return alerts.NewDirMailer(dir)
	}
	return alerts.NewSMTPMailer(smtpConfig(n.cfg.SMTP))
}

func (n *Node) startNotify(ctx context.Context, g *stages.Group) error {
	st, err := n.kv(ctx, BucketAlerts)
	if err != nil {
		return err
	}
	acfg := alertsConfig(n.cfg)
	acfg.Topics = PackTopics(n.rules)
	notif, err := alerts.NewNotifier(acfg, st, Outbox(n.bus), n.log)
	if err != nil {
		return err
	}
	mailer, err := n.mailer()
	if err != nil {
		return err
	}
	sender, err := alerts.NewSender(acfg, st, mailer, n.log)
	if err != nil {
		return err
	}
	g.Go("notifier", func() error {
		return n.bus.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamAlerts, Durable: "notifier", Batch: 64,
			MaxWait: 300 * time.Millisecond, MaxAttempts: 20, AckWait: 30 * time.Second},
			bus.JSON("alert", func(ctx context.Context, al article.Alert, _ bus.Msg) error { return notif.Handle(ctx, al) }))
	})
	g.Go("notifier-flush", func() error { return notif.Run(ctx) })
	g.Go("mailer", func() error {
		// The sender counts SMTP attempts itself and dead-letters the mail
		// after alerts.max_attempts; the bus only has to keep redelivering.
		return n.bus.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamOutbox, Durable: "mailer", Batch: 1,
			MaxWait: 300 * time.Millisecond, MaxAttempts: 1000, MaxBackoff: 30 * time.Second, AckWait: 90 * time.Second},
			bus.JSON("mail", func(ctx context.Context, mail alerts.Mail, _ bus.Msg) error {
				t0 := time.Now()
				err := sender.Handle(ctx, mail)
				if err == nil {
					n.metrics.mailed.Inc()
					n.metrics.mailSeconds.Observe(time.Since(t0).Seconds())
				} else {
					n.metrics.mailErrors.Inc()
				}
				return err
			}))
	})
	if err := n.startReminder(ctx, g); err != nil { // the year report reminder (reminder.go)
		return err
	}
	return n.startDigest(ctx, g) // the weekly digest scheduler (digest.go)
}

func (n *Node) startCrawl(front *stages.Group) error {
	frontCtx := front.Context()
	cfg := n.cfg
	sources, err := LoadSources(cfg.Sources) // the default path is optional: the embedded list of real outlets
	if err != nil {
		return fmt.Errorf("%w: crawl: %w", cli.ErrUsage, err) // bad input: exit 2
	}
	srcStore, sources, err := n.effectiveSources(frontCtx, sources) // seed + UI edits (sources_edit.go)
	if err != nil {
		return err
	}
	// Crawl state of a page unseen for half a year is forgotten: the bucket
	// must not grow without bound. A page found again is fetched afresh; its
	// alerts are not repeated (the matcher keeps its own state).
	state, err := n.bus.KVWithTTL(frontCtx, bucketCrawl, 180*24*time.Hour)
	if err != nil {
		return err
	}
	health, err := n.kv(frontCtx, BucketHealth)
	if err != nil {
		return err
	}
	pub := crawler.PublisherFunc(func(ctx context.Context, a article.Article) error {
		// The rule engine runs once per revision, here; every later stage
		// reads the verdict from the message.
		a.Matched = n.rules.Current().Match(a).Matched()
		if err := n.bus.PublishJSON(ctx, bus.SubjectArticles+"."+bus.Token(a.Source), a.MsgID(), a); err != nil {
			return err
		}
		n.metrics.crawled.Inc()
		return nil
	})
	cc := crawlerConfig(cfg, n.rules)
	cc.Notice = staleNoticer(cfg, Outbox(n.bus)) // stale.go
	c, err := crawler.New(cc, sources, pub, state, crawler.Snapshots{Blobs: bus.Blobs{B: n.bus}}, n.log)
	if err != nil {
		return fmt.Errorf("crawl: %w", err)
	}
	front.Go("crawler", func() error { return c.Run(frontCtx) })
	front.Go("crawl-sources", func() error { return srcStore.Feed(frontCtx, c, n.log) })
	front.Go("crawl-health", func() error { return crawler.PublishHealth(frontCtx, c, health) })
	// Matched articles are fetched again after 1 h and 24 h to record edits
	// and removals.
	front.Go("crawl-watch", func() error {
		return n.bus.Consume(frontCtx, bus.ConsumerSpec{Stream: bus.StreamAlerts, Durable: "crawl-watch", Batch: 64,
			MaxWait: time.Second}, bus.JSON("alert", func(ctx context.Context, al article.Alert, _ bus.Msg) error {
			if portal.IsFinding(al) {
				return nil // an own-portal finding names no crawled article
			}
			return c.Watch(ctx, al.URL)
		}))
	})
	return nil
}

// startMetrics serves /metrics (no login: bind it to an address only the
// monitoring system reaches) and /healthz on metrics.listen.
func (n *Node) startMetrics(ctx context.Context, g *stages.Group) error {
	addr := n.cfg.Metrics.Listen
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(n.reg, promhttp.HandlerOpts{Registry: n.reg}))
	mux.HandleFunc("GET /healthz", web.HealthzHandler(n.health, n.roles.String()))
	n.log.Info("metrics listening", "addr", ln.Addr().String())
	serveHTTP(ctx, g, "metrics", ln, mux)
	return nil
}

// serveHTTP serves h on ln as stage name until ctx ends, then shuts the
// server down, giving requests in flight five seconds.
func serveHTTP(ctx context.Context, g *stages.Group, name string, ln net.Listener, h http.Handler) {
	g.Go(name, func() error { return web.Serve(ctx, ln, h) })
}

// listen opens the HTTP listener and reports its address.
func (n *Node) listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", n.cfg.HTTP.Listen)
	if err != nil {
		return nil, fmt.Errorf("serve: listen %s: %w", n.cfg.HTTP.Listen, err)
	}
	return ln, nil
}

func (n *Node) startServe(ctx context.Context, g *stages.Group) error {
	deps, err := n.webDeps(ctx)
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{BaseURL: n.cfg.HTTP.BaseURL, Location: n.cfg.Location(),
		SensitiveAudiences: SensitiveAudiences(n.cfg)}, deps, n.log)
	if err != nil {
		return err
	}
	if err := n.startSubscriptions(ctx, g, srv, deps); err != nil { // subscriptions.go
		return err
	}
	ln, err := n.listen()
	if err != nil {
		return err
	}
	g.Go("session-sweep", func() error { return deps.Accounts.SweepEvery(ctx, time.Hour, n.log) })
	n.httpReady <- ln.Addr().String()
	serveHTTP(ctx, g, "http", ln, srv.Handler())
	return nil
}
