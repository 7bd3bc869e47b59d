package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/textnorm"
	"github.com/diembao/diembao/rules"
)

// matchStage turns article revisions from ARTICLES into alerts on ALERTS.
// A revision raises an alert only for rules that had not matched an earlier
// revision of the same article; the rule ids already alerted are kept in a
// KV bucket, written after the alert is durably published (a crash in
// between republishes the same alert id, which the stream drops).
type matchStage struct {
	rules   func() *rules.Set
	alerted kv.Store
	publish func(ctx context.Context, subject, msgID string, data []byte) error
	now     func() time.Time
	log     *slog.Logger
}

type alertedRules struct {
	Rules []string `json:"rules"`
}

func (m *matchStage) handle(ctx context.Context, msg bus.Msg) error {
	var a article.Article
	if err := json.Unmarshal(msg.Data, &a); err != nil {
		return fmt.Errorf("match: decode article at seq %d: %w: %w", msg.Seq, errkind.Permanent, err)
	}
	if a.ID == "" {
		return fmt.Errorf("match: article at seq %d has no id: %w", msg.Seq, errkind.Permanent)
	}
	if a.Removed {
		return nil
	}
	res := m.rules().Match(a)
	if len(res.Matches) == 0 {
		return nil
	}
	key := "a." + a.ID
	var prev alertedRules
	var rev uint64
	switch e, err := m.alerted.Get(ctx, key); {
	case err == nil:
		if err := json.Unmarshal(e.Value, &prev); err != nil {
			return fmt.Errorf("match: alerted state of %s: %w", a.ID, err)
		}
		rev = e.Revision
	case errors.Is(err, kv.ErrNotFound):
	default:
		return fmt.Errorf("match: alerted state of %s: %w", a.ID, err)
	}
	var fresh []string
	for _, mt := range res.Matches {
		if !slices.Contains(prev.Rules, mt.Rule) {
			fresh = append(fresh, mt.Rule)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	al := buildAlert(a, res, fresh, m.now())
	data, err := json.Marshal(al)
	if err != nil {
		return fmt.Errorf("match: encode alert: %w", err)
	}
	subject := bus.SubjectAlerts + "." + subjectToken(topTopic(res.Matches))
	if err := m.publish(ctx, subject, al.ID, data); err != nil {
		return err
	}
	next := alertedRules{Rules: append(slices.Clone(prev.Rules), fresh...)}
	slices.Sort(next.Rules)
	nb, _ := json.Marshal(next)
	if _, err := m.alerted.Update(ctx, key, nb, rev); err != nil {
		if errors.Is(err, kv.ErrConflict) || errors.Is(err, kv.ErrExists) {
			// Another matcher updated it concurrently: redeliver and recompute.
			return fmt.Errorf("match: alerted state of %s changed concurrently: %w", a.ID, err)
		}
		return fmt.Errorf("match: record alerted rules of %s: %w", a.ID, err)
	}
	m.log.Info("alert raised", "article_id", a.ID, "alert_id", al.ID, "rules", fresh, "severity", al.Severity)
	return nil
}

func buildAlert(a article.Article, res rules.Result, fresh []string, now time.Time) article.Alert {
	al := article.Alert{
		V: article.Version, ID: article.AlertID(a.ID, fresh), ArticleID: a.ID, Revision: a.Revision,
		URL: a.URL, Title: a.Title, Lead: a.Lead, Source: a.Source, SourceKind: a.SourceKind,
		Published: a.Published, PublishedFrom: a.PublishedFrom, Area: res.Area, Matches: res.Matches, ContentHash: a.ContentHash,
		Created: now.UTC(),
	}
	best := -1
	for _, mt := range res.Matches {
		if !slices.Contains(al.Topics, mt.Topic) {
			al.Topics = append(al.Topics, mt.Topic)
		}
		if r := article.SeverityRank(mt.Severity); r > best {
			best, al.Severity = r, mt.Severity
		}
		for _, au := range mt.Audiences {
			if !slices.Contains(al.Audiences, au) {
				al.Audiences = append(al.Audiences, au)
			}
		}
	}
	slices.Sort(al.Topics)
	al.Snippet = snippet(a, res.Matches)
	return al
}

// topTopic is the topic of the most severe match (the subject token).
func topTopic(ms []article.Match) string {
	best, topic := -1, "other"
	for _, m := range ms {
		if r := article.SeverityRank(m.Severity); r > best {
			best, topic = r, m.Topic
		}
	}
	return topic
}

func subjectToken(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}

// snippet returns about 300 bytes of plain text around the first matched
// body term, or the lead, or the start of the body.
func snippet(a article.Article, ms []article.Match) string {
	body := textnorm.Normalize(a.Body)
	start := -1
	for _, m := range ms {
		for _, t := range m.Terms {
			if (t.Field == "" || t.Field == rules.FieldBody) && t.End <= len(body) && (start < 0 || t.Start < start) {
				start = t.Start
			}
		}
	}
	if start < 0 {
		if a.Lead != "" {
			return a.Lead
		}
		start = 0
	}
	from := max(0, start-120)
	to := min(len(body), from+320)
	for from > 0 && !utf8.RuneStart(body[from]) {
		from--
	}
	for to < len(body) && !utf8.RuneStart(body[to]) {
		to++
	}
	s := body[from:to]
	if from > 0 {
		s = "…" + s
	}
	if to < len(body) {
		s += "…"
	}
	return s
}
