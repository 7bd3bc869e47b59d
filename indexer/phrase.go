package indexer

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/scorer"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// phraseQuery is a phrase in one text field: at each position one of the
// keys alts[i] (one key for a phrase typed with diacritics, every key that
// folds to the syllable for one typed without). Its hits and scores are
// those of Bleve's (multi-)phrase query; phraseSearcher finds them faster.
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

// phraseSearcher finds a phrase by reading the postings of its keys
// straight from the segments of the index snapshot: it walks them in step,
// checks the positions of each document all slots share, and scores only
// the documents that hold the phrase. Bleve's phrase searcher builds a
// scored, location-carrying document match for every candidate in each
// term searcher, merges them in a conjunction and then checks; on phrases
// of common syllables most candidates fail and that work is wasted.
//
// Scores are Bleve's to the bit: the same term scorers (tf-idf) with the
// same statistics and query norm, summed in the order Bleve's conjunction
// and disjunction searchers sum them (children sorted by posting count with
// sort.Sort), a slot of several keys multiplied by its disjunction's
// coordination factor. (Bleve switches a disjunction of more than
// searcher.DisjunctionHeapTakeover keys to a heap whose summing order is its
// heap's; there its scores and these may differ in the last bit.)
type phraseSearcher struct {
	slots []*phraseSlot // in phrase order
	order []int         // slots sorted as Bleve's conjunction sorts them
	pos   [][]uint64    // scratch: the document positions of each slot
	tfd   index.TermFieldDoc
	id    index.IndexInternalID
	init  bool
	done  bool
	// starts, when collect is set, receives every position where the
	// phrase starts in the document scan last returned.
	collect bool
	starts  []uint64
}

// phraseSlot is one position of the phrase: one key, or several (a
// disjunction in Bleve's terms).
type phraseSlot struct {
	keys  []*phraseKey // all keys, sorted as Bleve's disjunction sorts them
	live  []*phraseKey // the keys with postings left
	count uint64
	cur   uint64 // smallest current document of live
}

// phraseKey walks one key's postings, segment after segment, in global
// document numbers.
type phraseKey struct {
	sc    *scorer.TermQueryScorer
	count uint64 // postings in all segments, deleted documents excluded
	segs  []keySegment
	si    int             // segment of p
	p     segment.Posting // current posting, valid until the next move
	doc   uint64          // its global number; math.MaxUint64 once exhausted
}

type keySegment struct {
	off, end uint64 // global numbers of the segment: [off, end)
	it       segment.PostingsIterator
}

// snapshotSegment is a segment of a scorch snapshot with its global
// document numbers and the phrase field's dictionary.
type snapshotSegment struct {
	ss       *scorch.SegmentSnapshot
	off, end uint64
	dict     segment.TermDictionary
}

func newPhraseSearcher(ctx context.Context, r index.IndexReader, alts [][]string, field string, boost float64, options search.SearcherOptions) (search.Searcher, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok || options.Explain || scoringModel(ctx) == index.BM25Scoring {
		return searcher.NewMultiPhraseSearcher(ctx, r, alts, 0, false, field, boost, options)
	}
	return buildPhraseSearcher(snap, alts, field, boost, options)
}

// buildPhraseSearcher is newPhraseSearcher on a scorch snapshot.
func buildPhraseSearcher(snap *scorch.IndexSnapshot, alts [][]string, field string, boost float64, options search.SearcherOptions) (*phraseSearcher, error) {
	r := snap
	total, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("phrase: %w", err)
	}
	var segs []snapshotSegment
	var off uint64
	for _, ss := range snap.Segments() {
		n := ss.Segment().Count() // scorch numbers documents by raw segment size
		dict, err := ss.Segment().Dictionary(field)
		if err != nil {
			return nil, fmt.Errorf("phrase: %w", err)
		}
		segs = append(segs, snapshotSegment{ss: ss, off: off, end: off + n, dict: dict})
		off += n
	}
	s := &phraseSearcher{pos: make([][]uint64, len(alts))}
	for _, keys := range alts {
		sl := &phraseSlot{}
		s.slots = append(s.slots, sl)
		for _, k := range keys {
			if k == "" {
				continue
			}
			pk := &phraseKey{doc: math.MaxUint64}
			for _, sg := range segs {
				pl, err := sg.dict.PostingsList([]byte(k), sg.ss.Deleted(), nil)
				if err != nil {
					return nil, fmt.Errorf("phrase: %w", err)
				}
				if c := pl.Count(); c > 0 {
					pk.count += c
					pk.segs = append(pk.segs, keySegment{off: sg.off, end: sg.end, it: pl.Iterator(true, true, true, nil)})
				}
			}
			pk.sc = scorer.NewTermQueryScorer([]byte(k), field, boost, total, pk.count, 0, options)
			sl.keys = append(sl.keys, pk)
			sl.count += pk.count
		}
		sort.Sort(byCount(sl.keys))
	}
	s.order = make([]int, len(s.slots))
	for i := range s.order {
		s.order[i] = i
	}
	sort.Sort(slotsByCount{s.order, s.slots})
	if len(s.slots) > 1 && s.exact() {
		s.intersect()
	}
	// As Bleve's phrase searcher does; an enclosing searcher sets it again.
	s.SetQueryNorm(1 / math.Sqrt(s.Weight()))
	return s, nil
}

// exact reports whether every slot is one key with postings.
func (s *phraseSearcher) exact() bool {
	for _, sl := range s.slots {
		if len(sl.keys) != 1 || sl.keys[0].count == 0 {
			return false
		}
	}
	return true
}

// intersect does what scorch does for a conjunction of term searchers: in
// each segment, the postings iterators of all keys share the AND of their
// bitmaps, so they step over documents some key lacks without decoding
// them. A segment some key has no postings in is dropped from all.
func (s *phraseSearcher) intersect() {
	type at struct{ k, i int }
	bySeg := map[uint64][]at{}
	for k, sl := range s.slots {
		for i, sg := range sl.keys[0].segs {
			bySeg[sg.off] = append(bySeg[sg.off], at{k, i})
		}
	}
	drop := map[uint64]bool{}
	for off, ats := range bySeg {
		if len(ats) < len(s.slots) {
			drop[off] = true
			continue
		}
		var bms []*roaring.Bitmap
		for _, a := range ats {
			o, ok := s.slots[a.k].keys[0].segs[a.i].it.(segment.OptimizablePostingsIterator)
			if !ok || o.ActualBitmap() == nil {
				bms = nil
				break
			}
			bms = append(bms, o.ActualBitmap())
		}
		if bms == nil {
			continue
		}
		bm := roaring.FastAnd(bms...)
		for _, a := range ats {
			s.slots[a.k].keys[0].segs[a.i].it.(segment.OptimizablePostingsIterator).ReplaceActual(bm)
		}
	}
	for _, sl := range s.slots {
		k := sl.keys[0]
		k.segs = slices.DeleteFunc(k.segs, func(sg keySegment) bool { return drop[sg.off] })
	}
}

// scoringModel is the scoring model Bleve's term searchers would use.
func scoringModel(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	if cb, ok := ctx.Value(search.GetScoringModelCallbackKey).(search.GetScoringModelCallbackFn); ok {
		return cb()
	}
	return ""
}

// byCount and slotsByCount sort as searcher.OrderedSearcherList does, so
// that sort.Sort permutes them exactly as it permutes Bleve's searchers.
type byCount []*phraseKey

func (b byCount) Len() int           { return len(b) }
func (b byCount) Less(i, j int) bool { return b[i].count < b[j].count }
func (b byCount) Swap(i, j int)      { b[i], b[j] = b[j], b[i] }

type slotsByCount struct {
	order []int
	slots []*phraseSlot
}

func (o slotsByCount) Len() int { return len(o.order) }
func (o slotsByCount) Less(i, j int) bool {
	return o.slots[o.order[i]].count < o.slots[o.order[j]].count
}
func (o slotsByCount) Swap(i, j int) { o.order[i], o.order[j] = o.order[j], o.order[i] }

// seek moves k to its first posting at or after doc (0: the next one).
func (k *phraseKey) seek(doc uint64) error {
	for k.si < len(k.segs) {
		sg := k.segs[k.si]
		if doc >= sg.end {
			k.si++
			continue
		}
		var p segment.Posting
		var err error
		if doc > sg.off && (k.doc == math.MaxUint64 || k.doc < sg.off || doc > k.doc) {
			p, err = sg.it.Advance(doc - sg.off)
		} else {
			p, err = sg.it.Next()
		}
		if err != nil {
			return fmt.Errorf("phrase: %w", err)
		}
		if p != nil {
			k.p, k.doc = p, sg.off+p.Number()
			return nil
		}
		k.si++
		doc = 0
	}
	k.p, k.doc = nil, math.MaxUint64
	return nil
}

// update recomputes the slot's live keys and current document.
func (sl *phraseSlot) update() {
	sl.live = sl.live[:0]
	sl.cur = math.MaxUint64
	for _, k := range sl.keys {
		if k.doc != math.MaxUint64 {
			sl.live = append(sl.live, k)
			sl.cur = min(sl.cur, k.doc)
		}
	}
}

// advance moves every key of the slot behind doc to doc or after.
func (sl *phraseSlot) advance(doc uint64) error {
	for _, k := range sl.live {
		if k.doc < doc {
			if err := k.seek(doc); err != nil {
				return err
			}
		}
	}
	sl.update()
	return nil
}

// next moves the keys standing at doc to their next posting.
func (sl *phraseSlot) next(doc uint64) error {
	for _, k := range sl.live {
		if k.doc == doc {
			if err := k.seek(doc + 1); err != nil {
				return err
			}
		}
	}
	sl.update()
	return nil
}

func (s *phraseSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	return s.scan(ctx, 0)
}

func (s *phraseSearcher) Advance(ctx *search.SearchContext, ID index.IndexInternalID) (*search.DocumentMatch, error) {
	return s.scan(ctx, ID.Value())
}

// scan returns the first document at or after from that holds the phrase.
func (s *phraseSearcher) scan(ctx *search.SearchContext, from uint64) (*search.DocumentMatch, error) {
	if s.done {
		return nil, nil
	}
	if !s.init {
		s.init = true
		for _, sl := range s.slots {
			for _, k := range sl.keys {
				if err := k.seek(0); err != nil {
					return nil, err
				}
			}
			sl.update()
		}
	}
	target := from
	for {
		// Leapfrog: bring every slot to the largest current document
		// until they all stand on the same one.
		hi := target
		for _, sl := range s.slots {
			if sl.cur < target {
				if err := sl.advance(target); err != nil {
					return nil, err
				}
			}
			if sl.cur == math.MaxUint64 {
				s.done = true
				return nil, nil
			}
			hi = max(hi, sl.cur)
		}
		if hi != target {
			target = hi
			continue
		}
		doc := target
		var m *search.DocumentMatch
		if s.holds(doc) {
			m = s.match(ctx, doc)
		}
		for _, sl := range s.slots {
			if err := sl.next(doc); err != nil {
				return nil, err
			}
		}
		if m != nil {
			return m, nil
		}
		target = doc + 1
	}
}

// holds reports whether the keys at doc stand at consecutive positions
// for slots 0, 1, ….
func (s *phraseSearcher) holds(doc uint64) bool {
	for i, sl := range s.slots {
		s.pos[i] = s.pos[i][:0]
		n := 0
		for _, k := range sl.live {
			if k.doc != doc {
				continue
			}
			for _, l := range k.p.Locations() {
				s.pos[i] = append(s.pos[i], l.Pos())
			}
			n++
		}
		if n > 1 {
			slices.Sort(s.pos[i])
		}
	}
	s.starts = s.starts[:0]
next:
	for _, p := range s.pos[0] {
		for i := 1; i < len(s.pos); i++ {
			if _, ok := slices.BinarySearch(s.pos[i], p+uint64(i)); !ok {
				continue next
			}
		}
		if !s.collect {
			return true
		}
		s.starts = append(s.starts, p)
	}
	return len(s.starts) > 0
}

// match scores doc as Bleve's conjunction of term searchers and
// disjunctions would.
func (s *phraseSearcher) match(ctx *search.SearchContext, doc uint64) *search.DocumentMatch {
	s.id = index.NewIndexInternalID(s.id, doc)
	var sum float64
	for _, i := range s.order {
		sl := s.slots[i]
		var slot float64
		matched := 0
		for _, k := range sl.keys {
			if k.doc != doc {
				continue
			}
			// The score Bleve's term searcher gives this posting.
			s.tfd = index.TermFieldDoc{ID: s.id, Freq: k.p.Frequency(), Norm: k.p.Norm()}
			dm := k.sc.Score(ctx, &s.tfd)
			slot += dm.Score
			ctx.DocumentMatchPool.Put(dm)
			matched++
		}
		if len(sl.keys) > 1 {
			slot *= float64(matched) / float64(len(sl.keys))
		}
		sum += slot
	}
	m := ctx.DocumentMatchPool.Get()
	m.IndexInternalID = index.NewIndexInternalIDFrom(m.IndexInternalID, s.id)
	m.Score = sum
	return m
}

// Close has nothing to release: segment iterators hold no resources.
func (s *phraseSearcher) Close() error { return nil }

// Weight is the conjunction's: the slots' weights summed in its order, a
// slot's being the sum of its keys' in the disjunction's order.
func (s *phraseSearcher) Weight() float64 {
	var w float64
	for _, i := range s.order {
		sl := s.slots[i]
		if len(sl.keys) == 1 {
			w += sl.keys[0].sc.Weight()
			continue
		}
		var sw float64
		for _, k := range sl.keys {
			sw += k.sc.Weight()
		}
		w += sw
	}
	return w
}

func (s *phraseSearcher) SetQueryNorm(qnorm float64) {
	for _, sl := range s.slots {
		for _, k := range sl.keys {
			k.sc.SetQueryNorm(qnorm)
		}
	}
}

func (s *phraseSearcher) Count() uint64 {
	var n uint64
	for _, sl := range s.slots {
		n += sl.count
	}
	return n
}

func (s *phraseSearcher) Min() int { return 0 }

func (s *phraseSearcher) Size() int { return 64 * (1 + len(s.slots)) }

func (s *phraseSearcher) DocumentMatchPoolSize() int { return 2 }
