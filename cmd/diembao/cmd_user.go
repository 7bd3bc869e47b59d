package main

import (
	"context"
	"fmt"
)

// cmdUser is the "user" subcommand. Placeholder until its package lands.
func cmdUser(ctx context.Context, a *app, args []string) int {
	fmt.Fprintln(a.stderr, "diembao user: not implemented yet")
	return exitError
}
