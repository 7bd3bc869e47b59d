package textnorm

import (
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// checkSyllables fails unless AppendSyllables agrees with Tokens on s.
func checkSyllables(t *testing.T, s string) {
	t.Helper()
	want := Tokens(s)
	for _, fold := range []bool{false, true} {
		keys, folds, syls := AppendSyllables([]byte("x"), []byte("yz"), []Syllable{{}}, s, fold)
		syls = syls[1:]
		if len(syls) != len(want) {
			t.Fatalf("AppendSyllables(%q, %v): %d syllables, Tokens %d", s, fold, len(syls), len(want))
		}
		for i, sy := range syls {
			w := want[i]
			if int(sy.Start) != w.Start || int(sy.End) != w.End || string(keys[sy.Key:sy.KeyEnd]) != w.Key {
				t.Fatalf("AppendSyllables(%q, %v)[%d] = %d:%d %q, Tokens %+v", s, fold, i, sy.Start, sy.End, keys[sy.Key:sy.KeyEnd], w)
			}
			if fold && string(folds[sy.Fold:sy.FoldEnd]) != w.Fold {
				t.Fatalf("AppendSyllables(%q)[%d] fold %q, Tokens %q", s, i, folds[sy.Fold:sy.FoldEnd], w.Fold)
			}
			if !fold && sy.Fold|sy.FoldEnd != 0 {
				t.Fatalf("fold range %d:%d without fold", sy.Fold, sy.FoldEnd)
			}
		}
		if !fold && len(folds) != 2 {
			t.Fatalf("folds grew without fold: %q", folds)
		}
	}
}

// checkSyllablesOf fails unless AppendSyllablesOf(s) equals Normalize(s)
// and AppendSyllables of it.
func checkSyllablesOf(t *testing.T, s string) {
	t.Helper()
	n := Normalize(s)
	for _, fold := range []bool{false, true} {
		wk, wf, ws := AppendSyllables([]byte("x"), []byte("yz"), []Syllable{{}}, n, fold)
		got, k, f, syls := AppendSyllablesOf([]byte("x"), []byte("yz"), []Syllable{{}}, s, fold)
		if got != n {
			t.Fatalf("AppendSyllablesOf(%q) text %q, Normalize %q", s, got, n)
		}
		if string(k) != string(wk) || string(f) != string(wf) || !slices.Equal(syls, ws) {
			t.Fatalf("AppendSyllablesOf(%q, %v) = %q %q %v, want %q %q %v", s, fold, k, f, syls, wk, wf, ws)
		}
	}
}

func TestAppendSyllables(t *testing.T) {
	for _, s := range []string{
		"", " ", "Biên giới", "  Đồn Biên phòng Bát Mọt, tỉnh Thanh Hóa. ", "bie\u0302n gio\u031b\u0301i",
		"ເມືອງຊຳໃຕ້ ລາວ", "\xff\xfe biên", "cửa khẩu Khẹo - Tha Lấu", "Ωmega 3.14 x2", "a\u0301", "\u0301 b",
		"日本語 テキスト", "HÒA BÌNH", "nứơc", "a\u00a0b", "x–y “z”", "Ⱥ ⱥ", "a\u200bb", "ǅ ǈ", "x\u0301y",
	} {
		checkSyllables(t, Normalize(s))
		checkSyllablesOf(t, s)
	}
	for _, line := range corpusLines(t, 0) {
		checkSyllables(t, Normalize(line))
		checkSyllables(t, Normalize(norm.NFD.String(line)))
		checkSyllablesOf(t, line)
		checkSyllablesOf(t, norm.NFD.String(line))
	}
}

func FuzzAppendSyllables(f *testing.F) {
	for _, s := range []string{"Biên giới", "bie\u0302n gio\u031b\u0301i", "ເມືອງຊຳໃຕ້", "\xff a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSyllables(t, Normalize(s))
		checkSyllablesOf(t, s)
	})
}

// BenchmarkSyllables compares, on the corpus, Fold with the syllable
// scanners. Run: go test -run '^$' -bench Syllables ./internal/textnorm
func BenchmarkSyllables(b *testing.B) {
	text := corpusText(b)
	var keys, folds []byte
	var syls []Syllable
	b.Run("Fold", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			Fold(text)
		}
	})
	b.Run("AppendSyllablesOf", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			_, keys, folds, syls = AppendSyllablesOf(keys[:0], folds[:0], syls[:0], text, false)
		}
	})
	b.Run("AppendSyllablesOf-fold", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			_, keys, folds, syls = AppendSyllablesOf(keys[:0], folds[:0], syls[:0], text, true)
		}
	})
	b.Run("Normalize+AppendSyllables", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			keys, folds, syls = AppendSyllables(keys[:0], folds[:0], syls[:0], Normalize(text), false)
		}
	})
}
