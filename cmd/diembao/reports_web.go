package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/diembao/diembao/internal/cases"
	"github.com/diembao/diembao/internal/officedoc"
	"github.com/diembao/diembao/internal/report"
	"github.com/diembao/diembao/internal/web"
)

// reportWebDeps fills the Reports page and the search export, from the
// local index or, in a serve role without one, from the index role over the
// bus.
func (n *node) reportWebDeps(ctx context.Context, d *web.Deps, svc *cases.Service) error {
	var counter report.Counter = remoteIndex{n.bus}
	d.Exporter = remoteIndex{n.bus}
	if n.idx != nil {
		d.Exporter, counter = n.idx, n.idx
	}
	p, err := openReportProviders(ctx, n.a, n.bus, svc, n.log)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	p.Counter, p.SourceNames = counter, sourceNames(n.a.cfg.Sources, n.log)
	d.Reports = report.Maker{Providers: p, Rules: n.rules, Issuer: officedoc.IssuerFrom(n.a.cfg.Office), Now: time.Now, Loc: n.a.cfg.Location()}
	return nil
}

// sourceNames maps source ids to their names in sources.yaml (or the
// embedded list); unreadable sources leave the ids as they are.
func sourceNames(path string, log *slog.Logger) map[string]string {
	srcs, err := loadSources(path)
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
