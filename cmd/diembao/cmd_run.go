package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/web"
	"github.com/diembao/diembao/rules"
)

// cmdRun runs every role in one process with the embedded NATS server
// (or cfg.NATS.URL / --nats when given).
func cmdRun(ctx context.Context, a *app, args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	natsURL := fs.String("nats", a.cfg.NATS.URL, "external NATS URL (empty: embedded server)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	n, err := openNode(ctx, a, allRoles(), *natsURL)
	if err != nil {
		return a.exitCode(err)
	}
	return a.exitCode(n.run(ctx))
}

// roleCmd runs one role against an external NATS server.
func roleCmd(role string) func(ctx context.Context, a *app, args []string) int {
	return func(ctx context.Context, a *app, args []string) int {
		fs := flag.NewFlagSet(role, flag.ContinueOnError)
		fs.SetOutput(a.stderr)
		natsURL := fs.String("nats", a.cfg.NATS.URL, "NATS URL (required)")
		if err := fs.Parse(args); err != nil {
			return exitUsage
		}
		if *natsURL == "" {
			return a.exitCode(fmt.Errorf("%w: diembao %s needs --nats URL (or nats.url in the config)", errUsage, role))
		}
		var r roleSet
		switch role {
		case "crawl":
			r.crawl = true
		case "index":
			r.index = true
		case "match":
			r.match = true
		case "notify":
			r.notify = true
		case "serve":
			r.serve = true
		}
		n, err := openNode(ctx, a, r, *natsURL)
		if err != nil {
			return a.exitCode(err)
		}
		return a.exitCode(n.run(ctx))
	}
}

// crawlerConfig maps diembao.yaml onto the crawler's settings.
func crawlerConfig(c config.Config, rl *rules.Reloader) crawler.Config {
	cc := crawler.FromConfig(c.Crawler)
	cc.Location = c.Location()
	cc.Area = areaFilter{rl}
	return cc
}

// areaFilter keeps, for require_area sources, articles the gazetteer finds.
type areaFilter struct{ rl *rules.Reloader }

func (f areaFilter) ConcernsArea(a article.Article) bool {
	_, area := f.rl.Current().Classify(a)
	return area
}

// snapshotStore keeps saved copies on the SNAPSHOTS stream, one subject per key.
type snapshotStore struct{ b *bus.Bus }

func (s snapshotStore) PutSnapshot(ctx context.Context, key string, snap crawler.Snapshot) error {
	data, err := crawler.MarshalSnapshot(snap)
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", key, err)
	}
	_, err = s.b.Publish(ctx, bus.SubjectSnapshots+"."+key, "snap-"+key, data, nil)
	return err
}

// Get returns the saved page as UTF-8 HTML (web.Snapshots).
func (s snapshotStore) Get(ctx context.Context, key string) ([]byte, error) {
	m, err := s.b.LastBySubject(ctx, bus.StreamSnapshots, bus.SubjectSnapshots+"."+key)
	if err != nil {
		return nil, fmt.Errorf("%w: snapshot %s: %w", web.ErrNotFound, key, err)
	}
	snap, err := crawler.UnmarshalSnapshot(m.Data)
	if err != nil {
		return nil, err
	}
	html, err := snap.HTML()
	if err != nil {
		return nil, err
	}
	return []byte(html), nil
}

func webSourceStatus(h crawler.SourceHealth) web.SourceStatus {
	return web.SourceStatus{ID: h.Source, Name: h.Name, LastCrawl: h.LastAttempt, LastOK: h.LastSuccess,
		LastError: h.LastError, Failures: h.FailedPasses, Articles: h.Published24h,
		LastNew: h.LastNewArticle, Stale: h.Stale, Backlog: h.Backlog, Disabled: h.Disabled}
}
