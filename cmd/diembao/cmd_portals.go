package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/node"
)

// cmdPortals is "diembao portals check [--portal ID] [--json] [--nats URL]":
// check the own portals now (change watch and duties; findings are raised
// as alerts like those of the running watch) and print one line per portal
// and duty: the duty's latest period that can be judged (the current one
// once published or due, else the previous one).
func cmdPortals(ctx context.Context, a *app, args []string) int {
	const usage = "portals check [--portal ID] [--json] [--nats URL]"
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(a.stderr, "usage: diembao "+usage)
			return cli.ExitOK
		}
		return a.exitCode(fmt.Errorf("%w: %s", cli.ErrUsage, usage))
	}
	fs := flag.NewFlagSet("portals check", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	only := fs.String("portal", "", "check only this portal id")
	asJSON := fs.Bool("json", false, `one JSON object per line: {"portal", "duty", "period", "status", "url", "published", "due"}`)
	natsURL := fs.String("nats", a.cfg.NATS.URL, "NATS URL (empty: the running `diembao run` of this data dir, else its embedded store)")
	if err := fs.Parse(args[1:]); err != nil {
		if err == flag.ErrHelp {
			return cli.ExitOK
		}
		return cli.ExitUsage
	}
	if fs.NArg() > 0 {
		return a.exitCode(fmt.Errorf("%w: unexpected argument %q (%s)", cli.ErrUsage, fs.Arg(0), usage))
	}
	if len(a.cfg.Portals) == 0 {
		return a.exitCode(fmt.Errorf("%w: no portals in the configuration (portals: in diembao.yaml)", cli.ErrUsage))
	}
	ids := []string{}
	for _, p := range a.cfg.Portals {
		if *only == "" || p.ID == *only {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		return a.exitCode(fmt.Errorf("%w: unknown portal %q", cli.ErrUsage, *only))
	}
	b, err := a.env().OpenBus(ctx, *natsURL)
	if err != nil {
		return a.exitCode(err)
	}
	defer b.Close()
	w, err := node.NewPortalWatcher(ctx, a.cfg, b, a.log)
	if err != nil {
		return a.exitCode(fmt.Errorf("%w: %w", cli.ErrUsage, err))
	}
	failed, err := w.CheckNow(ctx, a.stdout, a.stderr, ids, *asJSON, a.cfg.Location())
	if err != nil {
		return a.exitCode(err)
	}
	if failed {
		return cli.ExitError
	}
	return cli.ExitOK
}
