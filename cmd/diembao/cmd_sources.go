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
	var (
		asJSON, allowPrivate bool
		urls, ids            []string
		inURLs               bool
		timeout              = 15 * time.Second
	)
	rest := args[1:]
	for i := 0; i < len(rest); i++ {
		arg := rest[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") {
			if !inURLs {
				return a.exitCode(fmt.Errorf("%w: unexpected argument %q", cli.ErrUsage, arg))
			}
			urls = append(urls, arg)
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
			asJSON = true
		case "allow-private":
			allowPrivate = true
		case "url":
			v, err := takeVal()
			if err != nil {
				return a.exitCode(err)
			}
			urls = append(urls, v)
			inURLs = true
		case "source":
			v, err := takeVal()
			if err != nil {
				return a.exitCode(err)
			}
			ids = append(ids, v)
		case "timeout":
			v, err := takeVal()
			if err != nil {
				return a.exitCode(err)
			}
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return a.exitCode(fmt.Errorf("%w: --timeout %q: not a duration", cli.ErrUsage, v))
			}
			timeout = d
		default:
			return a.exitCode(fmt.Errorf("%w: unknown flag %s", cli.ErrUsage, arg))
		}
	}
	sources, err := node.LoadSources(a.cfg.Sources)
	if err != nil {
		return a.exitCode(fmt.Errorf("%w: %w", cli.ErrUsage, err))
	}
	sources = withEditedSources(ctx, a, sources)                                                     // seed + edits made in the UI
	c, err := crawler.NewOneShot(node.OneShotFetch(a.cfg, timeout), sources, "sources check", a.log) // a check fails fast
	if err != nil {
		return a.exitCode(err)
	}
	if len(urls) > 0 {
		if crawler.CheckURLs(ctx, a.stdout, c, urls, asJSON, allowPrivate, timeout) > 0 {
			return cli.ExitError
		}
		return cli.ExitOK
	}
	if len(ids) == 0 {
		for _, s := range sources {
			ids = append(ids, s.ID)
		}
	}
	return a.exitCode(crawler.WriteChecks(a.stdout, crawler.CheckSources(ctx, c, ids, timeout), asJSON))
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
