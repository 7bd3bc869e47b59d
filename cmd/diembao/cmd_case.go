package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/cases"
	"github.com/diembao/diembao/internal/cli"
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
	var o struct {
		article, alert, url, text, file, claim, owner string
		status, topic, verdict, note, kind, out       string
		overdue                                       bool
	}
	switch sub {
	case "add":
		fs.StringVar(&o.article, "article", "", "article id")
		fs.StringVar(&o.alert, "alert", "", "alert id")
		fs.StringVar(&o.url, "url", "", "URL to fetch once")
		fs.StringVar(&o.text, "text", "", "file with pasted text, or - for stdin")
		fs.StringVar(&o.file, "file", "", "screenshot or document to attach (PNG, JPEG, GIF, WebP, PDF, text)")
		fs.StringVar(&o.claim, "claim", "", "the claim in one sentence")
		fs.StringVar(&o.owner, "owner", "", "owner (default: --by)")
	case "list":
		fs.StringVar(&o.status, "status", "", "only this status")
		fs.BoolVar(&o.overdue, "overdue", false, "only overdue cases")
		fs.StringVar(&o.owner, "owner", "", "only this owner")
		fs.StringVar(&o.topic, "topic", "", "only this topic")
	case "show":
	case "move":
		fs.StringVar(&o.verdict, "verdict", "", "verdict (false, misleading, true, unproven)")
		fs.StringVar(&o.note, "note", "", "note (required when a step is skipped or a case reopened)")
	case "doc":
		fs.StringVar(&o.kind, "kind", "", "response, report or claimreview")
		fs.StringVar(&o.out, "out", "", "output file (.pdf, .docx, .html)")
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
	if sub == "list" && o.status != "" && !slices.Contains(cases.Statuses, o.status) {
		return a.exitCode(fmt.Errorf("%w: --status %q: want one of %s", cli.ErrUsage, o.status, strings.Join(cases.Statuses, ", ")))
	}
	var in cases.Intake
	if sub == "add" {
		if in, err = caseIntake(a, o.article, o.alert, o.url, o.text, o.file); err != nil {
			return a.exitCode(err)
		}
		in.By, in.Claim, in.Owner = *by, o.claim, o.owner
	}
	if sub == "doc" {
		if o.kind == "" || o.out == "" {
			return a.exitCode(fmt.Errorf("%w: case doc needs --kind and --out", cli.ErrUsage))
		}
	}
	b, err := a.openBus(ctx, *natsURL)
	if err != nil {
		return a.exitCode(err)
	}
	defer b.Close()
	svc, err := newCaseService(ctx, a, b, a.log)
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
			return a.exitCode(printJSON(a.stdout, c))
		}
		if existing {
			fmt.Fprintf(a.stdout, "%s\tđã có (tiếp nhận trùng, gắn vào vụ việc đang mở)\n", c.ID)
		} else {
			fmt.Fprintf(a.stdout, "%s\tmở mới\n", c.ID)
		}
	case "list":
		list, cnt, err := svc.List(ctx, cases.Filter{Status: o.status, Overdue: o.overdue, Owner: o.owner, Topic: o.topic})
		if err != nil {
			return a.exitCode(err)
		}
		if *asJSON {
			if list == nil {
				list = []cases.Case{}
			}
			return a.exitCode(printJSON(a.stdout, map[string]any{"cases": list, "counts": cnt}))
		}
		cases.WriteList(a.stdout, list, a.cfg.Location(), time.Now())
		fmt.Fprintf(a.stderr, "%d vụ việc, %d đang xử lý, %d quá hạn\n", cnt.Total, cnt.Open, cnt.Overdue)
	case "show":
		c, err := svc.Get(ctx, pos[0])
		if err != nil {
			return a.exitCode(caseErr(err))
		}
		if *asJSON {
			return a.exitCode(printJSON(a.stdout, c))
		}
		c.WriteText(a.stdout, a.cfg.Location())
	case "move":
		c, err := svc.Move(ctx, pos[0], *by, pos[1], o.verdict, o.note)
		if err != nil {
			return a.exitCode(caseErr(err))
		}
		fmt.Fprintf(a.stdout, "%s\t%s\n", c.ID, c.Status)
	case "doc":
		c, err := svc.Get(ctx, pos[0])
		if err != nil {
			return a.exitCode(caseErr(err))
		}
		format := strings.TrimPrefix(strings.ToLower(filepath.Ext(o.out)), ".")
		data, _, _, err := svc.Document(c, o.kind, format)
		if err != nil {
			return a.exitCode(caseErr(err))
		}
		if err := os.WriteFile(o.out, data, 0o640); err != nil {
			return a.exitCode(fmt.Errorf("write %s: %w", o.out, err))
		}
		fmt.Fprintf(a.stderr, "diembao: wrote %s (%d bytes)\n", o.out, len(data))
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

// caseIntake reads the intake's source from the flags.
func caseIntake(a *app, articleID, alertID, pageURL, textFile, file string) (cases.Intake, error) {
	in := cases.Intake{ArticleID: articleID, AlertID: alertID, URL: pageURL}
	if textFile != "" {
		var b []byte
		var err error
		if textFile == "-" {
			b, err = io.ReadAll(io.LimitReader(a.stdin, 1<<20))
		} else {
			b, err = os.ReadFile(textFile)
		}
		if err != nil {
			return in, fmt.Errorf("%w: --text %s: %v", cli.ErrUsage, textFile, err)
		}
		in.Text = string(b)
		if strings.TrimSpace(in.Text) == "" {
			return in, fmt.Errorf("%w: --text %s is empty", cli.ErrUsage, textFile)
		}
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return in, fmt.Errorf("%w: --file: %v", cli.ErrUsage, err)
		}
		in.File = &cases.Upload{Name: filepath.Base(file), Data: b}
	}
	return in, nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
