package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/node"
)

// cmdSources is "diembao sources check [--source ID | --url URL...] [--json]
// [--allow-private]": fetch once and show what discovery and extraction
// give, publishing nothing.
func cmdSources(ctx context.Context, a *app, args []string) int {
	if len(args) > 0 && args[0] == "list" {
		return cmdSourcesList(ctx, a, args[1:]) // cmd_sources_list.go
	}
	if len(args) == 0 || args[0] != "check" {
		return a.exitCode(fmt.Errorf("%w: sources check [--source ID | --url URL...] [--json] [--allow-private] | sources list [--json]", cli.ErrUsage))
	}
	o, err := parseSourcesCheck(args[1:])
	if err != nil {
		return a.exitCode(err)
	}
	sources, err := node.LoadSources(a.cfg.Sources)
	if err != nil {
		return a.exitCode(fmt.Errorf("%w: %w", cli.ErrUsage, err))
	}
	sources = withEditedSources(ctx, a, sources)                                                       // seed + edits made in the UI
	c, err := crawler.NewOneShot(node.OneShotFetch(a.cfg, o.timeout), sources, "sources check", a.log) // a check fails fast
	if err != nil {
		return a.exitCode(err)
	}
	if len(o.urls) > 0 {
		if crawler.CheckURLs(ctx, a.stdout, c, o.urls, o.asJSON, o.allowPrivate, o.timeout) > 0 {
			return cli.ExitError
		}
		return cli.ExitOK
	}
	ids := o.ids
	if len(ids) == 0 {
		for _, s := range sources {
			ids = append(ids, s.ID)
		}
	}
	return a.exitCode(crawler.WriteChecks(a.stdout, crawler.CheckSources(ctx, c, ids, o.timeout), o.asJSON))
}

// sourcesCheckArgs is a parsed `sources check` command line.
type sourcesCheckArgs struct {
	asJSON, allowPrivate bool
	urls, ids            []string
	timeout              time.Duration
}

// parseSourcesCheck reads `sources check`'s flags by hand: --url takes
// every following word up to the next flag, which the flag package cannot
// say.
func parseSourcesCheck(rest []string) (sourcesCheckArgs, error) {
	o := sourcesCheckArgs{timeout: 15 * time.Second}
	inURLs := false
	for i := 0; i < len(rest); i++ {
		arg := rest[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") {
			if !inURLs {
				return o, fmt.Errorf("%w: unexpected argument %q", cli.ErrUsage, arg)
			}
			o.urls = append(o.urls, arg)
			continue
		}
		takeVal := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(rest) {
				return "", fmt.Errorf("%w: flag --%s needs a value", cli.ErrUsage, name)
			}
			i++
			return rest[i], nil
		}
		inURLs = false
		switch name {
		case "json":
			o.asJSON = true
		case "allow-private":
			o.allowPrivate = true
		case "url":
			v, err := takeVal()
			if err != nil {
				return o, err
			}
			o.urls = append(o.urls, v)
			inURLs = true
		case "source":
			v, err := takeVal()
			if err != nil {
				return o, err
			}
			o.ids = append(o.ids, v)
		case "timeout":
			v, err := takeVal()
			if err != nil {
				return o, err
			}
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return o, fmt.Errorf("%w: --timeout %q: not a duration", cli.ErrUsage, v)
			}
			o.timeout = d
		default:
			return o, fmt.Errorf("%w: unknown flag %s", cli.ErrUsage, arg)
		}
	}
	return o, nil
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
