package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/cli"
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
	for i := 0; i < len(args); i++ {
		name, val, has := strings.Cut(strings.TrimPrefix(args[i], "--"), "=")
		if !strings.HasPrefix(args[i], "--") {
			return usage(fmt.Errorf("unexpected argument %q", args[i]))
		}
		if name == "all" || name == "area" {
			all = name == "all"
			continue
		}
		if !has {
			if i+1 >= len(args) {
				return usage(fmt.Errorf("flag --%s needs a value", name))
			}
			i++
			val = args[i]
		}
		switch name {
		case "year":
			year = val
		case "from":
			from = val
		case "to":
			to = val
		case "topic":
			topic = val
		case "out":
			out = val
		default:
			return usage(fmt.Errorf("unknown flag --%s", name))
		}
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
	var deps report.Deps
	remote := a.natsFor(a.cfg.NATS.URL) != ""
	if !remote {
		idx, err := indexer.OpenReadOnly(filepath.Join(a.cfg.DataDir, "index"), a.cfg.Location(), a.log)
		if err != nil {
			return report.Report{}, err
		}
		defer idx.Close()
		deps.Counter = idx
	}
	b, err := a.openBus(ctx, a.cfg.NATS.URL)
	if err != nil {
		return report.Report{}, err
	}
	defer b.Close()
	if remote {
		deps.Counter = remoteIndex{b}
	}
	counter := deps.Counter
	if deps, err = openReportProviders(ctx, a, b, nil, a.log); err != nil {
		return report.Report{}, err
	}
	deps.Counter, deps.SourceNames = counter, sourceNames(a.cfg.Sources, a.log)
	return report.Build(ctx, deps.WithRules(set), p)
}
