package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/officedoc"
	"github.com/diembao/diembao/internal/report"
	"github.com/diembao/diembao/rules"
)

// cmdReport is "diembao report (--year 2026 | --from D --to D) [--topic T]
// [--all] --out FILE.pdf|.docx|.xlsx": the period report from the index
// (opened read-only). Articles about the area count unless --all.
func cmdReport(ctx context.Context, a *app, args []string) int {
	usage := func(format string, v ...any) int {
		return a.exitCode(fmt.Errorf("%w: report: %s", errUsage, fmt.Sprintf(format, v...)))
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
	b, err := renderReport(r, officedoc.IssuerFrom(a.cfg.Office), ext, time.Now().In(loc))
	if err != nil {
		return a.exitCode(fmt.Errorf("report: %w", err))
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return a.exitCode(fmt.Errorf("report: %w", err))
	}
	fmt.Fprintf(a.stdout, "đã ghi báo cáo vào %s\n", out)
	return exitOK
}

// buildReport builds the report of p: from the index under DATA/index and
// the embedded store, or, while `diembao run` holds them (or with an
// external NATS server), from the index role and the buckets over the bus.
func buildReport(ctx context.Context, a *app, p report.Params) (report.Report, error) {
	set, err := rules.Load(a.cfg.Rules...)
	if err != nil {
		return report.Report{}, err
	}
	deps := reportDeps(set)
	deps.SourceNames = sourceNames(a.cfg.Sources, a.log)
	remote := a.natsFor(a.cfg.NATS.URL) != ""
	if !remote {
		dir := filepath.Join(a.cfg.DataDir, "index")
		cfg := indexer.Config{Dir: dir, ReadOnly: true, Location: a.cfg.Location()}
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			cfg = indexer.Config{Location: a.cfg.Location()} // nothing indexed yet: an empty index
		}
		idx, err := indexer.Open(cfg, nil, a.log)
		if err != nil {
			return report.Report{}, fmt.Errorf("open %s: %w", dir, err)
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
	x, err := openReportExtras(ctx, a, b, nil, a.log)
	if err != nil {
		return report.Report{}, err
	}
	x.fill(&deps)
	return report.Build(ctx, deps, p)
}

// renderReport writes r in the format of a file extension (.pdf, .docx,
// .xlsx), dated date, issued by is.
func renderReport(r report.Report, is officedoc.Issuer, ext string, date time.Time) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	switch ext {
	case ".pdf":
		err = report.WritePDF(&buf, r, is, date)
	case ".docx":
		err = report.WriteDOCX(&buf, r, is, date)
	case ".xlsx":
		err = report.WriteXLSX(&buf, r)
	default:
		err = fmt.Errorf("format %q: want .pdf, .docx or .xlsx", ext)
	}
	return buf.Bytes(), err
}

// reportDeps fills the gazetteer and names from the rule set (cases and
// portals are wired by their packages; nil means none yet).
func reportDeps(set *rules.Set) report.Deps {
	d := report.Deps{TopicNames: map[string]string{}}
	for _, t := range set.Topics() {
		d.TopicNames[t.ID] = alerts.TopicName(t.ID)
		if d.TopicNames[t.ID] == t.ID && t.Name != "" {
			d.TopicNames[t.ID] = t.Name
		}
	}
	for _, pl := range set.Places() {
		cs := set.Communes([]string{pl.ID})
		if len(cs) == 0 || len(pl.Names) == 0 {
			continue
		}
		d.Gazetteer = append(d.Gazetteer, report.Place{ID: pl.ID, Name: pl.Names[0], Communes: cs, Current: len(cs) == 1 && cs[0] == pl.ID})
	}
	return d
}
