package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/node"
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
	return a.exitCode(runNode(ctx, a, node.AllRoles(), *natsURL))
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
		r, ok := node.ParseRole(role)
		if !ok {
			return a.exitCode(fmt.Errorf("%w: unknown role %q", cli.ErrUsage, role))
		}
		return a.exitCode(runNode(ctx, a, r, *natsURL))
	}
}

// runNode opens the node of roles and runs it until ctx ends.
func runNode(ctx context.Context, a *app, roles node.Roles, natsURL string) error {
	n, err := node.Open(ctx, a.env(), roles, natsURL)
	if err != nil {
		return err
	}
	return n.Run(ctx)
}
