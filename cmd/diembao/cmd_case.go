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
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(a.stderr, caseUsage)
		if len(args) == 0 {
			return cli.ExitUsage
		}
		return cli.ExitOK
	}
	sub := args[0]
	fs := flag.NewFlagSet("case "+sub, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() { fmt.Fprintln(a.stderr, caseUsage) }
	natsURL := fs.String("nats", a.cfg.NATS.URL, "NATS URL")
	by := fs.String("by", defaultUser(a), "who does it (recorded in the history)")
	asJSON := fs.Bool("json", false, "print JSON")
	var (
		src                                    cases.IntakeFiles
		in                                     cases.Intake
		filter                                 cases.Filter
		claim, owner, verdict, note, kind, out string
	)
	switch sub {
	case "add":
		fs.StringVar(&src.ArticleID, "article", "", "article id")
		fs.StringVar(&src.AlertID, "alert", "", "alert id")
		fs.StringVar(&src.URL, "url", "", "URL to fetch once")
		fs.StringVar(&src.TextFile, "text", "", "file with pasted text, or - for stdin")
		fs.StringVar(&src.File, "file", "", "screenshot or document to attach (PNG, JPEG, GIF, WebP, PDF, text)")
		fs.StringVar(&claim, "claim", "", "the claim in one sentence")
		fs.StringVar(&owner, "owner", "", "owner (default: --by)")
	case "list":
		fs.StringVar(&filter.Status, "status", "", "only this status")
		fs.BoolVar(&filter.Overdue, "overdue", false, "only overdue cases")
		fs.StringVar(&filter.Owner, "owner", "", "only this owner")
		fs.StringVar(&filter.Topic, "topic", "", "only this topic")
	case "show":
	case "move":
		fs.StringVar(&verdict, "verdict", "", "verdict (false, misleading, true, unproven)")
		fs.StringVar(&note, "note", "", "note (required when a step is skipped or a case reopened)")
	case "doc":
		fs.StringVar(&kind, "kind", "", "response, report or claimreview")
		fs.StringVar(&out, "out", "", "output file (.pdf, .docx, .html)")
	default:
		fmt.Fprintf(a.stderr, "diembao case: unknown subcommand %q\n%s\n", sub, caseUsage)
		return cli.ExitUsage
	}
	pos, err := cli.ParseInterleaved(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return cli.ExitOK
	}
	if err != nil {
		return cli.ExitUsage
	}
	want := map[string]int{"add": 0, "list": 0, "show": 1, "move": 2, "doc": 1}[sub]
	if len(pos) != want {
		return a.exitCode(fmt.Errorf("%w: case %s takes %d argument(s), got %d\n%s", cli.ErrUsage, sub, want, len(pos), caseUsage))
	}
	if sub == "list" && filter.Status != "" && !slices.Contains(cases.Statuses, filter.Status) {
		return a.exitCode(fmt.Errorf("%w: --status %q: want one of %s", cli.ErrUsage, filter.Status, strings.Join(cases.Statuses, ", ")))
	}
	if sub == "add" {
		if in, err = cases.ReadIntake(src, a.stdin); err != nil {
			return a.exitCode(caseErr(err))
		}
		in.By, in.Claim, in.Owner = *by, claim, owner
	}
	if sub == "doc" && (kind == "" || out == "") {
		return a.exitCode(fmt.Errorf("%w: case doc needs --kind and --out", cli.ErrUsage))
	}
	b, err := a.env().OpenBus(ctx, *natsURL)
	if err != nil {
		return a.exitCode(err)
	}
	defer b.Close()
	svc, err := node.NewCaseService(ctx, a.env(), b)
	if err != nil {
		return a.exitCode(err)
	}
	switch sub {
	case "add":
		c, existing, err := svc.Open(ctx, in)
		if err != nil {
			return a.exitCode(caseErr(err))
		}
		if *asJSON {
			return a.exitCode(cases.WriteJSON(a.stdout, c))
		}
		cases.WriteOpened(a.stdout, c, existing)
	case "list":
		list, cnt, err := svc.List(ctx, filter)
		if err != nil {
			return a.exitCode(err)
		}
		if *asJSON {
			return a.exitCode(cases.WriteListJSON(a.stdout, list, cnt))
		}
		cases.WriteList(a.stdout, list, a.cfg.Location(), time.Now())
		cnt.WriteText(a.stderr)
	case "show":
		c, err := svc.Get(ctx, pos[0])
		if err != nil {
			return a.exitCode(caseErr(err))
		}
		if *asJSON {
			return a.exitCode(cases.WriteJSON(a.stdout, c))
		}
		c.WriteText(a.stdout, a.cfg.Location())
	case "move":
		c, err := svc.Move(ctx, pos[0], *by, pos[1], verdict, note)
		if err != nil {
			return a.exitCode(caseErr(err))
		}
		fmt.Fprintf(a.stdout, "%s\t%s\n", c.ID, c.Status)
	case "doc":
		c, err := svc.Get(ctx, pos[0])
		if err != nil {
			return a.exitCode(caseErr(err))
		}
		n, err := svc.WriteDocument(c, kind, out)
		if err != nil {
			return a.exitCode(caseErr(err))
		}
		fmt.Fprintf(a.stderr, "diembao: wrote %s (%d bytes)\n", out, n)
	}
	return cli.ExitOK
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
