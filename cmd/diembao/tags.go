package main

import (
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
)

// Tags gives the indexer every tag from one match: topics, area, the
// severity of the highest rule that fires, the gazetteer places found and
// the communes of today they stand for (indexer.Tagger).
func (c classifier) Tags(a article.Article) indexer.Tags {
	set := c.rl.Current()
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
