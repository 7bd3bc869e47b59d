// Package digest builds the weekly clipping digest (bản tin điểm báo tuần):
// the week's relevant articles grouped by topic then by day, reprints of one
// story shown once ("also carried by"), counts per topic and source, and the
// alerts of the week with their acknowledgement; rendered as an HTML mail
// (inline CSS), and a PDF and a DOCX in the administrative layout of
// internal/officedoc (Decree 30/2020, Liberation Serif).
// In: an Archive and an ISO week. Out: Digest, HTML, PDF, alerts.Mail.
package digest

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/textnorm"
)

// Item is one relevant article of the week, as the archive gives it.
type Item struct {
	ID     string `json:"id"`
	URL    string `json:"url"`
	Title  string `json:"title"`
	Lead   string `json:"lead"`
	Body   string `json:"body,omitempty"` // used for reprint detection only
	Source string `json:"source"`
	// SourceName is the source's display name when the Builder knows one
	// (UseSources); SourceLabel gives it, or the id.
	SourceName string    `json:"source_name,omitempty"`
	Published  time.Time `json:"published"`
	// PublishedFrom is "fetched" when the page states no date and
	// Published is when it was found (shown as "ngày phát hiện").
	PublishedFrom string   `json:"published_from,omitempty"`
	Area          bool     `json:"area"`
	Topics        []string `json:"topics"`
	Terms         []string `json:"terms,omitempty"`
	// HiddenTerms and HiddenTopics are what only police-only rules found in
	// this article (set when the Builder hides restricted rules; see
	// HideRestricted): left out of every copy but the sensitive audiences'.
	HiddenTerms  []string `json:"hidden_terms,omitempty"`
	HiddenTopics []string `json:"hidden_topics,omitempty"`
}

// Archive is what the digest needs from the index and the alert records.
// internal/node wires the indexer and alerts.Store behind it.
type Archive interface {
	// Articles returns the articles published in [from, to) that concern
	// the area or matched a topic.
	Articles(ctx context.Context, from, to time.Time) ([]Item, error)
	// Alerts returns the alert records received in [from, to).
	Alerts(ctx context.Context, from, to time.Time) ([]alerts.Record, error)
}

// Story is one story: its first publication and its reprints.
type Story struct {
	Item
	AlsoCarried []Item `json:"also_carried,omitempty"`
	// AlsoUnder names the story's other topics: a story is listed once,
	// under the first of its topics in topicOrder.
	AlsoUnder []string `json:"also_under,omitempty"`
}

// Day is one day's stories within a topic.
type Day struct {
	Date    time.Time `json:"date"`
	Stories []Story   `json:"stories"`
}

// TopicGroup is one topic's stories, by day.
type TopicGroup struct {
	Topic string `json:"topic"`
	Name  string `json:"name"`
	Days  []Day  `json:"days"`
	Count int    `json:"count"`
}

// Count is a labelled number for the tables and the chart.
type Count struct {
	Label string `json:"label"`
	N     int    `json:"n"`
	// Also (topics only): stories touching this topic that are listed and
	// counted under an earlier one.
	Also int `json:"also,omitempty"`
}

// AlertLine is one alert of the week.
type AlertLine struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Source string `json:"source"`
	// SourceName is as Item's.
	SourceName string    `json:"source_name,omitempty"`
	Topics     []string  `json:"topics"`
	Severity   string    `json:"severity"`
	Received   time.Time `json:"received"`
	Acked      bool      `json:"acked"`
	AckedBy    string    `json:"acked_by,omitempty"`
	// Audiences the alert was routed to: a mail to one audience lists only
	// its alerts (police-only alerts stay invisible to the others).
	Audiences []string `json:"audiences,omitempty"`
	// open is the line without police-only rules' matches (nil: the same);
	// onlyRestricted marks a line raised by police-only rules alone.
	open           *AlertLine
	onlyRestricted bool
}

// Digest is one week's digest.
type Digest struct {
	// Week is the ISO week ("2026-W47"), or "20261116-20261122" for a range
	// of days that is not one week. It names the mails and the archive entry.
	Week     string       `json:"week"`
	From     time.Time    `json:"from"`
	To       time.Time    `json:"to"`
	Issuer   string       `json:"issuer"`
	Topics   []TopicGroup `json:"topics"`
	Stories  int          `json:"stories"`
	Articles int          `json:"articles"`
	ByTopic  []Count      `json:"by_topic"`
	BySource []Count      `json:"by_source"`
	ByDay    []Count      `json:"by_day"`
	Alerts   []AlertLine  `json:"alerts"`
	// sensitive are the audiences that see police-only rules (HideRestricted).
	sensitive []string
	// topics names and orders topics when an audience's copy is regrouped.
	topics alerts.Topics
}

// Builder builds digests from an Archive.
type Builder struct {
	archive   Archive
	loc       *time.Location
	issuer    string
	topics    alerts.Topics
	sources   article.SourceNames
	sensitive []string // HideRestricted
}

// UseSources makes the digest name sources as the office knows them
// (sources.yaml's name:, own portals' names); without it ids are shown.
func (b *Builder) UseSources(sn article.SourceNames) { b.sources = sn }

// SourceLabel is the item's source as shown: its name, else its id.
func (it Item) SourceLabel() string { return label(it.SourceName, it.Source) }

// SourceLabel is the alert's source as shown: its name, else its id.
func (a AlertLine) SourceLabel() string { return label(a.SourceName, a.Source) }

func label(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

// UseTopics makes the digest name and order topics as the loaded rule pack
// does (topics.yaml); without it the built-in order and names apply.
func (b *Builder) UseTopics(ts alerts.Topics) { b.topics = ts }

// NewBuilder returns a Builder; loc is the time zone of weeks and days.
func NewBuilder(a Archive, loc *time.Location, issuer string) (*Builder, error) {
	if a == nil {
		return nil, errors.New("digest: nil Archive")
	}
	if loc == nil {
		return nil, errors.New("digest: nil Location")
	}
	return &Builder{archive: a, loc: loc, issuer: issuer}, nil
}

// topicOrder is the order topics are shown in; others follow by name.
var topicOrder = []string{"border", "laos", "disinfo", "ethnic", "religion"}

// Build builds the digest of an ISO week ("2026-W47"). The same archive
// gives the same digest: everything is sorted deterministically.
func (b *Builder) Build(ctx context.Context, week string) (Digest, error) {
	from, to, err := WeekRange(week, b.loc)
	if err != nil {
		return Digest{}, err
	}
	return b.build(ctx, week, from, to)
}

// BuildRange builds the digest of the days [from, to) (midnights in the
// Builder's location). A range that is exactly one ISO week is that week's
// digest.
func (b *Builder) BuildRange(ctx context.Context, from, to time.Time) (Digest, error) {
	from, to = from.In(b.loc), to.In(b.loc)
	if !to.After(from) {
		return Digest{}, fmt.Errorf("digest: empty range %s – %s", from.Format("2006-01-02"), to.Format("2006-01-02"))
	}
	if to.Sub(from) > 366*24*time.Hour {
		return Digest{}, errors.New("digest: a range of more than a year")
	}
	week := WeekOf(from, b.loc)
	if f, t, err := WeekRange(week, b.loc); err != nil || !f.Equal(from) || !t.Equal(to) {
		week = from.Format("20060102") + "-" + to.AddDate(0, 0, -1).Format("20060102")
	}
	return b.build(ctx, week, from, to)
}

func (b *Builder) build(ctx context.Context, week string, from, to time.Time) (Digest, error) {
	items, err := b.articles(ctx, week, from, to)
	if err != nil {
		return Digest{}, err
	}
	recs, err := b.archive.Alerts(ctx, from, to)
	if err != nil {
		return Digest{}, fmt.Errorf("digest %s: alerts: %w", week, err)
	}
	names := b.sourceNames()
	for i := range items {
		items[i].SourceName = names[items[i].Source]
	}
	if len(b.sensitive) > 0 {
		markItems(items, recs, b.sensitive)
	}
	d := Digest{Week: week, From: from, To: to, Issuer: b.issuer, Articles: len(items)}
	stories := Cluster(items)
	d.Stories = len(stories)
	d.Topics, d.ByTopic = b.byTopic(stories)
	d.BySource, d.ByDay = b.itemCounts(items, from, to)
	d.Alerts = alertLines(recs)
	for i := range d.Alerts {
		d.Alerts[i].SourceName = names[d.Alerts[i].Source]
	}
	if len(b.sensitive) > 0 {
		markAlerts(&d, recs, b.sensitive)
	}
	d.topics = b.topics
	return d, nil
}

// sourceNames is the map of UseSources (nil without it).
func (b *Builder) sourceNames() map[string]string {
	if b.sources == nil {
		return nil
	}
	return b.sources()
}

// articles returns the archive's articles of [from, to), keeping what the
// contract promises even if an archive is lax: relevant articles of the
// range, each once.
func (b *Builder) articles(ctx context.Context, week string, from, to time.Time) ([]Item, error) {
	all, err := b.archive.Articles(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("digest %s: articles: %w", week, err)
	}
	items := make([]Item, 0, len(all))
	seen := map[string]bool{}
	for _, it := range all {
		if it.Published.Before(from) || !it.Published.Before(to) || (!it.Area && len(it.Topics) == 0) || seen[it.ID] {
			continue
		}
		seen[it.ID] = true
		items = append(items, it)
	}
	return items, nil
}

// byTopic lists each story once, under its first topic (topicOrder), and
// counts it there: counts[t].N is the number listed in t's section, so the
// counts add up to the stories; counts[t].Also counts the stories that touch
// t too but are listed under an earlier topic. A topic all of whose stories
// are listed under an earlier one has a count but no section.
func (b *Builder) byTopic(stories []Story) (groups []TopicGroup, counts []Count) {
	listed, also := b.listByFirstTopic(stories)
	var topics []string
	for t := range listed {
		topics = append(topics, t)
	}
	for t := range also {
		if len(listed[t]) == 0 {
			topics = append(topics, t)
		}
	}
	sortTopics(b.topics, topics)
	for _, t := range topics {
		counts = append(counts, Count{Label: topicName(b.topics, t), N: len(listed[t]), Also: also[t]})
		if len(listed[t]) > 0 {
			groups = append(groups, b.topicGroup(t, listed[t]))
		}
	}
	return groups, counts
}

// listByFirstTopic returns the stories listed under each topic (a story
// without topics under "area"), each naming its other topics in AlsoUnder,
// and how many stories each topic has that are listed under another.
func (b *Builder) listByFirstTopic(stories []Story) (listed map[string][]Story, also map[string]int) {
	listed, also = map[string][]Story{}, map[string]int{}
	for _, s := range stories {
		topics := slices.Clone(s.Topics)
		if len(topics) == 0 {
			topics = []string{"area"}
		}
		sortTopics(b.topics, topics)
		for _, t := range topics[1:] {
			also[t]++
			s.AlsoUnder = append(s.AlsoUnder, topicName(b.topics, t))
		}
		listed[topics[0]] = append(listed[topics[0]], s)
	}
	return listed, also
}

// topicGroup is topic t's section: its stories (in time order) by day in
// the Builder's location.
func (b *Builder) topicGroup(t string, stories []Story) TopicGroup {
	g := TopicGroup{Topic: t, Name: topicName(b.topics, t), Count: len(stories)}
	for _, s := range stories {
		day := s.Published.In(b.loc)
		day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, b.loc)
		if n := len(g.Days); n == 0 || !g.Days[n-1].Date.Equal(day) {
			g.Days = append(g.Days, Day{Date: day})
		}
		g.Days[len(g.Days)-1].Stories = append(g.Days[len(g.Days)-1].Stories, s)
	}
	return g
}

// itemCounts counts the articles (reprints included) by source, most first,
// and by day of [from, to), every day listed.
func (b *Builder) itemCounts(items []Item, from, to time.Time) (bySource, byDay []Count) {
	srcCount, dayCount := map[string]int{}, map[string]int{}
	for _, it := range items {
		srcCount[it.SourceLabel()]++
		dayCount[it.Published.In(b.loc).Format("2006-01-02")]++
	}
	for day := from; day.Before(to); day = day.AddDate(0, 0, 1) {
		byDay = append(byDay, Count{Label: weekdayVN(day.Weekday()) + " " + day.Format("02/01"), N: dayCount[day.Format("2006-01-02")]})
	}
	return sortedCounts(srcCount), byDay
}

// alertLines returns the alert records as lines, by time received, then id.
func alertLines(recs []alerts.Record) []AlertLine {
	var out []AlertLine
	for _, r := range recs {
		out = append(out, AlertLine{ID: r.Alert.ID, Title: r.Alert.Title, Source: r.Alert.Source, Topics: r.Alert.Topics,
			Severity: r.Alert.Severity, Received: r.Received, Acked: r.Acked, AckedBy: r.AckedBy,
			Audiences: append([]string(nil), r.Audiences...)})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Received.Equal(out[j].Received) {
			return out[i].Received.Before(out[j].Received)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// ForAudience returns d with only the alerts routed to audience (or to no
// audience at all): the digest mailed to that audience.
func ForAudience(d Digest, audience string) Digest {
	if !slices.Contains(d.sensitive, audience) {
		d = withoutRestricted(d)
	}
	return filterAlerts(d, func(a AlertLine) bool { return len(a.Audiences) == 0 || slices.Contains(a.Audiences, audience) })
}

// Public returns d with only the alerts routed to at least one audience that
// is not sensitive (or to none): the copy kept in the UI archive, which
// every signed-in user may read.
func Public(d Digest, sensitive []string) Digest {
	d = withoutRestricted(d)
	return filterAlerts(d, func(a AlertLine) bool {
		if len(a.Audiences) == 0 {
			return true
		}
		for _, x := range a.Audiences {
			if !slices.Contains(sensitive, x) {
				return true
			}
		}
		return false
	})
}

func filterAlerts(d Digest, keep func(AlertLine) bool) Digest {
	var out []AlertLine
	for _, a := range d.Alerts {
		if keep(a) {
			out = append(out, a)
		}
	}
	d.Alerts = out
	return d
}

// sortTopics orders topics as the digest shows them: the rule pack's order
// (topicOrder without a pack), then others by name, then "area".
func sortTopics(ts alerts.Topics, topics []string) {
	sort.Slice(topics, func(i, j int) bool {
		ri, rj := rank(ts, topics[i]), rank(ts, topics[j])
		if ri != rj {
			return ri < rj
		}
		return topics[i] < topics[j]
	})
}

func rank(ts alerts.Topics, t string) int {
	if ts != nil {
		n := len(ts())
		if i, ok := ts.Rank(t); ok {
			return i
		}
		if t == "area" {
			return n + 1
		}
		return n
	}
	for i, x := range topicOrder {
		if x == t {
			return i
		}
	}
	if t == "area" {
		return len(topicOrder) + 1
	}
	return len(topicOrder)
}

func topicName(ts alerts.Topics, t string) string {
	if t == "area" {
		return "Tin liên quan địa bàn"
	}
	return ts.Name(t)
}

func sortedCounts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{Label: k, N: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Label < out[j].Label
	})
	return out
}

func weekdayVN(w time.Weekday) string {
	return [...]string{"CN", "T2", "T3", "T4", "T5", "T6", "T7"}[w]
}

// Cluster groups reprints: items whose SimHash over normalised 3-syllable
// shingles of the body (title and lead too when the body is short) differ in at most 6 of 64 bits, or whose
// normalised titles are equal. Each story is led by its earliest item; the
// stories come out sorted by time, then id.
func Cluster(items []Item) []Story {
	its := append([]Item(nil), items...)
	sort.Slice(its, func(i, j int) bool {
		if !its[i].Published.Equal(its[j].Published) {
			return its[i].Published.Before(its[j].Published)
		}
		return its[i].ID < its[j].ID
	})
	hashes := make([]uint64, len(its))
	titles := make([]string, len(its))
	for i, it := range its {
		text := it.Body // reprints keep the body and retouch title and lead
		if len(strings.Fields(text)) < 20 {
			text = it.Title + "\n" + it.Lead + "\n" + it.Body
		}
		hashes[i] = SimHash(text)
		titles[i] = textnorm.Key(it.Title)
	}
	parent := make([]int, len(its))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := range its {
		for j := i + 1; j < len(its); j++ {
			if bits.OnesCount64(hashes[i]^hashes[j]) <= 6 || (titles[i] != "" && titles[i] == titles[j] && strings.Count(titles[i], " ") >= 3) {
				if ri, rj := find(i), find(j); ri != rj {
					if ri < rj {
						parent[rj] = ri
					} else {
						parent[ri] = rj
					}
				}
			}
		}
	}
	idx := map[int]int{}
	var out []Story
	for i, it := range its {
		r := find(i)
		if k, ok := idx[r]; ok {
			s := &out[k]
			s.AlsoCarried = append(s.AlsoCarried, it)
			s.Topics = union(s.Topics, it.Topics)
			s.Terms = union(s.Terms, it.Terms)
			s.Area = s.Area || it.Area
			continue
		}
		idx[r] = len(out)
		st := Story{Item: it}
		st.Topics = append([]string(nil), it.Topics...)
		out = append(out, st)
	}
	return out
}

func union(a, b []string) []string {
	for _, x := range b {
		found := false
		for _, y := range a {
			if x == y {
				found = true
				break
			}
		}
		if !found {
			a = append(a, x)
		}
	}
	return a
}

// SimHash returns the 64-bit SimHash of text's 3-syllable shingles after
// normalisation (textnorm.Key: case, Unicode form and tone placement do not
// matter).
func SimHash(text string) uint64 {
	words := strings.Fields(textnorm.Key(text))
	var v [64]int
	add := func(s string) {
		h := fnv64(s)
		for i := range 64 {
			if h&(1<<uint(i)) != 0 {
				v[i]++
			} else {
				v[i]--
			}
		}
	}
	if len(words) < 3 {
		add(strings.Join(words, " "))
	} else {
		for i := 0; i+3 <= len(words); i++ {
			add(words[i] + " " + words[i+1] + " " + words[i+2])
		}
	}
	var h uint64
	for i := range 64 {
		if v[i] > 0 {
			h |= 1 << uint(i)
		}
	}
	return h
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	// a final mix: FNV's high bits vary little for short strings
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

// WeekRange returns [Monday 00:00, next Monday 00:00) of an ISO week
// ("2026-W47") in loc.
func WeekRange(week string, loc *time.Location) (time.Time, time.Time, error) {
	var y, w int
	if _, err := fmt.Sscanf(week, "%d-W%d", &y, &w); err != nil || w < 1 || w > 53 || len(week) < 7 {
		return time.Time{}, time.Time{}, fmt.Errorf("digest: week %q: want YYYY-Www, e.g. 2026-W47", week)
	}
	// ISO week 1 holds January 4th.
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, loc)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	from := monday.AddDate(0, 0, 7*(w-1))
	if yy, ww := from.ISOWeek(); yy != y || ww != w {
		return time.Time{}, time.Time{}, fmt.Errorf("digest: week %q does not exist", week)
	}
	return from, from.AddDate(0, 0, 7), nil
}

// IsWeek reports whether s names an ISO week ("2026-W47").
func IsWeek(s string) bool {
	_, _, err := WeekRange(s, time.UTC)
	return err == nil
}

// WeekOf returns the ISO week ("2026-W47") that t falls in, in loc.
func WeekOf(t time.Time, loc *time.Location) string {
	y, w := t.In(loc).ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

func sortStrings(s []string) { sort.Strings(s) }
