package indexer

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// phraseQuery is a phrase in one text field: at each position one of the
// keys alts[i] (one key for a phrase typed with diacritics, every key that
// folds to the syllable for one typed without).
//
// Hits and scores are those of Bleve's (multi-)phrase query: it builds the
// same term conjunction (one term searcher per position, or a disjunction
// of them, same boost, same order, same query norm; scores come from term
// frequencies and norms) and keeps the documents where the keys follow one
// another. Only the position check differs: Bleve's phrase searcher turns
// every candidate's term locations into a map and walks phrase paths
// through it; this one compares sorted positions in reused slices, about
// 1.5× faster for a phrase of two common syllables (docs/bench/indexer.md).
type phraseQuery struct {
	alts  [][]string
	field string
	boost float64
	bleve bool // use Bleve's phrase searcher (Config.BlevePhrases)
}

// Searcher implements query.Query.
func (q *phraseQuery) Searcher(ctx context.Context, r index.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if q.bleve || slices.ContainsFunc(q.alts, func(keys []string) bool { return !slices.ContainsFunc(keys, func(k string) bool { return k != "" }) }) {
		return searcher.NewMultiPhraseSearcher(ctx, r, q.alts, 0, false, q.field, q.boost, options)
	}
	return newPhraseSearcher(ctx, r, q.alts, q.field, q.boost, options)
}

// phraseSearcher returns the matches of its term conjunction that hold the
// phrase.
type phraseSearcher struct {
	must search.Searcher  // as searcher.NewMultiPhraseSearcher builds it
	at   map[string][]int // key → the phrase positions it may stand at
	pos  [][]uint64       // scratch: the document positions of each phrase position
	done bool
}

func newPhraseSearcher(ctx context.Context, r index.IndexReader, alts [][]string, field string, boost float64, options search.SearcherOptions) (*phraseSearcher, error) {
	// As searcher.NewMultiPhraseSearcher (no fuzziness, no synonyms).
	options.IncludeTermVectors = true
	var opened []search.Searcher
	closeAll := func() {
		for _, o := range opened {
			_ = o.Close()
		}
	}
	at := map[string][]int{}
	for i, keys := range alts {
		for _, k := range keys {
			if k != "" && !slices.Contains(at[k], i) {
				at[k] = append(at[k], i)
			}
		}
		if len(keys) == 1 && keys[0] != "" {
			ts, err := searcher.NewTermSearcher(ctx, r, keys[0], field, boost, options)
			if err != nil {
				closeAll()
				return nil, fmt.Errorf("phrase: %w", err)
			}
			opened = append(opened, ts)
			continue
		}
		if len(keys) <= 1 {
			continue
		}
		var tss []search.Searcher
		for _, k := range keys {
			if k == "" {
				continue
			}
			ts, err := searcher.NewTermSearcher(ctx, r, k, field, boost, options)
			if err != nil {
				for _, t := range tss {
					_ = t.Close()
				}
				closeAll()
				return nil, fmt.Errorf("phrase: %w", err)
			}
			tss = append(tss, ts)
		}
		d, err := searcher.NewDisjunctionSearcher(ctx, r, tss, 1, options)
		if err != nil {
			for _, t := range tss {
				_ = t.Close()
			}
			closeAll()
			return nil, fmt.Errorf("phrase: %w", err)
		}
		opened = append(opened, d)
	}
	must, err := searcher.NewConjunctionSearcher(ctx, r, opened, options)
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("phrase: %w", err)
	}
	s := &phraseSearcher{must: must, at: at, pos: make([][]uint64, len(alts))}
	// As the phrase searcher does; an enclosing searcher sets it again.
	s.SetQueryNorm(1 / math.Sqrt(must.Weight()))
	return s, nil
}

func (s *phraseSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	return s.scan(ctx, nil)
}

func (s *phraseSearcher) Advance(ctx *search.SearchContext, ID index.IndexInternalID) (*search.DocumentMatch, error) {
	return s.scan(ctx, ID)
}

// scan returns the next candidate at or after ID (nil: the next one) that
// holds the phrase.
func (s *phraseSearcher) scan(ctx *search.SearchContext, ID index.IndexInternalID) (*search.DocumentMatch, error) {
	if s.done {
		return nil, nil
	}
	var m *search.DocumentMatch
	var err error
	if ID != nil {
		m, err = s.must.Advance(ctx, ID)
	} else {
		m, err = s.must.Next(ctx)
	}
	for ; err == nil && m != nil; m, err = s.must.Next(ctx) {
		if s.holds(m) {
			// Bleve's phrase searcher leaves the phrase's locations here
			// for highlighting; diembao highlights on its own.
			m.FieldTermLocations = m.FieldTermLocations[:0]
			return m, nil
		}
		ctx.DocumentMatchPool.Put(m)
	}
	if err != nil {
		return nil, err
	}
	s.done = true
	return nil, nil
}

// holds reports whether m's term locations (all in the one field) have the
// phrase: keys for positions 0, 1, … at consecutive document positions.
func (s *phraseSearcher) holds(m *search.DocumentMatch) bool {
	for i := range s.pos {
		s.pos[i] = s.pos[i][:0]
	}
	for _, ftl := range m.FieldTermLocations {
		for _, i := range s.at[ftl.Term] {
			s.pos[i] = append(s.pos[i], ftl.Location.Pos)
		}
	}
	for i := 1; i < len(s.pos); i++ {
		slices.Sort(s.pos[i])
	}
next:
	for _, p := range s.pos[0] {
		for i := 1; i < len(s.pos); i++ {
			if _, ok := slices.BinarySearch(s.pos[i], p+uint64(i)); !ok {
				continue next
			}
		}
		return true
	}
	return false
}

func (s *phraseSearcher) Close() error { return s.must.Close() }

// Weight and SetQueryNorm are the phrase searcher's: its term conjunction's.
func (s *phraseSearcher) Weight() float64 { return s.must.Weight() }

func (s *phraseSearcher) SetQueryNorm(qnorm float64) { s.must.SetQueryNorm(qnorm) }

func (s *phraseSearcher) Count() uint64 { return s.must.Count() }

func (s *phraseSearcher) Min() int { return 0 }

func (s *phraseSearcher) Size() int { return s.must.Size() }

func (s *phraseSearcher) DocumentMatchPoolSize() int { return s.must.DocumentMatchPoolSize() }
