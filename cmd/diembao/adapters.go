package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/savedsearch"
	"github.com/diembao/diembao/internal/web"
	"github.com/diembao/diembao/rules"
)

// docGetter is what the article page needs from a local or remote index.
type docGetter interface {
	Get(ctx context.Context, id string) (indexer.Doc, error)
}

func (n *node) webDeps(ctx context.Context) (web.Deps, error) {
	accounts, err := n.kv(ctx, bucketAccounts)
	if err != nil {
		return web.Deps{}, err
	}
	alertKV, err := n.kv(ctx, bucketAlerts)
	if err != nil {
		return web.Deps{}, err
	}
	revs, err := n.kv(ctx, bucketRevisions)
	if err != nil {
		return web.Deps{}, err
	}
	health, err := n.kv(ctx, bucketHealth)
	if err != nil {
		return web.Deps{}, err
	}
	digests, err := n.kv(ctx, bucketDigests)
	if err != nil {
		return web.Deps{}, err
	}
	store, err := alerts.NewStore(alertKV)
	if err != nil {
		return web.Deps{}, err
	}
	caseSvc, err := newCaseService(ctx, n.a, n.bus, n.log) // cases.go
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
	var docs docGetter
	if n.idx != nil {
		search, docs = n.idx, n.idx
	} else {
		r := remoteIndex{n.bus}
		search, docs = r, r
	}
	deps := web.Deps{
		Accounts:    web.NewAccounts(accounts),
		Searcher:    search,
		Articles:    articleViews{docs: docs, revs: revs, rules: n.rules},
		Alerts:      alertRecords{store},
		Rules:       ruleSet{n.rules},
		Sources:     sourceHealth{health},
		Digests:     digestArchive{digests},
		DeadLetters: deadLetters{n.bus},
		Snapshots:   snapshotStore{n.bus},
		Cases:       caseSvc,
		Portals:     portals,
		Saved:       saved,
		Registry:    n.reg,
		Ready:       n.health,
	}
	if deps.SourceEdit, err = n.webSourceEditor(ctx); err != nil { // sources_edit.go
		return web.Deps{}, err
	}
	if err := n.reportWebDeps(ctx, &deps, caseSvc); err != nil {
		return web.Deps{}, err
	}
	return deps, nil
}

func sensitiveAudiences(c config.Config) []string {
	var out []string
	for name, a := range c.Audiences {
		if a.Sensitive {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// articleViews joins the index document with every stored revision and
// the rules that fire on the current one (matched on the whole article, as
// the matcher does, so area and topic may come from different fields).
type articleViews struct {
	docs  docGetter
	revs  kv.Store
	rules *rules.Reloader
}

func (v articleViews) Get(ctx context.Context, id string) (web.ArticleView, error) {
	d, err := v.docs.Get(ctx, id)
	if errors.Is(err, indexer.ErrNotFound) {
		return web.ArticleView{}, fmt.Errorf("%w: %w", web.ErrNotFound, err)
	}
	if err != nil {
		return web.ArticleView{}, err
	}
	view := web.ArticleView{Topics: d.Topics, Area: d.Area}
	keys, err := v.revs.Keys(ctx, id+".")
	if err != nil {
		return web.ArticleView{}, err
	}
	for _, k := range keys {
		e, err := v.revs.Get(ctx, k)
		if err != nil {
			continue
		}
		var a article.Article
		if json.Unmarshal(e.Value, &a) == nil {
			view.Revisions = append(view.Revisions, a)
		}
	}
	sort.Slice(view.Revisions, func(i, j int) bool { return view.Revisions[i].Revision < view.Revisions[j].Revision })
	if len(view.Revisions) == 0 || view.Revisions[len(view.Revisions)-1].Revision < d.Article.Revision {
		view.Revisions = append(view.Revisions, d.Article)
	}
	view.Matches = v.rules.Current().Verdict(view.Revisions[len(view.Revisions)-1]).Matches
	if view.Matches == nil {
		view.Matches = []article.Match{} // matched: nothing fires (nil would ask per field)
	}
	return view, nil
}

// alertRecords adapts alerts.Store to the web's Alerts.
type alertRecords struct{ s *alerts.Store }

func toWebRecord(r alerts.Record) web.AlertRecord {
	w := web.AlertRecord{Alert: r.Alert, AckedBy: r.AckedBy, AckedAt: r.AckedAt, AckNote: r.AckNote}
	if len(r.Audiences) > 0 {
		w.Alert.Audiences = r.Audiences
	}
	return w
}

func (s alertRecords) List(ctx context.Context, f web.AlertFilter) ([]web.AlertRecord, error) {
	af := alerts.Filter{Topic: f.Topic, Since: f.Since, Limit: f.Limit}
	if f.Unacked {
		no := false
		af.Acked = &no
	}
	p, err := s.s.List(ctx, af)
	if err != nil {
		return nil, err
	}
	out := make([]web.AlertRecord, len(p.Records))
	for i, r := range p.Records {
		out[i] = toWebRecord(r)
	}
	return out, nil
}

func (s alertRecords) Get(ctx context.Context, id string) (web.AlertRecord, error) {
	r, err := s.s.Get(ctx, id)
	if errors.Is(err, alerts.ErrNotFound) {
		return web.AlertRecord{}, fmt.Errorf("%w: %w", web.ErrNotFound, err)
	}
	if err != nil {
		return web.AlertRecord{}, err
	}
	return toWebRecord(r), nil
}

func (s alertRecords) Ack(ctx context.Context, id, who, note string, when time.Time) error {
	r, err := s.s.Get(ctx, id)
	if errors.Is(err, alerts.ErrNotFound) {
		return fmt.Errorf("%w: %w", web.ErrNotFound, err)
	}
	if err != nil {
		return err
	}
	if r.Acked {
		return nil // the first acknowledgement stands
	}
	_, err = s.s.Ack(ctx, id, who, note, when)
	return err
}

// ruleSet adapts the rules reloader to the web's Rules.
type ruleSet struct{ rl *rules.Reloader }

func (r ruleSet) Try(_ context.Context, text string) (web.RuleResult, error) {
	res := r.rl.Current().MatchText(text)
	var places []string
	for _, t := range res.AreaTerms {
		places = append(places, t.Text)
	}
	return web.RuleResult{Area: res.Area, Places: places, Topics: res.Topics, Matches: res.Matches}, nil
}

func (r ruleSet) List(_ context.Context) ([]web.RuleInfo, error) {
	var out []web.RuleInfo
	for _, ru := range r.rl.Current().Rules() {
		out = append(out, web.RuleInfo{ID: ru.ID, Version: ru.Version, Topic: ru.Topic, Severity: ru.Severity,
			Query: ru.Query, NeedsArea: ru.Area, Audiences: ru.Audiences, File: ru.File})
	}
	return out, nil
}

func (r ruleSet) LastError() error { return r.rl.LastError() }

// sourceHealth reads what the crawl role last wrote.
type sourceHealth struct{ st kv.Store }

// list reads the health the crawl role publishes (nil before its first
// publication).
func (s sourceHealth) list(ctx context.Context) ([]crawler.SourceHealth, error) {
	e, err := s.st.Get(ctx, "sources")
	if errors.Is(err, kv.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var hs []crawler.SourceHealth
	if err := json.Unmarshal(e.Value, &hs); err != nil {
		return nil, fmt.Errorf("source health: %w", err)
	}
	return hs, nil
}

func (s sourceHealth) Health(ctx context.Context) ([]web.SourceStatus, error) {
	hs, err := s.list(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.SourceStatus, len(hs))
	for i, h := range hs {
		out[i] = webSourceStatus(h)
	}
	return out, nil
}

// deadLetters adapts the bus's dead-letter stream.
type deadLetters struct{ b *bus.Bus }

func (d deadLetters) List(ctx context.Context) ([]web.DeadLetter, error) {
	return d.b.DeadLetters(ctx, 200)
}

func (d deadLetters) Retry(ctx context.Context, id string) error {
	seq, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: dead letter %q", web.ErrNotFound, id)
	}
	return d.b.RetryDeadLetter(ctx, seq)
}

// digestArchive reads rendered digests kept by the digest job.
type digestArchive struct{ st kv.Store }

func (d digestArchive) List(ctx context.Context) ([]web.DigestInfo, error) {
	keys, err := d.st.Keys(ctx, "info.")
	if err != nil {
		return nil, err
	}
	var out []web.DigestInfo
	for _, k := range keys {
		e, err := d.st.Get(ctx, k)
		if err != nil {
			continue
		}
		var info web.DigestInfo
		if json.Unmarshal(e.Value, &info) == nil {
			out = append(out, info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From.After(out[j].From) })
	return out, nil
}

func (d digestArchive) Get(ctx context.Context, id string) ([]byte, error) {
	e, err := d.st.Get(ctx, "html."+id)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, fmt.Errorf("%w: digest %s", web.ErrNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	return e.Value, nil
}
