package main

import (
	"context"
	"fmt"
)

// cmdSources is the "sources" subcommand. Placeholder until its package lands.
func cmdSources(ctx context.Context, a *app, args []string) int {
	fmt.Fprintln(a.stderr, "diembao sources: not implemented yet")
	return exitError
}
