package indexer

import (
	"context"
	"fmt"
	"math"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// nearQuery is A NEAR/gap B in one text field: a document where one of the
// phrases of a and one of b stand at most gap syllables apart, in either
// order (the rule engine's NEAR: the syllables between the two, 0 when
// they touch or overlap). Each phrase is given as the keys allowed at each
// of its positions, as phraseQuery takes them. Its score is the sum of the
// phrases' scores in the document.
type nearQuery struct {
	a, b  [][][]string
	gap   int
	field string
	boost float64
}

// Searcher implements query.Query.
func (q *nearQuery) Searcher(ctx context.Context, r index.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("near: the index is not a scorch index (%T)", r)
	}
	side := func(phrases [][][]string) (*nearSide, error) {
		s := &nearSide{}
		for _, alts := range phrases {
			ps, err := buildPhraseSearcher(snap, alts, q.field, q.boost, options)
			if err != nil {
				return nil, err
			}
			ps.collect = true
			s.alts = append(s.alts, &nearAlt{ps: ps, size: uint64(len(alts)), doc: 0})
		}
		return s, nil
	}
	a, err := side(q.a)
	if err != nil {
		return nil, err
	}
	b, err := side(q.b)
	if err != nil {
		return nil, err
	}
	s := &nearSearcher{a: a, b: b, gap: uint64(q.gap)}
	s.SetQueryNorm(1 / math.Sqrt(s.Weight()))
	return s, nil
}

// nearSearcher walks both sides in step and keeps the documents where
// their phrases stand close enough.
type nearSearcher struct {
	a, b *nearSide
	gap  uint64
	done bool
}

// nearSide is one side of NEAR: alternative phrases.
type nearSide struct {
	alts []*nearAlt
}

// nearAlt is one phrase with its pending match: cur is the next document
// holding the phrase at or after the last target (nil once exhausted when
// done is set), starts its start positions there.
type nearAlt struct {
	ps     *phraseSearcher
	size   uint64 // syllables
	cur    *search.DocumentMatch
	doc    uint64
	starts []uint64
	done   bool
}

// seek brings every alternative to its first document at or after target
// and returns the smallest (math.MaxUint64 when all are exhausted).
func (s *nearSide) seek(ctx *search.SearchContext, target uint64) (uint64, error) {
	lo := uint64(math.MaxUint64)
	for _, a := range s.alts {
		if !a.done && (a.cur == nil || a.doc < target) {
			if a.cur != nil {
				ctx.DocumentMatchPool.Put(a.cur)
				a.cur = nil
			}
			m, err := a.ps.scan(ctx, target)
			if err != nil {
				return 0, err
			}
			if m == nil {
				a.done = true
			} else {
				a.cur, a.doc = m, m.IndexInternalID.Value()
				a.starts = append(a.starts[:0], a.ps.starts...)
			}
		}
		if a.cur != nil {
			lo = min(lo, a.doc)
		}
	}
	return lo, nil
}

func (s *nearSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	return s.scan(ctx, 0)
}

func (s *nearSearcher) Advance(ctx *search.SearchContext, ID index.IndexInternalID) (*search.DocumentMatch, error) {
	return s.scan(ctx, ID.Value())
}

func (s *nearSearcher) scan(ctx *search.SearchContext, target uint64) (*search.DocumentMatch, error) {
	for !s.done {
		da, err := s.a.seek(ctx, target)
		if err != nil {
			return nil, err
		}
		db, err := s.b.seek(ctx, da)
		if err != nil {
			return nil, err
		}
		if da == math.MaxUint64 || db == math.MaxUint64 {
			s.done = true
			break
		}
		if db != da {
			target = max(da, db)
			continue
		}
		m := s.take(ctx, da)
		if m != nil {
			return m, nil
		}
		target = da + 1
	}
	return nil, nil
}

// take consumes both sides' matches at doc; it returns a match scored as
// their sum when two of their phrases stand close enough, else nil.
func (s *nearSearcher) take(ctx *search.SearchContext, doc uint64) *search.DocumentMatch {
	hit := false
	for _, a := range s.a.alts {
		if a.cur == nil || a.doc != doc {
			continue
		}
		for _, b := range s.b.alts {
			if b.cur != nil && b.doc == doc && !hit {
				hit = near(a.starts, a.size, b.starts, b.size, s.gap)
			}
		}
	}
	var out *search.DocumentMatch
	for _, side := range []*nearSide{s.a, s.b} {
		for _, a := range side.alts {
			if a.cur == nil || a.doc != doc {
				continue
			}
			switch {
			case !hit:
				ctx.DocumentMatchPool.Put(a.cur)
			case out == nil:
				out = a.cur
			default:
				out.Score += a.cur.Score
				ctx.DocumentMatchPool.Put(a.cur)
			}
			a.cur = nil
		}
	}
	return out
}

// near reports whether a phrase of n syllables starting at one of as and
// one of m syllables starting at one of bs are at most gap syllables
// apart.
func near(as []uint64, n uint64, bs []uint64, m uint64, gap uint64) bool {
	for _, a := range as {
		for _, b := range bs {
			var d uint64
			switch {
			case b >= a+n:
				d = b - (a + n)
			case a >= b+m:
				d = a - (b + m)
			}
			if d <= gap {
				return true
			}
		}
	}
	return false
}

func (s *nearSearcher) Close() error { return nil }

func (s *nearSearcher) Weight() float64 {
	var w float64
	for _, side := range []*nearSide{s.a, s.b} {
		for _, a := range side.alts {
			w += a.ps.Weight()
		}
	}
	return w
}

func (s *nearSearcher) SetQueryNorm(qnorm float64) {
	for _, side := range []*nearSide{s.a, s.b} {
		for _, a := range side.alts {
			a.ps.SetQueryNorm(qnorm)
		}
	}
}

func (s *nearSearcher) Count() uint64 {
	var n uint64
	for _, side := range []*nearSide{s.a, s.b} {
		for _, a := range side.alts {
			n += a.ps.Count()
		}
	}
	return n
}

func (s *nearSearcher) Min() int { return 0 }

func (s *nearSearcher) Size() int { return 64 * (1 + len(s.a.alts) + len(s.b.alts)) }

func (s *nearSearcher) DocumentMatchPoolSize() int {
	return 2 * (1 + len(s.a.alts) + len(s.b.alts))
}

var _ search.Searcher = (*nearSearcher)(nil)
