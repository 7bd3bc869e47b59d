package crawler

import (
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"

	"github.com/diembao/diembao/internal/pagecharset"
)

// Legacy encodings recorded in Article.LegacyEncoding.
const (
	LegacyTCVN3    = "tcvn3"
	LegacyVNI      = "vni"
	LegacyMojibake = "mojibake"
)

// decodeBody turns a page body into UTF-8 (pagecharset.Decode).
func decodeBody(body []byte, contentType string) (text, name string) {
	return pagecharset.Decode(body, contentType)
}

// repairLegacy detects text written in a legacy Vietnamese encoding (TCVN3
// shown through a Latin-1 font, VNI) or UTF-8 that was read as Windows-1252,
// and converts it to Unicode. It returns the text and the encoding it repaired
// ("" when the text looked fine). VNI is only flagged: it is returned
// unchanged with LegacyVNI.
func repairLegacy(s string) (string, string) {
	if fixed, ok := repairMojibake(s); ok {
		return fixed, LegacyMojibake
	}
	if looksTCVN3(s) {
		return convertTCVN3(s), LegacyTCVN3
	}
	if looksVNI(s) {
		return convertVNI(s), LegacyVNI
	}
	return s, ""
}

// vietRunes counts letters only Unicode Vietnamese uses (U+1EA0–U+1EF9, ă ơ ư đ).
func vietRunes(s string) int {
	n := 0
	for _, r := range s {
		if (r >= 0x1EA0 && r <= 0x1EF9) || r == 'ă' || r == 'Ă' || r == 'ơ' || r == 'Ơ' || r == 'ư' || r == 'Ư' || r == 'đ' || r == 'Đ' {
			n++
		}
	}
	return n
}

// tcvn3 maps the Latin-1 code points of TCVN3 (ABC, .VnTime fonts) to Unicode.
// Upper-case toned letters live in a separate font, so they decode lower case.
var tcvn3 = map[rune]rune{
	0xB5: 'à', 0xB6: 'ả', 0xB7: 'ã', 0xB8: 'á', 0xB9: 'ạ',
	0xA8: 'ă', 0xBB: 'ằ', 0xBC: 'ẳ', 0xBD: 'ẵ', 0xBE: 'ắ', 0xC6: 'ặ',
	0xA9: 'â', 0xC7: 'ầ', 0xC8: 'ẩ', 0xC9: 'ẫ', 0xCA: 'ấ', 0xCB: 'ậ',
	0xAE: 'đ',
	0xCC: 'è', 0xCE: 'ẻ', 0xCF: 'ẽ', 0xD0: 'é', 0xD1: 'ẹ',
	0xAA: 'ê', 0xD2: 'ề', 0xD3: 'ể', 0xD4: 'ễ', 0xD5: 'ế', 0xD6: 'ệ',
	0xD7: 'ì', 0xD8: 'ỉ', 0xDC: 'ĩ', 0xDD: 'í', 0xDE: 'ị',
	0xDF: 'ò', 0xE1: 'ỏ', 0xE2: 'õ', 0xE3: 'ó', 0xE4: 'ọ',
	0xAB: 'ô', 0xE5: 'ồ', 0xE6: 'ổ', 0xE7: 'ỗ', 0xE8: 'ố', 0xE9: 'ộ',
	0xAC: 'ơ', 0xEA: 'ờ', 0xEB: 'ở', 0xEC: 'ỡ', 0xED: 'ớ', 0xEE: 'ợ',
	0xEF: 'ù', 0xF1: 'ủ', 0xF2: 'ũ', 0xF3: 'ú', 0xF4: 'ụ',
	0xAD: 'ư', 0xF5: 'ừ', 0xF6: 'ử', 0xF7: 'ữ', 0xF8: 'ứ', 0xF9: 'ự',
	0xFA: 'ỳ', 0xFB: 'ỷ', 0xFC: 'ỹ', 0xFD: 'ý', 0xFE: 'ỵ',
	0xA1: 'Ă', 0xA2: 'Â', 0xA3: 'Ê', 0xA4: 'Ô', 0xA5: 'Ơ', 0xA6: 'Ư', 0xA7: 'Đ',
}

// looksTCVN3: many Latin-1 symbols (¸ µ ¶ ¬ ® …) used as letters, i.e.
// glued to a letter on either side, and almost no real Vietnamese letters.
func looksTCVN3(s string) bool {
	isLetter := func(r rune) bool {
		return (r < 0x80 && (r|0x20 >= 'a' && r|0x20 <= 'z')) || (r >= 0xA1 && r <= 0xFE && r != 0xD7 && r != 0xF7)
	}
	letters, inWord := 0, 0
	var prev rune
	rs := []rune(s)
	for i, r := range rs {
		if isLetter(r) {
			letters++
		}
		if r >= 0xA1 && r <= 0xBF && r != 0xAB && r != 0xBB {
			next := rune(0)
			if i+1 < len(rs) {
				next = rs[i+1]
			}
			if isLetter(prev) || isLetter(next) {
				inWord++ // a symbol glued to a letter: a TCVN3 letter
			}
		}
		prev = r
	}
	return inWord >= 3 && inWord*50 >= letters && vietRunes(s)*10 < inWord
}

func convertTCVN3(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for _, r := range s {
		if m, ok := tcvn3[r]; ok {
			b.WriteRune(m)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// VNI writes a base letter followed by a mark letter: "Tieáng Vieät".
var vniMarks = map[rune][2]int{ // mark rune -> (vowel modifier, tone)
	// tones alone: 1 huyền, 2 sắc, 3 hỏi, 4 ngã, 5 nặng
	'ø': {0, 1}, 'ù': {0, 2}, 'û': {0, 3}, 'õ': {0, 4}, 'ï': {0, 5},
	'Ø': {0, 1}, 'Ù': {0, 2}, 'Û': {0, 3}, 'Õ': {0, 4}, 'Ï': {0, 5},
	// circumflex (modifier 1), with a tone
	'â': {1, 0}, 'à': {1, 1}, 'á': {1, 2}, 'å': {1, 3}, 'ã': {1, 4}, 'ä': {1, 5},
	'Â': {1, 0}, 'À': {1, 1}, 'Á': {1, 2}, 'Å': {1, 3}, 'Ã': {1, 4}, 'Ä': {1, 5},
	// breve (modifier 2), with a tone
	'ê': {2, 0}, 'è': {2, 1}, 'é': {2, 2}, 'ú': {2, 3}, 'ü': {2, 4}, 'ë': {2, 5},
	'Ê': {2, 0}, 'È': {2, 1}, 'É': {2, 2}, 'Ú': {2, 3}, 'Ü': {2, 4}, 'Ë': {2, 5},
}

// vniSingle are VNI code points that stand for a whole letter.
var vniSingle = map[rune]string{
	'ô': "ơ", 'Ô': "Ơ", 'ö': "ư", 'Ö': "Ư", 'ñ': "đ", 'Ñ': "Đ",
	'í': "í", 'ì': "ì", 'æ': "ỉ", 'ó': "ĩ", 'ò': "ị",
	'Í': "Í", 'Ì': "Ì", 'Æ': "Ỉ", 'Ó': "Ĩ", 'Ò': "Ị",
}

var toneComb = [...]string{"", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}

func looksVNI(s string) bool {
	hits := 0
	var prev rune
	for _, r := range s {
		if _, ok := vniMarks[r]; ok && strings.ContainsRune("aeoyuAEOYU", prev) {
			hits++
		}
		if (r == 'ö' || r == 'ô') && prev >= 'a' && prev <= 'z' {
			hits++
		}
		prev = r
	}
	return hits >= 5 && vietRunes(s)*10 < hits
}

// convertVNI rebuilds Unicode letters from VNI pairs (NFD output; the caller
// normalises to NFC).
func convertVNI(s string) string {
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		base := string(r)
		if rep, ok := vniSingle[r]; ok {
			// ô/ö after a vowel-less context are ơ/ư; keep real í/ì as they are.
			base = rep
		}
		if i+1 < len(rs) && strings.ContainsRune("aeoyuiAEOYUIơưƠƯ", []rune(base)[0]) {
			if m, ok := vniMarks[rs[i+1]]; ok {
				mod := ""
				switch {
				case m[0] == 1 && strings.ContainsRune("aeoAEO", r):
					mod = "\u0302"
				case m[0] == 2 && (r == 'a' || r == 'A'):
					mod = "\u0306"
				case m[0] != 0:
					b.WriteString(base)
					continue
				}
				b.WriteString(base + mod + toneComb[m[1]])
				i++
				continue
			}
		}
		b.WriteString(base)
	}
	return b.String()
}

// cp1252Bytes maps each rune Windows-1252 decodes to back to its byte. The
// five bytes it leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) map from the C1
// controls browsers decode them to.
var cp1252Bytes = func() map[rune]byte {
	m := make(map[rune]byte, 256)
	for b := 0x80; b < 0x100; b++ {
		r := charmap.Windows1252.DecodeByte(byte(b))
		if r == utf8.RuneError {
			r = rune(b)
		}
		m[r] = byte(b)
	}
	return m
}()

// mojibakeHint is a cheap test for the byte pairs UTF-8 Vietnamese leaves
// when read as Windows-1252: "á»", "áº" (U+1Exx), "Æ°" (ư), "Ä‘" (đ), or
// "Ã" followed by a character from the 0x80–0xBF range (U+00xx letters).
func mojibakeHint(s string) bool {
	if strings.Contains(s, "á»") || strings.Contains(s, "áº") || strings.Contains(s, "Æ°") || strings.Contains(s, "Ä‘") || strings.Contains(s, "Ä\u0090") || strings.Contains(s, "Ä\uFFFD") {
		return true
	}
	for i := strings.Index(s, "Ã"); i >= 0; {
		r, _ := utf8.DecodeRuneInString(s[i+len("Ã"):])
		if _, ok := cp1252Bytes[r]; ok && (r < 0xC0 || r > 0xFF) {
			return true
		}
		j := strings.Index(s[i+1:], "Ã")
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// repairMojibake undoes UTF-8 that was decoded as Windows-1252 ("Viá»‡t"):
// every run of 2–4 characters whose Windows-1252 bytes form one UTF-8
// character is replaced by it. It reports whether enough was found to be sure.
func repairMojibake(s string) (string, bool) {
	if !mojibakeHint(s) {
		return s, false
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	fixed := 0
	var buf [4]byte
	for i := 0; i < len(rs); {
		done := false
		if rs[i] >= 0xC2 && rs[i] <= 0xF4 {
			for n := 2; n <= 4 && i+n <= len(rs) && !done; n++ {
				ok := true
				for k := 0; k < n; k++ {
					c, in := cp1252Bytes[rs[i+k]]
					if !in && rs[i+k] < 0x80 {
						ok = false
						break
					}
					if !in {
						ok = false
						break
					}
					buf[k] = c
				}
				if !ok {
					break
				}
				if r, size := utf8.DecodeRune(buf[:n]); r != utf8.RuneError && size == n {
					b.WriteRune(r)
					i += n
					fixed++
					done = true
				}
			}
			// "Ä" followed by a lost byte was almost surely "Đ" (C4 90).
			if !done && rs[i] == 'Ä' && i+1 < len(rs) && rs[i+1] == utf8.RuneError {
				b.WriteRune('Đ')
				i += 2
				fixed++
				done = true
			}
		}
		if !done {
			b.WriteRune(rs[i])
			i++
		}
	}
	if fixed < 3 || fixed*20 < vietRunes(s) {
		return s, false
	}
	return b.String(), true
}

// charsetReader decodes an XML document declared in a non-UTF-8 charset.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	return charset.NewReaderLabel(label, r)
}
