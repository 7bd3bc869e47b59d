package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Lao is written without spaces between words, and no dictionary-free rule
// finds its word or syllable boundaries reliably. Tokens therefore splits
// Lao text into units of one code point each, so that a Lao word is a
// phrase of units and a phrase query finds it anywhere inside a longer run
// ("ຫົວພັນ" inside "ແຂວງຫົວພັນ"): substring matching on whole units, as
// shared/domain/vietnamese.md §3.3 advises. The keys of the units are NFKC,
// so the two spellings of the same text get the same keys: the pairs that
// NFKC writes as two code points (ຳ = ໍ + າ, ໜ = ຫ + ນ, ໝ = ຫ + ມ) are one
// unit in either spelling. The stored text keeps the publisher's code
// points; only keys are folded.

// laoUnitEnd returns the end of the Lao unit that starts at byte i of s,
// where a Lao rune of size bytes starts.
func laoUnitEnd(s string, i, size int) int {
	r, _ := utf8.DecodeRuneInString(s[i:])
	end := i + size
	if end >= len(s) {
		return end
	}
	next, nsize := utf8.DecodeRuneInString(s[end:])
	switch {
	case r == '\u0EAB' && (next == '\u0E99' || next == '\u0EA1'), // ຫນ, ຫມ
		r == '\u0ECD' && next == '\u0EB2': // ໍາ
		return end + nsize
	}
	return end
}

// laoKeys returns the key and the folded key of one Lao unit: NFKC, and for
// the folded key without its marks (vowel signs above and below, tone marks).
func laoKeys(u string) (key, fold string) {
	key = norm.NFKC.String(u)
	fold = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, key)
	return key, fold
}

// laoToken appends the keys of the Lao unit at s[i:] as nextToken does and
// returns its end.
func laoToken(s string, i, size int, kb, fb []byte, mode byte) (int, []byte, []byte) {
	end := laoUnitEnd(s, i, size)
	k, f := laoKeys(s[i:end])
	if mode&fWantKey != 0 {
		kb = append(kb, k...)
	}
	if mode&fWantFold != 0 {
		fb = append(fb, f...)
	}
	return end, kb, fb
}
