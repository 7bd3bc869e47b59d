package main

import (
	"context"
	"fmt"
)

// cmdReindex is the "reindex" subcommand. Placeholder until its package lands.
func cmdReindex(ctx context.Context, a *app, args []string) int {
	fmt.Fprintln(a.stderr, "diembao reindex: not implemented yet")
	return exitError
}
