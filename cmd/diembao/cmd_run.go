package main

import (
	"context"
	"fmt"
)

func cmdRun(ctx context.Context, a *app, args []string) int {
	fmt.Fprintln(a.stderr, "diembao run: not implemented yet")
	return exitError
}

func roleCmd(role string) func(ctx context.Context, a *app, args []string) int {
	return func(ctx context.Context, a *app, args []string) int {
		fmt.Fprintln(a.stderr, "diembao "+role+": not implemented yet")
		return exitError
	}
}

func cmdDemo(ctx context.Context, a *app, args []string) int {
	fmt.Fprintln(a.stderr, "diembao demo: not implemented yet")
	return exitError
}
