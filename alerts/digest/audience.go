package digest

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/article"
)

// HideRestricted makes the Builder mark, in every digest it builds, what
// only police-only rules found (rules whose audiences are all in sensitive,
// see article.Match.Restricted): the terms and topics of such matches in the
// week's alerts, per article (Item.HiddenTerms, Item.HiddenTopics), and the
// alert lines' topics and severity without them. Public and ForAudience of
// an audience not in sensitive then leave all of it out.
func (b *Builder) HideRestricted(sensitive []string) {
	b.sensitive = slices.Clone(sensitive)
}

// markItems fills Item.HiddenTerms and Item.HiddenTopics from the week's
// alert records.
func markItems(items []Item, recs []alerts.Record, sensitive []string) {
	hiddenTerms, hiddenTopics := map[string][]string{}, map[string][]string{}
	openTerms, openTopics := map[string][]string{}, map[string][]string{}
	for _, r := range recs {
		id := r.Alert.ArticleID
		for _, m := range r.Alert.Matches {
			terms := termTexts(m)
			if m.Restricted(sensitive) {
				hiddenTerms[id] = union(hiddenTerms[id], terms)
				hiddenTopics[id] = union(hiddenTopics[id], []string{m.Topic})
			} else {
				openTerms[id] = union(openTerms[id], terms)
				openTopics[id] = union(openTopics[id], []string{m.Topic})
			}
		}
	}
	for i := range items {
		id := items[i].ID
		items[i].HiddenTerms = minus(hiddenTerms[id], openTerms[id])
		items[i].HiddenTopics = minus(hiddenTopics[id], openTopics[id])
	}
}

// markAlerts records, on the alert lines, how readers outside the sensitive
// audiences see them.
func markAlerts(d *Digest, recs []alerts.Record, sensitive []string) {
	d.sensitive = slices.Clone(sensitive)
	byID := map[string]alerts.Record{}
	for _, r := range recs {
		byID[r.Alert.ID] = r
	}
	for i, l := range d.Alerts {
		r, ok := byID[l.ID]
		if !ok || !r.Alert.HasRestricted(sensitive) {
			continue
		}
		open := r.Alert.WithoutRestricted(sensitive)
		d.Alerts[i].open = &AlertLine{Topics: open.Topics, Severity: open.Severity}
		d.Alerts[i].onlyRestricted = len(open.Matches) == 0
	}
}

func termTexts(m article.Match) []string {
	var out []string
	for _, t := range m.Terms {
		if t.Text != "" {
			out = union(out, []string{lowerTerm(t.Text)})
		}
	}
	return out
}

func lowerTerm(s string) string { return strings.ToLower(s) }

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// withoutRestricted returns d as a reader outside the sensitive audiences
// may see it: hidden terms and topics removed from every article, stories
// left with neither a topic nor the area dropped, the groups and counts
// rebuilt, and alert lines raised by police-only rules alone dropped or
// shown with their open topics and severity.
func withoutRestricted(d Digest) Digest {
	if len(d.sensitive) == 0 {
		return d
	}
	var stories []Story
	for _, g := range d.Topics {
		for _, day := range g.Days {
			stories = append(stories, day.Stories...)
		}
	}
	changed := false
	var kept []Story
	for _, s := range stories {
		items := append([]Item{s.Item}, s.AlsoCarried...)
		// Reprints share one story: what is hidden in any of them is hidden
		// in all (over-hiding is safe; HiddenX already excludes what an
		// open rule found in the same article).
		var hidTerms, hidTopics []string
		for _, it := range items {
			hidTerms = union(hidTerms, it.HiddenTerms)
			hidTopics = union(hidTopics, it.HiddenTopics)
		}
		hid := len(hidTerms)+len(hidTopics) > 0
		var topics, terms []string
		area := false
		for i := range items {
			it := &items[i]
			it.Topics = minus(it.Topics, hidTopics)
			it.Terms = minusFold(it.Terms, hidTerms)
			it.HiddenTerms, it.HiddenTopics = nil, nil
			topics = union(topics, it.Topics)
			terms = union(terms, it.Terms)
			area = area || it.Area
		}
		if !hid {
			kept = append(kept, s)
			continue
		}
		changed = true
		if len(topics) == 0 && !area {
			continue // in the digest only because of a police-only rule
		}
		ns := Story{Item: items[0], AlsoCarried: items[1:]}
		if len(ns.AlsoCarried) == 0 {
			ns.AlsoCarried = nil
		}
		ns.Topics, ns.Terms, ns.Area = topics, terms, area
		kept = append(kept, ns)
	}
	if changed {
		regroup(&d, kept)
	}
	var lines []AlertLine
	for _, l := range d.Alerts {
		if l.onlyRestricted {
			continue
		}
		if l.open != nil {
			l.Topics, l.Severity = l.open.Topics, l.open.Severity
			l.open = nil
		}
		lines = append(lines, l)
	}
	d.Alerts = lines
	d.sensitive = nil
	return d
}

func minusFold(terms, hidden []string) []string {
	var out []string
	for _, t := range terms {
		if !slices.Contains(hidden, lowerTerm(t)) {
			out = append(out, t)
		}
	}
	return out
}

// regroup rebuilds the topic groups and the counts from stories, as build
// does: each story once under its first topic, counted under all of them.
func regroup(d *Digest, stories []Story) {
	sort.SliceStable(stories, func(i, j int) bool {
		if !stories[i].Published.Equal(stories[j].Published) {
			return stories[i].Published.Before(stories[j].Published)
		}
		return stories[i].ID < stories[j].ID
	})
	loc := d.From.Location()
	byTopic := map[string][]Story{}
	topicCount := map[string]int{}
	srcCount := map[string]int{}
	dayCount := map[int]int{}
	d.Stories, d.Articles = len(stories), 0
	for _, s := range stories {
		topics := slices.Clone(s.Topics)
		if len(topics) == 0 {
			topics = []string{"area"}
		}
		sortTopics(d.topics, topics)
		for _, t := range topics {
			topicCount[t]++
		}
		s.AlsoUnder = nil
		for _, t := range topics[1:] {
			s.AlsoUnder = append(s.AlsoUnder, topicName(d.topics, t))
		}
		byTopic[topics[0]] = append(byTopic[topics[0]], s)
		for _, it := range append([]Item{s.Item}, s.AlsoCarried...) {
			d.Articles++
			srcCount[it.SourceLabel()]++
			dayCount[dayIndex(d.From, it.Published.In(loc))]++
		}
	}
	var topics []string
	for t := range topicCount {
		topics = append(topics, t)
	}
	sortTopics(d.topics, topics)
	d.Topics, d.ByTopic = nil, nil
	for _, t := range topics {
		d.ByTopic = append(d.ByTopic, Count{Label: topicName(d.topics, t), N: topicCount[t]})
		if len(byTopic[t]) == 0 {
			continue
		}
		g := TopicGroup{Topic: t, Name: topicName(d.topics, t), Count: len(byTopic[t])}
		for _, s := range byTopic[t] {
			day := s.Published.In(loc)
			day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
			if n := len(g.Days); n == 0 || !g.Days[n-1].Date.Equal(day) {
				g.Days = append(g.Days, Day{Date: day})
			}
			g.Days[len(g.Days)-1].Stories = append(g.Days[len(g.Days)-1].Stories, s)
		}
		d.Topics = append(d.Topics, g)
	}
	d.BySource = sortedCounts(srcCount)
	for i := range d.ByDay {
		d.ByDay[i].N = dayCount[i]
	}
}

// dayIndex is the number of calendar days from from to t (both in from's zone).
func dayIndex(from, t time.Time) int {
	f := time.Date(from.Year(), from.Month(), from.Day(), 12, 0, 0, 0, from.Location())
	x := time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, from.Location())
	return int(x.Sub(f).Round(24*time.Hour) / (24 * time.Hour))
}
