package rules

import (
	"slices"
	"sort"
	"strings"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/textnorm"
)

// Result is what a Set finds in one article.
type Result struct {
	// Area reports whether the gazetteer found the area (context words
	// satisfied for ambiguous names).
	Area      bool
	AreaTerms []article.Term
	// Places are the ids of the gazetteer entries found (context words
	// satisfied), sorted, each once. Set.Communes maps them to today's communes.
	Places []string
	// Topics are the topics of every enabled rule whose query matched,
	// sorted, whether or not the rule needs the area: they classify the
	// article for search.
	Topics []string
	// Matches are the rules that fire: query matched, and the area found
	// when the rule needs it. Sorted by rule id. These make alerts.
	Matches []article.Match
}

// Field names used in article.Term.Field.
const (
	FieldTitle = "title"
	FieldLead  = "lead"
	FieldBody  = "body"
)

var fieldNames = [...]string{FieldTitle, FieldLead, FieldBody}

const (
	fTitle uint8 = iota
	fLead
	fBody
)

type hit struct {
	phrase int32
	field  uint8
	ts, te int32 // syllable span [ts, te)
	bs, be int32 // byte span into the normalised field text
}

// Match finds every rule and gazetteer name in a. Text fields are
// normalised with textnorm.Normalize (a no-op on stored articles); term
// offsets are bytes into that normalised text.
func (s *Set) Match(a article.Article) Result {
	return s.match(a, func(r *compiledRule) bool { return !r.Disabled })
}

// Classify returns the topics of a and whether it concerns the area; it is
// the indexer's Classifier.
func (s *Set) Classify(a article.Article) (topics []string, area bool) {
	r := s.Match(a)
	return r.Topics, r.Area
}

// MatchText matches a plain text as an article body.
func (s *Set) MatchText(text string) Result {
	return s.Match(article.Article{Body: text})
}

// match scans the article once and evaluates the rules that use accepts.
// The work happens in a pooled scratch; its slices are handed back empty
// (and its phrase ranges all zero) before match returns.
func (s *Set) match(a article.Article, use func(*compiledRule) bool) Result {
	sc := s.pool.Get().(*scratch)
	defer s.pool.Put(sc)
	hits := sc.hits[:0]
	var texts [3]string // normalised
	for f, t := range [3]string{a.Title, a.Lead, a.Body} {
		if t != "" {
			texts[f], hits = s.scan(sc, uint8(f), t, hits)
		}
	}
	defer func() { sc.hits = hits[:0] }()
	var res Result
	if len(hits) == 0 {
		return res
	}
	hits = s.filter(sc, hits)
	if len(hits) == 0 {
		return res
	}
	s.matchArea(sc, texts, hits, &res)
	cand := s.candidates(sc, hits)
	defer clearRanges(sc.ranges, hits)
	fired, fhits := s.fire(sc, hits, cand, use, &res)
	res.Matches = s.matches(texts, fired, fhits)
	sc.fired, sc.fhits = fired[:0], fhits[:0]
	sort.Strings(res.Topics)
	return res
}

// matchArea fills res.Area, res.Places and res.AreaTerms from the hits of
// place names.
func (s *Set) matchArea(sc *scratch, texts [3]string, hits []hit, res *Result) {
	area := sc.area[:0]
	for _, h := range hits {
		if s.phrases[h.phrase].place != 0 {
			area = append(area, h)
		}
	}
	if len(area) > 0 {
		res.Area = true
		// Places count every name found, also one inside a longer name
		// (Bát Mọt in Đồn Biên phòng Bát Mọt); the terms are tidied.
		for _, h := range area {
			res.Places = append(res.Places, s.places[s.phrases[h.phrase].place-1].ID)
		}
		slices.Sort(res.Places)
		res.Places = slices.Compact(res.Places)
		area = tidyHits(area, &sc.tmp)
		res.AreaTerms = make([]article.Term, len(area))
		for i, h := range area {
			res.AreaTerms[i] = termOf(texts, h)
		}
	}
	sc.area = area[:0]
}

// candidates indexes the hits (sorted by phrase) in sc.ranges and returns
// the candidate rules: the ranks of those using a phrase that occurred, in
// rule id order so that the matches come out sorted. The caller clears
// the ranges with clearRanges.
func (s *Set) candidates(sc *scratch, hits []hit) []int32 {
	if len(sc.ranges) < len(s.phrases) {
		sc.ranges = make([]hitRange, len(s.phrases))
	}
	ranges := sc.ranges
	cand := sc.cand[:0]
	for i := 0; i < len(hits); {
		p := hits[i].phrase
		cand = append(cand, s.ranksByPhrase[p]...)
		j := i + 1
		for j < len(hits) && hits[j].phrase == p {
			j++
		}
		ranges[p] = hitRange{int32(i), int32(j)}
		i = j
	}
	slices.Sort(cand)
	cand = slices.Compact(cand)
	sc.cand = cand[:0]
	return cand
}

// clearRanges zeroes the ranges candidates set, so the scratch goes back
// to the pool all zero.
func clearRanges(ranges []hitRange, hits []hit) {
	for _, h := range hits {
		ranges[h.phrase] = hitRange{}
	}
}

// fire evaluates the candidate rules that use accepts. Every rule whose
// query holds adds its topic to res.Topics; it fires (joins fired, its
// tidied terms appended to fhits) unless it needs the area and the
// article is not about it.
func (s *Set) fire(sc *scratch, hits []hit, cand []int32, use func(*compiledRule) bool, res *Result) (fired []firedRule, fhits []hit) {
	ev := evaluator{hits: hits, ranges: sc.ranges, out: sc.out[:0]}
	fired, fhits = sc.fired[:0], sc.fhits[:0]
	for _, rank := range cand {
		ri := s.byRank[rank]
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
		lo := len(fhits)
		fhits = append(fhits, tidyHits(ev.out, &sc.tmp)...)
		fired = append(fired, firedRule{rule: ri, lo: int32(lo), hi: int32(len(fhits))})
	}
	sc.out = ev.out[:0]
	return fired, fhits
}

// matches turns the fired rules into the result's matches, each with its
// own terms (one allocation for all of them); nil when none fired.
func (s *Set) matches(texts [3]string, fired []firedRule, fhits []hit) []article.Match {
	if len(fired) == 0 {
		return nil
	}
	ms := make([]article.Match, len(fired))
	terms := make([]article.Term, len(fhits))
	for i, h := range fhits {
		terms[i] = termOf(texts, h)
	}
	for i, f := range fired {
		r := &s.rules[f.rule]
		ms[i] = article.Match{
			Rule: r.ID, Version: r.Version, Topic: r.Topic, Severity: r.Severity,
			Audiences: slices.Clone(r.Audiences), Terms: terms[f.lo:f.hi:f.hi],
		}
	}
	return ms
}

// firedRule is a rule that fires, with its terms fhits[lo:hi].
type firedRule struct {
	rule   int32
	lo, hi int32
}

func termOf(texts [3]string, h hit) article.Term {
	return article.Term{Text: texts[h.field][h.bs:h.be], Field: fieldNames[h.field], Start: int(h.bs), End: int(h.be)}
}

// cmpTidy orders hits by field and position, longer first at the same
// start.
func cmpTidy(a, b hit) int {
	if a.field != b.field {
		return int(a.field) - int(b.field)
	}
	if a.bs != b.bs {
		return int(a.bs - b.bs)
	}
	return int(b.be - a.be)
}

// tidyHits sorts hits with cmpTidy and drops duplicates and hits that lie
// inside another hit of the list, in place. The hits of one phrase arrive
// sorted, so a query of one or two phrases gives one or two sorted runs:
// those are merged (through tmp) rather than sorted.
func tidyHits(hs []hit, tmp *[]hit) []hit {
	if len(hs) < 2 {
		return hs
	}
	k := 1
	for k < len(hs) && cmpTidy(hs[k-1], hs[k]) <= 0 {
		k++
	}
	if k < len(hs) {
		m := k + 1
		for m < len(hs) && cmpTidy(hs[m-1], hs[m]) <= 0 {
			m++
		}
		if m == len(hs) {
			*tmp = append((*tmp)[:0], hs[:k]...)
			a, b := *tmp, hs[k:]
			i := 0
			for len(a) > 0 && len(b) > 0 {
				if cmpTidy(b[0], a[0]) < 0 {
					hs[i], b = b[0], b[1:]
				} else {
					hs[i], a = a[0], a[1:]
				}
				i++
			}
			copy(hs[i:], a) // what is left of b is in place
		} else {
			slices.SortFunc(hs, cmpTidy)
		}
	}
	out := hs[:1]
	for _, h := range hs[1:] {
		last := out[len(out)-1]
		if h.field == last.field && h.bs >= last.bs && h.be <= last.be {
			continue
		}
		out = append(out, h)
	}
	return out
}

// scan normalises one field's text, returns it and appends the hits of
// every phrase in it.
func (s *Set) scan(sc *scratch, field uint8, raw string, hits []hit) (string, []hit) {
	fold := len(s.fold.out) > 1
	var text string
	text, sc.keys, sc.folds, sc.syls = textnorm.AppendSyllablesOf(sc.keys[:0], sc.folds[:0], sc.syls[:0], raw, fold)
	syls := sc.syls
	if len(syls) > 0 {
		if cap(sc.syms) < len(syls) {
			sc.syms = make([]uint32, len(syls))
		}
		syms := sc.syms[:len(syls)]
		var pad [symPad]byte
		sc.keys = append(sc.keys, pad[:]...)
		hits = s.key.walk(syms, syls, sc.keys, false, field, hits)
		if fold {
			sc.folds = append(sc.folds, pad[:]...)
			hits = s.fold.walk(syms, syls, sc.folds, true, field, hits)
		}
	}
	if len(s.lao) > 0 && hasLaoBytes(text) {
		// Lao has no spaces between words: textnorm splits it into units
		// with NFKC keys (ຳ and ໍ + າ alike), and a Lao phrase is any run
		// of its units, inside a longer run or not.
		for _, id := range s.lao {
			nk := s.phrases[id].keys
			for i := 0; i+len(nk) <= len(syls); i++ {
				j := 0
				for ; j < len(nk); j++ {
					sy := &syls[i+j]
					if string(sc.keys[sy.Key:sy.KeyEnd]) != nk[j] {
						break
					}
				}
				if j < len(nk) {
					continue
				}
				hits = append(hits, hit{phrase: id, field: field, ts: int32(i), te: int32(i + len(nk)),
					bs: syls[i].Start, be: syls[i+len(nk)-1].End})
				i += len(nk) - 1
			}
		}
	}
	return text, hits
}

// hasLaoBytes reports whether text holds a rune of the Lao block
// (U+0E80–U+0EFF, UTF-8 E0 BA xx or E0 BB xx).
func hasLaoBytes(text string) bool {
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

// walk looks every syllable up (its key, or with fold its folded key, in
// buf, which extends symPad bytes past the last key) and appends a hit for every phrase that starts at a syllable.
func (t *trie) walk(syms []uint32, syls []textnorm.Syllable, buf []byte, fold bool, field uint8, hits []hit) []hit {
	any := false
	for i := range syls {
		sy := &syls[i]
		var sym uint32
		if fold {
			sym = t.lookup(buf, int(sy.Fold), int(sy.FoldEnd-sy.Fold))
		} else {
			sym = t.lookup(buf, int(sy.Key), int(sy.KeyEnd-sy.Key))
		}
		syms[i] = sym
		if sym != 0 {
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
					bs: syls[i].Start, be: syls[j].End})
			}
			j++
			if j >= len(syms) || syms[j] == 0 {
				break
			}
			n = t.child(n, syms[j])
			if n == 0 {
				break
			}
		}
	}
	return hits
}

// scratch is per-call working memory, reused through Set.pool.
type scratch struct {
	ranges  []hitRange // all zero between calls
	tmp     []hit
	area    []hit
	cand    []int32
	out     []hit
	fired   []firedRule
	fhits   []hit
	keys    []byte
	folds   []byte
	syls    []textnorm.Syllable
	syms    []uint32
	hits    []hit
	sorted  []hit
	count   []int32
	touched []int32
}

func cmpHit(a, b hit) int {
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
func (s *Set) sortHits(sc *scratch, hits []hit) {
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
		if b := out[lo:hi]; !slices.IsSortedFunc(b, cmpHit) {
			slices.SortFunc(b, cmpHit)
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
func (s *Set) filter(sc *scratch, hits []hit) []hit {
	s.sortHits(sc, hits)
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
			if !insideStop(h, stops) {
				out = append(out, h)
			}
		}
		hits = out
	}
	if needCtx {
		keep := make([]bool, len(hits))
		for i, h := range hits {
			p := &s.phrases[h.phrase]
			keep[i] = len(p.context) == 0 || hasContext(hits, h, p)
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

func insideStop(h hit, stops []hit) bool {
	for _, st := range stops {
		if st.field == h.field && st.bs <= h.bs && h.be <= st.be && st.be-st.bs > h.be-h.bs {
			return true
		}
	}
	return false
}

func hasContext(hits []hit, h hit, p *phrase) bool {
	for _, c := range p.context {
		for _, ch := range phraseHits(hits, c) {
			if p.window == 0 {
				return true
			}
			if ch.field == h.field && gap(h, ch) <= p.window {
				return true
			}
		}
	}
	return false
}

func gap(a, b hit) int32 {
	return max(0, b.ts-a.te, a.ts-b.te)
}

// phraseHits returns the hits of phrase p; hits are sorted by phrase.
func phraseHits(hits []hit, p int32) []hit {
	lo := sort.Search(len(hits), func(i int) bool { return hits[i].phrase >= p })
	hi := lo
	for hi < len(hits) && hits[hi].phrase == p {
		hi++
	}
	return hits[lo:hi]
}

// evaluator evaluates a query over the filtered hits and collects the hits
// that make it true.
type evaluator struct {
	hits   []hit
	ranges []hitRange // phrase → its hits
	out    []hit
}

// hitRange is the range of a phrase's hits in the filtered hits.
type hitRange struct{ lo, hi int32 }

func (e *evaluator) eval(n *node) bool {
	switch n.op {
	case opPhrase:
		return e.phrase(n)
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
		return e.near(n)
	}
	return false
}

// phrase collects the hits of a phrase node (in the title only, when it is
// scoped so) and reports whether there were any.
func (e *evaluator) phrase(n *node) bool {
	found := false
	r := e.ranges[n.phrase]
	for _, h := range e.hits[r.lo:r.hi] {
		if n.title && h.field != fTitle {
			continue
		}
		e.out = append(e.out, h)
		found = true
	}
	return found
}

// near evaluates both sides of a NEAR and keeps only the hits of each that
// have a hit of the other side close enough (keepNear); it is true when
// there are any.
func (e *evaluator) near(n *node) bool {
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
	e.keepNear(left, right, int32(n.n))
	return len(e.out) > mark
}

// keepNear appends to e.out each left hit that has a right hit in the same
// field at most maxGap syllables away, then each right hit that has such a
// left hit.
func (e *evaluator) keepNear(left, right []hit, maxGap int32) {
	usedR := make([]bool, len(right))
	for _, l := range left {
		used := false
		for j, r := range right {
			if l.field == r.field && gap(l, r) <= maxGap {
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
}
