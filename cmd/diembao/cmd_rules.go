package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/rules"
)

// maxRulesInput bounds one input of "rules check".
const maxRulesInput = 32 << 20

// cmdRules is the "rules" subcommand: check texts against the rules, lint a
// rule folder, backtest a rule file on the archive.
func cmdRules(ctx context.Context, a *app, args []string) int {
	c := rulesCmd{
		stdout: a.stdout, stderr: a.stderr, stdin: a.stdin,
		dirs:    a.cfg.Rules,
		loc:     a.cfg.Location(),
		now:     time.Now,
		archive: streamArchive{a}, // the ARTICLES stream, the log of record
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
	if *archive {
		if len(files) != 1 {
			return c.usageErr("check --archive: want exactly one rule file")
		}
		return c.backtest(ctx, append(append([]string{}, c.dirs...), dirs...), files[0], *since, *examples, *asJSON)
	}
	if len(files) == 0 {
		return c.usageErr("check: no input (give FILE... or - for stdin)")
	}
	set, err := rules.Load(append(append([]string{}, c.dirs...), dirs...)...)
	if err != nil {
		return c.usageErr("%v", err)
	}
	// Read and parse every input first, so that a bad one stops the run
	// with one line before anything is printed.
	type input struct {
		name string
		art  article.Article
		text bool // plain text: one field, the body
	}
	ins := make([]input, 0, len(files))
	for _, f := range files {
		name, data, err := c.readInput(f)
		if err != nil {
			if errors.Is(err, errNoFile) || errors.Is(err, errTooBig) {
				return c.usageErr("%v", err)
			}
			fmt.Fprintf(c.stderr, "diembao rules: %v\n", err)
			return cli.ExitError
		}
		art, text, err := rules.ParseInput(name, data)
		if err != nil {
			return c.usageErr("%v", err)
		}
		ins = append(ins, input{name: name, art: art, text: text})
	}
	enc := json.NewEncoder(c.stdout)
	enc.SetEscapeHTML(false)
	for _, in := range ins {
		res := set.Match(in.art)
		if *asJSON {
			if err := enc.Encode(rules.CheckJSON(in.name, res, in.text)); err != nil {
				fmt.Fprintf(c.stderr, "diembao rules: %v\n", err)
				return cli.ExitError
			}
			continue
		}
		rules.Explain(c.stdout, in.name, res)
	}
	return cli.ExitOK
}

var (
	errTooBig = errors.New("input too large")
	errNoFile = errors.New("no such file")
)

func (c rulesCmd) readInput(f string) (string, []byte, error) {
	var r io.Reader
	name := f
	if f == "-" {
		r, name = c.stdin, "-"
	} else {
		fh, err := os.Open(f)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return f, nil, fmt.Errorf("%s: %w", f, errNoFile)
			}
			return f, nil, err
		}
		defer fh.Close()
		r = fh
	}
	b, err := io.ReadAll(io.LimitReader(r, maxRulesInput+1))
	if err != nil {
		return name, nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > maxRulesInput {
		return name, nil, fmt.Errorf("%s: %w (over %d MB)", name, errTooBig, maxRulesInput>>20)
	}
	return name, b, nil
}

func (c rulesCmd) lint(args []string) int {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return c.usageErr("lint: want one rule folder: diembao rules lint DIR")
	}
	dir := args[0]
	if _, err := os.Stat(dir); err != nil {
		return c.usageErr("%s: no such file or folder", dir)
	}
	res, err := rules.Lint(dir)
	if err != nil {
		return c.usageErr("%v", err)
	}
	fmt.Fprintf(c.stdout, "%s: ok (%d rules here, %d with the default pack, %d phrases)\n", dir, res.Own, len(res.Set.Rules()), res.Set.Phrases())
	return cli.ExitOK
}

func (c rulesCmd) backtest(ctx context.Context, dirs []string, file, sinceArg string, examples int, asJSON bool) int {
	since, err := rules.ParseSince(sinceArg, c.now())
	if err != nil {
		return c.usageErr("%v", err)
	}
	if st, err := os.Stat(file); err != nil || st.IsDir() {
		return c.usageErr("%s: not a rule file", file)
	}
	set, err := rules.Load(append(dirs, file)...)
	if err != nil {
		return c.usageErr("%v", err)
	}
	ids := set.RulesIn(file)
	if len(ids) == 0 {
		return c.usageErr("%s: no rules to backtest", file)
	}
	if c.archive == nil {
		fmt.Fprintln(c.stderr, "diembao rules: check --archive: no archive available in this process (the index is not wired to the rules command)")
		return cli.ExitError
	}
	rep, err := set.Backtest(ctx, c.archive, since, ids, examples)
	if err != nil {
		fmt.Fprintf(c.stderr, "diembao rules: %v\n", err)
		return cli.ExitError
	}
	if asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			return cli.ExitError
		}
		return cli.ExitOK
	}
	rep.WriteText(c.stdout, file, since, ids, c.loc)
	return cli.ExitOK
}
