package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/diembao/diembao/internal/textnorm"
)

// rulesPerPage is how many rules the Rules page lists at once: a pack of
// 100,000 rules must not render as one 19 MB page.
const rulesPerPage = 100

// rulesList is one page of the rule list, filtered by a search.
type rulesList struct {
	Q     string // the search as typed
	Total int    // rules matching Q
	All   int    // rules loaded
	Page  int    // 1-based
	Pages int
	Prev  string // URL of the previous page, "" on the first
	Next  string // URL of the next page, "" on the last
}

// pageRules keeps the rules whose id, topic, severity, query or audiences
// contain every word of q (folded: "bien gioi" finds "biên giới"), and
// returns page page (1-based, clamped) of them.
func pageRules(all []RuleInfo, q string, page int) ([]RuleInfo, rulesList) {
	words := strings.Fields(textnorm.Fold(q))
	var hits []RuleInfo
	for _, r := range all {
		if len(words) > 0 {
			hay := textnorm.Fold(strings.Join([]string{r.ID, r.Topic, r.Severity, r.Query, strings.Join(r.Audiences, " ")}, " "))
			ok := true
			for _, w := range words {
				if !strings.Contains(hay, w) {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
		}
		hits = append(hits, r)
	}
	l := rulesList{Q: q, Total: len(hits), All: len(all), Pages: max(1, (len(hits)+rulesPerPage-1)/rulesPerPage)}
	l.Page = min(max(page, 1), l.Pages)
	link := func(p int) string {
		v := url.Values{}
		if q != "" {
			v.Set("q", q)
		}
		v.Set("page", strconv.Itoa(p))
		return "/rules?" + v.Encode()
	}
	if l.Page > 1 {
		l.Prev = link(l.Page - 1)
	}
	if l.Page < l.Pages {
		l.Next = link(l.Page + 1)
	}
	from := (l.Page - 1) * rulesPerPage
	return hits[from:min(from+rulesPerPage, len(hits))], l
}
