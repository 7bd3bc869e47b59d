package node

import (
	"context"
	"fmt"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/cases"
	"github.com/diembao/diembao/internal/portal"
	"github.com/diembao/diembao/internal/report"
)

// OpenReportProviders gives the report's providers beyond the index:
// alerts, cases, own-portal duties and source uptime, all read from the bus
// so that the CLI and a serve role in any process give the same figures.
// svc is the case service when the caller has one (nil: one is opened).
func OpenReportProviders(ctx context.Context, env Env, b *bus.Bus, svc *cases.Service) (report.Deps, error) {
	var d report.Deps
	cfg := env.Config
	d.AudienceNames = cfg.AudienceNames()
	alertKV, err := b.KV(ctx, BucketAlerts)
	if err != nil {
		return d, err
	}
	store, err := alerts.NewStore(alertKV)
	if err != nil {
		return d, err
	}
	d.Alerts = report.AlertsIn(store)
	if svc == nil {
		if svc, err = NewCaseService(ctx, env, b); err != nil {
			return d, fmt.Errorf("cases: %w", err)
		}
	}
	d.Cases = report.CasesFrom(svc)
	if len(cfg.Portals) > 0 {
		st, err := b.KV(ctx, bucketPortals)
		if err != nil {
			return d, err
		}
		r, err := portal.NewReader(cfg.Portals, st, cfg.Location())
		if err != nil {
			return d, fmt.Errorf("portals: %w", err)
		}
		d.Portals = report.DutiesFrom(r, time.Now)
	}
	health, err := b.KV(ctx, BucketHealth)
	if err != nil {
		return d, err
	}
	d.Health = crawler.HealthStore{St: health}
	return d, nil
}
