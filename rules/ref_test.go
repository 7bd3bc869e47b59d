package rules

// The matcher as it was before the throughput work (commit e4d3b07), kept
// as the reference the faster matcher must agree with, result for result.

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/textnorm"
)

// refTrie is a trie over syllable symbols. Symbol 0 means "not in any phrase".
type refTrie struct {
	syms  map[string]uint32
	root  []int32          // root edges, indexed by symbol
	edges map[uint64]int32 // node<<32 | symbol → child
	out   [][]int32        // node → phrases ending there
}

func newRefTrie() refTrie {
	return refTrie{syms: map[string]uint32{}, root: []int32{0}, edges: map[uint64]int32{}, out: [][]int32{nil}}
}

func (t *refTrie) sym(s string) uint32 {
	if v, ok := t.syms[s]; ok {
		return v
	}
	v := uint32(len(t.root))
	t.syms[s] = v
	t.root = append(t.root, 0)
	return v
}

func (t *refTrie) add(seq []string, id int32) {
	node := int32(0)
	for i, s := range seq {
		sym := t.sym(s)
		var child int32
		if i == 0 {
			child = t.root[sym]
		} else {
			child = t.edges[uint64(node)<<32|uint64(sym)]
		}
		if child == 0 {
			child = int32(len(t.out))
			t.out = append(t.out, nil)
			if i == 0 {
				t.root[sym] = child
			} else {
				t.edges[uint64(node)<<32|uint64(sym)] = child
			}
		}
		node = child
	}
	if !slices.Contains(t.out[node], id) {
		t.out[node] = append(t.out[node], id)
	}
}

type refTries struct {
	key, fold refTrie
	pool      sync.Pool // *refScratch, as Set.pool was
}

// refTriesOf builds the reference tries from the compiled phrases, as
// compile did.
func refTriesOf(s *Set) *refTries {
	rt := &refTries{key: newRefTrie(), fold: newRefTrie()}
	rt.pool.New = func() any { return new(refScratch) }
	for i := range s.phrases {
		p := &s.phrases[i]
		if p.lao {
			continue
		}
		rt.key.add(p.keys, int32(i))
		if p.foldOK || p.stop {
			rt.fold.add(p.folds, int32(i))
		}
	}
	return rt
}

func (s *Set) matchRef(rt *refTries, a article.Article, use func(*compiledRule) bool) Result {
	texts := [3]string{textnorm.Normalize(a.Title), textnorm.Normalize(a.Lead), textnorm.Normalize(a.Body)}
	sc := rt.pool.Get().(*refScratch)
	defer rt.pool.Put(sc)
	hits := sc.hits[:0]
	for f, t := range texts {
		if t != "" {
			hits = s.refScan(rt, sc, uint8(f), t, hits)
		}
	}
	defer func() { sc.hits = hits[:0] }()
	var res Result
	if len(hits) == 0 {
		return res
	}
	hits = s.refFilter(sc, hits)
	if len(hits) == 0 {
		return res
	}
	// Area.
	for _, h := range hits {
		if s.phrases[h.phrase].place != 0 {
			res.Area = true
			res.AreaTerms = append(res.AreaTerms, refTermOf(texts, h))
			if id := s.places[s.phrases[h.phrase].place-1].ID; !slices.Contains(res.Places, id) {
				res.Places = append(res.Places, id)
			}
		}
	}
	slices.Sort(res.Places)
	res.AreaTerms = refTidyTerms(res.AreaTerms)

	// Candidate rules: those using a phrase that occurred.
	var cand []int32
	for i := 0; i < len(hits); {
		p := hits[i].phrase
		cand = append(cand, s.byPhrase[p]...)
		for i < len(hits) && hits[i].phrase == p {
			i++
		}
	}
	slices.Sort(cand)
	cand = slices.Compact(cand)
	ev := refEvaluator{hits: hits}
	for _, ri := range cand {
		r := &s.rules[ri]
		if !use(r) {
			continue
		}
		ev.out = ev.out[:0]
		if !ev.eval(r.q) {
			continue
		}
		if !slices.Contains(res.Topics, r.Topic) {
			res.Topics = append(res.Topics, r.Topic)
		}
		if r.Area && !res.Area {
			continue
		}
		terms := make([]article.Term, 0, len(ev.out))
		for _, h := range ev.out {
			terms = append(terms, refTermOf(texts, h))
		}
		res.Matches = append(res.Matches, article.Match{
			Rule: r.ID, Version: r.Version, Topic: r.Topic, Severity: r.Severity,
			Audiences: slices.Clone(r.Audiences), Terms: refTidyTerms(terms),
		})
	}
	sort.Strings(res.Topics)
	sort.Slice(res.Matches, func(i, j int) bool { return res.Matches[i].Rule < res.Matches[j].Rule })
	return res
}

func refTermOf(texts [3]string, h hit) article.Term {
	return article.Term{Text: texts[h.field][h.bs:h.be], Field: fieldNames[h.field], Start: int(h.bs), End: int(h.be)}
}

// tidyTerms sorts terms by field and position and drops duplicates and terms
// that lie inside another term of the list.
func refTidyTerms(ts []article.Term) []article.Term {
	if len(ts) < 2 {
		return ts
	}
	rank := func(f string) int {
		for i, n := range fieldNames {
			if n == f {
				return i
			}
		}
		return len(fieldNames)
	}
	sort.Slice(ts, func(i, j int) bool {
		a, b := ts[i], ts[j]
		if a.Field != b.Field {
			return rank(a.Field) < rank(b.Field)
		}
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return a.End > b.End
	})
	out := ts[:1]
	for _, t := range ts[1:] {
		last := out[len(out)-1]
		if t.Field == last.Field && t.Start >= last.Start && t.End <= last.End {
			continue
		}
		out = append(out, t)
	}
	return out
}

// scan appends the hits of every phrase in one field's normalised text.
func (s *Set) refScan(rt *refTries, sc *refScratch, field uint8, text string, hits []hit) []hit {
	sc.toks = textnorm.AppendTokens(sc.toks[:0], text)
	toks := sc.toks
	if len(toks) > 0 {
		if cap(sc.syms) < len(toks) {
			sc.syms = make([]uint32, len(toks))
		}
		syms := sc.syms[:len(toks)]
		hits = rt.key.walk(syms, toks, field, false, hits)
		if len(rt.fold.out) > 1 {
			hits = rt.fold.walk(syms, toks, field, true, hits)
		}
	}
	if len(s.lao) > 0 && refHasLaoBytes(text) {
		for _, id := range s.lao {
			nk := s.phrases[id].keys // a run of Lao units, by NFKC key
			for i := 0; i+len(nk) <= len(toks); i++ {
				j := 0
				for j < len(nk) && toks[i+j].Key == nk[j] {
					j++
				}
				if j == len(nk) {
					hits = append(hits, hit{phrase: id, field: field, ts: int32(i), te: int32(i + len(nk)), bs: int32(toks[i].Start), be: int32(toks[i+len(nk)-1].End)})
					i += len(nk) - 1
				}
			}
		}
	}
	return hits
}

// hasLaoBytes reports whether text holds a rune of the Lao block
// (U+0E80–U+0EFF, UTF-8 E0 BA xx or E0 BB xx).
func refHasLaoBytes(text string) bool {
	for i := 0; ; {
		j := strings.IndexByte(text[i:], 0xE0)
		if j < 0 || i+j+1 >= len(text) {
			return false
		}
		if c := text[i+j+1]; c == 0xBA || c == 0xBB {
			return true
		}
		i += j + 1
	}
}

func (t *refTrie) walk(syms []uint32, toks []textnorm.Token, field uint8, fold bool, hits []hit) []hit {
	any := false
	for i := range toks {
		k := toks[i].Key
		if fold {
			k = toks[i].Fold
		}
		syms[i] = t.syms[k]
		if syms[i] != 0 {
			any = true
		}
	}
	if !any {
		return hits
	}
	for i, sym := range syms {
		if sym == 0 {
			continue
		}
		n := t.root[sym]
		if n == 0 {
			continue
		}
		for j := i; ; {
			for _, id := range t.out[n] {
				hits = append(hits, hit{phrase: id, field: field, ts: int32(i), te: int32(j + 1),
					bs: int32(toks[i].Start), be: int32(toks[j].End)})
			}
			j++
			if j >= len(syms) || syms[j] == 0 {
				break
			}
			n = t.edges[uint64(n)<<32|uint64(syms[j])]
			if n == 0 {
				break
			}
		}
	}
	return hits
}

// scratch is per-call working memory, reused through Set.pool.
type refScratch struct {
	toks    []textnorm.Token
	syms    []uint32
	hits    []hit
	sorted  []hit
	count   []int32
	touched []int32
}

func refCmpHit(a, b hit) int {
	if a.phrase != b.phrase {
		return int(a.phrase - b.phrase)
	}
	if a.field != b.field {
		return int(a.field) - int(b.field)
	}
	if a.bs != b.bs {
		return int(a.bs - b.bs)
	}
	return int(a.be - b.be)
}

// sortHits sorts hits by phrase, field and position: a counting sort by
// phrase (hits arrive in text order), then a check of each bucket.
func (s *Set) refSortHits(sc *refScratch, hits []hit) {
	if len(sc.count) < len(s.phrases) {
		sc.count = make([]int32, len(s.phrases))
	}
	cnt := sc.count
	touched := sc.touched[:0]
	for _, h := range hits {
		if cnt[h.phrase] == 0 {
			touched = append(touched, h.phrase)
		}
		cnt[h.phrase]++
	}
	slices.Sort(touched)
	off := int32(0)
	for _, p := range touched {
		c := cnt[p]
		cnt[p] = off
		off += c
	}
	if cap(sc.sorted) < len(hits) {
		sc.sorted = make([]hit, len(hits))
	}
	out := sc.sorted[:len(hits)]
	for _, h := range hits {
		out[cnt[h.phrase]] = h
		cnt[h.phrase]++
	}
	lo := int32(0)
	for _, p := range touched {
		hi := cnt[p]
		if b := out[lo:hi]; !slices.IsSortedFunc(b, refCmpHit) {
			slices.SortFunc(b, refCmpHit)
		}
		lo = hi
		cnt[p] = 0
	}
	copy(hits, out)
	sc.touched = touched[:0]
}

// filter drops hits inside a stop phrase and hits whose context is missing,
// and returns the rest sorted by phrase, field and position, without
// duplicates. Stop-phrase hits are dropped too, unless the stop phrase is
// also a term of its own.
func (s *Set) refFilter(sc *refScratch, hits []hit) []hit {
	s.refSortHits(sc, hits)
	hits = slices.Compact(hits)
	var stops []hit
	needCtx := false
	for _, h := range hits {
		p := &s.phrases[h.phrase]
		if p.stop {
			stops = append(stops, h)
		}
		if len(p.context) > 0 {
			needCtx = true
		}
	}
	if len(stops) > 0 {
		out := hits[:0]
		for _, h := range hits {
			if !refInsideStop(h, stops) {
				out = append(out, h)
			}
		}
		hits = out
	}
	if needCtx {
		keep := make([]bool, len(hits))
		for i, h := range hits {
			p := &s.phrases[h.phrase]
			keep[i] = len(p.context) == 0 || refHasContext(hits, h, p)
		}
		out := hits[:0]
		for i, h := range hits {
			if keep[i] {
				out = append(out, h)
			}
		}
		hits = out
	}
	return hits
}

func refInsideStop(h hit, stops []hit) bool {
	for _, st := range stops {
		if st.field == h.field && st.bs <= h.bs && h.be <= st.be && st.be-st.bs > h.be-h.bs {
			return true
		}
	}
	return false
}

func refHasContext(hits []hit, h hit, p *phrase) bool {
	for _, c := range p.context {
		for _, ch := range refPhraseHits(hits, c) {
			if p.window == 0 {
				return true
			}
			if ch.field == h.field && refGap(h, ch) <= p.window {
				return true
			}
		}
	}
	return false
}

func refGap(a, b hit) int32 {
	return max(0, b.ts-a.te, a.ts-b.te)
}

// phraseHits returns the hits of phrase p; hits are sorted by phrase.
func refPhraseHits(hits []hit, p int32) []hit {
	lo := sort.Search(len(hits), func(i int) bool { return hits[i].phrase >= p })
	hi := lo
	for hi < len(hits) && hits[hi].phrase == p {
		hi++
	}
	return hits[lo:hi]
}

// evaluator evaluates a query over the filtered hits and collects the hits
// that make it true.
type refEvaluator struct {
	hits []hit
	out  []hit
}

func (e *refEvaluator) eval(n *node) bool {
	switch n.op {
	case opPhrase:
		found := false
		for _, h := range refPhraseHits(e.hits, n.phrase) {
			if n.title && h.field != fTitle {
				continue
			}
			e.out = append(e.out, h)
			found = true
		}
		return found
	case opNot:
		mark := len(e.out)
		ok := e.eval(n.kids[0])
		e.out = e.out[:mark]
		return !ok
	case opAnd:
		mark := len(e.out)
		for _, k := range n.kids {
			if !e.eval(k) {
				e.out = e.out[:mark]
				return false
			}
		}
		return true
	case opOr:
		found := false
		for _, k := range n.kids {
			if e.eval(k) {
				found = true
			}
		}
		return found
	case opNear:
		mark := len(e.out)
		if !e.eval(n.kids[0]) {
			e.out = e.out[:mark]
			return false
		}
		mid := len(e.out)
		if !e.eval(n.kids[1]) {
			e.out = e.out[:mark]
			return false
		}
		left := slices.Clone(e.out[mark:mid])
		right := slices.Clone(e.out[mid:])
		e.out = e.out[:mark]
		usedR := make([]bool, len(right))
		for _, l := range left {
			used := false
			for j, r := range right {
				if l.field == r.field && refGap(l, r) <= int32(n.n) {
					used = true
					usedR[j] = true
				}
			}
			if used {
				e.out = append(e.out, l)
			}
		}
		for j, r := range right {
			if usedR[j] {
				e.out = append(e.out, r)
			}
		}
		return len(e.out) > mark
	}
	return false
}
