package indexer

import "time"

// Query is a search request, as the HTTP API and the CLI take it.
// Q is the user's query string: words, "phrases", -exclusions, OR.
type Query struct {
	Q       string
	From    time.Time // zero: unbounded
	To      time.Time // zero: unbounded; inclusive day when given as a date
	Sources []string
	Topics  []string
	Area    *bool  // nil: either
	Sort    string // "relevance" (default) or "date"
	Page    int    // 1-based; 0 means 1
	Size    int    // 0 means 20; capped at 100
}

// Hit is one search result. Snippet is HTML: crawled text escaped, with
// <mark>…</mark> around the matched terms.
type Hit struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Source    string    `json:"source"`
	Published time.Time `json:"published"`
	Snippet   string    `json:"snippet"`
	Topics    []string  `json:"topics"`
	Area      bool      `json:"area"`
	Score     float64   `json:"score"`
}

// FacetCount is one bucket of a facet.
type FacetCount struct {
	Term  string `json:"term"`
	Count int    `json:"count"`
}

// Result is the search response of GET /api/search.
type Result struct {
	Total  uint64                  `json:"total"`
	TookMS int64                   `json:"took_ms"`
	Hits   []Hit                   `json:"hits"`
	Facets map[string][]FacetCount `json:"facets"`
	// Notices say, in Vietnamese, what the search made of the query where
	// it is not obvious (words read as one phrase, a filter that matches
	// nothing at all).
	Notices []string `json:"notices,omitempty"`
	// Suggest is a query worth trying when this one found nothing (the
	// query without diacritics), with the number of hits it has.
	Suggest      string `json:"suggest,omitempty"`
	SuggestTotal uint64 `json:"suggest_total,omitempty"`
}
