package node

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
func (n *Node) reportWebDeps(ctx context.Context, d *web.Deps, svc *cases.Service) error {
	var counter report.Counter = RemoteIndex{Bus: n.bus}
	d.Exporter = RemoteIndex{Bus: n.bus}
	if n.idx != nil {
		d.Exporter, counter = n.idx, n.idx
	}
	p, err := OpenReportProviders(ctx, n.env(), n.bus, svc)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	p.Counter = counter
	d.Reports = report.Maker{Providers: p, Rules: n.rules, Issuer: officedoc.IssuerFrom(n.cfg.Office), Now: time.Now, Loc: n.cfg.Location(),
		SourceNames: n.names.Names}
	return nil
}

// SourceNames maps source ids to their names in sources.yaml (or the
// embedded list); unreadable sources leave the ids as they are.
func SourceNames(path string, log *slog.Logger) map[string]string {
	srcs, err := LoadSources(path)
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
