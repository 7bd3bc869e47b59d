package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/rules"
)

// cmdRules is the "rules" subcommand: check texts against the rules, lint a
// rule folder, backtest a rule file on the archive.
func cmdRules(ctx context.Context, a *app, args []string) int {
	c := rulesCmd{
		stdout: a.stdout, stderr: a.stderr, stdin: a.stdin,
		dirs:    a.cfg.Rules,
		loc:     a.cfg.Location(),
		now:     time.Now,
		archive: node.StreamArchive{Env: a.env()}, // the ARTICLES stream, the log of record
	}
	return c.run(ctx, args)
}

// rulesCmd holds what the rules subcommand needs; tests build it directly.
type rulesCmd struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	dirs           []string // extra rule folders from diembao.yaml
	archive        rules.Archive
	loc            *time.Location // dates are printed as days in this zone (nil: as stored)
	now            func() time.Time
}

const rulesUsage = `usage: diembao rules check [--rules DIR]... [--json] FILE...|-
       diembao rules check --archive [--since 30d] [--rules DIR]... [--json] RULEFILE
       diembao rules lint DIR`

func (c rulesCmd) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(c.stderr, rulesUsage)
		return cli.ExitUsage
	}
	switch args[0] {
	case "check":
		return c.check(ctx, args[1:])
	case "lint":
		return c.lint(args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(c.stdout, rulesUsage)
		return cli.ExitOK
	}
	fmt.Fprintf(c.stderr, "diembao rules: unknown subcommand %q\n%s\n", args[0], rulesUsage)
	return cli.ExitUsage
}

// usageErr prints a one-line message and returns the usage exit code.
func (c rulesCmd) usageErr(format string, args ...any) int {
	fmt.Fprintf(c.stderr, "diembao rules: "+format+"\n", args...)
	return cli.ExitUsage
}

// fail prints err as one line and returns its exit code: 2 when the input
// is at fault (errkind.Invalid), else 1; 0 for nil.
func (c rulesCmd) fail(err error) int {
	if err == nil {
		return cli.ExitOK
	}
	fmt.Fprintf(c.stderr, "diembao rules: %v\n", err)
	if errkind.IsInvalid(err) {
		return cli.ExitUsage
	}
	return cli.ExitError
}

func (c rulesCmd) check(ctx context.Context, args []string) int {
	flags := flag.NewFlagSet("rules check", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	var dirs cli.StringList
	flags.Var(&dirs, "rules", "extra rule folder (repeatable)")
	asJSON := flags.Bool("json", false, "one JSON object per input")
	archive := flags.Bool("archive", false, "backtest RULEFILE on the archived articles")
	since := flags.String("since", "30d", "with --archive: how far back (30d, 12h, 2026-10-01)")
	examples := flags.Int("examples", 5, "with --archive: how many example articles")
	files, err := cli.ParseInterleaved(flags, args)
	if err != nil {
		return c.usageErr("check: %v", err)
	}
	all := append(append([]string{}, c.dirs...), dirs...)
	if *archive {
		if len(files) != 1 {
			return c.usageErr("check --archive: want exactly one rule file")
		}
		return c.backtest(ctx, all, files[0], *since, *examples, *asJSON)
	}
	if len(files) == 0 {
		return c.usageErr("check: no input (give FILE... or - for stdin)")
	}
	set, err := rules.Load(all...)
	if err != nil {
		return c.usageErr("%v", err)
	}
	ins, err := rules.ReadInputs(files, c.stdin)
	if err != nil {
		return c.fail(err)
	}
	if err := set.WriteCheck(c.stdout, ins, *asJSON); err != nil {
		return c.fail(err)
	}
	return cli.ExitOK
}

func (c rulesCmd) lint(args []string) int {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return c.usageErr("lint: want one rule folder: diembao rules lint DIR")
	}
	res, err := rules.Lint(args[0])
	if err != nil {
		return c.fail(err)
	}
	res.WriteText(c.stdout, args[0])
	return cli.ExitOK
}

func (c rulesCmd) backtest(ctx context.Context, dirs []string, file, sinceArg string, examples int, asJSON bool) int {
	since, err := rules.ParseSince(sinceArg, c.now())
	if err != nil {
		return c.usageErr("%v", err)
	}
	rep, err := rules.BacktestFile(ctx, c.archive, dirs, file, since, examples)
	if err != nil {
		return c.fail(err)
	}
	if asJSON {
		return c.fail(rep.WriteJSON(c.stdout)) // nil: ExitOK
	}
	rep.WriteText(c.stdout, file, since, rep.Rules, c.loc)
	return cli.ExitOK
}
