package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/cases"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/node"
)

const caseUsage = `usage:
  diembao case add (--article ID | --alert ID | --url URL | --text FILE|-) --claim "…" [--owner NAME] [--file SCREENSHOT] [--json]
  diembao case list [--status S] [--overdue] [--owner NAME] [--topic T] [--json]
  diembao case show ID [--json]
  diembao case move ID STATUS [--verdict V] --note "…" [--by NAME]
  diembao case doc ID --kind response|report|claimreview --out FILE.pdf|.docx|.html
Every subcommand also takes --nats URL (default: the running diembao of this data dir, else its store) and --by NAME.
Statuses: received, verifying, verified, responded, reported, closed; verdicts: false, misleading, true, unproven.`

// cmdCase is the "case" subcommand. It opens the bus like `user` does (the
// external NATS, the running process's embedded server, or the store), so
// it works with one process or split roles, and uses the same case service
// as the web UI.
func cmdCase(ctx context.Context, a *app, args []string) int {
	c, code, done := parseCaseArgs(a, args)
	if done {
		return code
	}
	b, err := a.env().OpenBus(ctx, c.natsURL)
	if err != nil {
		return a.exitCode(err)
	}
	defer b.Close()
	svc, err := node.NewCaseService(ctx, a.env(), b)
	if err != nil {
		return a.exitCode(err)
	}
	if err := c.run(ctx, a, svc); err != nil {
		return a.exitCode(err)
	}
	return cli.ExitOK
}

// caseArgs is one parsed `case` subcommand: its positional arguments and
// the flags it takes (the others stay zero).
type caseArgs struct {
	sub, natsURL, by string
	pos              []string
	asJSON           bool
	in               cases.Intake // add, read from src
	src              cases.IntakeFiles
	filter           cases.Filter // list
	verdict, note    string       // move
	kind, out        string       // doc
}

// parseCaseArgs parses and checks a `case` command line, and reads the
// intake of `case add`. done is true when the command ends here, with code
// (help, or an error already printed).
func parseCaseArgs(a *app, args []string) (c caseArgs, code int, done bool) {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(a.stderr, caseUsage)
		if len(args) == 0 {
			return c, cli.ExitUsage, true
		}
		return c, cli.ExitOK, true
	}
	c.sub = args[0]
	fs := flag.NewFlagSet("case "+c.sub, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() { fmt.Fprintln(a.stderr, caseUsage) }
	fs.StringVar(&c.natsURL, "nats", a.cfg.NATS.URL, "NATS URL")
	fs.StringVar(&c.by, "by", defaultUser(a), "who does it (recorded in the history)")
	fs.BoolVar(&c.asJSON, "json", false, "print JSON")
	var claim, owner string
	switch c.sub {
	case "add":
		fs.StringVar(&c.src.ArticleID, "article", "", "article id")
		fs.StringVar(&c.src.AlertID, "alert", "", "alert id")
		fs.StringVar(&c.src.URL, "url", "", "URL to fetch once")
		fs.StringVar(&c.src.TextFile, "text", "", "file with pasted text, or - for stdin")
		fs.StringVar(&c.src.File, "file", "", "screenshot or document to attach (PNG, JPEG, GIF, WebP, PDF, text)")
		fs.StringVar(&claim, "claim", "", "the claim in one sentence")
		fs.StringVar(&owner, "owner", "", "owner (default: --by)")
	case "list":
		fs.StringVar(&c.filter.Status, "status", "", "only this status")
		fs.BoolVar(&c.filter.Overdue, "overdue", false, "only overdue cases")
		fs.StringVar(&c.filter.Owner, "owner", "", "only this owner")
		fs.StringVar(&c.filter.Topic, "topic", "", "only this topic")
	case "show":
	case "move":
		fs.StringVar(&c.verdict, "verdict", "", "verdict (false, misleading, true, unproven)")
		fs.StringVar(&c.note, "note", "", "note (required when a step is skipped or a case reopened)")
	case "doc":
		fs.StringVar(&c.kind, "kind", "", "response, report or claimreview")
		fs.StringVar(&c.out, "out", "", "output file (.pdf, .docx, .html)")
	default:
		fmt.Fprintf(a.stderr, "diembao case: unknown subcommand %q\n%s\n", c.sub, caseUsage)
		return c, cli.ExitUsage, true
	}
	var err error
	c.pos, err = cli.ParseInterleaved(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return c, cli.ExitOK, true
	}
	if err != nil {
		return c, cli.ExitUsage, true // the flag package printed it
	}
	if err := c.check(a, claim, owner); err != nil {
		return c, a.exitCode(err), true
	}
	return c, 0, false
}

// check refuses what the service would refuse anyway but the caller can
// see at once (argument count, status name, doc's flags), and reads the
// intake of `case add`.
func (c *caseArgs) check(a *app, claim, owner string) error {
	want := map[string]int{"add": 0, "list": 0, "show": 1, "move": 2, "doc": 1}[c.sub]
	if len(c.pos) != want {
		return fmt.Errorf("%w: case %s takes %d argument(s), got %d\n%s", cli.ErrUsage, c.sub, want, len(c.pos), caseUsage)
	}
	switch {
	case c.sub == "list" && c.filter.Status != "" && !slices.Contains(cases.Statuses, c.filter.Status):
		return fmt.Errorf("%w: --status %q: want one of %s", cli.ErrUsage, c.filter.Status, strings.Join(cases.Statuses, ", "))
	case c.sub == "doc" && (c.kind == "" || c.out == ""):
		return fmt.Errorf("%w: case doc needs --kind and --out", cli.ErrUsage)
	case c.sub == "add":
		in, err := cases.ReadIntake(c.src, a.stdin)
		if err != nil {
			return caseErr(err)
		}
		in.By, in.Claim, in.Owner = c.by, claim, owner
		c.in = in
	}
	return nil
}

// run does the subcommand with the case service and prints its result.
func (c caseArgs) run(ctx context.Context, a *app, svc *cases.Service) error {
	switch c.sub {
	case "add":
		got, existing, err := svc.Open(ctx, c.in)
		if err != nil {
			return caseErr(err)
		}
		if c.asJSON {
			return cases.WriteJSON(a.stdout, got)
		}
		cases.WriteOpened(a.stdout, got, existing)
	case "list":
		list, cnt, err := svc.List(ctx, c.filter)
		if err != nil {
			return err
		}
		if c.asJSON {
			return cases.WriteListJSON(a.stdout, list, cnt)
		}
		cases.WriteList(a.stdout, list, a.cfg.Location(), time.Now())
		cnt.WriteText(a.stderr)
	case "show":
		got, err := svc.Get(ctx, c.pos[0])
		if err != nil {
			return caseErr(err)
		}
		if c.asJSON {
			return cases.WriteJSON(a.stdout, got)
		}
		got.WriteText(a.stdout, a.cfg.Location())
	case "move":
		got, err := svc.Move(ctx, c.pos[0], c.by, c.pos[1], c.verdict, c.note)
		if err != nil {
			return caseErr(err)
		}
		fmt.Fprintf(a.stdout, "%s\t%s\n", got.ID, got.Status)
	case "doc":
		got, err := svc.Get(ctx, c.pos[0])
		if err != nil {
			return caseErr(err)
		}
		n, err := svc.WriteDocument(got, c.kind, c.out)
		if err != nil {
			return caseErr(err)
		}
		fmt.Fprintf(a.stderr, "diembao: wrote %s (%d bytes)\n", c.out, n)
	}
	return nil
}

// caseErr marks the errors the caller can fix (invalid move, bad input,
// unknown case, rejected file) as usage errors: exit code 2.
func caseErr(err error) error {
	if cases.CallerFault(err) {
		return fmt.Errorf("%w: %v", cli.ErrUsage, err)
	}
	return err
}

func defaultUser(a *app) string {
	for _, k := range []string{"DIEMBAO_USER", "USER"} {
		if v := a.getenv(k); v != "" {
			return v
		}
	}
	return "cli"
}
