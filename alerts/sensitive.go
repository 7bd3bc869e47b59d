package alerts

import (
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/diembao/diembao/internal/article"
)

// The rule for a sensitive audience's mail (audiences with sensitive: true,
// e.g. the police liaison), chosen once and kept whole: the mail carries the
// number of alerts by severity and by topic, and one link per alert to its own
// page (/alerts/{id}) labelled with its severity and topics, and nothing of the
// article: no title, source, snippet, terms, rule ids or original URL. Mail
// travels through servers the office does not control; the article is read
// after signing in. A non-sensitive audience's mail carries everything, minus
// the matches of rules restricted to sensitive audiences (see
// article.Match.Restricted).

// AlertLink returns the address of an alert's own page in the web UI:
// baseURL/alerts/{id}. Every mail links there (DESIGN.md "HTTP").
func AlertLink(baseURL, id string) string {
	return baseURL + "/alerts/" + url.PathEscape(id)
}

// sensitiveCounts counts alerts by severity (highest first) and by topic
// (most first, then by name): the whole content of a sensitive mail besides
// its links. Topics are named by the loaded pack (nil: TopicName), as in the
// mails of other audiences.
func sensitiveCounts(as []article.Alert, topics Topics) (bySeverity, byTopic []labelCount) {
	sev := map[string]int{}
	top := map[string]int{}
	for _, a := range as {
		sev[a.Severity]++
		if len(a.Topics) == 0 {
			top[""]++
		}
		for _, t := range a.Topics {
			top[t]++
		}
	}
	sevs := make([]string, 0, len(sev))
	for s := range sev {
		sevs = append(sevs, s)
	}
	sort.Slice(sevs, func(i, j int) bool { return article.SeverityRank(sevs[i]) > article.SeverityRank(sevs[j]) })
	for _, s := range sevs {
		bySeverity = append(bySeverity, labelCount{Label: upperFirst(SeverityName(s)), N: sev[s]})
	}
	tops := make([]string, 0, len(top))
	for t := range top {
		tops = append(tops, t)
	}
	sort.Slice(tops, func(i, j int) bool {
		if top[tops[i]] != top[tops[j]] {
			return top[tops[i]] > top[tops[j]]
		}
		return tops[i] < tops[j]
	})
	for _, t := range tops {
		label := topics.Name(t)
		if t == "" {
			label = "Không chủ đề"
		}
		byTopic = append(byTopic, labelCount{Label: label, N: top[t]})
	}
	return bySeverity, byTopic
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return strings.ToUpper(string(r)) + s[n:]
}

// sensitiveNames lists the audiences with sensitive: true.
func (c *Config) sensitiveNames() []string {
	var out []string
	for name, a := range c.Audiences {
		if a.Sensitive {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
