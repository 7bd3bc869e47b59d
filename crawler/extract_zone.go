package crawler

import (
	"regexp"
	"strings"

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
