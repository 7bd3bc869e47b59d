package main

// The names the subcommands used before the node moved to internal/node,
// kept with their signatures and delegating to it, so that every subcommand
// file compiles unchanged. They go once the subcommands call internal/node
// themselves.

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/alerts/digest"
	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/cases"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/internal/portal"
	"github.com/diembao/diembao/internal/report"
	"github.com/diembao/diembao/rules"
)

const (
	bucketAlerts  = node.BucketAlerts
	bucketDigests = node.BucketDigests
)

// env is what internal/node needs of the app.
func (a *app) env() node.Env { return node.Env{Config: a.cfg, Log: a.log} }

func (a *app) natsFor(natsURL string) string { return a.env().NATSFor(natsURL) }

func (a *app) dial(ctx context.Context, natsURL, name string, log *slog.Logger) (*bus.Bus, error) {
	return a.env().Dial(ctx, natsURL, name, log)
}

func (a *app) openBus(ctx context.Context, natsURL string) (*bus.Bus, error) {
	return a.env().OpenBus(ctx, natsURL)
}

func newCaseService(ctx context.Context, a *app, b *bus.Bus, log *slog.Logger) (*cases.Service, error) {
	return node.NewCaseService(ctx, node.Env{Config: a.cfg, Log: log}, b)
}

func openReportProviders(ctx context.Context, a *app, b *bus.Bus, svc *cases.Service, log *slog.Logger) (report.Deps, error) {
	return node.OpenReportProviders(ctx, node.Env{Config: a.cfg, Log: log}, b, svc)
}

func newPortalWatcher(ctx context.Context, cfg config.Config, b *bus.Bus, log *slog.Logger) (*portal.Watcher, error) {
	return node.NewPortalWatcher(ctx, cfg, b, log)
}

func loadSources(path string) ([]crawler.Source, error) { return node.LoadSources(path) }

func sourceNames(path string, log *slog.Logger) map[string]string { return node.SourceNames(path, log) }

func oneShotFetch(c config.Config, timeout time.Duration) crawler.Config {
	return node.OneShotFetch(c, timeout)
}

// withEditedSources overlays the edits kept on the bus on the seed for
// `sources check`; when the bus cannot be read, the seed is checked as is
// (said on stderr).
func withEditedSources(ctx context.Context, a *app, seed []crawler.Source) []crawler.Source {
	srcs, err := node.EditedSources(ctx, a.env(), seed)
	if err != nil {
		fmt.Fprintf(a.stderr, "diembao: sources edited in the UI not read (%v); checking %s only\n", err, a.cfg.Sources)
	}
	return srcs
}

func packTopics(rl *rules.Reloader) alerts.Topics { return node.PackTopics(rl) }

func sensitiveAudiences(c config.Config) []string { return node.SensitiveAudiences(c) }

func digestAudiences(cfg config.Config) map[string][]string { return node.DigestAudiences(cfg) }

type digestDeps struct {
	idx     indexer.Reader
	alerts  kv.Store
	digests kv.Store
	outbox  alerts.Outbox
	now     func() time.Time
	topics  alerts.Topics
}

func digestScheduler(cfg config.Config, deps digestDeps, log *slog.Logger) (*digest.Builder, *digest.Scheduler, error) {
	return node.DigestScheduler(cfg, node.DigestDeps{Index: deps.idx, Alerts: deps.alerts, Digests: deps.digests,
		Outbox: deps.outbox, Now: deps.now, Topics: deps.topics}, log)
}

type outbox struct{ b *bus.Bus }

func (o outbox) Enqueue(ctx context.Context, m alerts.Mail) error {
	return node.Outbox(o.b).Enqueue(ctx, m)
}

type remoteIndex struct{ b *bus.Bus }

func (r remoteIndex) Search(ctx context.Context, q indexer.Query) (indexer.Result, error) {
	return node.RemoteIndex{Bus: r.b}.Search(ctx, q)
}

func (r remoteIndex) Stats(ctx context.Context, q indexer.Query) (indexer.Stats, error) {
	return node.RemoteIndex{Bus: r.b}.Stats(ctx, q)
}

func (r remoteIndex) Get(ctx context.Context, id string) (indexer.Doc, error) {
	return node.RemoteIndex{Bus: r.b}.Get(ctx, id)
}

func (r remoteIndex) Each(ctx context.Context, q indexer.Query, fn func(indexer.Doc) error) error {
	return node.RemoteIndex{Bus: r.b}.Each(ctx, q, fn)
}

type streamArchive struct{ a *app }

func (s streamArchive) ArticlesSince(ctx context.Context, since time.Time, fn func(article.Article) error) error {
	return node.StreamArchive{Env: s.a.env()}.ArticlesSince(ctx, since, fn)
}

type classifier struct{ rl *rules.Reloader }

func (c classifier) Classify(a article.Article) ([]string, bool) {
	return node.Classifier{Rules: c.rl}.Classify(a)
}

func (c classifier) Tags(a article.Article) indexer.Tags { return node.Classifier{Rules: c.rl}.Tags(a) }
