package indexer

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// Dimensions Stats counts along.
const (
	DimMonth      = "month"       // published month in the index's location, "2026-01"
	DimTopic      = "topic"       // topic ids
	DimSource     = "source"      // source ids
	DimSourceKind = "source_kind" // press | portal | foreign
	DimCommune    = "commune"     // today's communes (Tags.Communes)
	DimPlace      = "place"       // gazetteer ids as found (Tags.Places)
	DimSeverity   = "severity"    // highest severity of the rules that fire
)

// statsDims are the keyword fields Stats reads, by dimension.
var statsDims = []struct{ name, field string }{
	{DimMonth, fMonth},
	{DimTopic, fTopics},
	{DimSource, fSource},
	{DimSourceKind, fSourceKind},
	{DimCommune, fCommunes},
	{DimPlace, fPlaces},
	{DimSeverity, fSeverity},
}

// statsMonth and statsTopic are the positions of month and topic in statsDims.
const statsMonth, statsTopic = 0, 1

// Stats are the counts of every article a query matches, along each
// dimension: the numbers of a report. They are computed from the index
// (term dictionaries and postings), never by loading documents, and agree
// with Search: By[DimTopic][t] for a query equals Search's Total for the
// same query with Topics [t], and MonthTopic[m][t] equals Search's Total
// for topic t from the first to the last day of month m.
type Stats struct {
	Total uint64 `json:"total"`
	// By maps each dimension to its terms' counts (an article with two
	// topics counts under both).
	By map[string]map[string]int `json:"by"`
	// MonthTopic maps a month to its topics' counts.
	MonthTopic map[string]map[string]int `json:"month_topic"`
	// MonthSource maps a month to its sources' counts.
	MonthSource map[string]map[string]int `json:"month_source"`
}

// Stats counts the articles q matches (words, dates, sources, topics, area:
// the filters of Search; Page, Size and Sort are ignored).
func (x *Index) Stats(ctx context.Context, q Query) (Stats, error) {
	done, err := x.beginRead()
	defer done()
	if err != nil {
		return Stats{}, err
	}
	return x.stats(ctx, q)
}

func (x *Index) stats(ctx context.Context, q Query) (Stats, error) {
	q.Page, q.Size, q.Sort = 0, 0, ""
	_, req, err := x.request(ctx, q)
	if err != nil {
		return Stats{}, err
	}
	run := &statsRun{}
	for range statsDims {
		run.ords = append(run.ords, termOrds{ids: map[string]uint32{}})
	}
	run.counts = make([][]uint32, len(statsDims))
	run.monthTopic, run.monthSource = map[uint64]uint32{}, map[uint64]uint32{}
	req.Query = &statsQuery{inner: req.Query, run: run}
	req.Size, req.From = 0, 0
	req.Score = bleve.ScoreNone
	out := Stats{By: map[string]map[string]int{}, MonthTopic: map[string]map[string]int{}, MonthSource: map[string]map[string]int{}}
	for _, d := range statsDims {
		out.By[d.name] = map[string]int{}
	}
	if x.isEmpty() {
		return out, nil
	}
	res, err := x.alias.SearchInContext(ctx, req)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	out.Total = res.Total
	for f, d := range statsDims {
		for o, n := range run.counts[f] {
			if n > 0 {
				out.By[d.name][run.ords[f].names[o]] = int(n)
			}
		}
	}
	pairs := func(dst map[string]map[string]int, src map[uint64]uint32, second int) {
		for k, n := range src {
			m, t := run.ords[statsMonth].names[k>>32], run.ords[second].names[uint32(k)]
			if dst[m] == nil {
				dst[m] = map[string]int{}
			}
			dst[m][t] = int(n)
		}
	}
	pairs(out.MonthTopic, run.monthTopic, statsTopic)
	pairs(out.MonthSource, run.monthSource, 2)
	return out, nil
}

// Sorted returns the terms of one dimension by count, then term.
func (s Stats) Sorted(dim string) []FacetCount {
	out := []FacetCount{}
	for t, n := range s.By[dim] {
		out = append(out, FacetCount{Term: t, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Term < out[j].Term
	})
	return out
}

// statsRun collects the counts of one Stats call across the searchers of
// every monthly index (Bleve runs them concurrently).
type statsRun struct {
	mu          sync.Mutex
	ords        []termOrds // per statsDims entry
	counts      [][]uint32
	monthTopic  map[uint64]uint32 // month ordinal << 32 | topic ordinal
	monthSource map[uint64]uint32
}

func (r *statsRun) ordinal(f int, term string) uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ords[f].ordinal(term)
}

// statsQuery is a query whose searcher counts every hit into run.
type statsQuery struct {
	inner query.Query
	run   *statsRun
}

// Searcher implements query.Query.
func (q *statsQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	inner, err := q.inner.Searcher(ctx, r, m, options)
	if err != nil {
		return nil, err
	}
	s := &statsSearcher{Searcher: inner, run: q.run, monthTopic: map[uint64]uint32{}, monthSource: map[uint64]uint32{}}
	if err := s.load(r); err != nil {
		_ = inner.Close()
		return nil, err
	}
	return s, nil
}

// statsSearcher passes its inner searcher's matches on and counts them.
type statsSearcher struct {
	search.Searcher
	run         *statsRun
	offs        []uint64        // global document number where each segment starts, then the end
	tables      [][]*facetTable // per segment, per statsDims entry
	cur         int
	counts      [][]uint32
	monthTopic  map[uint64]uint32
	monthSource map[uint64]uint32
	closed      bool
}

// load reads the tables (document → term ordinals) of every segment of r
// from the term dictionaries; they are not cached between calls.
func (s *statsSearcher) load(r index.IndexReader) error {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return fmt.Errorf("stats: index reader %T is not a scorch snapshot", r)
	}
	var off uint64
	for _, ss := range snap.Segments() {
		seg := ss.Segment()
		n := seg.Count()
		ts := make([]*facetTable, len(statsDims))
		for f, d := range statsDims {
			type posting struct{ doc, ord uint32 }
			var ps []posting
			start := make([]uint32, n+1)
			ord, last := uint32(0), ""
			err := eachPosting(seg, d.field, nil, nil, func(term string, doc uint64) error {
				if term != last || len(ps) == 0 {
					ord, last = s.run.ordinal(f, term), term
				}
				ps = append(ps, posting{uint32(doc), ord})
				start[doc+1]++
				return nil
			})
			if err != nil {
				return fmt.Errorf("stats: %w", err)
			}
			for i := range n {
				start[i+1] += start[i]
			}
			t := &facetTable{start: start, ords: make([]uint32, len(ps))}
			fill := make([]uint32, n)
			copy(fill, start[:n])
			for _, p := range ps {
				t.ords[fill[p.doc]] = p.ord
				fill[p.doc]++
			}
			ts[f] = t
		}
		s.offs = append(s.offs, off)
		s.tables = append(s.tables, ts)
		off += seg.Count()
	}
	s.offs = append(s.offs, off)
	s.counts = make([][]uint32, len(statsDims))
	s.run.mu.Lock()
	for f := range statsDims {
		s.counts[f] = make([]uint32, len(s.run.ords[f].names))
	}
	s.run.mu.Unlock()
	return nil
}

func (s *statsSearcher) count(m *search.DocumentMatch) {
	if m == nil || len(s.tables) == 0 {
		return
	}
	d := m.IndexInternalID.Value()
	if d < s.offs[s.cur] || d >= s.offs[s.cur+1] {
		s.cur = sort.Search(len(s.offs)-1, func(i int) bool { return s.offs[i+1] > d })
		if s.cur >= len(s.tables) {
			s.cur = 0
			return
		}
	}
	local := d - s.offs[s.cur]
	ts := s.tables[s.cur]
	for f, t := range ts {
		for _, o := range t.ords[t.start[local]:t.start[local+1]] {
			if int(o) >= len(s.counts[f]) {
				// An ordinal another monthly index's searcher added after
				// this one loaded.
				s.counts[f] = append(s.counts[f], make([]uint32, int(o)+1-len(s.counts[f]))...)
			}
			s.counts[f][o]++
		}
	}
	mt := ts[statsMonth]
	for _, mo := range mt.ords[mt.start[local]:mt.start[local+1]] {
		tt := ts[statsTopic]
		for _, to := range tt.ords[tt.start[local]:tt.start[local+1]] {
			s.monthTopic[uint64(mo)<<32|uint64(to)]++
		}
		st := ts[2]
		for _, so := range st.ords[st.start[local]:st.start[local+1]] {
			s.monthSource[uint64(mo)<<32|uint64(so)]++
		}
	}
}

// Next implements search.Searcher.
func (s *statsSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	m, err := s.Searcher.Next(ctx)
	s.count(m)
	return m, err
}

// Advance implements search.Searcher.
func (s *statsSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	m, err := s.Searcher.Advance(ctx, id)
	s.count(m)
	return m, err
}

// Close hands the counts to the run.
func (s *statsSearcher) Close() error {
	if !s.closed {
		s.closed = true
		r := s.run
		r.mu.Lock()
		for f, cs := range s.counts {
			if len(r.counts[f]) < len(cs) {
				r.counts[f] = append(r.counts[f], make([]uint32, len(cs)-len(r.counts[f]))...)
			}
			for o, n := range cs {
				r.counts[f][o] += n
			}
		}
		for k, n := range s.monthTopic {
			r.monthTopic[k] += n
		}
		for k, n := range s.monthSource {
			r.monthSource[k] += n
		}
		r.mu.Unlock()
	}
	return s.Searcher.Close()
}
