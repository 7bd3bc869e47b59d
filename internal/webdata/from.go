package webdata

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/alerts/digest"
	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/web"
	"github.com/diembao/diembao/rules"
)

// DocGetter reads one index document (a local index or an index role's over
// the bus); an unknown id gives an error wrapping indexer.ErrNotFound.
type DocGetter interface {
	Get(ctx context.Context, id string) (indexer.Doc, error)
}

// RuleSource gives the rule set in force (rules.Reloader).
type RuleSource interface {
	Current() *rules.Set
}

// ArticlesFrom joins the index document with every revision kept in revs
// (key "<id>.<revision>", the article JSON) and the rules that fire on the
// current revision, matched on the whole article as the matcher does.
func ArticlesFrom(docs DocGetter, revs kv.Store, rl RuleSource) web.Articles {
	return articleViews{docs: docs, revs: revs, rules: rl}
}

type articleViews struct {
	docs  DocGetter
	revs  kv.Store
	rules RuleSource
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

// AlertsFrom adapts the alert store to Alerts.
func AlertsFrom(s *alerts.Store) web.Alerts { return alertRecords{s} }

type alertRecords struct{ s *alerts.Store }

func toAlertRecord(r alerts.Record) web.AlertRecord {
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
		out[i] = toAlertRecord(r)
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
	return toAlertRecord(r), nil
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

// ReloadingRules is a rule set that reloads (rules.Reloader).
type ReloadingRules interface {
	RuleSource
	LastError() error
}

// RulesFrom adapts the rules reloader to Rules.
func RulesFrom(rl ReloadingRules) web.Rules { return ruleSet{rl} }

type ruleSet struct{ rl ReloadingRules }

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

func (r ruleSet) Topics(context.Context) ([]web.TopicInfo, error) {
	var out []web.TopicInfo
	for _, t := range r.rl.Current().Topics() {
		out = append(out, web.TopicInfo{ID: t.ID, Name: t.Name})
	}
	return out, nil
}

func (r ruleSet) LastError() error { return r.rl.LastError() }

// SourceHealthFrom shows the health the crawl role last published.
func SourceHealthFrom(h crawler.HealthStore) web.SourceHealth { return sourceHealth{h} }

type sourceHealth struct{ h crawler.HealthStore }

func (s sourceHealth) Health(ctx context.Context) ([]web.SourceStatus, error) {
	hs, err := s.h.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.SourceStatus, len(hs))
	for i, h := range hs {
		out[i] = web.SourceStatus{ID: h.Source, Name: h.Name, LastCrawl: h.LastAttempt, LastOK: h.LastSuccess,
			LastError: h.LastError, Failures: h.FailedPasses, Articles: h.Published24h,
			LastNew: h.LastNewArticle, Stale: h.Stale, Backlog: h.Backlog, Disabled: h.Disabled}
	}
	return out, nil
}

// DeadLetterQueue is the bus's dead-letter stream.
type DeadLetterQueue interface {
	DeadLetters(ctx context.Context, limit int) ([]web.DeadLetter, error)
	RetryDeadLetter(ctx context.Context, seq uint64) error
}

// DeadLettersFrom lists the newest 200 dead letters of q; their ids are the
// stream sequences.
func DeadLettersFrom(q DeadLetterQueue) web.DeadLetters { return deadLetters{q} }

type deadLetters struct{ q DeadLetterQueue }

func (d deadLetters) List(ctx context.Context) ([]web.DeadLetter, error) {
	return d.q.DeadLetters(ctx, 200)
}

func (d deadLetters) Retry(ctx context.Context, id string) error {
	seq, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: dead letter %q", web.ErrNotFound, id)
	}
	return d.q.RetryDeadLetter(ctx, seq)
}

// DigestsFrom reads the digests the digest job keeps on its shelf.
func DigestsFrom(s digest.Shelf) web.Digests { return digestArchive{s} }

type digestArchive struct{ s digest.Shelf }

func (d digestArchive) List(ctx context.Context) ([]web.DigestInfo, error) {
	list, err := d.s.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []web.DigestInfo
	for _, x := range list {
		out = append(out, web.DigestInfo{ID: x.ID, From: x.From, To: x.To, Articles: x.Articles, Created: x.Created})
	}
	return out, nil
}

func (d digestArchive) Get(ctx context.Context, id string) ([]byte, error) {
	b, err := d.s.HTML(ctx, id)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, fmt.Errorf("%w: digest %s", web.ErrNotFound, id)
	}
	return b, err
}

// SnapshotsFrom reads saved copies (crawler.Snapshot records) from blobs
// and gives them as UTF-8 HTML; a key blobs cannot give is ErrNotFound.
func SnapshotsFrom(blobs crawler.BlobStore) web.Snapshots { return snapshots{blobs} }

type snapshots struct{ b crawler.BlobStore }

func (s snapshots) Get(ctx context.Context, key string) ([]byte, error) {
	data, err := s.b.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("%w: snapshot %s: %w", web.ErrNotFound, key, err)
	}
	snap, err := crawler.UnmarshalSnapshot(data)
	if err != nil {
		return nil, err
	}
	html, err := snap.HTML()
	if err != nil {
		return nil, err
	}
	return []byte(html), nil
}
