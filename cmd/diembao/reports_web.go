package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/cases"
	"github.com/diembao/diembao/internal/officedoc"
	"github.com/diembao/diembao/internal/report"
	"github.com/diembao/diembao/internal/web"
	"github.com/diembao/diembao/rules"
)

// alertRange gives the alert records received in [from, to).
type alertRange struct{ store *alerts.Store }

func (a alertRange) Alerts(ctx context.Context, from, to time.Time) ([]alerts.Record, error) {
	p, err := a.store.List(ctx, alerts.Filter{Since: from, Limit: 1 << 30})
	if err != nil {
		return nil, err
	}
	var out []alerts.Record
	for _, r := range p.Records {
		if r.Received.Before(to) {
			out = append(out, r)
		}
	}
	return out, nil
}

// reportMaker is the web UI's web.Reports over the index (local or an
// index role's over the bus), the alerts, cases, portal duties and source
// health on the bus, and the current rule set.
type reportMaker struct {
	counter report.Counter
	extras  reportExtras
	rules   *rules.Reloader
	issuer  officedoc.Issuer
	now     func() time.Time
	loc     *time.Location
	names   map[string]string // source display names
}

func (m reportMaker) Report(ctx context.Context, p report.Params) (report.Report, error) {
	d := reportDeps(m.rules.Current())
	d.Counter, d.SourceNames = m.counter, m.names
	m.extras.fill(&d)
	return report.Build(ctx, d, p)
}

func (m reportMaker) Render(r report.Report, format string) ([]byte, error) {
	return renderReport(r, m.issuer, "."+format, m.now().In(m.loc))
}

// reportWebDeps fills the Reports page, and the search export when this
// process holds the index (nil otherwise: the export says it is off).
func (n *node) reportWebDeps(ctx context.Context, d *web.Deps, svc *cases.Service) error {
	var counter report.Counter = remoteIndex{n.bus}
	if n.idx != nil {
		d.Exporter, counter = n.idx, n.idx
	}
	x, err := openReportExtras(ctx, n.a, n.bus, svc, n.log)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	d.Reports = reportMaker{counter: counter, extras: x, rules: n.rules, issuer: officedoc.IssuerFrom(n.a.cfg.Office),
		now: time.Now, loc: n.a.cfg.Location(), names: sourceNames(n.a.cfg.Sources, n.log)}
	return nil
}

// sourceNames maps source ids to their names in sources.yaml (or the
// embedded list); unreadable sources leave the ids as they are.
func sourceNames(path string, log *slog.Logger) map[string]string {
	srcs, err := sourcesFromConfig(path)
	if err != nil {
		log.Warn("source names unreadable; reports show source ids", "err", err)
		return nil
	}
	names := make(map[string]string, len(srcs))
	for _, s := range srcs {
		names[s.ID] = s.Name
	}
	return names
}
