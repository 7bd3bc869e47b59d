package node

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/cases"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/officedoc"
	"github.com/diembao/diembao/internal/stages"
)

// bucketCases holds the cases (vụ việc), their history and their indexes.
const bucketCases = "cases"

// NewCaseService wires the case workflow to the bus b: cases in a KV bucket,
// evidence on the SNAPSHOTS stream, handed-in URLs fetched through the
// crawler's guarded fetch, notices through the OUTBOX, rule backtests on the
// ARTICLES stream. Any role, and the `case` command, may build one: all
// state is on the bus.
func NewCaseService(ctx context.Context, env Env, b *bus.Bus) (*cases.Service, error) {
	cfg, log := env.Config, env.Log
	st, err := b.KV(ctx, bucketCases)
	if err != nil {
		return nil, err
	}
	revs, err := b.KV(ctx, BucketRevisions)
	if err != nil {
		return nil, err
	}
	alertKV, err := b.KV(ctx, BucketAlerts)
	if err != nil {
		return nil, err
	}
	store, err := alerts.NewStore(alertKV)
	if err != nil {
		return nil, err
	}
	router, err := alerts.NewRouter(cfg.Routes, cfg.Audiences)
	if err != nil {
		return nil, err
	}
	sources, err := LoadSources(cfg.Sources)
	if err != nil {
		log.Warn("cases: sources unreadable; handed-in URLs are fetched without source settings", "err", err)
		sources = nil
	}
	if eff, err := effectiveSources(ctx, b, sources); err != nil {
		log.Warn("cases: sources edited in the UI unreadable; handed-in URLs use sources.yaml's settings", "err", err)
	} else {
		sources = eff
	}
	c, err := crawler.NewOneShot(OneShotFetch(cfg, 0), sources, "a case intake", log) // an analyst waits for the answer
	if err != nil {
		return nil, fmt.Errorf("cases: %w", err)
	}
	return cases.New(cfg.Cases, cases.Deps{
		Store:    st,
		Fetcher:  cases.FetcherFrom(c),
		Blobs:    cases.BlobsIn(bus.Blobs{B: b}),
		Lookup:   cases.LookupIn(revs, store),
		Notifier: cases.NotifierTo(Outbox(b), cfg.SMTP.From),
		Archive:  b,
		Route: func(topics []string, severity string) []string {
			return router.Route(article.Alert{Topics: topics, Severity: severity, Area: true})
		},
		Emails:   func(aud string) []string { return cfg.Audiences[aud].Emails },
		Log:      log,
		BaseURL:  cfg.HTTP.BaseURL,
		Location: cfg.Location(),
		Issuer:   officedoc.IssuerFrom(cfg.Office),
		// Named from the case service's own bus (a one-shot command has
		// no node), read at most once a minute.
		SourceNames: newSourceNamer(cfg, b, log).Names,
	})
}

// startCases runs the case stages of this process's roles: with match, the
// spread detector (a durable consumer on ARTICLES that attaches repeats of
// open cases' claims and tells their owners); with notify, the daily
// overdue reminders.
func (n *Node) startCases(ctx context.Context, g *stages.Group) error {
	if !n.roles.Match && !n.roles.Notify {
		return nil
	}
	svc, err := NewCaseService(ctx, n.env(), n.bus)
	if err != nil {
		return err
	}
	if n.roles.Match {
		g.Go("case-spread", func() error {
			return n.bus.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamArticles, Durable: "cases", Batch: 64,
				MaxWait: 300 * time.Millisecond, MaxAttempts: 20, AckWait: 60 * time.Second},
				bus.Each(func(ctx context.Context, m bus.Msg) error {
					var a article.Article
					if err := json.Unmarshal(m.Data, &a); err != nil || a.ID == "" {
						return fmt.Errorf("cases: undecodable article at seq %d: %w", m.Seq, errkind.Permanent)
					}
					_, err := svc.Attach(ctx, a)
					return err
				}))
		})
	}
	if n.roles.Notify {
		g.Go("case-reminders", func() error { return svc.RunReminders(ctx, n.log) })
	}
	return nil
}

// SeedDemoCase opens, once, the demo's case (cases.Service.SeedDemo).
// Failures are logged only: the demo runs without its case.
func (n *Node) SeedDemoCase(ctx context.Context) {
	svc, err := NewCaseService(ctx, n.env(), n.bus)
	if err == nil {
		err = svc.SeedDemo(ctx)
	}
	if err != nil {
		n.log.Warn("demo: the sample case was not opened", "err", err)
	}
}
