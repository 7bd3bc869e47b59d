package indexer

import "github.com/diembao/diembao/internal/article"

// Field names of the place tags (see Tagger).
const (
	fPlaces   = "places"
	fCommunes = "communes"
)

// Tags are everything the indexer records about an article from one rule
// match.
type Tags struct {
	Topics []string
	Area   bool
	// Severity is the highest severity of the rules that fire on the
	// article: the severity of its highest alert ("" when none fires).
	Severity string
	// Places are the ids of the area gazetteer entries found; Communes the
	// communes of today they stand for (old names mapped to the new).
	Places   []string
	Communes []string
}

// Tagger is optionally implemented by a Classifier that gives all the tags
// of an article in one match; the indexer then calls Tags instead of
// Classify and Severity. Documents indexed before it was wired have no
// places or communes until a reindex.
type Tagger interface {
	Tags(a article.Article) Tags
}
