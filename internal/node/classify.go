package node

import (
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/rules"
)

// Classifier adapts the current rule set of Rules to the indexer
// (indexer.Classifier and indexer.Tagger).
type Classifier struct{ Rules *rules.Reloader }

// Classify gives the verdict the article carries (matched once, before
// publication), else a fresh match's topics and area.
func (c Classifier) Classify(a article.Article) ([]string, bool) {
	m := c.Rules.Current().Verdict(a)
	return m.Topics, m.Area
}

// Tags gives the indexer every tag from one match: topics, area, the
// severity of the highest rule that fires, the gazetteer places found and
// the communes of today they stand for (indexer.Tagger).
func (c Classifier) Tags(a article.Article) indexer.Tags {
	set := c.Rules.Current()
	r := set.Match(a)
	t := indexer.Tags{Topics: r.Topics, Area: r.Area, Places: r.Places, Communes: set.Communes(r.Places)}
	best := -1
	for _, m := range r.Matches {
		if k := article.SeverityRank(m.Severity); k > best {
			best, t.Severity = k, m.Severity
		}
	}
	return t
}

// areaFilter keeps, for require_area sources, articles the gazetteer finds.
type areaFilter struct{ rl *rules.Reloader }

// ConcernsArea says whether the gazetteer finds the area in a.
func (f areaFilter) ConcernsArea(a article.Article) bool {
	_, area := f.rl.Current().Classify(a)
	return area
}
