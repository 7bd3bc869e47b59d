package main

import (
	"context"
	"fmt"

	"github.com/diembao/diembao/crawler/sourcestore"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/node"
)

// cmdSourcesList is "diembao sources list [--json]": the effective list,
// sources.yaml overlaid by the UI's edits, disabled sources included.
func cmdSourcesList(ctx context.Context, a *app, args []string) int {
	asJSON := false
	for _, arg := range args {
		switch arg {
		case "--json", "-json":
			asJSON = true
		default:
			return a.exitCode(fmt.Errorf("%w: sources list [--json]: unexpected %q", cli.ErrUsage, arg))
		}
	}
	seed, err := node.LoadSources(a.cfg.Sources)
	if err != nil {
		return a.exitCode(fmt.Errorf("%w: %w", cli.ErrUsage, err))
	}
	list, err := node.SourceList(ctx, a.env(), seed)
	if err != nil {
		fmt.Fprintf(a.stderr, "diembao: sources edited in the UI not read (%v); listing %s only\n", err, a.cfg.Sources)
	}
	if err := sourcestore.WriteList(a.stdout, list, asJSON, a.cfg.Location()); err != nil {
		return a.exitCode(err)
	}
	return cli.ExitOK
}
