// Package textnorm is the one Vietnamese text normaliser used for documents,
// rules and queries alike (see shared/domain/vietnamese.md §1.9).
// In: any UTF-8 string. Out: normalised text, syllable keys and folded keys.
// No I/O, no mutable state: the lookup tables are built once at start-up and
// only read afterwards.
//
// The common case (precomposed Vietnamese, ASCII) runs through hand-written
// table-driven loops; anything unusual (decomposed marks, Lao script, other
// scripts) falls back to golang.org/x/text, so results never depend on which
// path ran (a fuzz test checks both paths agree).
package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns s in the form every stored document uses: NFC,
// invisible characters removed, every space variant turned into U+0020,
// invalid UTF-8 replaced by U+FFFD. Everything else is kept as the publisher
// wrote it: case, diacritics, typographic quotes and dashes (“ ” – —), and
// Lao code points (ຳ stays U+0EB3; the NFKC folding of Lao happens in the
// keys only, see Tokens). Byte offsets reported by Tokens refer to this form.
// Normalize is idempotent and returns s itself (no allocation) when s is
// already normal.
func Normalize(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := decode(s, i)
		if r >= tableSize || tab[r].flags&fNFCSafe == 0 {
			return normalizeSlow(s)
		}
		i += size
	}
	return s
}

// normalizeSlow maps invisible and space variants, then applies NFC when a
// rune needs it.
func normalizeSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	needNFC := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
			continue
		}
		switch mapRune(r) {
		case mapDrop:
			continue
		case mapSpace:
			b.WriteByte(' ')
			continue
		}
		if r >= tableSize || tab[r].flags&fNFCSafe == 0 {
			needNFC = true
		}
		b.WriteRune(r)
	}
	out := b.String()
	if needNFC {
		out = norm.NFC.String(out)
	}
	return out
}

const (
	mapKeep = iota
	mapDrop
	mapSpace
)

func mapRune(r rune) int {
	switch {
	case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u00ad' || r == '\u2060':
		return mapDrop
	case r == '\u00a0' || r == '\u2007' || r == '\u202f' || r == '\u3000' || (r >= '\u2000' && r <= '\u200a'):
		return mapSpace
	}
	return mapKeep
}

// NormalizeQuery is Normalize for text typed into a search box: besides,
// typographic double quotes (“ ” „ « ») become '"' so a phrase pasted from
// a document is still a phrase.
func NormalizeQuery(s string) string {
	return queryQuotes.Replace(Normalize(s))
}

var queryQuotes = strings.NewReplacer("\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u201f", `"`, "\u00ab", `"`, "\u00bb", `"`)

func isLao(r rune) bool { return r >= 0x0E80 && r <= 0x0EFF }

// HasDiacritics reports whether s contains any Vietnamese mark or đ, i.e.
// whether a query was typed with diacritics.
func HasDiacritics(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r < tableSize && tab[r].flags&fKnown != 0 {
			if tab[r].flags&fMarked != 0 {
				return true
			}
			continue
		}
		return hasDiacriticsSlow(s)
	}
	return false
}

func hasDiacriticsSlow(s string) bool {
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) || r == 'đ' || r == 'Đ' {
			return true
		}
	}
	return false
}

// Token is one syllable (a maximal run of letters, digits and marks) with its
// byte offsets into the string passed to Tokens.
type Token struct {
	Key   string // tone-canonical lower-case key, see Key
	Fold  string // diacritic-free lower-case key, see Fold
	Start int
	End   int
}

// Key returns the tone-placement-independent key of one syllable or of a
// whole text: lower case, NFC, each syllable's tone mark taken out and
// written as a tag digit at the end of the syllable (1 huyền, 2 sắc, 3 hỏi,
// 4 ngã, 5 nặng): "hòa" and "hoà" both give "hoa1"; "Lào" gives "lao1",
// distinct from "lao". Shape marks (â ă ê ô ơ ư đ) are kept. Syllables are
// separated by single spaces in the result.
func Key(s string) string {
	if out, ok := joinKeys(s, true, true); ok {
		return out
	}
	out, _ := joinKeys(Normalize(s), true, false)
	return out
}

// Fold returns the diacritic-free key of s: lower case, every mark removed,
// đ mapped to d, syllables separated by single spaces ("Biên giới" → "bien gioi").
func Fold(s string) string {
	if out, ok := joinKeys(s, false, true); ok {
		return out
	}
	out, _ := joinKeys(Normalize(s), false, false)
	return out
}

// joinKeys joins the keys (or folded keys) of the syllables of s with single
// spaces. With check set it gives up (ok false) at the first rune for which
// Normalize could change the syllables, so the caller normalises first.
func joinKeys(s string, key, check bool) (out string, ok bool) {
	buf := make([]byte, 0, len(s)+len(s)/8)
	var tmp []byte
	var fl byte
	if key {
		fl = fWantKey
	} else {
		fl = fWantFold
	}
	if check {
		fl |= fCheck
	}
	for i := 0; ; {
		n := len(buf)
		if n > 0 {
			buf = append(buf, ' ')
		}
		var st int
		if key {
			_, i, buf, tmp, st = nextToken(s, i, buf, tmp[:0], fl)
		} else {
			_, i, tmp, buf, st = nextToken(s, i, tmp[:0], buf, fl)
		}
		if st == tokBail {
			return "", false
		}
		if st == tokEnd || len(buf) <= n+1 {
			buf = buf[:n]
		}
		if st == tokEnd {
			break
		}
	}
	return string(buf), true
}

// Tokens splits s, which should already be Normalize'd, into syllables.
func Tokens(s string) []Token {
	return AppendTokens(nil, s)
}

// AppendTokens appends the syllables of s (see Tokens) to dst and returns
// the extended slice. The keys of one call share one backing allocation.
func AppendTokens(dst []Token, s string) []Token {
	type span struct{ ks, ke, fs, fe int32 }
	var (
		arena []byte
		spans []span
		tmpK  []byte
		tmpF  []byte
	)
	first := len(dst)
	for i := 0; ; {
		var start, st int
		tmpK, tmpF = tmpK[:0], tmpF[:0]
		start, i, tmpK, tmpF, st = nextToken(s, i, tmpK, tmpF, fWantKey|fWantFold)
		if st != tokOK {
			break
		}
		t := Token{Start: start, End: i}
		sp := span{-1, -1, -1, -1}
		w := s[start:i]
		if string(tmpK) == w {
			t.Key = w
		} else {
			sp.ks = int32(len(arena))
			arena = append(arena, tmpK...)
			sp.ke = int32(len(arena))
		}
		switch {
		case string(tmpF) == w:
			t.Fold = w
		case string(tmpF) == string(tmpK) && sp.ks >= 0:
			sp.fs, sp.fe = sp.ks, sp.ke
		default:
			sp.fs = int32(len(arena))
			arena = append(arena, tmpF...)
			sp.fe = int32(len(arena))
		}
		if spans == nil && (sp.ks >= 0 || sp.fs >= 0) {
			spans = make([]span, len(dst)-first, cap(dst)-first+16)
			for j := range spans {
				spans[j] = span{-1, -1, -1, -1}
			}
		}
		if spans != nil {
			spans = append(spans, sp)
		}
		dst = append(dst, t)
	}
	if spans != nil {
		a := string(arena)
		for j, sp := range spans {
			t := &dst[first+j]
			if sp.ks >= 0 {
				t.Key = a[sp.ks:sp.ke]
			}
			if sp.fs >= 0 {
				t.Fold = a[sp.fs:sp.fe]
			}
		}
	}
	return dst
}

// Modes of nextToken.
const (
	fWantKey  = 1 << iota // append the key to kb
	fWantFold             // append the folded key to fb
	fCheck                // bail out on a rune Normalize would change
)

// Results of nextToken.
const (
	tokOK = iota
	tokEnd
	tokBail
)

// decode is utf8.DecodeRuneInString with the two- and three-byte forms of
// Vietnamese letters inlined.
func decode(s string, i int) (rune, int) {
	c := s[i]
	if c >= 0xC2 && c < 0xE0 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
		return rune(c&0x1F)<<6 | rune(s[i+1]&0x3F), 2
	}
	if (c == 0xE1 || c == 0xE2) && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
		return rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F), 3
	}
	return utf8.DecodeRuneInString(s[i:])
}

// Term is one syllable's key (or folded key) with the syllable's byte
// offsets, as AppendTerms gives it.
type Term struct {
	Start, End int
	TermStart  int // the term is buf[TermStart:TermEnd] of AppendTerms' result
	TermEnd    int
}

// AppendTerms is Tokens for one kind of key: it appends the key of every
// syllable of s (the folded key with fold set) to buf and a Term to terms.
// Syllables whose folded key is empty are left out. s should already be
// Normalize'd. It is the allocation-light path of search analyzers.
func AppendTerms(buf []byte, terms []Term, s string, fold bool) ([]byte, []Term) {
	mode := byte(fWantKey)
	if fold {
		mode = fWantFold
	}
	var tmp []byte
	for i := 0; ; {
		var start, st int
		n := len(buf)
		if fold {
			start, i, tmp, buf, st = nextToken(s, i, tmp[:0], buf, mode)
		} else {
			start, i, buf, tmp, st = nextToken(s, i, buf, tmp[:0], mode)
		}
		if st != tokOK {
			return buf, terms
		}
		if len(buf) == n {
			continue
		}
		terms = append(terms, Term{Start: start, End: i, TermStart: n, TermEnd: len(buf)})
	}
}

// nextToken finds the next syllable of s at or after byte i. Depending on
// mode it appends the syllable's key to kb and its folded key to fb, and
// returns the syllable's byte range [start, end).
func nextToken(s string, i int, kb, fb []byte, mode byte) (start, end int, kb2, fb2 []byte, st int) {
	// Skip separators.
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiWord[c] {
				break
			}
			i++
			continue
		}
		r, size := decode(s, i)
		if r < tableSize {
			fl := tab[r].flags
			if mode&fCheck != 0 && fl&fTokSafe == 0 {
				return 0, i, kb, fb, tokBail
			}
			if fl&fWord != 0 {
				break
			}
		} else {
			if mode&fCheck != 0 {
				return 0, i, kb, fb, tokBail
			}
			if isWordRune(r) {
				break
			}
		}
		i += size
	}
	if i >= len(s) {
		return 0, i, kb, fb, tokEnd
	}
	start = i
	k0, f0 := len(kb), len(fb)
	tone := byte(0)
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if !asciiWord[c] {
				break
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if mode&fWantKey != 0 {
				kb = append(kb, c)
			}
			if mode&fWantFold != 0 {
				fb = append(fb, c)
			}
			i++
			continue
		}
		r, size := decode(s, i)
		if r < tableSize {
			in := &tab[r]
			if mode&fCheck != 0 && in.flags&fTokSafe == 0 {
				return 0, i, kb, fb, tokBail
			}
			if in.flags&fSimple != 0 {
				if mode&fWantKey != 0 {
					kb = append(kb, in.kb[:in.kn]...)
				}
				if mode&fWantFold != 0 {
					fb = append(fb, in.fb[:in.fn]...)
				}
				if in.tone != 0 {
					tone = in.tone
				}
				i += size
				continue
			}
			if in.flags&fWord == 0 {
				break
			}
		} else {
			if mode&fCheck != 0 {
				return 0, i, kb, fb, tokBail
			}
			if !isWordRune(r) {
				break
			}
		}
		if isLao(r) {
			if i > start {
				break // Lao after other letters starts a new token
			}
			end, kb, fb = laoToken(s, i, size, kb, fb, mode)
			return start, end, kb, fb, tokOK
		}
		// A rune the tables do not cover: finish the syllable the slow way.
		end = i + size
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if !isWordRune(r) || isLao(r) {
				break
			}
			end += size
		}
		k, f := makeKeySlow(s[start:end])
		kb, fb = kb[:k0], fb[:f0]
		if mode&fWantKey != 0 {
			kb = append(kb, k...)
		}
		if mode&fWantFold != 0 {
			fb = append(fb, f...)
		}
		return start, end, kb, fb, tokOK
	}
	if tone != 0 && mode&fWantKey != 0 {
		kb = append(kb, '0'+tone)
	}
	return start, i, kb, fb, tokOK
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// tone marks as combining characters, in tone-number order 1..5:
// huyền, sắc, hỏi, ngã, nặng.
var toneMarks = [...]rune{'\u0300', '\u0301', '\u0309', '\u0303', '\u0323'}

func toneOf(r rune) int {
	for i, m := range toneMarks {
		if r == m {
			return i + 1
		}
	}
	return 0
}

// makeKeySlow is the reference definition of a syllable's key and folded
// key, written with golang.org/x/text; the tables reproduce it.
func makeKeySlow(w string) (key, fold string) {
	lw := strings.ToLower(w)
	var kb, fb strings.Builder
	tone := 0
	for _, r := range norm.NFD.String(lw) {
		if t := toneOf(r); t > 0 {
			tone = t
			continue
		}
		kb.WriteRune(r)
		switch {
		case r == 'đ':
			fb.WriteByte('d')
		case unicode.Is(unicode.Mn, r):
		default:
			fb.WriteRune(r)
		}
	}
	k := norm.NFC.String(kb.String())
	if tone > 0 {
		k += string(rune('0' + tone))
	}
	return k, fb.String()
}

// tokensSlow is the reference tokenizer (the v0 implementation); tests check
// that Tokens agrees with it.
func tokensSlow(s string) []Token {
	var out []Token
	start := -1
	emit := func(end int) {
		k, f := makeKeySlow(s[start:end])
		out = append(out, Token{Key: k, Fold: f, Start: start, End: end})
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isLao(r) && isWordRune(r) {
			if start >= 0 {
				emit(i)
				start = -1
			}
			end := laoUnitEnd(s, i, size)
			k, f := laoKeys(s[i:end])
			out = append(out, Token{Key: k, Fold: f, Start: i, End: end})
			i = end
			continue
		}
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			i += size
			continue
		}
		if start >= 0 {
			emit(i)
			start = -1
		}
		i += size
	}
	if start >= 0 {
		emit(len(s))
	}
	return out
}
