package node

import (
	"context"
	"sort"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/alerts/digest"
	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/savedsearch"
	"github.com/diembao/diembao/internal/web"
	"github.com/diembao/diembao/internal/webdata"
)

// webDeps opens what the web server of the serve role reads.
func (n *Node) webDeps(ctx context.Context) (web.Deps, error) {
	accounts, err := n.kv(ctx, BucketAccounts)
	if err != nil {
		return web.Deps{}, err
	}
	alertKV, err := n.kv(ctx, BucketAlerts)
	if err != nil {
		return web.Deps{}, err
	}
	revs, err := n.kv(ctx, BucketRevisions)
	if err != nil {
		return web.Deps{}, err
	}
	health, err := n.kv(ctx, BucketHealth)
	if err != nil {
		return web.Deps{}, err
	}
	digests, err := n.kv(ctx, BucketDigests)
	if err != nil {
		return web.Deps{}, err
	}
	store, err := alerts.NewStore(alertKV)
	if err != nil {
		return web.Deps{}, err
	}
	caseSvc, err := NewCaseService(ctx, n.env(), n.bus) // cases.go
	if err != nil {
		return web.Deps{}, err
	}
	portals, err := n.webPortals(ctx)
	if err != nil {
		return web.Deps{}, err
	}
	saved, err := savedsearch.NewStore(accounts) // saved searches live beside their owners
	if err != nil {
		return web.Deps{}, err
	}
	var search web.Searcher
	var docs webdata.DocGetter
	if n.idx != nil {
		search, docs = n.idx, n.idx
	} else {
		r := RemoteIndex{Bus: n.bus}
		search, docs = r, r
	}
	deps := web.Deps{
		Accounts:    web.NewAccounts(accounts),
		Searcher:    search,
		Articles:    webdata.ArticlesFrom(docs, revs, n.rules),
		Alerts:      webdata.AlertsFrom(store),
		Rules:       webdata.RulesFrom(n.rules),
		Sources:     webdata.SourceHealthFrom(crawler.HealthStore{St: health}),
		Digests:     webdata.DigestsFrom(digest.Shelf{St: digests}),
		DeadLetters: webdata.DeadLettersFrom(n.bus),
		Snapshots:   webdata.SnapshotsFrom(bus.Blobs{B: n.bus}),
		Cases:       caseSvc,
		Portals:     portals,
		SourceNames: n.names.Names,
		Saved:       saved,
		Registry:    n.reg,
		Ready:       n.health,
	}
	if deps.SourceEdit, err = n.webSourceEditor(ctx); err != nil { // sources.go
		return web.Deps{}, err
	}
	if err := n.reportWebDeps(ctx, &deps, caseSvc); err != nil {
		return web.Deps{}, err
	}
	return deps, nil
}

// SensitiveAudiences lists the audiences marked sensitive (police-only
// routes and rules), sorted.
func SensitiveAudiences(c config.Config) []string {
	var out []string
	for name, a := range c.Audiences {
		if a.Sensitive {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
