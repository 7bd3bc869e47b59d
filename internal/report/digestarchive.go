package report

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/alerts/digest"
	"github.com/diembao/diembao/indexer"
)

// DigestArchive is the digest's archive over the index (the week's
// articles) and the alert store (the week's alerts, the matched terms).
func DigestArchive(idx indexer.Reader, store *alerts.Store) digest.Archive {
	return digestArchive{idx: idx, alerts: store}
}

type digestArchive struct {
	idx    indexer.Reader
	alerts *alerts.Store
}

// Articles reads, oldest first, the articles published in [from, to) that
// concern the area or matched a topic.
func (s digestArchive) Articles(ctx context.Context, from, to time.Time) ([]digest.Item, error) {
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
		Published: a.Published, PublishedFrom: a.PublishedFrom, Area: d.Area, Topics: topics, Terms: terms}
}

// termsSince returns, per article id, the terms its alerts matched (alerts
// received since from), sorted and each once.
func (s digestArchive) termsSince(ctx context.Context, from time.Time) (map[string][]string, error) {
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
func (s digestArchive) Alerts(ctx context.Context, from, to time.Time) ([]alerts.Record, error) {
	return alertRange{s.alerts}.Alerts(ctx, from, to)
}
