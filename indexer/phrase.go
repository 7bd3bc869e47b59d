package indexer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/scorer"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
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

// phraseSearcher finds a phrase by reading the term field readers of its
// keys directly: it walks their postings in step, checks the positions of
// each document all slots share, and scores only the documents that hold
// the phrase. Bleve's phrase searcher builds a scored, location-carrying
// document match for every candidate in each term searcher, merges them in
// a conjunction and then checks; on phrases of common syllables most
// candidates fail and that work is wasted.
//
// Scores are Bleve's to the bit: the same term scorers (tf-idf) with the
// same query norm, summed in the order Bleve's conjunction and disjunction
// searchers sum them (children sorted by posting count with sort.Sort), a
// slot of several keys multiplied by its disjunction's coordination factor.
// (Bleve switches a disjunction of more than searcher.DisjunctionHeapTakeover
// keys to a heap whose summing order is its heap's; there its scores and
// these may differ in the last bit.)
type phraseSearcher struct {
	slots []*phraseSlot // in phrase order
	order []int         // slots sorted as Bleve's conjunction sorts them
	pos   [][]uint64    // scratch: the document positions of each slot
	id    index.IndexInternalID
	tfd   index.TermFieldDoc // scratch for scoring
	done  bool
}

// phraseSlot is one position of the phrase: one key, or several (a
// disjunction in Bleve's terms).
type phraseSlot struct {
	keys  []*phraseKey // all keys, sorted as Bleve's disjunction sorts them
	live  []*phraseKey // the keys with postings left
	count uint64
	cur   uint64 // smallest current document of live
}

type phraseKey struct {
	r     index.TermFieldReader // nil: no postings
	sc    *scorer.TermQueryScorer
	count uint64
	tfd   *index.TermFieldDoc // current posting; nil once exhausted
	buf   index.TermFieldDoc
}

func newPhraseSearcher(ctx context.Context, r index.IndexReader, alts [][]string, field string, boost float64, options search.SearcherOptions) (search.Searcher, error) {
	if options.Explain || scoringModel(ctx) == index.BM25Scoring {
		return searcher.NewMultiPhraseSearcher(ctx, r, alts, 0, false, field, boost, options)
	}
	total, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("phrase: %w", err)
	}
	s := &phraseSearcher{pos: make([][]uint64, len(alts))}
	for _, keys := range alts {
		sl := &phraseSlot{}
		s.slots = append(s.slots, sl)
		for _, k := range keys {
			if k == "" {
				continue
			}
			tfr, err := r.TermFieldReader(ctx, []byte(k), field, true, true, true)
			if err != nil {
				_ = s.Close()
				return nil, fmt.Errorf("phrase: %w", err)
			}
			pk := &phraseKey{r: tfr, count: tfr.Count()}
			pk.sc = scorer.NewTermQueryScorer([]byte(k), field, boost, total, pk.count, 0, options)
			if pk.count == 0 {
				_ = tfr.Close()
				pk.r = nil
			}
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
		// As Bleve's conjunction does for term searchers: the postings
		// iterators of each segment share the AND of their bitmaps.
		var octx index.OptimizableContext
		for _, i := range s.order {
			o, ok := s.slots[i].keys[0].r.(index.Optimizable)
			if !ok {
				octx = nil
				break
			}
			if octx, err = o.Optimize("conjunction", octx); err != nil {
				_ = s.Close()
				return nil, fmt.Errorf("phrase: %w", err)
			}
			if octx == nil {
				break
			}
		}
		if octx != nil {
			if _, err := octx.Finish(); err != nil {
				_ = s.Close()
				return nil, fmt.Errorf("phrase: %w", err)
			}
		}
	}
	// As Bleve's phrase searcher does; an enclosing searcher sets it again.
	s.SetQueryNorm(1 / math.Sqrt(s.Weight()))
	return s, nil
}

// exact reports whether every slot is one key with postings.
func (s *phraseSearcher) exact() bool {
	for _, sl := range s.slots {
		if len(sl.keys) != 1 || sl.keys[0].r == nil {
			return false
		}
	}
	return true
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

// init reads the first posting of every key.
func (s *phraseSearcher) init() error {
	for _, sl := range s.slots {
		for _, k := range sl.keys {
			if k.r == nil {
				continue
			}
			tfd, err := k.r.Next(k.buf.Reset())
			if err != nil {
				return fmt.Errorf("phrase: %w", err)
			}
			k.tfd = tfd
		}
		sl.update()
	}
	return nil
}

// update recomputes the slot's live keys and current document.
func (sl *phraseSlot) update() {
	sl.live = sl.live[:0]
	sl.cur = math.MaxUint64
	for _, k := range sl.keys {
		if k.tfd != nil {
			sl.live = append(sl.live, k)
			sl.cur = min(sl.cur, k.tfd.ID.Value())
		}
	}
}

// advance moves every key of the slot behind doc to doc or after.
func (sl *phraseSlot) advance(doc uint64, id index.IndexInternalID) error {
	for _, k := range sl.live {
		if k.tfd.ID.Value() >= doc {
			continue
		}
		id.SetValue(doc)
		tfd, err := k.r.Advance(id, k.buf.Reset())
		if err != nil {
			return fmt.Errorf("phrase: %w", err)
		}
		k.tfd = tfd
	}
	sl.update()
	return nil
}

// next moves the keys standing at doc to their next posting.
func (sl *phraseSlot) next(doc uint64) error {
	for _, k := range sl.live {
		if k.tfd.ID.Value() != doc {
			continue
		}
		tfd, err := k.r.Next(k.buf.Reset())
		if err != nil {
			return fmt.Errorf("phrase: %w", err)
		}
		k.tfd = tfd
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
	if s.id == nil {
		s.id = index.NewIndexInternalID(nil, 0)
		if err := s.init(); err != nil {
			return nil, err
		}
	}
	target := from
	for {
		// Leapfrog: bring every slot to the largest current document
		// until they all stand on the same one.
		hi := target
		for _, sl := range s.slots {
			if sl.cur < target {
				if err := sl.advance(target, s.id); err != nil {
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
			if k.tfd.ID.Value() != doc {
				continue
			}
			for _, v := range k.tfd.Vectors {
				s.pos[i] = append(s.pos[i], v.Pos)
			}
			n++
		}
		if n > 1 {
			slices.Sort(s.pos[i])
		}
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

// match scores doc as Bleve's conjunction of term searchers and
// disjunctions would.
func (s *phraseSearcher) match(ctx *search.SearchContext, doc uint64) *search.DocumentMatch {
	var sum float64
	for _, i := range s.order {
		sl := s.slots[i]
		var slot float64
		matched := 0
		for _, k := range sl.keys {
			if k.tfd == nil || k.tfd.ID.Value() != doc {
				continue
			}
			slot += s.termScore(ctx, k)
			matched++
		}
		if len(sl.keys) > 1 {
			slot *= float64(matched) / float64(len(sl.keys))
		}
		sum += slot
	}
	m := ctx.DocumentMatchPool.Get()
	m.IndexInternalID = index.NewIndexInternalID(m.IndexInternalID, doc)
	m.Score = sum
	return m
}

// termScore is the score Bleve's term searcher gives k's current posting.
func (s *phraseSearcher) termScore(ctx *search.SearchContext, k *phraseKey) float64 {
	s.tfd = index.TermFieldDoc{Term: k.tfd.Term, ID: k.tfd.ID, Freq: k.tfd.Freq, Norm: k.tfd.Norm}
	dm := k.sc.Score(ctx, &s.tfd)
	score := dm.Score
	ctx.DocumentMatchPool.Put(dm)
	return score
}

func (s *phraseSearcher) Close() error {
	var errs []error
	for _, sl := range s.slots {
		for _, k := range sl.keys {
			if k.r != nil {
				errs = append(errs, k.r.Close())
				k.r = nil
			}
		}
	}
	return errors.Join(errs...)
}

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
