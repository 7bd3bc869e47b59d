package main

import (
	"context"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/indexer"
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

// reportMaker is the web UI's web.Reports over the local index, the alert
// store and the current rule set; cases and portals are added by the lead
// when their packages land (nil: "none yet").
type reportMaker struct {
	counter report.Counter
	alerts  report.AlertSource
	rules   *rules.Reloader
	issuer  officedoc.Issuer
	now     func() time.Time
	loc     *time.Location
}

func (m reportMaker) Report(ctx context.Context, p report.Params) (report.Report, error) {
	d := reportDeps(m.rules.Current())
	d.Counter, d.Alerts = m.counter, m.alerts
	return report.Build(ctx, d, p)
}

func (m reportMaker) Render(r report.Report, format string) ([]byte, error) {
	return renderReport(r, m.issuer, "."+format, m.now().In(m.loc))
}

// reportWebDeps fills the Reports page and the search export when this
// process holds the index (nil otherwise: the pages say they are off).
func (n *node) reportWebDeps(d *web.Deps, idx *indexer.Index, store *alerts.Store) {
	if idx == nil {
		return
	}
	d.Exporter = idx
	d.Reports = reportMaker{counter: idx, alerts: alertRange{store}, rules: n.rules, issuer: officedoc.IssuerFrom(n.a.cfg.Office),
		now: time.Now, loc: n.a.cfg.Location()}
}
