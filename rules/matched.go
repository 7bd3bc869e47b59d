package rules

import "github.com/diembao/diembao/internal/article"

// Matched returns r as the verdict carried on the bus (article.Matched).
func (r Result) Matched() *article.Matched {
	return &article.Matched{Area: r.Area, Topics: r.Topics, Matches: r.Matches}
}

// Verdict returns a.Matched when the pipeline already matched the article,
// and otherwise matches it with s.
func (s *Set) Verdict(a article.Article) *article.Matched {
	if a.Matched != nil {
		return a.Matched
	}
	return s.Match(a).Matched()
}
