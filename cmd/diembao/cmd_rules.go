package main

import (
	"context"
	"fmt"
)

// cmdRules is the "rules" subcommand. Placeholder until its package lands.
func cmdRules(ctx context.Context, a *app, args []string) int {
	fmt.Fprintln(a.stderr, "diembao rules: not implemented yet")
	return exitError
}
