package main

import (
	"context"
	"fmt"
)

// cmdSearch is the "search" subcommand. Placeholder until its package lands.
func cmdSearch(ctx context.Context, a *app, args []string) int {
	fmt.Fprintln(a.stderr, "diembao search: not implemented yet")
	return exitError
}
