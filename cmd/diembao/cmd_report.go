package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/internal/officedoc"
	"github.com/diembao/diembao/internal/report"
	"github.com/diembao/diembao/rules"
)

// cmdReport is "diembao report (--year 2026 | --from D --to D) [--topic T]
// [--all] --out FILE.pdf|.docx|.xlsx": the period report from the index
// (opened read-only). Articles about the area count unless --all.
func cmdReport(ctx context.Context, a *app, args []string) int {
	usage := func(err error) int { return a.exitCode(fmt.Errorf("%w: report: %w", cli.ErrUsage, err)) }
	var year, from, to, topic, out string
	all := false
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&year, "year", "", "calendar year")
	fs.StringVar(&from, "from", "", "first day YYYY-MM-DD (with --to)")
	fs.StringVar(&to, "to", "", "last day YYYY-MM-DD, inclusive (with --from)")
	fs.StringVar(&topic, "topic", "", "only this topic")
	fs.StringVar(&out, "out", "", "FILE.pdf, FILE.docx or FILE.xlsx")
	fs.BoolFunc("all", "count every indexed article", func(string) error { all = true; return nil })
	fs.BoolFunc("area", "count the articles about the area (the default)", func(string) error { all = false; return nil })
	pos, err := cli.ParseInterleaved(fs, args)
	if err == nil && len(pos) > 0 {
		err = fmt.Errorf("unexpected argument %q", pos[0])
	}
	if err != nil {
		return usage(err)
	}
	loc := a.cfg.Location()
	p, err := report.ParsePeriod(year, from, to, loc)
	if err != nil {
		return usage(err)
	}
	if _, err := report.CheckOut(out); err != nil {
		return usage(err)
	}
	p.Topic, p.All = topic, all
	r, err := buildReport(ctx, a, p)
	if err != nil {
		return a.exitCode(fmt.Errorf("report: %w", err))
	}
	if err := report.WriteFile(out, r, officedoc.IssuerFrom(a.cfg.Office), time.Now().In(loc)); err != nil {
		return a.exitCode(fmt.Errorf("report: %w", err))
	}
	fmt.Fprintf(a.stdout, "đã ghi báo cáo vào %s\n", out)
	return cli.ExitOK
}

// buildReport builds the report of p: from the index under DATA/index and
// the embedded store, or, while `diembao run` holds them (or with an
// external NATS server), from the index role and the buckets over the bus.
func buildReport(ctx context.Context, a *app, p report.Params) (report.Report, error) {
	set, err := rules.Load(a.cfg.Rules...)
	if err != nil {
		return report.Report{}, err
	}
	var counter report.Counter
	if a.env().NATSFor(a.cfg.NATS.URL) == "" { // no process holds the index: read it here
		idx, err := node.OpenLocalIndex(a.env())
		if err != nil {
			return report.Report{}, err
		}
		defer idx.Close()
		counter = idx
	}
	b, err := a.env().OpenBus(ctx, a.cfg.NATS.URL)
	if err != nil {
		return report.Report{}, err
	}
	defer b.Close()
	deps, err := node.OpenReportProviders(ctx, a.env(), b, nil)
	if err != nil {
		return report.Report{}, err
	}
	if counter == nil { // the running process or the index role answers
		counter = node.RemoteIndex{Bus: b}
	}
	deps.Counter, deps.SourceNames = counter, node.SourceNames(a.cfg.Sources, a.log)
	return report.Build(ctx, deps.WithRules(set), p)
}
