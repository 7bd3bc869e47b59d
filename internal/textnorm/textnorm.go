// Package textnorm is the one Vietnamese text normaliser used for documents,
// rules and queries alike (see shared/domain/vietnamese.md §1.9).
// In: any UTF-8 string. Out: normalised text, syllable keys and folded keys.
// No I/O, no state.
package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns s in the form every stored document uses: NFC (NFKC for
// Lao script), invisible characters removed, every space variant turned into
// U+0020, dash variants turned into '-', curly quotes into straight ones.
// Case and diacritics are kept. Byte offsets reported by Tokens refer to this
// form. Normalize is idempotent.
func Normalize(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u00ad' || r == '\u2060':
			continue
		case r == '\u00a0' || r == '\u2007' || r == '\u202f' || r == '\u3000' || (r >= '\u2000' && r <= '\u200a'):
			b.WriteByte(' ')
		case r == '\u2010' || r == '\u2011' || r == '\u2012' || r == '\u2013' || r == '\u2014' || r == '\u2015' || r == '\u2212':
			b.WriteByte('-')
		case r == '\u2018' || r == '\u2019' || r == '\u201a' || r == '\u201b':
			b.WriteByte('\'')
		case r == '\u201c' || r == '\u201d' || r == '\u201e' || r == '\u201f' || r == '\u00ab' || r == '\u00bb':
			b.WriteByte('"')
		case r == utf8.RuneError:
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	if hasLao(out) {
		out = norm.NFKC.String(out)
	}
	return out
}

func hasLao(s string) bool {
	for _, r := range s {
		if r >= 0x0E80 && r <= 0x0EFF {
			return true
		}
	}
	return false
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

// Key returns the tone-placement-independent key of one syllable or of a
// whole text: lower case, NFC, each syllable's tone mark moved to a tag digit
// at the end of the syllable ("hòa" and "hoà" both give "hoa2"; "Lào" gives
// "lao2", distinct from "lao"). Shape marks (â ă ê ô ơ ư đ) are kept.
// Syllables are separated by single spaces in the result.
func Key(s string) string {
	toks := Tokens(Normalize(s))
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.Key
	}
	return strings.Join(parts, " ")
}

// Fold returns the diacritic-free key of s: lower case, every mark removed,
// đ mapped to d, syllables separated by single spaces ("Biên giới" → "bien gioi").
func Fold(s string) string {
	toks := Tokens(Normalize(s))
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.Fold
	}
	return strings.Join(parts, " ")
}

// HasDiacritics reports whether s contains any Vietnamese mark or đ, i.e.
// whether a query was typed with diacritics.
func HasDiacritics(s string) bool {
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

// Tokens splits s, which should already be Normalize'd, into syllables.
func Tokens(s string) []Token {
	var out []Token
	start := -1
	for i, r := range s {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, makeToken(s[start:i], start, i))
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, makeToken(s[start:], start, len(s)))
	}
	return out
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func makeToken(w string, start, end int) Token {
	lw := strings.ToLower(w)
	var key, fold strings.Builder
	tone := 0
	for _, r := range norm.NFD.String(lw) {
		if t := toneOf(r); t > 0 {
			tone = t
			continue
		}
		key.WriteRune(r)
		switch {
		case r == 'đ':
			fold.WriteByte('d')
		case unicode.Is(unicode.Mn, r):
		default:
			fold.WriteRune(r)
		}
	}
	k := norm.NFC.String(key.String())
	if tone > 0 {
		k += string(rune('0' + tone))
	}
	return Token{Key: k, Fold: fold.String(), Start: start, End: end}
}
