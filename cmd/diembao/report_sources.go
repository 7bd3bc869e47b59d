package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/cases"
	"github.com/diembao/diembao/internal/portal"
	"github.com/diembao/diembao/internal/report"
)

// reportExtras are the report's providers beyond the index: alerts, cases,
// own-portal duties and source uptime, all read from the bus so that the
// CLI and a serve role in any process give the same figures.
type reportExtras struct {
	alerts  report.AlertSource
	cases   report.CaseStats
	portals report.PortalDuties
	health  report.SourceHealth
}

// fill sets d's providers from x.
func (x reportExtras) fill(d *report.Deps) {
	d.Alerts, d.Cases, d.Portals, d.Health = x.alerts, x.cases, x.portals, x.health
}

// openReportExtras reads the buckets the report needs on b; svc is the case
// service when the caller has one (nil: one is opened).
func openReportExtras(ctx context.Context, a *app, b *bus.Bus, svc *cases.Service, log *slog.Logger) (reportExtras, error) {
	var x reportExtras
	alertKV, err := b.KV(ctx, bucketAlerts)
	if err != nil {
		return x, err
	}
	store, err := alerts.NewStore(alertKV)
	if err != nil {
		return x, err
	}
	x.alerts = alertRange{store}
	if svc == nil {
		if svc, err = newCaseService(ctx, a, b, log); err != nil {
			return x, fmt.Errorf("cases: %w", err)
		}
	}
	x.cases = caseStats{svc}
	if len(a.cfg.Portals) > 0 {
		st, err := b.KV(ctx, bucketPortals)
		if err != nil {
			return x, err
		}
		r, err := portal.NewReader(a.cfg.Portals, st, a.cfg.Location())
		if err != nil {
			return x, fmt.Errorf("portals: %w", err)
		}
		x.portals = portalDuties{r: r, now: time.Now}
	}
	health, err := b.KV(ctx, bucketHealth)
	if err != nil {
		return x, err
	}
	x.health = sourceHealth{health}
	return x, nil
}

// caseStats counts the cases opened in the period.
type caseStats struct{ svc *cases.Service }

func (c caseStats) CaseStats(ctx context.Context, from, to time.Time) (report.Cases, error) {
	list, _, err := c.svc.List(ctx, cases.Filter{})
	if err != nil {
		return report.Cases{}, err
	}
	out := report.Cases{ByVerdict: map[string]int{}, ByStatus: map[string]int{}}
	var waits []time.Duration
	slices.SortFunc(list, func(a, b cases.Case) int { return a.Opened.Compare(b.Opened) })
	for _, k := range list {
		if k.Opened.Before(from) || !k.Opened.Before(to) {
			continue
		}
		out.Total++
		out.ByVerdict[k.Verdict]++
		out.ByStatus[k.Status]++
		if at, ok := respondedAt(k); ok {
			waits = append(waits, at.Sub(k.Opened))
		}
		var outcome []string
		for _, o := range k.Outcome {
			outcome = append(outcome, cases.OutcomeName(o))
		}
		verdict := "Chưa kết luận"
		if k.Verdict != "" {
			verdict = cases.VerdictName(k.Verdict)
		}
		out.Lines = append(out.Lines, report.CaseLine{ID: k.ID, Claim: k.Claim, Where: strings.Join(k.Communes, ", "),
			Verdict: verdict, Outcome: strings.Join(outcome, "; ")})
	}
	out.MedianResponse = report.Percentile(waits, 50)
	out.P90Response = report.Percentile(waits, 90)
	return out, nil
}

// respondedAt is when the case first reached the status "responded".
func respondedAt(k cases.Case) (time.Time, bool) {
	for _, e := range k.History {
		if e.Action == "move" && e.To == cases.StatusResponded {
			return e.At, true
		}
	}
	return time.Time{}, false
}

// portalDuties gives the duty rows of every watched portal.
type portalDuties struct {
	r   *portal.Reader
	now func() time.Time
}

func (p portalDuties) DutyRows(ctx context.Context, from, to time.Time) ([]report.DutyRow, error) {
	list, err := p.r.Compliance(ctx, "", from, to, p.now())
	if err != nil {
		return nil, err
	}
	rows := make([]report.DutyRow, 0, len(list))
	for _, d := range list {
		rows = append(rows, report.DutyRow{Portal: d.PortalName, Duty: d.DutyName, Period: d.Label, Status: d.Status, URL: d.URL})
	}
	return rows, nil
}

// Uptime is each source's share of passes that did not fail in [from, to)
// (report.SourceHealth); sources without a pass in the period are absent.
func (s sourceHealth) Uptime(ctx context.Context, from, to time.Time) (map[string]float64, error) {
	list, err := s.list(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, h := range list {
		if u, ok := h.Uptime(from, to); ok {
			out[h.Source] = u
		}
	}
	return out, nil
}
