package indexer

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Facets are counted by diembao, not by Bleve's facet builder. Bleve visits
// the doc values of every hit and counts terms in a map of strings: on a
// query with 40,000 hits that was 43 % of the search time
// (docs/bench/indexer.md). Here each keyword field of each segment is read
// once into a table (document → term ordinals), cached while the segment
// lives, and a hit costs two slice lookups. Counts are those of Bleve's
// facets: every hit of the query, filters included. A date-sorted search
// takes its sort keys from the same kind of table (dateTable) and scores
// each hit with its key, instead of Bleve's sort on doc values.

// facetFields are the keyword fields Search counts, with the number of
// buckets it returns.
var facetFields = []struct {
	name, field string
	size        int
}{
	{"source", fSource, 20},
	{"topic", fTopics, 10},
}

// facetCache holds the per-segment tables of one Index. Segments are
// immutable, so a table stays valid as long as its segment; tables of
// segments no search saw since the last prune (merged away) are dropped.
type facetCache struct {
	mu     sync.Mutex
	ords   []termOrds // per facetFields entry: term ↔ ordinal, only grows
	tables map[facetKey]*facetTable
	gen    uint64 // incremented by every search
}

// facetKey names a table: a segment (the scorch segment value, compared by
// identity) and a facetFields index.
type facetKey struct {
	seg   segment.Segment
	field int
}

type termOrds struct {
	ids   map[string]uint32
	names []string
}

// ordinal returns the ordinal of term, assigning the next one to a new
// term. The caller serialises calls.
func (o *termOrds) ordinal(term string) uint32 {
	ord, ok := o.ids[term]
	if !ok {
		ord = uint32(len(o.names))
		o.ids[term] = ord
		o.names = append(o.names, term)
	}
	return ord
}

// facetTable maps a segment's local document numbers to term ordinals:
// the ordinals of document d are ords[start[d]:start[d+1]]. The table of
// dateTable holds dates instead: the sort key of document d is dates[d].
type facetTable struct {
	start []uint32
	ords  []uint32
	dates []float64
	used  uint64 // the generation of the last search that used it
}

// dateTable is the facetKey field of a segment's date sort keys.
const dateTable = -1

func newFacetCache() *facetCache {
	c := &facetCache{tables: map[facetKey]*facetTable{}, ords: make([]termOrds, len(facetFields))}
	for i := range c.ords {
		c.ords[i].ids = map[string]uint32{}
	}
	return c
}

// facetRun collects the counts of one search across every monthly index.
type facetRun struct {
	cache  *facetCache
	gen    uint64
	byDate bool // hits are scored by their date sort key
	mu     sync.Mutex
	counts [][]uint32 // per facetFields entry, by ordinal
}

// begin starts the counting of one search; byDate makes its searchers
// score every hit by dateKey.
func (c *facetCache) begin(byDate bool) *facetRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	return &facetRun{cache: c, gen: c.gen, byDate: byDate, counts: make([][]uint32, len(facetFields))}
}

// end drops the tables of segments that neither this search nor a later
// one used: a search sees every live segment of every month.
func (r *facetRun) end() {
	c := r.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, t := range c.tables {
		if t.used < r.gen {
			delete(c.tables, k)
		}
	}
}

// add merges one searcher's counts.
func (r *facetRun) add(counts [][]uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for f, cs := range counts {
		if len(r.counts[f]) < len(cs) {
			r.counts[f] = append(r.counts[f], make([]uint32, len(cs)-len(r.counts[f]))...)
		}
		for o, n := range cs {
			r.counts[f][o] += n
		}
	}
}

// top returns the size most frequent terms of facetFields[f], by count
// then term, as Bleve orders facet terms.
func (r *facetRun) top(f int) []FacetCount {
	r.mu.Lock()
	counts := slices.Clone(r.counts[f])
	r.mu.Unlock()
	r.cache.mu.Lock()
	names := r.cache.ords[f].names
	r.cache.mu.Unlock()
	out := []FacetCount{}
	for o, n := range counts {
		if n > 0 {
			out = append(out, FacetCount{Term: names[o], Count: int(n)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Term < out[j].Term
	})
	return out[:min(len(out), facetFields[f].size)]
}

// table returns the table of facetFields[f] (or dateTable) for segment seg, building it
// from the segment's term dictionary and postings, deleted documents
// included: a table may serve a search on an older snapshot of the
// segment, where they were still live.
func (r *facetRun) table(seg segment.Segment, f int) (*facetTable, error) {
	c := r.cache
	key := facetKey{seg, f}
	c.mu.Lock()
	t, ok := c.tables[key]
	if ok {
		t.used = max(t.used, r.gen)
		c.mu.Unlock()
		return t, nil
	}
	c.mu.Unlock()
	// Built outside the lock: two searches may build the same table; the
	// second one's is dropped.
	var err error
	if f == dateTable {
		t, err = r.buildDates(seg)
	} else {
		t, err = r.build(seg, f)
	}
	if err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	c.mu.Lock()
	if old, ok := c.tables[key]; ok {
		t = old
		t.used = max(t.used, r.gen)
	} else {
		c.tables[key] = t
	}
	c.mu.Unlock()
	return t, nil
}

func (r *facetRun) build(seg segment.Segment, f int) (*facetTable, error) {
	n := seg.Count()
	type posting struct{ doc, ord uint32 }
	var ps []posting
	start := make([]uint32, n+1)
	ord, last := uint32(0), ""
	err := eachPosting(seg, facetFields[f].field, nil, nil, func(term string, d uint64) error {
		if term != last || len(ps) == 0 {
			ord, last = r.cache.ordinal(f, term), term
		}
		ps = append(ps, posting{uint32(d), ord})
		start[d+1]++
		return nil
	})
	if err != nil {
		return nil, err
	}
	for d := range n {
		start[d+1] += start[d]
	}
	t := &facetTable{start: start, ords: make([]uint32, len(ps)), used: r.gen}
	fill := slices.Clone(start[:n])
	for _, p := range ps {
		t.ords[fill[p.doc]] = p.ord
		fill[p.doc]++
	}
	return t, nil
}

// buildDates reads the date sort keys of seg's documents: the published
// time in whole seconds (0 without one) plus, as the fraction, 20 bits of a
// hash of the article id, so that articles published in the same second
// (feeds that give only a day) keep one order from page to page. Seconds
// up to 2^32 and 20 bits of fraction fit a float64's 53 bits exactly.
func (r *facetRun) buildDates(seg segment.Segment) (*facetTable, error) {
	n := seg.Count()
	keys := make([]float64, n)
	// The published field's full-precision terms (shift 0).
	err := eachPosting(seg, fPublished, []byte{numeric.ShiftStartInt64}, []byte{numeric.ShiftStartInt64 + 1}, func(term string, d uint64) error {
		ns, err := numeric.PrefixCoded(term).Int64()
		if err != nil {
			return fmt.Errorf("published term %q: %w", term, err)
		}
		keys[d] = float64(ns / 1e9)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachPosting(seg, "_id", nil, nil, func(id string, d uint64) error {
		h := fnv.New32a()
		_, _ = h.Write([]byte(id))
		keys[d] += float64(h.Sum32()&(1<<20-1)) / (1 << 20)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &facetTable{dates: keys, used: r.gen}, nil
}

// eachPosting calls fn for every document of every term of field in seg
// from start (inclusive) to end (exclusive; nil: no bound), deleted
// documents included.
func eachPosting(seg segment.Segment, field string, start, end []byte, fn func(term string, doc uint64) error) error {
	n := seg.Count()
	dict, err := seg.Dictionary(field)
	if err != nil {
		return fmt.Errorf("read %s: %w", field, err)
	}
	it := dict.AutomatonIterator(nil, start, end)
	var pl segment.PostingsList
	var pi segment.PostingsIterator
	for {
		e, err := it.Next()
		if err != nil {
			return fmt.Errorf("read %s: %w", field, err)
		}
		if e == nil {
			return nil
		}
		if pl, err = dict.PostingsList([]byte(e.Term), nil, pl); err != nil {
			return fmt.Errorf("read %s: %w", field, err)
		}
		pi = pl.Iterator(false, false, false, pi)
		for {
			p, err := pi.Next()
			if err != nil {
				return fmt.Errorf("read %s: %w", field, err)
			}
			if p == nil {
				break
			}
			if p.Number() >= n {
				return fmt.Errorf("read %s: document %d beyond the segment's %d", field, p.Number(), n)
			}
			if err := fn(e.Term, p.Number()); err != nil {
				return err
			}
		}
	}
}

// ordinal returns the ordinal of term in facetFields[f], assigning the next
// one to a new term.
func (c *facetCache) ordinal(f int, term string) uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ords[f].ordinal(term)
}

// facetQuery is a query whose searcher counts the facets of every hit into
// run.
type facetQuery struct {
	inner query.Query
	run   *facetRun
}

// Searcher implements query.Query.
func (q *facetQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	inner, err := q.inner.Searcher(ctx, r, m, options)
	if err != nil {
		return nil, err
	}
	s := &facetSearcher{Searcher: inner, run: q.run, counts: make([][]uint32, len(facetFields))}
	if err := s.load(r); err != nil {
		_ = inner.Close()
		return nil, err
	}
	return s, nil
}

// facetSearcher passes its inner searcher's matches on and counts them.
type facetSearcher struct {
	search.Searcher
	run    *facetRun
	offs   []uint64        // global document number where each segment starts, then the end
	tables [][]*facetTable // per segment, per facetFields entry
	dates  [][]float64     // per segment, when the run is by date
	cur    int             // segment of the last match
	counts [][]uint32
	closed bool
}

// load fetches the tables of every segment of r.
func (s *facetSearcher) load(r index.IndexReader) error {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return fmt.Errorf("facets: index reader %T is not a scorch snapshot", r)
	}
	var off uint64
	for _, ss := range snap.Segments() {
		seg := ss.Segment()
		ts := make([]*facetTable, len(facetFields))
		for f := range facetFields {
			t, err := s.run.table(seg, f)
			if err != nil {
				return err
			}
			ts[f] = t
		}
		if s.run.byDate {
			t, err := s.run.table(seg, dateTable)
			if err != nil {
				return err
			}
			s.dates = append(s.dates, t.dates)
		}
		s.offs = append(s.offs, off)
		s.tables = append(s.tables, ts)
		off += seg.Count() // scorch numbers documents by raw segment size
	}
	s.offs = append(s.offs, off)
	s.run.cache.mu.Lock()
	for f := range facetFields {
		s.counts[f] = make([]uint32, len(s.run.cache.ords[f].names))
	}
	s.run.cache.mu.Unlock()
	return nil
}

func (s *facetSearcher) count(m *search.DocumentMatch) {
	if m == nil {
		return
	}
	d := m.IndexInternalID.Value()
	if d < s.offs[s.cur] || d >= s.offs[s.cur+1] {
		// Matches come in document order; a jump back is looked up.
		s.cur = sort.Search(len(s.offs)-1, func(i int) bool { return s.offs[i+1] > d })
		if s.cur >= len(s.tables) {
			s.cur = 0
			return
		}
	}
	local := d - s.offs[s.cur]
	if s.dates != nil {
		m.Score = s.dates[s.cur][local]
	}
	for f, t := range s.tables[s.cur] {
		for _, o := range t.ords[t.start[local]:t.start[local+1]] {
			s.counts[f][o]++
		}
	}
}

func (s *facetSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	m, err := s.Searcher.Next(ctx)
	s.count(m)
	return m, err
}

func (s *facetSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	m, err := s.Searcher.Advance(ctx, id)
	s.count(m)
	return m, err
}

// Close hands the counts to the run: Bleve closes a searcher before its
// index's search returns.
func (s *facetSearcher) Close() error {
	if !s.closed {
		s.closed = true
		s.run.add(s.counts)
	}
	return s.Searcher.Close()
}
