package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/alerts/digest"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/web"
)

// digestArchiveSource implements digest.Archive over the index (the week's
// articles) and the alert records (the week's alerts, the matched terms).
type digestArchiveSource struct {
	idx    indexer.Reader
	alerts *alerts.Store
}

// Articles reads, oldest first, the articles published in [from, to) that
// concern the area or matched a topic.
func (s digestArchiveSource) Articles(ctx context.Context, from, to time.Time) ([]digest.Item, error) {
	terms, err := s.termsSince(ctx, from)
	if err != nil {
		return nil, err
	}
	var items []digest.Item
	relevant := func(h indexer.Hit) bool { return h.Area || len(h.Topics) > 0 }
	err = indexer.EachPublished(ctx, s.idx, from, to, relevant, func(d indexer.Doc) error {
		items = append(items, digestItem(d, terms[d.Article.ID]))
		return nil
	})
	return items, err
}

func digestItem(d indexer.Doc, terms []string) digest.Item {
	a := d.Article
	lead := a.Lead
	if strings.TrimSpace(lead) == "" {
		lead = a.Body // the template cuts it to two or three lines
		if r := []rune(lead); len(r) > 600 {
			lead = string(r[:600])
		}
	}
	topics := append([]string(nil), d.Topics...)
	sort.Strings(topics)
	return digest.Item{ID: a.ID, URL: a.URL, Title: a.Title, Lead: lead, Body: a.Body, Source: a.Source,
		Published: a.Published, Area: d.Area, Topics: topics, Terms: terms}
}

// termsSince returns, per article id, the terms its alerts matched (alerts
// received since from), sorted and each once.
func (s digestArchiveSource) termsSince(ctx context.Context, from time.Time) (map[string][]string, error) {
	p, err := s.alerts.List(ctx, alerts.Filter{Since: from, Limit: 1 << 30})
	if err != nil {
		return nil, err
	}
	sets := map[string]map[string]bool{}
	for _, r := range p.Records {
		id := r.Alert.ArticleID
		for _, m := range r.Alert.Matches {
			for _, t := range m.Terms {
				if t.Text == "" {
					continue
				}
				if sets[id] == nil {
					sets[id] = map[string]bool{}
				}
				sets[id][strings.ToLower(t.Text)] = true
			}
		}
	}
	out := make(map[string][]string, len(sets))
	for id, set := range sets {
		for t := range set {
			out[id] = append(out[id], t)
		}
		sort.Strings(out[id])
	}
	return out, nil
}

// Alerts returns the alert records received in [from, to).
func (s digestArchiveSource) Alerts(ctx context.Context, from, to time.Time) ([]alerts.Record, error) {
	p, err := s.alerts.List(ctx, alerts.Filter{Since: from, Limit: 1 << 30})
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

// digestKeeper stores built digests in the KV bucket "digests" as the web
// archive (digestArchive in adapters.go) reads them: info.<week> is a JSON
// web.DigestInfo, html.<week> the rendered HTML.
type digestKeeper struct {
	st  kv.Store
	now func() time.Time
}

func (k digestKeeper) Keep(ctx context.Context, d digest.Digest, html string) error {
	info, err := json.Marshal(web.DigestInfo{ID: d.Week, From: d.From, To: d.To, Articles: d.Articles, Created: k.now().UTC()})
	if err != nil {
		return err
	}
	if _, err := k.st.Put(ctx, "html."+d.Week, []byte(html)); err != nil {
		return err
	}
	// info last: the archive lists a digest only once its HTML is there.
	_, err = k.st.Put(ctx, "info."+d.Week, info)
	return err
}

// digestDeps is what building and sending a digest needs.
type digestDeps struct {
	idx     indexer.Reader
	alerts  kv.Store // bucket "alerts"
	digests kv.Store // bucket "digests": archive and sent marks
	outbox  alerts.Outbox
	now     func() time.Time
	topics  alerts.Topics // the rule pack's names and order (nil: built-in)
}

// digestScheduler wires the digest Builder and Scheduler from the
// configuration (timezone, digest.schedule, digest.audiences, digest.issuer).
func digestScheduler(cfg config.Config, deps digestDeps, log *slog.Logger) (*digest.Builder, *digest.Scheduler, error) {
	store, err := alerts.NewStore(deps.alerts)
	if err != nil {
		return nil, nil, err
	}
	if deps.now == nil {
		deps.now = time.Now
	}
	loc := cfg.Location()
	b, err := digest.NewBuilder(digestArchiveSource{idx: deps.idx, alerts: store}, loc, cfg.Digest.Issuer)
	if err != nil {
		return nil, nil, err
	}
	b.UseTopics(deps.topics)
	b.HideRestricted(sensitiveAudiences(cfg)) // police-only rules: only in the police copy
	s, err := digest.NewScheduler(digest.SchedulerConfig{
		Schedule:  cfg.Digest.Schedule,
		Audiences: digestAudiences(cfg),
		Sensitive: sensitiveAudiences(cfg),
		From:      cfg.SMTP.From,
		Location:  loc,
		Now:       deps.now,
		Keeper:    digestKeeper{st: deps.digests, now: deps.now},
	}, b, deps.digests, deps.outbox, log)
	if err != nil {
		return nil, nil, err
	}
	return b, s, nil
}

// digestAudiences maps each audience of digest.audiences to its emails.
func digestAudiences(cfg config.Config) map[string][]string {
	out := map[string][]string{}
	for _, a := range cfg.Digest.Audiences {
		if emails := cfg.Audiences[a].Emails; len(emails) > 0 {
			out[a] = append([]string(nil), emails...)
		}
	}
	return out
}

// startDigest runs the weekly digest scheduler of the notify role: every
// digest.schedule (default Monday 07:00 in the configured time zone) it
// builds the previous week's digest, keeps it in the "digests" bucket for the
// UI and puts the mails on the OUTBOX; it catches up after downtime and
// never sends one week twice (marks in the "digests" bucket).
func (n *node) startDigest(ctx context.Context, start startFunc, wg *sync.WaitGroup) error {
	alertKV, err := n.kv(ctx, bucketAlerts)
	if err != nil {
		return err
	}
	digests, err := n.kv(ctx, bucketDigests)
	if err != nil {
		return err
	}
	var idx indexer.Reader = remoteIndex{n.bus}
	if n.idx != nil {
		idx = n.idx
	}
	_, s, err := digestScheduler(n.a.cfg, digestDeps{idx: idx, alerts: alertKV, digests: digests, outbox: outbox{n.bus}, topics: packTopics(n.rules)}, n.log)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	start(wg, "digest", func() error { return s.Run(ctx) })
	return nil
}
