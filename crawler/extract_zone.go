package crawler

import (
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// englishUnmarked: the page says it is English without a region, so the
// order of numeric dates is not known from the language alone.
func englishUnmarked(lang string) bool {
	return strings.EqualFold(strings.TrimSpace(lang), "en")
}

// reNumDate finds numeric dates "a/b/yyyy" (separators / - .).
var reNumDate = regexp.MustCompile(`\b(\d{1,2})[/.\-](\d{1,2})[/.\-](?:19|20)\d\d\b`)

// numericOrderVotes reads the page's numeric dates that only one order
// can explain (a first number above 12 is a day, a second above 12 a day
// too): positive when month/day is the page's order, negative for
// day/month, 0 when nothing tells.
func numericOrderVotes(doc *goquery.Document) int {
	votes := 0
	text := doc.Find("body").Text()
	for _, m := range reNumDate.FindAllStringSubmatch(text, 200) {
		a, b := atoi(m[1]), atoi(m[2])
		switch {
		case a > 12 && a <= 31 && b >= 1 && b <= 12:
			votes--
		case b > 12 && b <= 31 && a >= 1 && a <= 12:
			votes++
		}
	}
	return votes
}

// publisherZone returns t in the publisher's UTC offset when t is written
// in UTC and the page's other machine dates (its <time datetime>
// elements, the modification date) all share one non-zero offset: the
// page states its day in that zone.
func publisherZone(t time.Time, doc *goquery.Document, m pageMeta, env extractEnv) time.Time {
	if _, off := t.Zone(); off != 0 {
		return t
	}
	var vals []string
	doc.Find("time[datetime]").Each(func(_ int, s *goquery.Selection) {
		vals = append(vals, s.AttrOr("datetime", ""))
	})
	vals = append(vals, m.ldModified, m.metaModified)
	zone, seen := 0, false
	for _, v := range vals {
		if !hasZone(strings.TrimSpace(v)) {
			continue
		}
		u, ok := parseMachineStrict(v, env.loc)
		if !ok {
			continue
		}
		_, off := u.Zone()
		if off == 0 {
			continue // another UTC stamp says nothing
		}
		if seen && off != zone {
			return t // the page mixes zones
		}
		zone, seen = off, true
	}
	if !seen {
		return t
	}
	return t.In(time.FixedZone("", zone))
}
