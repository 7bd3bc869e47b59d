package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// tableSize bounds the runes the fast paths know: Latin, Latin Extended
// Additional (all precomposed Vietnamese), general punctuation and symbols.
const tableSize = 0x3000

const (
	fWord    = 1 << iota // letter, digit or mark: part of a syllable
	fSimple              // a word rune whose key and fold the table gives
	fMarked              // carries a Vietnamese mark or is đ/Đ (HasDiacritics)
	fNFCSafe             // stays NFC next to any other NFC-safe rune and needs no mapping
	fKnown               // fMarked is authoritative for this rune
	fTokSafe             // Normalize would not change how syllables containing or next to it are keyed
)

// runeInfo is what the fast paths need to know about one rune.
type runeInfo struct {
	kb    [3]byte // UTF-8 of the key rune: lower case, tone mark removed, shape marks kept
	kn    byte
	fb    [3]byte // UTF-8 of the fold rune: lower case, every mark removed, đ → d
	fn    byte
	tone  byte // 1..5, or 0
	flags byte
}

// tab is built once at start-up and only read afterwards.
var tab = buildTable()

// asciiWord marks the ASCII letters and digits.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		b := byte(c)
		t[c] = 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
	}
	return t
}()

func buildTable() *[tableSize]runeInfo {
	t := new([tableSize]runeInfo)
	var buf [utf8.UTFMax]byte
	for r := rune(0); r < tableSize; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		in := &t[r]
		str := string(buf[:utf8.EncodeRune(buf[:], r)])
		if mapRune(r) == mapKeep && !isLao(r) && !(r >= 0x1100 && r <= 0x11FF) &&
			norm.NFC.IsNormalString(str) && norm.NFC.PropertiesString(str).BoundaryBefore() {
			in.flags |= fNFCSafe | fTokSafe
		}
		if mapRune(r) == mapSpace {
			in.flags |= fTokSafe // a separator before and after mapping
		}
		if !isWordRune(r) {
			in.flags |= fKnown
			if hasDiacriticsSlow(str) {
				in.flags |= fMarked
			}
			continue
		}
		in.flags |= fWord
		if unicode.Is(unicode.Mn, r) || (r >= 0x1100 && r <= 0x11FF) || isLao(r) {
			continue // marks and scripts that compose: the slow path handles them
		}
		key, fold := makeKeySlow(str)
		tone := byte(0)
		if n := len(key); n > 1 && key[n-1] >= '1' && key[n-1] <= '5' && toneOf(lastMark(str)) > 0 {
			tone = key[n-1] - '0'
			key = key[:n-1]
		}
		kr, ks := utf8.DecodeRuneInString(key)
		fr, fs := utf8.DecodeRuneInString(fold)
		if ks != len(key) || fs != len(fold) || len(key) == 0 || len(fold) == 0 {
			continue
		}
		in.kn = byte(utf8.EncodeRune(in.kb[:], kr))
		in.fn = byte(utf8.EncodeRune(in.fb[:], fr))
		in.tone = tone
		in.flags |= fSimple | fKnown
		if hasDiacriticsSlow(str) {
			in.flags |= fMarked
		}
	}
	return t
}

// lastMark returns the tone mark in the decomposition of s, if any.
func lastMark(s string) rune {
	var m rune
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if toneOf(r) > 0 {
			m = r
		}
	}
	return m
}
