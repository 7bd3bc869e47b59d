package textnorm

import (
	"math"
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
// would change or the tables do not cover.
func scanNormal(keys, folds []byte, syls []Syllable, s string, fold bool) (_, _ []byte, _ []Syllable, ok bool) {
	i := 0
	for {
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
			if r >= tableSize {
				return keys, folds, syls, false
			}
			fl := tab[r].flags
			if fl&fNFCSafe == 0 {
				return keys, folds, syls, false
			}
			if fl&fWord != 0 {
				break
			}
			i += size
		}
		if i >= len(s) {
			return keys, folds, syls, true
		}
		start, ks, fs := i, len(keys), len(folds)
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
				keys = append(keys, c)
				if fold {
					folds = append(folds, c)
				}
				i++
				continue
			}
			r, size := decode(s, i)
			if r >= tableSize {
				return keys, folds, syls, false
			}
			in := &tab[r]
			if in.flags&fNFCSafe == 0 {
				return keys, folds, syls, false
			}
			if in.flags&fSimple == 0 {
				if in.flags&fWord == 0 {
					break
				}
				return keys, folds, syls, false // a word rune for the slow path
			}
			keys = append(keys, in.kb[:in.kn]...)
			if fold {
				folds = append(folds, in.fb[:in.fn]...)
			}
			if in.tone != 0 {
				tone = in.tone
			}
			i += size
		}
		if tone != 0 {
			keys = append(keys, '0'+tone)
		}
		syl := Syllable{Start: int32(start), End: int32(i), Key: int32(ks), KeyEnd: int32(len(keys))}
		if fold {
			syl.Fold, syl.FoldEnd = int32(fs), int32(len(folds))
		}
		syls = append(syls, syl)
	}
}
