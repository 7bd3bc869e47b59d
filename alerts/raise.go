package alerts

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
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/textnorm"
)

// Matcher is what raising alerts needs from the rule engine: whether an
// article concerns the area and the rules that fire on it. cmd wires the
// current rule set in.
type Matcher interface {
	Match(a article.Article) (area bool, matches []article.Match)
}

// MatcherFunc adapts a function to Matcher.
type MatcherFunc func(a article.Article) (bool, []article.Match)

// Match implements Matcher.
func (f MatcherFunc) Match(a article.Article) (bool, []article.Match) { return f(a) }

// AlertPublisher puts an alert on the ALERTS stream; a nil error means it is
// stored durably (a duplicate alert id is dropped by the stream).
type AlertPublisher interface {
	PublishAlert(ctx context.Context, al article.Alert) error
}

// AlertPublisherFunc adapts a function to AlertPublisher.
type AlertPublisherFunc func(ctx context.Context, al article.Alert) error

// PublishAlert implements AlertPublisher.
func (f AlertPublisherFunc) PublishAlert(ctx context.Context, al article.Alert) error {
	return f(ctx, al)
}

// Raiser is the matching stage: it turns article revisions into alerts. A
// revision raises an alert only for rules that had not matched an earlier
// revision of the same article; the rule ids already alerted are kept in a
// kv.Store, written after the alert is durably published (a crash in
// between republishes the same alert id, which the stream drops).
type Raiser struct {
	match   Matcher
	alerted kv.Store
	pub     AlertPublisher
	now     func() time.Time
	log     *slog.Logger
}

// NewRaiser returns the stage; alerted holds the per-article state (bucket
// "matched"), now may be nil (time.Now) and log may be nil.
func NewRaiser(m Matcher, alerted kv.Store, pub AlertPublisher, now func() time.Time, log *slog.Logger) (*Raiser, error) {
	if m == nil || alerted == nil || pub == nil {
		return nil, errors.New("alerts: NewRaiser needs a Matcher, a kv.Store and an AlertPublisher")
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Raiser{match: m, alerted: alerted, pub: pub, now: now, log: log.With("component", "matcher")}, nil
}

type alertedRules struct {
	Rules []string `json:"rules"`
}

// Handle matches one article revision and publishes its alert, if any rule
// fires that had not fired on the article before. A nil error means the
// alert (if any) is published and recorded; an article without id is an
// errkind.Permanent error.
func (r *Raiser) Handle(ctx context.Context, a article.Article) error {
	if a.ID == "" {
		return fmt.Errorf("match: article without id: %w", errkind.Permanent)
	}
	if a.Removed {
		return nil
	}
	area, matches := r.match.Match(a)
	if len(matches) == 0 {
		return nil
	}
	key := "a." + a.ID
	var prev alertedRules
	var rev uint64
	switch e, err := r.alerted.Get(ctx, key); {
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
	for _, mt := range matches {
		if !slices.Contains(prev.Rules, mt.Rule) {
			fresh = append(fresh, mt.Rule)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	al := BuildAlert(a, area, matches, fresh, r.now())
	if err := r.pub.PublishAlert(ctx, al); err != nil {
		return err
	}
	next := alertedRules{Rules: append(slices.Clone(prev.Rules), fresh...)}
	slices.Sort(next.Rules)
	nb, _ := json.Marshal(next)
	if _, err := r.alerted.Update(ctx, key, nb, rev); err != nil {
		if errors.Is(err, kv.ErrConflict) || errors.Is(err, kv.ErrExists) {
			// Another matcher updated it concurrently: redeliver and recompute.
			return fmt.Errorf("match: alerted state of %s changed concurrently: %w", a.ID, err)
		}
		return fmt.Errorf("match: record alerted rules of %s: %w", a.ID, err)
	}
	r.log.Info("alert raised", "article_id", a.ID, "alert_id", al.ID, "rules", fresh, "severity", al.Severity)
	return nil
}

// BuildAlert makes the alert of article revision a whose rules matched;
// fresh are the ids of the rules new in this revision (they make the id).
func BuildAlert(a article.Article, area bool, matches []article.Match, fresh []string, now time.Time) article.Alert {
	al := article.Alert{
		V: article.Version, ID: article.AlertID(a.ID, fresh), ArticleID: a.ID, Revision: a.Revision,
		URL: a.URL, Title: a.Title, Lead: a.Lead, Source: a.Source, SourceKind: a.SourceKind,
		Published: a.Published, PublishedFrom: a.PublishedFrom, Area: area, Matches: matches, ContentHash: a.ContentHash,
		Created: now.UTC(),
	}
	best := -1
	for _, mt := range matches {
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
	al.Snippet = snippet(a, matches)
	return al
}

// TopTopic is the topic of the alert's most severe match ("other" without
// matches): the token of its ALERTS subject.
func TopTopic(ms []article.Match) string {
	best, topic := -1, "other"
	for _, m := range ms {
		if r := article.SeverityRank(m.Severity); r > best {
			best, topic = r, m.Topic
		}
	}
	return topic
}

// snippet returns about 300 bytes of plain text around the first matched
// body term, or the lead, or the start of the body.
func snippet(a article.Article, ms []article.Match) string {
	body := textnorm.Normalize(a.Body)
	start := -1
	for _, m := range ms {
		for _, t := range m.Terms {
			if (t.Field == "" || t.Field == "body") && t.End <= len(body) && (start < 0 || t.Start < start) {
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
