package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/internal/web"
)

// cmdUser is the "user" subcommand:
//
//	diembao user add NAME --role analyst|police|admin [--password-stdin] [--nats URL]
//	diembao user list [--nats URL]
//
// add prints the generated password (or reads one line from stdin).
func cmdUser(ctx context.Context, a *app, args []string) int {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list") {
		fmt.Fprintln(a.stderr, "usage: diembao user add NAME --role analyst|police|admin [--password-stdin] [--nats URL]")
		fmt.Fprintln(a.stderr, "       diembao user list [--nats URL]")
		return cli.ExitUsage
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	role := fs.String("role", "", "analyst, police or admin")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin instead of generating one")
	natsURL := fs.String("nats", a.cfg.NATS.URL, "NATS URL (empty: the running `diembao run` of this data dir, else its embedded store)")
	pos, err := cli.ParseInterleaved(fs, args[1:])
	if err != nil {
		return cli.ExitUsage
	}
	store, closeStore, err := node.OpenAccounts(ctx, a.env(), *natsURL)
	if err != nil {
		return a.exitCode(err)
	}
	defer closeStore()
	acc := web.NewAccounts(store)

	if args[0] == "list" {
		if len(pos) != 0 {
			return a.exitCode(fmt.Errorf("%w: user list takes no arguments", cli.ErrUsage))
		}
		users, err := acc.List(ctx)
		if err != nil {
			return a.exitCode(err)
		}
		web.WriteUsers(a.stdout, users)
		return cli.ExitOK
	}

	if len(pos) != 1 {
		return a.exitCode(fmt.Errorf("%w: user add needs exactly one NAME", cli.ErrUsage))
	}
	if !web.ValidRole(*role) {
		return a.exitCode(fmt.Errorf("%w: --role must be analyst, police or admin", cli.ErrUsage))
	}
	password := web.GeneratePassword()
	if *fromStdin {
		if password, err = web.ReadPassword(a.stdin); errkind.IsInvalid(err) {
			return a.exitCode(fmt.Errorf("%w: %v", cli.ErrUsage, err))
		} else if err != nil {
			return a.exitCode(err)
		}
	}
	if err := acc.Add(ctx, pos[0], *role, password); err != nil {
		if errors.Is(err, errkind.Permanent) {
			return a.exitCode(fmt.Errorf("%w: %v", cli.ErrUsage, err))
		}
		return a.exitCode(err)
	}
	fmt.Fprintf(a.stderr, "diembao: created user %s with role %s\n", pos[0], *role)
	if !*fromStdin {
		fmt.Fprintln(a.stdout, password)
	}
	return cli.ExitOK
}
