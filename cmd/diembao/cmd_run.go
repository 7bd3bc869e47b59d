package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/rules"
)

// cmdRun runs every role in one process with the embedded NATS server
// (or cfg.NATS.URL / --nats when given).
func cmdRun(ctx context.Context, a *app, args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	natsURL := fs.String("nats", a.cfg.NATS.URL, "external NATS URL (empty: embedded server)")
	if err := fs.Parse(args); err != nil {
		return cli.ExitUsage
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
			return cli.ExitUsage
		}
		if *natsURL == "" {
			return a.exitCode(fmt.Errorf("%w: diembao %s needs --nats URL (or nats.url in the config)", cli.ErrUsage, role))
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

// areaFilter keeps, for require_area sources, articles the gazetteer finds.
type areaFilter struct{ rl *rules.Reloader }

func (f areaFilter) ConcernsArea(a article.Article) bool {
	_, area := f.rl.Current().Classify(a)
	return area
}
