package main

import (
	"context"
	"fmt"
)

// cmdDigest is the "digest" subcommand. Placeholder until its package lands.
func cmdDigest(ctx context.Context, a *app, args []string) int {
	fmt.Fprintln(a.stderr, "diembao digest: not implemented yet")
	return exitError
}
