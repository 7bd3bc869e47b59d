package textnorm

import (
	"math"
	"slices"
	"unicode/utf8"
)

// Syllable is one syllable found by AppendSyllables: its byte range in the
// text and the ranges of its key and folded key in the caller's buffers. It
// holds no pointers, so a reused []Syllable costs the garbage collector
// nothing.
type Syllable struct {
	Start, End    int32 // the syllable is s[Start:End]
	Key, KeyEnd   int32 // its key (see Key) is keys[Key:KeyEnd]
	Fold, FoldEnd int32 // its folded key (see Fold) is folds[Fold:FoldEnd]; 0, 0 unless fold is set
}

// AppendSyllables is Tokens into caller-owned buffers: for every syllable of
// s it appends the key to keys, with fold set the folded key to folds, and a
// Syllable to syls. The syllables, their order and their keys are exactly
// those of Tokens(s); s should already be Normalize'd and be shorter than
// 2 GiB. Reusing the three buffers makes it allocation-free; it is the path
// of matchers that look every syllable up.
func AppendSyllables(keys, folds []byte, syls []Syllable, s string, fold bool) ([]byte, []byte, []Syllable) {
	if len(s) > math.MaxInt32 {
		panic("textnorm: AppendSyllables: text longer than 2 GiB")
	}
	mode := byte(fWantKey)
	if fold {
		mode |= fWantFold
	}
	for i := 0; ; {
		k0, f0 := len(keys), len(folds)
		var start, st int
		start, i, keys, folds, st = nextToken(s, i, keys, folds, mode)
		if st != tokOK {
			return keys, folds, syls
		}
		syl := Syllable{Start: int32(start), End: int32(i), Key: int32(k0), KeyEnd: int32(len(keys))}
		if fold {
			syl.Fold, syl.FoldEnd = int32(f0), int32(len(folds))
		}
		syls = append(syls, syl)
	}
}

// AppendSyllablesOf is Normalize followed by AppendSyllables: it returns
// Normalize(s) and appends the syllables of that text. When s is already
// normal, the usual case for stored articles, it does both in a single pass
// over s, without the separate pass of Normalize, and returns s itself.
func AppendSyllablesOf(keys, folds []byte, syls []Syllable, s string, fold bool) (string, []byte, []byte, []Syllable) {
	if len(s) > math.MaxInt32 {
		panic("textnorm: AppendSyllablesOf: text longer than 2 GiB")
	}
	k0, f0, n0 := len(keys), len(folds), len(syls)
	keys, folds, syls, ok := scanNormal(keys, folds, syls, s, fold)
	if ok {
		return s, keys, folds, syls
	}
	n := Normalize(s)
	keys, folds, syls = AppendSyllables(keys[:k0], folds[:f0], syls[:n0], n, fold)
	return n, keys, folds, syls
}

// scanNormal is AppendSyllables fused with Normalize's check: it gives up
// (ok false, buffers holding partial results) at the first rune Normalize
// would change or the tables do not cover. It writes into buffers grown
// once to their bound: a key is at most twice the bytes of its syllable
// (a two-byte letter whose lower case takes three, or a letter and its
// tone digit), plus two bytes of slack for three-byte stores; syllables
// are separated, so there are at most (len(s)+1)/2 of them.
func scanNormal(keys, folds []byte, syls []Syllable, s string, fold bool) (_, _ []byte, _ []Syllable, ok bool) {
	keys = slices.Grow(keys, 2*len(s)+2)
	kb, kn := keys[:cap(keys)], len(keys)
	var fb []byte
	fn := len(folds)
	if fold {
		folds = slices.Grow(folds, 2*len(s)+2)
		fb = folds[:cap(folds)]
	}
	syls = slices.Grow(syls, (len(s)+1)/2)
	sb, sn := syls[:cap(syls)], len(syls)
	var (
		inTok  bool
		start  int
		ks, fs int
		tone   byte
		r      rune
		size   int
	)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiWord[c] {
				if !inTok {
					inTok, start, ks, fs, tone = true, i, kn, fn, 0
				}
				c |= 0x20 // lower case; digits already have the bit
				kb[kn] = c
				kn++
				if fold {
					fb[fn] = c
					fn++
				}
			} else if inTok {
				inTok = false
				if tone != 0 {
					kb[kn] = '0' + tone
					kn++
				}
				sb[sn] = Syllable{Start: int32(start), End: int32(i), Key: int32(ks), KeyEnd: int32(kn)}
				if fold {
					sb[sn].Fold, sb[sn].FoldEnd = int32(fs), int32(fn)
				}
				sn++
			}
			i++
			continue
		}
		// decode, inlined for the two- and three-byte forms of Vietnamese.
		if c >= 0xC2 && c < 0xE0 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			r, size = rune(c&0x1F)<<6|rune(s[i+1]&0x3F), 2
		} else if (c == 0xE1 || c == 0xE2) && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			r, size = rune(c&0x0F)<<12|rune(s[i+1]&0x3F)<<6|rune(s[i+2]&0x3F), 3
		} else {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if r >= tableSize {
			return keys, folds, syls, false
		}
		in := &tab[r]
		if in.flags&fNFCSafe == 0 {
			return keys, folds, syls, false
		}
		if in.flags&fSimple != 0 {
			if !inTok {
				inTok, start, ks, fs, tone = true, i, kn, fn, 0
			}
			// Three-byte stores, no memmove call: the buffers have
			// two bytes of slack past their bound.
			_ = kb[kn+2]
			kb[kn], kb[kn+1], kb[kn+2] = in.kb[0], in.kb[1], in.kb[2]
			kn += int(in.kn)
			if fold {
				_ = fb[fn+2]
				fb[fn], fb[fn+1], fb[fn+2] = in.fb[0], in.fb[1], in.fb[2]
				fn += int(in.fn)
			}
			if in.tone != 0 {
				tone = in.tone
			}
		} else if in.flags&fWord != 0 {
			return keys, folds, syls, false // a word rune for the slow path
		} else if inTok {
			inTok = false
			if tone != 0 {
				kb[kn] = '0' + tone
				kn++
			}
			sb[sn] = Syllable{Start: int32(start), End: int32(i), Key: int32(ks), KeyEnd: int32(kn)}
			if fold {
				sb[sn].Fold, sb[sn].FoldEnd = int32(fs), int32(fn)
			}
			sn++
		}
		i += size
	}
	if inTok {
		if tone != 0 {
			kb[kn] = '0' + tone
			kn++
		}
		sb[sn] = Syllable{Start: int32(start), End: int32(len(s)), Key: int32(ks), KeyEnd: int32(kn)}
		if fold {
			sb[sn].Fold, sb[sn].FoldEnd = int32(fs), int32(fn)
		}
		sn++
	}
	if fold {
		folds = fb[:fn]
	}
	return kb[:kn], folds, sb[:sn], true
}
