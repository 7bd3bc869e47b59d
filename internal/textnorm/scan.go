package textnorm

import "math"

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
