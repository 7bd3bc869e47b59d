package main

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
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/portal"
	"github.com/diembao/diembao/internal/stages"
	"github.com/diembao/diembao/internal/web"
	"github.com/diembao/diembao/rules"
)

// KV bucket names.
const (
	bucketCrawl     = "crawlstate"
	bucketAlerts    = "alerts"
	bucketAlerted   = "matched"
	bucketAccounts  = "accounts"
	bucketRevisions = "revisions"
	bucketHealth    = "health"
	bucketDigests   = "digests"
)

// roleSet says which stages a process runs.
type roleSet struct{ crawl, index, match, notify, serve bool }

func allRoles() roleSet { return roleSet{true, true, true, true, true} }

// node is one diembao process: a bus connection and the stages of its roles.
type node struct {
	a       *app
	roles   roleSet
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

// openNode connects the bus (embedded when natsURL is empty) and declares
// the streams.
func openNode(ctx context.Context, a *app, roles roleSet, natsURL string) (*node, error) {
	n := &node{a: a, roles: roles, log: a.log, httpReady: make(chan string, 1)}
	sync := a.cfg.NATS.Sync == nil || *a.cfg.NATS.Sync
	bc := bus.Config{URL: natsURL, StoreDir: filepath.Join(a.cfg.DataDir, "nats"), Sync: sync, Name: "diembao",
		Replicas: a.cfg.NATS.Replicas, MinFree: a.cfg.Health.MinFreeBytes()}
	if natsURL == "" {
		bc.LocalURLFile = a.localURLFile() // user, digest, rules check reach the running server
	}
	b, err := bus.Open(ctx, bc, a.log)
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

func (n *node) kv(ctx context.Context, bucket string) (kv.Store, error) {
	return n.bus.KV(ctx, bucket)
}

// run starts the stages and blocks until ctx is cancelled, then shuts down
// from the front: stop crawling, drain consumers, flush the index, close NATS.
func (n *node) run(ctx context.Context) error {
	defer n.bus.Close()
	cfg := n.a.cfg
	rl, err := rules.NewReloader(rules.ReloaderConfig{Dirs: cfg.Rules}, n.log)
	if err != nil {
		return fmt.Errorf("%w: rules: %w", cli.ErrUsage, err) // bad input: exit 2
	}
	n.rules = rl
	if n.roles.index {
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
		{n.roles.index, func() error { return n.startIndex(bctx, back) }},
		{n.roles.match, func() error { return n.startMatch(bctx, back) }},
		{n.roles.notify, func() error { return n.startNotify(bctx, back) }},
		{n.roles.serve, func() error { return n.startServe(bctx, back) }},
		{true, func() error { return n.startCases(bctx, back) }}, // cases.go
		{n.roles.crawl, func() error { return n.startCrawl(front) }},
		{n.roles.crawl, func() error { return n.startPortals(front.Context(), front) }}, // own portals (portals.go)
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
func (n *node) openIndex(ctx context.Context) (closeIndex func(), err error) {
	cfg := n.a.cfg
	idx, err := indexer.Open(indexer.Config{Dir: filepath.Join(cfg.DataDir, "index"), MinFree: cfg.Health.MinFreeBytes()}, classifier{n.rules}, n.log)
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
func (n *node) reloadOnHUP(ctx context.Context) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go rules.ReloadOn(ctx, n.rules, hup, n.log)
	return func() { signal.Stop(hup) }
}

func (r roleSet) String() string {
	s := ""
	for _, x := range []struct {
		on   bool
		name string
	}{{r.crawl, "crawl"}, {r.index, "index"}, {r.match, "match"}, {r.notify, "notify"}, {r.serve, "serve"}} {
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

// packTopics lists the current rule set's topics, in the pack's order, for
// mails and digests.
func packTopics(rl *rules.Reloader) alerts.Topics {
	return func() []alerts.Topic {
		var out []alerts.Topic
		for _, t := range rl.Current().Topics() {
			out = append(out, alerts.Topic{ID: t.ID, Name: t.Name})
		}
		return out
	}
}

// classifier adapts the current rule set to the indexer: the verdict the
// article carries (matched once, before publication), else a fresh match.
type classifier struct{ rl *rules.Reloader }

func (c classifier) Classify(a article.Article) ([]string, bool) {
	m := c.rl.Current().Verdict(a)
	return m.Topics, m.Area
}

// startIndex consumes ARTICLES into the index in batches, keeps every
// revision in a KV bucket for the article page, and answers search
// requests from serve roles in other processes.
func (n *node) startIndex(ctx context.Context, g *stages.Group) error {
	revs, err := n.kv(ctx, bucketRevisions)
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

func (n *node) startMatch(ctx context.Context, g *stages.Group) error {
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

// outbox publishes mails on the OUTBOX work queue.
type outbox struct{ b *bus.Bus }

func (o outbox) Enqueue(ctx context.Context, m alerts.Mail) error {
	return o.b.PublishJSON(ctx, bus.SubjectOutbox+"."+bus.Token(m.Audience), m.MsgID(), m)
}

func (n *node) mailer() (alerts.Mailer, error) {
	if n.a.cfg.SMTP.Host == "" {
		dir := filepath.Join(n.a.cfg.DataDir, "mail")
		n.log.Warn("no SMTP host configured: mails are written as .eml files", "dir", dir)
		return alerts.NewDirMailer(dir)
	}
	return alerts.NewSMTPMailer(smtpConfig(n.a.cfg.SMTP))
}

func (n *node) startNotify(ctx context.Context, g *stages.Group) error {
	st, err := n.kv(ctx, bucketAlerts)
	if err != nil {
		return err
	}
	acfg := alertsConfig(n.a.cfg)
	acfg.Topics = packTopics(n.rules)
	notif, err := alerts.NewNotifier(acfg, st, outbox{n.bus}, n.log)
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

func (n *node) startCrawl(front *stages.Group) error {
	frontCtx := front.Context()
	cfg := n.a.cfg
	sources, err := loadSources(cfg.Sources) // the default path is optional: the embedded list of real outlets
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
	health, err := n.kv(frontCtx, bucketHealth)
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
	cc.Notice = staleNoticer(cfg, outbox{n.bus}) // stale.go
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
func (n *node) startMetrics(ctx context.Context, g *stages.Group) error {
	addr := n.a.cfg.Metrics.Listen
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
func (n *node) listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", n.a.cfg.HTTP.Listen)
	if err != nil {
		return nil, fmt.Errorf("serve: listen %s: %w", n.a.cfg.HTTP.Listen, err)
	}
	return ln, nil
}

func (n *node) startServe(ctx context.Context, g *stages.Group) error {
	deps, err := n.webDeps(ctx)
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{BaseURL: n.a.cfg.HTTP.BaseURL, Location: n.a.cfg.Location(),
		SensitiveAudiences: sensitiveAudiences(n.a.cfg)}, deps, n.log)
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
