package main

import (
	"context"
	"fmt"

	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/node"
)

// cmdReindex is "diembao reindex": it rebuilds the index from the ARTICLES
// stream into DATA/index.rebuild, drawing a progress bar with ETA on stderr,
// then swaps it in for DATA/index. It refuses to run while a `diembao run`
// answers at http.base_url (that process owns the index).
func cmdReindex(ctx context.Context, a *app, args []string) int {
	if len(args) > 0 {
		return a.exitCode(fmt.Errorf("%w: reindex takes no arguments", cli.ErrUsage))
	}
	if a.client().Running(ctx) {
		return a.exitCode(fmt.Errorf("reindex: a diembao process answers at %s; stop it first (it holds the index)", a.cfg.HTTP.BaseURL))
	}
	if err := node.Reindex(ctx, a.env(), node.BusArticleSource, a.stderr); err != nil {
		return a.exitCode(fmt.Errorf("reindex: %w", err))
	}
	return cli.ExitOK
}
