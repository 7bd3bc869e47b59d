package indexer

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

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

// clause is one AND-ed element: alternatives joined by OR.
type clause struct{ alts []term }

// parsed is a query: clauses that must match, terms that must not.
type parsed struct {
	must []clause
	not  []term
}

// Boosts: the title weighs more than the body; an exact (diacritic) match
// more than a folded one.
const (
	boostTitle = 3.0
	boostExact = 2.0
)

// parseQuery reads the query language: words, "phrases", -exclusions and OR
// between alternatives; everything else is AND-ed.
func parseQuery(q string) (parsed, error) {
	q = textnorm.NormalizeQuery(q)
	bad := func(msg string) error { return &QueryError{Query: q, Msg: msg} }
	type item struct {
		text   string
		neg    bool
		or     bool
		phrase bool
	}
	var items []item
	for i := 0; i < len(q); {
		r := rune(q[i])
		if unicode.IsSpace(r) {
			i++
			continue
		}
		neg := false
		if q[i] == '-' && i+1 < len(q) && !unicode.IsSpace(rune(q[i+1])) {
			neg = true
			i++
		}
		if i < len(q) && q[i] == '"' {
			end := strings.IndexByte(q[i+1:], '"')
			if end < 0 {
				return parsed{}, bad("thiếu dấu ngoặc kép đóng")
			}
			items = append(items, item{text: q[i+1 : i+1+end], neg: neg, phrase: true})
			i += end + 2
			continue
		}
		end := strings.IndexFunc(q[i:], func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
		if end < 0 {
			end = len(q) - i
		}
		w := q[i : i+end]
		i += end
		if w == "OR" && !neg {
			items = append(items, item{or: true})
			continue
		}
		items = append(items, item{text: w, neg: neg})
	}
	var p parsed
	pendingOr := false
	for i, it := range items {
		if it.or {
			if i == 0 || i == len(items)-1 || items[i-1].or || items[i-1].neg || items[i+1].neg {
				return parsed{}, bad("OR phải đứng giữa hai từ hoặc cụm từ")
			}
			pendingOr = true
			continue
		}
		t, ok := makeTerm(it.text)
		if !ok {
			if it.phrase {
				return parsed{}, bad(fmt.Sprintf("cụm từ %q không có chữ nào", it.text))
			}
			if pendingOr {
				return parsed{}, bad("OR phải đứng giữa hai từ hoặc cụm từ")
			}
			continue // punctuation alone
		}
		switch {
		case it.neg:
			p.not = append(p.not, t)
		case pendingOr && len(p.must) > 0:
			c := &p.must[len(p.must)-1]
			c.alts = append(c.alts, t)
		default:
			p.must = append(p.must, clause{alts: []term{t}})
		}
		pendingOr = false
	}
	if len(p.must) == 0 && len(p.not) > 0 {
		return parsed{}, bad("cần ít nhất một từ không bị loại trừ")
	}
	if len(p.must) > 32 || len(p.not) > 32 {
		return parsed{}, bad("quá nhiều từ")
	}
	return p, nil
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

// termQuery is a term searched in the title and the body. Typed with
// diacritics it matches the exact fields only. Typed without, it matches
// folded, which covers the text written without diacritics too: a single
// syllable in the folded fields, several as a phrase in the exact fields
// with every syllable standing for all the keys that fold to it (the folded
// fields keep no positions). Searching the exact fields as well would only
// add a boost for text that happens to lack diacritics, at twice the cost.
func termQuery(t term, blevePhrases bool) query.Query {
	var title, body query.Query
	switch {
	case !t.folded:
		title, body = fieldQuery(t.keys, fTitle, boostTitle*boostExact, blevePhrases), fieldQuery(t.keys, fBody, boostExact, blevePhrases)
	case len(t.folds) == 1:
		title, body = fieldQuery(t.folds, fTitleFold, boostTitle, blevePhrases), fieldQuery(t.folds, fBodyFold, 1, blevePhrases)
	default:
		title, body = foldedPhrase(t.folds, fTitle, boostTitle, blevePhrases), foldedPhrase(t.folds, fBody, 1, blevePhrases)
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

func (p parsed) bleveQuery(blevePhrases bool) query.Query {
	if len(p.must) == 0 {
		return nil
	}
	bq := bleve.NewBooleanQuery()
	for _, c := range p.must {
		if len(c.alts) == 1 {
			bq.AddMust(termQuery(c.alts[0], blevePhrases))
			continue
		}
		alts := make([]query.Query, len(c.alts))
		for i, t := range c.alts {
			alts[i] = termQuery(t, blevePhrases)
		}
		bq.AddMust(bleve.NewDisjunctionQuery(alts...))
	}
	for _, t := range p.not {
		bq.AddMustNot(termQuery(t, blevePhrases))
	}
	return bq
}

// marker decides which syllables of a text a snippet highlights.
type marker struct {
	keys  map[string]bool
	folds map[string]bool
}

func (p parsed) marker() marker {
	m := marker{keys: map[string]bool{}, folds: map[string]bool{}}
	for _, c := range p.must {
		for _, t := range c.alts {
			for i := range t.keys {
				m.keys[t.keys[i]] = true
				if t.folded {
					m.folds[t.folds[i]] = true
				}
			}
		}
	}
	return m
}

func (m marker) hit(t textnorm.Token) bool { return m.keys[t.Key] || m.folds[t.Fold] }

// BadQuery reports true: the web server answers 400 for such errors.
func (e *QueryError) BadQuery() bool { return true }
