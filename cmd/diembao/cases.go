package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
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

// newCaseService wires the case workflow to the bus: cases in a KV bucket,
// evidence on the SNAPSHOTS stream, handed-in URLs fetched through the
// crawler's guarded fetch, notices through the OUTBOX, rule backtests on the
// ARTICLES stream. Any role, and the `case` command, may build one: all
// state is on the bus.
func newCaseService(ctx context.Context, a *app, b *bus.Bus, log *slog.Logger) (*cases.Service, error) {
	st, err := b.KV(ctx, bucketCases)
	if err != nil {
		return nil, err
	}
	revs, err := b.KV(ctx, bucketRevisions)
	if err != nil {
		return nil, err
	}
	alertKV, err := b.KV(ctx, bucketAlerts)
	if err != nil {
		return nil, err
	}
	store, err := alerts.NewStore(alertKV)
	if err != nil {
		return nil, err
	}
	router, err := alerts.NewRouter(a.cfg.Routes, a.cfg.Audiences)
	if err != nil {
		return nil, err
	}
	sources, err := loadSources(a.cfg.Sources)
	if err != nil {
		log.Warn("cases: sources unreadable; handed-in URLs are fetched without source settings", "err", err)
		sources = nil
	}
	if eff, err := effectiveSources(ctx, b, sources); err != nil {
		log.Warn("cases: sources edited in the UI unreadable; handed-in URLs use sources.yaml's settings", "err", err)
	} else {
		sources = eff
	}
	c, err := crawler.NewOneShot(oneShotFetch(a.cfg, 0), sources, "a case intake", log) // an analyst waits for the answer
	if err != nil {
		return nil, fmt.Errorf("cases: %w", err)
	}
	cfg := a.cfg
	return cases.New(cfg.Cases, cases.Deps{
		Store:    st,
		Fetcher:  cases.FetcherFrom(c),
		Blobs:    cases.BlobsIn(bus.Blobs{B: b}),
		Lookup:   cases.LookupIn(revs, store),
		Notifier: cases.NotifierTo(outbox{b}, cfg.SMTP.From),
		Archive:  b,
		Route: func(topics []string, severity string) []string {
			return router.Route(article.Alert{Topics: topics, Severity: severity, Area: true})
		},
		Emails:   func(aud string) []string { return cfg.Audiences[aud].Emails },
		Log:      log,
		BaseURL:  cfg.HTTP.BaseURL,
		Location: cfg.Location(),
		Issuer:   officedoc.IssuerFrom(cfg.Office),
	})
}

// startCases runs the case stages of this process's roles: with match, the
// spread detector (a durable consumer on ARTICLES that attaches repeats of
// open cases' claims and tells their owners); with notify, the daily
// overdue reminders.
func (n *node) startCases(ctx context.Context, g *stages.Group) error {
	if !n.roles.match && !n.roles.notify {
		return nil
	}
	svc, err := newCaseService(ctx, n.a, n.bus, n.log)
	if err != nil {
		return err
	}
	if n.roles.match {
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
	if n.roles.notify {
		g.Go("case-reminders", func() error { return svc.RunReminders(ctx, n.log) })
	}
	return nil
}

// seedDemoCase opens, once, the demo's case (cases.Service.SeedDemo).
// Failures are logged only: the demo runs without its case.
func seedDemoCase(ctx context.Context, n *node) {
	svc, err := newCaseService(ctx, n.a, n.bus, n.log)
	if err == nil {
		err = svc.SeedDemo(ctx)
	}
	if err != nil {
		n.log.Warn("demo: the sample case was not opened", "err", err)
	}
}
