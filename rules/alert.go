package rules

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/diembao/diembao/internal/article"
)

// Archive is what a backtest needs from the archive (the index): every
// stored article published at or after since, one call of fn each, in any
// order. A non-nil error from fn stops the walk and is returned.
type Archive interface {
	ArticlesSince(ctx context.Context, since time.Time, fn func(article.Article) error) error
}

// ArchiveFunc adapts a function to Archive.
type ArchiveFunc func(ctx context.Context, since time.Time, fn func(article.Article) error) error

// ArticlesSince calls f.
func (f ArchiveFunc) ArticlesSince(ctx context.Context, since time.Time, fn func(article.Article) error) error {
	return f(ctx, since, fn)
}

// BacktestHit is one archived article the tested rules would have alerted on.
type BacktestHit struct {
	ArticleID string          `json:"article_id"`
	URL       string          `json:"url"`
	Title     string          `json:"title"`
	Source    string          `json:"source"`
	Published time.Time       `json:"published"`
	Matches   []article.Match `json:"matches"`
}

// BacktestReport says how many archived articles the tested rules would have
// alerted on, with the first examples.
type BacktestReport struct {
	Since    time.Time      `json:"since"`
	Rules    []string       `json:"rules"`
	Scanned  int            `json:"scanned"`
	Alerted  int            `json:"alerted"`
	PerRule  map[string]int `json:"per_rule"`
	Examples []BacktestHit  `json:"examples"`
}

// Backtest runs the rules ids of s, including disabled ones (a rule is
// backtested before it is switched on), over the archive since the given
// time. Area requirements apply as in Match.
func (s *Set) Backtest(ctx context.Context, arch Archive, since time.Time, ids []string, examples int) (BacktestReport, error) {
	rep := BacktestReport{Since: since, Rules: slices.Clone(ids), PerRule: map[string]int{}}
	for _, id := range ids {
		if !slices.ContainsFunc(s.rules, func(r compiledRule) bool { return r.ID == id }) {
			return rep, fmt.Errorf("backtest: unknown rule %q", id)
		}
		rep.PerRule[id] = 0
	}
	if arch == nil {
		return rep, fmt.Errorf("backtest: no archive")
	}
	use := func(r *compiledRule) bool { return slices.Contains(ids, r.ID) }
	err := arch.ArticlesSince(ctx, since, func(a article.Article) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rep.Scanned++
		res := s.match(a, use)
		if len(res.Matches) == 0 {
			return nil
		}
		rep.Alerted++
		for _, m := range res.Matches {
			rep.PerRule[m.Rule]++
		}
		if len(rep.Examples) < examples {
			rep.Examples = append(rep.Examples, BacktestHit{ArticleID: a.ID, URL: a.URL, Title: a.Title,
				Source: a.Source, Published: a.Published, Matches: res.Matches})
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("backtest: %w", err)
	}
	return rep, nil
}

// RulesIn returns the ids of the rules compiled from the named file.
func (s *Set) RulesIn(file string) []string {
	var ids []string
	for _, r := range s.rules {
		if r.File == file {
			ids = append(ids, r.ID)
		}
	}
	return ids
}
