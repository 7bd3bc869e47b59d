package indexer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/textnorm"
)

// QueryError is a query the user must fix; its message is Vietnamese, for
// the UI, the API's 400 answer and the CLI's one-line error.
type QueryError struct {
	Query string
	Msg   string
}

func (e *QueryError) Error() string { return "truy vấn không hợp lệ: " + e.Msg }

// term is one word or "phrase" of a query: its syllables' keys and folds.
type term struct {
	keys, folds []string
	folded      bool // typed without diacritics: the folded fields count too
}

// qop is the kind of a query node.
type qop uint8

const (
	qTerm qop = iota // a word or a "phrase"
	qRun             // words typed side by side: one Vietnamese word, probably
	qAnd
	qOr
	qNot
	qNear
)

// qnode is one node of a parsed search query.
type qnode struct {
	op    qop
	kids  []*qnode // qRun: its words (qTerm); qAnd, qOr; qNot: one; qNear: two
	t     term     // qTerm
	title bool     // qTerm: in the title only
	near  int      // qNear: the largest gap in syllables
	// strict (qRun) makes the words a phrase: set by Index.resolveRuns for
	// words typed without diacritics whose side-by-side form exists.
	strict bool
}

// parsed is a checked query. root is nil for a query without words
// (filters only).
type parsed struct {
	root    *qnode
	notices []string // what the search made of the query, in Vietnamese
}

// Boosts: the title weighs more than the body; an exact (diacritic) match
// more than a folded one; words of a run that stand side by side more than
// words scattered over the text.
const (
	boostTitle = 3.0
	boostExact = 2.0
	boostRun   = 100.0
)

// Limits that keep a hostile or mistaken query from costing much.
const (
	maxQueryTerms = 32
	maxQueryDepth = 16
	maxNearGap    = 1000
)

// The search query language is the rules' (rules/query.go), with two
// leniencies a search box needs: terms side by side are AND-ed, and
// -term is NOT term.
//
//	expr    = and { "OR" and }
//	and     = unary { [ "AND" ] unary }
//	unary   = ( "NOT" | "-" ) unary | near
//	near    = primary { "NEAR/" n primary }
//	primary = [ "title:" ] ( `"phrase"` | word | "(" expr ")" )
//
// Words typed side by side (no operator, no quotes) form a run: a
// Vietnamese word is several syllables, so "bien gioi" means "biên giới".
// A run's words must all appear; where they stand side by side the
// document ranks first, and a run typed without diacritics must stand side
// by side when that form exists in the archive (Index.resolveRuns). OR,
// AND and NOT bind runs, not single syllables: `ma tuy OR buon lau` is
// "ma túy" or "buôn lậu".

type qtokKind uint8

const (
	qtEOF qtokKind = iota
	qtWord
	qtPhrase
	qtAnd
	qtOr
	qtNot
	qtMinus
	qtNear
	qtLParen
	qtRParen
	qtTitle
)

type qtok struct {
	kind qtokKind
	text string
	n    int
}

func lexSearch(q string, bad func(string) error) ([]qtok, error) {
	var toks []qtok
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '(':
			toks = append(toks, qtok{kind: qtLParen})
			i++
			continue
		case c == ')':
			toks = append(toks, qtok{kind: qtRParen})
			i++
			continue
		case c == '"':
			end := strings.IndexByte(q[i+1:], '"')
			if end < 0 {
				return nil, bad("thiếu dấu ngoặc kép đóng")
			}
			toks = append(toks, qtok{kind: qtPhrase, text: q[i+1 : i+1+end]})
			i += end + 2
			continue
		case c == '-' && i+1 < len(q) && !unicode.IsSpace(rune(q[i+1])) && q[i+1] != ')':
			toks = append(toks, qtok{kind: qtMinus})
			i++
			continue
		}
		end := strings.IndexFunc(q[i:], func(r rune) bool { return unicode.IsSpace(r) || r == '"' || r == '(' || r == ')' })
		if end < 0 {
			end = len(q) - i
		}
		w := q[i : i+end]
		i += end
		switch {
		case w == "OR":
			toks = append(toks, qtok{kind: qtOr, text: w})
		case w == "AND":
			toks = append(toks, qtok{kind: qtAnd, text: w})
		case w == "NOT":
			toks = append(toks, qtok{kind: qtNot, text: w})
		case strings.HasPrefix(w, "NEAR/"):
			n, err := strconv.Atoi(w[len("NEAR/"):])
			if err != nil || n < 0 || n > maxNearGap {
				return nil, bad(fmt.Sprintf("%s: sau NEAR/ cần một số từ 0 đến %d (ví dụ NEAR/30)", w, maxNearGap))
			}
			toks = append(toks, qtok{kind: qtNear, text: w, n: n})
		case strings.HasPrefix(strings.ToLower(w), "title:"):
			toks = append(toks, qtok{kind: qtTitle})
			if rest := w[len("title:"):]; rest != "" {
				toks = append(toks, qtok{kind: qtWord, text: rest})
			}
		default:
			toks = append(toks, qtok{kind: qtWord, text: w})
		}
	}
	return append(toks, qtok{kind: qtEOF}), nil
}

type qparser struct {
	toks  []qtok
	pos   int
	depth int
	terms int
	bad   func(string) error
}

func (p *qparser) peek() qtok { return p.toks[p.pos] }
func (p *qparser) next() qtok { t := p.toks[p.pos]; p.pos++; return t }

// parseQuery reads the search query language (see above).
func parseQuery(q string) (parsed, error) {
	q = textnorm.NormalizeQuery(q)
	bad := func(msg string) error { return &QueryError{Query: q, Msg: msg} }
	toks, err := lexSearch(q, bad)
	if err != nil {
		return parsed{}, err
	}
	p := &qparser{toks: toks, bad: bad}
	root, err := p.expr()
	if err != nil {
		return parsed{}, err
	}
	if t := p.peek(); t.kind != qtEOF {
		return parsed{}, bad("dấu ngoặc đóng “)” thừa")
	}
	if root != nil && !positive(root) {
		return parsed{}, bad("cần ít nhất một từ không bị loại trừ")
	}
	if p.terms > maxQueryTerms {
		return parsed{}, bad("quá nhiều từ")
	}
	return parsed{root: root}, nil
}

// positive reports whether n can match a document by itself: not a NOT,
// nor an AND of NOTs only.
func positive(n *qnode) bool {
	switch n.op {
	case qNot:
		return false
	case qAnd:
		return slices.ContainsFunc(n.kids, positive)
	}
	return true
}

func (p *qparser) enter() error {
	p.depth++
	if p.depth > maxQueryDepth {
		return p.bad("quá nhiều ngoặc lồng nhau")
	}
	return nil
}

func (p *qparser) expr() (*qnode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != qtOr {
		return first, nil
	}
	or := &qnode{op: qOr}
	for alt := first; ; {
		if alt == nil {
			return nil, p.bad("OR phải đứng giữa hai từ hoặc cụm từ")
		}
		if !positive(alt) {
			return nil, p.bad("một vế của OR không thể chỉ gồm từ bị loại trừ")
		}
		if alt.op == qOr {
			or.kids = append(or.kids, alt.kids...)
		} else {
			or.kids = append(or.kids, alt)
		}
		if p.peek().kind != qtOr {
			return or, nil
		}
		p.next()
		if alt, err = p.and(); err != nil {
			return nil, err
		}
	}
}

// and reads terms side by side or joined by AND; bare words side by side
// become runs.
func (p *qparser) and() (*qnode, error) {
	var kids, run []*qnode
	flush := func() {
		switch len(run) {
		case 0:
		case 1:
			kids = append(kids, run[0])
		default:
			kids = append(kids, newRun(run))
		}
		run = nil
	}
	for {
		t := p.peek()
		switch t.kind {
		case qtEOF, qtOr, qtRParen:
			flush()
			switch len(kids) {
			case 0:
				return nil, nil
			case 1:
				return kids[0], nil
			}
			return &qnode{op: qAnd, kids: kids}, nil
		case qtAnd:
			p.next()
			if len(kids) == 0 && len(run) == 0 {
				return nil, p.bad("AND phải đứng giữa hai từ hoặc cụm từ")
			}
			if k := p.peek().kind; k == qtEOF || k == qtOr || k == qtRParen || k == qtAnd {
				return nil, p.bad("AND phải đứng giữa hai từ hoặc cụm từ")
			}
			flush()
		}
		bare := t.kind == qtWord && p.toks[p.pos+1].kind != qtNear
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		if n == nil {
			continue // punctuation alone
		}
		if bare && n.op == qTerm && len(n.t.keys) == 1 {
			run = append(run, n)
			continue
		}
		flush()
		kids = append(kids, n)
	}
}

func newRun(words []*qnode) *qnode {
	return &qnode{op: qRun, kids: words}
}

func (p *qparser) unary() (*qnode, error) {
	switch t := p.peek(); t.kind {
	case qtNot, qtMinus:
		p.next()
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		var n *qnode
		var err error
		if t.kind == qtMinus {
			n, err = p.primary(false)
		} else {
			n, err = p.unary()
		}
		if err != nil {
			return nil, err
		}
		if n == nil {
			return nil, p.bad("sau NOT hoặc dấu - cần một từ hoặc cụm từ")
		}
		return &qnode{op: qNot, kids: []*qnode{n}}, nil
	}
	return p.near()
}

func (p *qparser) near() (*qnode, error) {
	left, err := p.primary(false)
	if err != nil || p.peek().kind != qtNear {
		return left, err
	}
	t := p.next()
	right, err := p.primary(false)
	if err != nil {
		return nil, err
	}
	if !nearOperand(left) || !nearOperand(right) {
		return nil, p.bad(fmt.Sprintf("%s nối hai từ, cụm từ hoặc nhóm (… OR …) của chúng, ví dụ: \"ma túy\" %s (\"biên giới\" OR Lào)", t.text, t.text))
	}
	if p.peek().kind == qtNear {
		return nil, p.bad("mỗi NEAR/n chỉ nối hai vế; dùng ngoặc và AND để nối thêm")
	}
	return &qnode{op: qNear, kids: []*qnode{left, right}, near: t.n}, nil
}

// nearOperand reports whether n can stand beside NEAR/n: a term, a run
// (taken as a phrase) or an OR of those.
func nearOperand(n *qnode) bool {
	switch {
	case n == nil:
		return false
	case n.op == qTerm || n.op == qRun:
		return true
	case n.op == qOr:
		return !slices.ContainsFunc(n.kids, func(k *qnode) bool { return k.op != qTerm && k.op != qRun })
	}
	return false
}

func (p *qparser) primary(title bool) (*qnode, error) {
	t := p.next()
	switch t.kind {
	case qtTitle:
		if p.peek().kind == qtEOF {
			return nil, p.bad("sau title: cần một từ, cụm từ hoặc nhóm trong ngoặc")
		}
		n, err := p.primary(true)
		if err == nil && n == nil {
			err = p.bad("sau title: cần một từ, cụm từ hoặc nhóm trong ngoặc")
		}
		return n, err
	case qtPhrase, qtWord:
		tm, ok := makeTerm(t.text)
		if !ok {
			if t.kind == qtPhrase {
				return nil, p.bad(fmt.Sprintf("cụm từ %q không có chữ nào", t.text))
			}
			return nil, nil
		}
		p.terms++
		return &qnode{op: qTerm, t: tm, title: title}, nil
	case qtLParen:
		n, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.next().kind != qtRParen {
			return nil, p.bad("thiếu dấu ngoặc đóng “)”")
		}
		if n == nil {
			return nil, p.bad("cặp ngoặc không có từ nào")
		}
		if title {
			n.walk(func(k *qnode) { k.title = true })
		}
		return n, nil
	case qtRParen:
		return nil, p.bad("dấu ngoặc đóng “)” thừa")
	case qtNear:
		return nil, p.bad(fmt.Sprintf("%s cần một từ hoặc cụm từ ở mỗi bên, ví dụ: \"ma túy\" %s \"biên giới\"", t.text, t.text))
	case qtEOF:
		return nil, p.bad("truy vấn dừng giữa chừng: thiếu một từ ở cuối")
	}
	return nil, p.bad(fmt.Sprintf("%s phải đứng giữa hai từ hoặc cụm từ", t.text))
}

// walk calls f on n and every node below it.
func (n *qnode) walk(f func(*qnode)) {
	f(n)
	for _, k := range n.kids {
		k.walk(f)
	}
}

func makeTerm(text string) (term, bool) {
	toks := textnorm.Tokens(text)
	if len(toks) == 0 {
		return term{}, false
	}
	t := term{folded: !textnorm.HasDiacritics(text)}
	for _, tk := range toks {
		t.keys = append(t.keys, tk.Key)
		t.folds = append(t.folds, tk.Fold)
	}
	return t, true
}

// fieldQuery matches a term's syllables in one field: a term query for one
// syllable, a phrase query for several (Bleve's with blevePhrases).
func fieldQuery(terms []string, field string, boost float64, blevePhrases bool) query.Query {
	if len(terms) == 1 {
		tq := bleve.NewTermQuery(terms[0])
		tq.SetField(field)
		tq.SetBoost(boost)
		return tq
	}
	alts := make([][]string, len(terms))
	for i, t := range terms {
		alts[i] = []string{t}
	}
	return &phraseQuery{alts: alts, field: field, boost: boost, bleve: blevePhrases}
}

// termQuery is a term searched in the title and the body (the title only
// with titleOnly). Typed with diacritics it matches the exact fields only. Typed without, it matches
// folded, which covers the text written without diacritics too: a single
// syllable in the folded fields, several as a phrase in the exact fields
// with every syllable standing for all the keys that fold to it (the folded
// fields keep no positions). Searching the exact fields as well would only
// add a boost for text that happens to lack diacritics, at twice the cost.
func termQuery(t term, titleOnly, blevePhrases bool) query.Query {
	var title, body query.Query
	switch {
	case !t.folded:
		title, body = fieldQuery(t.keys, fTitle, boostTitle*boostExact, blevePhrases), fieldQuery(t.keys, fBody, boostExact, blevePhrases)
	case len(t.folds) == 1:
		title, body = fieldQuery(t.folds, fTitleFold, boostTitle, blevePhrases), fieldQuery(t.folds, fBodyFold, 1, blevePhrases)
	default:
		title, body = foldedPhrase(t.folds, fTitle, boostTitle, blevePhrases), foldedPhrase(t.folds, fBody, 1, blevePhrases)
	}
	if titleOnly {
		return title
	}
	return bleve.NewDisjunctionQuery(title, body)
}

// foldedPhrase matches the folded syllables folds, in order, in an exact
// field: at each position any key whose fold is that syllable.
func foldedPhrase(folds []string, field string, boost float64, blevePhrases bool) query.Query {
	alts := make([][]string, len(folds))
	for i, f := range folds {
		alts[i] = keysFolding(f)
	}
	return &phraseQuery{alts: alts, field: field, boost: boost, bleve: blevePhrases}
}

// shapeVariants are the letters that fold to an ASCII letter without being
// a tone: Vietnamese shape marks first, then the common Latin ones that
// textnorm.Key keeps (the tone marks á à ả ã ạ, and ñ, become a digit).
var shapeVariants = map[byte][]string{
	'a': {"ă", "â", "ä", "å"},
	'e': {"ê", "ë"},
	'i': {"î", "ï"},
	'o': {"ô", "ơ", "ö"},
	'u': {"ư", "ü", "û"},
	'd': {"đ"},
	'c': {"ç"},
}

// maxFoldKeys bounds the keys one folded syllable expands to; past it only
// the Vietnamese shape marks are tried.
const maxFoldKeys = 128

// keysFolding returns every textnorm key whose fold is the syllable f: each
// letter with or without its shape marks, each with no tone or one of the
// five tone digits textnorm.Key appends ("bien" → bien, bien1 … biên5).
func keysFolding(f string) []string {
	bases := expandShapes(f, false)
	if len(bases)*6 > maxFoldKeys {
		bases = expandShapes(f, true)
	}
	out := make([]string, 0, len(bases)*6)
	for _, b := range bases {
		out = append(out, b)
		if len(b) > 0 && b[len(b)-1] >= '0' && b[len(b)-1] <= '9' {
			continue // a syllable ending in a digit carries no tone tag
		}
		for d := byte('1'); d <= '5'; d++ {
			out = append(out, b+string(d))
		}
	}
	return out
}

func expandShapes(f string, vietnameseOnly bool) []string {
	out := []string{""}
	for i := 0; i < len(f); i++ {
		c := f[i]
		opts := []string{string(c)}
		if vs, ok := shapeVariants[c]; ok {
			for _, v := range vs {
				if vietnameseOnly && !strings.ContainsAny(v, "ăâêôơưđ") {
					continue
				}
				opts = append(opts, v)
			}
		}
		next := make([]string, 0, len(out)*len(opts))
		for _, p := range out {
			for _, o := range opts {
				next = append(next, p+o)
			}
		}
		out = next
	}
	return out
}

// slots returns, for each syllable of the words, the keys a phrase may
// have there: the key typed with diacritics, or every key that folds to a
// syllable typed without.
func slots(words []term) [][]string {
	var alts [][]string
	for _, w := range words {
		for i := range w.keys {
			if w.folded {
				alts = append(alts, keysFolding(w.folds[i]))
			} else {
				alts = append(alts, []string{w.keys[i]})
			}
		}
	}
	return alts
}

// words returns the terms of a run.
func (n *qnode) words() []term {
	ws := make([]term, len(n.kids))
	for i, k := range n.kids {
		ws[i] = k.t
	}
	return ws
}

// folded reports whether every word of a run was typed without diacritics.
func (n *qnode) folded() bool {
	return !slices.ContainsFunc(n.kids, func(k *qnode) bool { return !k.t.folded })
}

// runPhrase matches a run's words side by side, in the title or the body.
func runPhrase(words []term, boost float64, blevePhrases bool) query.Query {
	alts := slots(words)
	exact := 1.0
	if !slices.ContainsFunc(words, func(t term) bool { return t.folded }) {
		exact = boostExact
	}
	return bleve.NewDisjunctionQuery(
		&phraseQuery{alts: alts, field: fTitle, boost: boost * boostTitle * exact, bleve: blevePhrases},
		&phraseQuery{alts: alts, field: fBody, boost: boost * exact, bleve: blevePhrases},
	)
}

// bleveQuery turns the node into a Bleve query.
func (n *qnode) bleveQuery(blevePhrases bool) query.Query {
	switch n.op {
	case qTerm:
		return termQuery(n.t, n.title, blevePhrases)
	case qRun:
		if n.strict {
			return runPhrase(n.words(), 1, blevePhrases)
		}
		bq := bleve.NewBooleanQuery()
		for _, k := range n.kids {
			bq.AddMust(k.bleveQuery(blevePhrases))
		}
		bq.AddShould(runPhrase(n.words(), boostRun, blevePhrases))
		return bq
	case qAnd:
		bq := bleve.NewBooleanQuery()
		for _, k := range n.kids {
			if k.op == qNot {
				bq.AddMustNot(k.kids[0].bleveQuery(blevePhrases))
			} else {
				bq.AddMust(k.bleveQuery(blevePhrases))
			}
		}
		return bq
	case qOr:
		alts := make([]query.Query, len(n.kids))
		for i, k := range n.kids {
			alts[i] = k.bleveQuery(blevePhrases)
		}
		return bleve.NewDisjunctionQuery(alts...)
	case qNear:
		a, b := nearPhrases(n.kids[0]), nearPhrases(n.kids[1])
		title := n.kids[0].allTitle() && n.kids[1].allTitle()
		qs := []query.Query{&nearQuery{a: a, b: b, gap: n.near, field: fTitle, boost: boostTitle}}
		if !title {
			qs = append(qs, &nearQuery{a: a, b: b, gap: n.near, field: fBody, boost: 1})
		}
		return bleve.NewDisjunctionQuery(qs...)
	}
	// qNot alone never reaches here: parseQuery refuses it.
	bq := bleve.NewBooleanQuery()
	bq.AddMustNot(n.kids[0].bleveQuery(blevePhrases))
	return bq
}

// allTitle reports whether every term below n is scoped to the title.
func (n *qnode) allTitle() bool {
	all := true
	n.walk(func(k *qnode) {
		if k.op == qTerm && !k.title {
			all = false
		}
	})
	return all
}

// nearPhrases lists the phrases one side of NEAR/n stands for, each as the
// keys allowed at each of its positions.
func nearPhrases(n *qnode) [][][]string {
	switch n.op {
	case qTerm:
		return [][][]string{slots([]term{n.t})}
	case qRun:
		return [][][]string{slots(n.words())}
	}
	var out [][][]string
	for _, k := range n.kids {
		out = append(out, nearPhrases(k)...)
	}
	return out
}

// runs returns the runs of the query outside NOT.
func (p parsed) runs() []*qnode {
	var out []*qnode
	var visit func(n *qnode)
	visit = func(n *qnode) {
		switch n.op {
		case qRun:
			out = append(out, n)
		case qNot:
		default:
			for _, k := range n.kids {
				visit(k)
			}
		}
	}
	if p.root != nil {
		visit(p.root)
	}
	return out
}

// text writes the run as typed, for notices.
func (n *qnode) text() string {
	ws := make([]string, len(n.kids))
	for i, k := range n.kids {
		ws[i] = strings.Join(k.t.folds, " ")
		if !k.t.folded {
			ws[i] = strings.Join(k.t.keys, " ")
		}
	}
	return strings.Join(ws, " ")
}

// marker decides which syllables of a text a snippet highlights: each
// term's syllables where they stand in order, each run's words where they
// stand side by side (its single words only when the text never has them
// side by side).
type marker struct {
	seqs []markSeq
}

// markSeq is a sequence of syllables to highlight together.
type markSeq struct {
	slots    []markSlot
	fallback []markSeq // a run's words, marked when the run is not found
}

type markSlot struct {
	key, fold string
	folded    bool
}

func (s markSlot) hit(t textnorm.Token) bool { return t.Key == s.key || s.folded && t.Fold == s.fold }

func termSeq(ts ...term) markSeq {
	var m markSeq
	for _, t := range ts {
		for i := range t.keys {
			m.slots = append(m.slots, markSlot{key: t.keys[i], fold: t.folds[i], folded: t.folded})
		}
	}
	return m
}

func (p parsed) marker() marker {
	var m marker
	var visit func(n *qnode)
	visit = func(n *qnode) {
		switch n.op {
		case qTerm:
			m.seqs = append(m.seqs, termSeq(n.t))
		case qRun:
			s := termSeq(n.words()...)
			if !n.strict {
				for _, k := range n.kids {
					s.fallback = append(s.fallback, termSeq(k.t))
				}
			}
			m.seqs = append(m.seqs, s)
		case qNot:
		default:
			for _, k := range n.kids {
				visit(k)
			}
		}
	}
	if p.root != nil {
		visit(p.root)
	}
	return m
}

// marks returns which of toks to highlight, and whether every run was
// found side by side (when not, a longer text may mark differently).
func (m marker) marks(toks []textnorm.Token) ([]bool, bool) {
	out := make([]bool, len(toks))
	all := true
	for _, s := range m.seqs {
		if s.mark(toks, out) || len(s.fallback) == 0 {
			continue
		}
		all = false
		for _, f := range s.fallback {
			f.mark(toks, out)
		}
	}
	return out, all
}

// mark sets out for every place toks hold the sequence; it reports
// whether there was one.
func (s markSeq) mark(toks []textnorm.Token, out []bool) bool {
	n := len(s.slots)
	found := false
	for i := 0; i+n <= len(toks); i++ {
		ok := true
		for j, sl := range s.slots {
			if !sl.hit(toks[i+j]) {
				ok = false
				break
			}
		}
		if ok {
			found = true
			for j := range n {
				out[i+j] = true
			}
		}
	}
	return found
}

// Unwrap makes a QueryError an errkind.Invalid: the caller must fix the query.
func (e *QueryError) Unwrap() error { return errkind.Invalid }
