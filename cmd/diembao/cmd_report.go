package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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
	usage := func(format string, v ...any) int {
		return a.exitCode(fmt.Errorf("%w: report: %s", cli.ErrUsage, fmt.Sprintf(format, v...)))
	}
	loc := a.cfg.Location()
	var p report.Params
	var out string
	year := 0
	for i := 0; i < len(args); i++ {
		name, val, has := strings.Cut(strings.TrimPrefix(args[i], "--"), "=")
		if !strings.HasPrefix(args[i], "--") {
			return usage("unexpected argument %q", args[i])
		}
		if name == "all" || name == "area" {
			p.All = name == "all"
			continue
		}
		if !has {
			if i+1 >= len(args) {
				return usage("flag --%s needs a value", name)
			}
			i++
			val = args[i]
		}
		switch name {
		case "year":
			n, err := strconv.Atoi(val)
			if err != nil || n < 2000 || n > 2100 {
				return usage("--year %q: want a year like 2026", val)
			}
			year = n
		case "from", "to":
			d, err := time.ParseInLocation("2006-01-02", val, loc)
			if err != nil {
				return usage("--%s %q: want a date YYYY-MM-DD", name, val)
			}
			if name == "from" {
				p.From = d
			} else {
				p.To = d
			}
		case "topic":
			p.Topic = val
		case "out":
			out = val
		default:
			return usage("unknown flag --%s", name)
		}
	}
	if year != 0 {
		if !p.From.IsZero() || !p.To.IsZero() {
			return usage("give --year or --from/--to, not both")
		}
		y := report.Year(year, loc)
		p.From, p.To = y.From, y.To
	}
	if p.From.IsZero() || p.To.IsZero() {
		return usage("give --year YYYY or both --from and --to")
	}
	if p.To.Before(p.From) {
		return usage("--to is before --from")
	}
	ext := strings.ToLower(filepath.Ext(out))
	if out == "" || (ext != ".pdf" && ext != ".docx" && ext != ".xlsx") {
		return usage("--out FILE ending .pdf, .docx or .xlsx is required")
	}
	p.Loc = loc
	r, err := buildReport(ctx, a, p)
	if err != nil {
		return a.exitCode(fmt.Errorf("report: %w", err))
	}
	b, err := report.Render(r, officedoc.IssuerFrom(a.cfg.Office), ext, time.Now().In(loc))
	if err != nil {
		return a.exitCode(fmt.Errorf("report: %w", err))
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
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
