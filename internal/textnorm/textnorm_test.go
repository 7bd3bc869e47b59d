package textnorm

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

func nfd(s string) string { return norm.NFD.String(s) }

// mixed decomposes every other rune, like text pasted from several editors.
func mixed(s string) string {
	var b strings.Builder
	i := 0
	for _, r := range s {
		if i%2 == 0 {
			b.WriteString(norm.NFD.String(string(r)))
		} else {
			b.WriteRune(r)
		}
		i++
	}
	return b.String()
}

func TestKeyToneIndependent(t *testing.T) {
	pairs := []struct{ a, b string }{
		{"hòa", "hoà"},
		{"thủy", "thuỷ"},
		{"khỏe", "khoẻ"},
		{"Thanh Hóa", "Thanh Hoá"},
		{"nứơc", "nước"},
		{"tóan", "toán"},
		{"HÒA BÌNH", "hoà bình"},
		{"Thủy", "thuỷ"},
	}
	for _, p := range pairs {
		for _, form := range []struct {
			name string
			f    func(string) string
		}{{"nfc", norm.NFC.String}, {"nfd", nfd}, {"mixed", mixed}} {
			a, b := Key(form.f(p.a)), Key(p.b)
			if a != b {
				t.Errorf("%s: Key(%q)=%q, Key(%q)=%q", form.name, p.a, a, p.b, b)
			}
		}
	}
}

func TestKeyKeepsMarks(t *testing.T) {
	distinct := [][2]string{
		{"Lào", "lao"},
		{"Mường", "mương"},
		{"đạo", "Dao"},
		{"chùa", "chưa"},
		{"báo", "bão"},
		{"bán", "bạn"},
		{"ban", "bàn"},
	}
	for _, d := range distinct {
		if Key(d[0]) == Key(d[1]) {
			t.Errorf("Key(%q) == Key(%q) == %q", d[0], d[1], Key(d[0]))
		}
		if Fold(d[0]) != Fold(d[1]) {
			t.Errorf("Fold(%q)=%q != Fold(%q)=%q", d[0], Fold(d[0]), d[1], Fold(d[1]))
		}
	}
}

func TestTable(t *testing.T) {
	tests := []struct {
		name, in, key, fold string
	}{
		{"nfc", "Biên giới Việt - Lào", "biên giơi2 viêt5 lao1", "bien gioi viet lao"},
		{"ascii", "Thanh Hoa 2025", "thanh hoa 2025", "thanh hoa 2025"},
		{"d with stroke", "Đắk Lắk đồn", "đăk2 lăk2 đôn1", "dak lak don"},
		{"old tone", "hòa", "hoa1", "hoa"},
		{"new tone", "hoà", "hoa1", "hoa"},
		{"nbsp and zero width", "biên\u00a0gi\u200bới", "biên giơi2", "bien gioi"},
		{"dash", "Việt–Lào", "viêt5 lao1", "viet lao"},
		{"punctuation", "“Sầm Tớ”, (Xamtay)!", "sâm1 tơ2 xamtay", "sam to xamtay"},
		{"lao nfkc", "ຊຳໃຕ້", Key("ຊໍາໃຕ້"), Fold("ຊໍາໃຕ້")},
	}
	for _, tt := range tests {
		for _, form := range []struct {
			name string
			f    func(string) string
		}{{"nfc", norm.NFC.String}, {"nfd", nfd}, {"mixed", mixed}} {
			t.Run(tt.name+"/"+form.name, func(t *testing.T) {
				in := form.f(tt.in)
				if got := Key(in); got != tt.key {
					t.Errorf("Key(%q) = %q, want %q", in, got, tt.key)
				}
				if got := Fold(in); got != tt.fold {
					t.Errorf("Fold(%q) = %q, want %q", in, got, tt.fold)
				}
			})
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ascii unchanged", "Thanh Hoa", "Thanh Hoa"},
		{"nfd to nfc", nfd("Thường Xuân"), "Thường Xuân"},
		{"mixed to nfc", mixed("Thường Xuân"), "Thường Xuân"},
		{"tone placement kept", "hoà", "hoà"},
		{"spaces", "a\u00a0b\u202fc\u2003d", "a b c d"},
		{"invisible", "bi\u200bên\ufeff", "biên"},
		{"soft hyphen", "gi\u00adới", "giới"},
		{"dashes kept", "Việt – Lào — x − y", "Việt – Lào — x − y"},
		{"quotes kept", "“a” ‘b’ «c»", "“a” ‘b’ «c»"},
		{"lao am", "ຊໍາ", "ຊໍາ"},
		{"lao am kept", "ຊຳໃຕ້", "ຊຳໃຕ້"},
		{"lao hno kept", "ໜອງ", "ໜອງ"},
		{"invalid utf8", "a\xffb", "a\ufffdb"},
		{"zwsp between base and mark", "a\u200b\u0301", "á"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHasDiacritics(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"bien gioi", false}, {"biên giới", true}, {nfd("biên"), true}, {"dong", false},
		{"đong", true}, {"Đ", true}, {"…", false}, {"“bien”", false}, {"ໃຕ້", true},
	}
	for _, tt := range tests {
		if got := HasDiacritics(tt.in); got != tt.want {
			t.Errorf("HasDiacritics(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestTokensOffsets(t *testing.T) {
	s := Normalize("Đồn Biên phòng Bát Mọt, “cửa khẩu” Khẹo")
	toks := Tokens(s)
	want := []string{"Đồn", "Biên", "phòng", "Bát", "Mọt", "cửa", "khẩu", "Khẹo"}
	if len(toks) != len(want) {
		t.Fatalf("got %d tokens %+v", len(toks), toks)
	}
	for i, tk := range toks {
		if s[tk.Start:tk.End] != want[i] {
			t.Errorf("token %d = %q, want %q", i, s[tk.Start:tk.End], want[i])
		}
	}
	if !reflect.DeepEqual(toks, tokensSlow(s)) {
		t.Errorf("Tokens != tokensSlow:\n%+v\n%+v", toks, tokensSlow(s))
	}
}

func TestCorpusAgreesWithReference(t *testing.T) {
	for _, line := range corpusLines(t, 300) {
		n := Normalize(line)
		if ref := normalizeSlow(line); n != ref {
			t.Fatalf("Normalize(%q) = %q, reference %q", line, n, ref)
		}
		if got, ref := Tokens(n), tokensSlow(n); !reflect.DeepEqual(got, ref) {
			t.Fatalf("Tokens(%q) differs from reference", n)
		}
	}
}

func corpusLines(tb testing.TB, max int) []string {
	b, err := os.ReadFile(corpusPath)
	if err != nil {
		tb.Skipf("corpus not available: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if max > 0 && len(lines) > max {
		lines = lines[:max]
	}
	return lines
}

const corpusPath = "../../../shared/corpus/binhvq-sample/demo-full.txt"

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "hòa", nfd("Thường Xuân"), mixed("Biên giới"), "a\u200b\u0301",
		"ຊຳໃຕ້", "x\xff\xfe", "“Việt – Lào”", "ǅ", "İ", "\u1100\u1161", "a\u0f73", "ﬁ ² ຳ\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", s, n)
		}
		if n2 := Normalize(n); n2 != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, n2)
		}
		if ref := normalizeSlow(s); n != ref {
			t.Fatalf("Normalize(%q) = %q, reference %q", s, n, ref)
		}
		if got, ref := Tokens(n), tokensSlow(n); !reflect.DeepEqual(got, ref) {
			t.Fatalf("Tokens(%q) = %+v, reference %+v", n, got, ref)
		}
		toks := Tokens(n)
		for _, fold := range []bool{false, true} {
			buf, terms := AppendTerms(nil, nil, n, fold)
			j := 0
			for _, tk := range toks {
				want := tk.Key
				if fold {
					want = tk.Fold
				}
				if want == "" {
					continue
				}
				if j >= len(terms) || string(buf[terms[j].TermStart:terms[j].TermEnd]) != want ||
					terms[j].Start != tk.Start || terms[j].End != tk.End {
					t.Fatalf("AppendTerms(%q, fold=%v) term %d differs from Tokens", n, fold, j)
				}
				j++
			}
			if j != len(terms) {
				t.Fatalf("AppendTerms(%q, fold=%v): %d terms, want %d", n, fold, len(terms), j)
			}
		}
		k, fo := Key(s), Fold(s)
		if !utf8.ValidString(k) || !utf8.ValidString(fo) {
			t.Fatalf("invalid UTF-8 key %q fold %q", k, fo)
		}
		if k2 := Key(k); k2 != k {
			t.Fatalf("Key not idempotent: %q → %q → %q", s, k, k2)
		}
		if f2 := Fold(fo); f2 != fo {
			t.Fatalf("Fold not idempotent: %q → %q → %q", s, fo, f2)
		}
		if HasDiacritics(s) != hasDiacriticsSlow(s) {
			t.Fatalf("HasDiacritics(%q) disagrees with reference", s)
		}
	})
}

// plainFold is the straightforward golang.org/x/text pipeline the issue
// compares against: NFC → lower → NFD → remove marks → map đ.
func plainFold(s string) string {
	s = norm.NFC.String(s)
	s = strings.ToLower(s)
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, _ = transform.String(t, s)
	return strings.ReplaceAll(s, "đ", "d")
}

func corpusText(b *testing.B) string {
	return strings.Join(corpusLines(b, 0), "\n")
}

// BenchmarkFold compares, in one run, the x/text pipeline with textnorm on
// the same corpus text. Run: go test -run '^$' -bench . -benchmem ./internal/textnorm
func BenchmarkFold(b *testing.B) {
	text := corpusText(b)
	nfdText := norm.NFD.String(text)
	b.Run("xtext-pipeline", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			plainFold(text)
		}
	})
	b.Run("textnorm-Fold", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			Fold(text)
		}
	})
	b.Run("textnorm-Key", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			Key(text)
		}
	})
	b.Run("textnorm-Normalize+Tokens", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		var toks []Token
		for b.Loop() {
			toks = AppendTokens(toks[:0], Normalize(text))
		}
	})
	b.Run("textnorm-Fold-NFD-input", func(b *testing.B) {
		b.SetBytes(int64(len(nfdText)))
		for b.Loop() {
			Fold(nfdText)
		}
	})
	b.Run("xtext-pipeline-NFD-input", func(b *testing.B) {
		b.SetBytes(int64(len(nfdText)))
		for b.Loop() {
			plainFold(nfdText)
		}
	})
}

func BenchmarkInit(b *testing.B) {
	for b.Loop() {
		buildTable()
	}
}
