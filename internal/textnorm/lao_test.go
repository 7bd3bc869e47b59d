package textnorm

import (
	"reflect"
	"strings"
	"testing"
)

func keysOf(s string) []string {
	var out []string
	for _, t := range Tokens(Normalize(s)) {
		out = append(out, t.Key)
	}
	return out
}

// containsRun reports whether needle occurs as consecutive elements of hay.
func containsRun(hay, needle []string) bool {
	for i := 0; i+len(needle) <= len(hay); i++ {
		if reflect.DeepEqual(hay[i:i+len(needle)], needle) {
			return true
		}
	}
	return false
}

func TestLaoWordInsideRunIsATokenSequence(t *testing.T) {
	text := "ແຂວງຫົວພັນ ແລະ ເມືອງຊຳໃຕ້"
	for _, word := range []string{"ຫົວພັນ", "ແຂວງ", "ຊຳໃຕ້", "ຊໍາໃຕ້", "ພັນ"} {
		if !containsRun(keysOf(text), keysOf(word)) {
			t.Errorf("%q: keys %q not a run of %q", word, keysOf(word), keysOf(text))
		}
	}
	if containsRun(keysOf(text), keysOf("ຫົວເມືອງ")) {
		t.Errorf("ຫົວເມືອງ found in %q", text)
	}
}

func TestLaoKeysFoldCompatibilityForms(t *testing.T) {
	for _, p := range [][2]string{{"ຊຳເໜືອ", "ຊໍາເຫນືອ"}, {"ໝູ່", "ຫມູ່"}} {
		if Key(p[0]) != Key(p[1]) {
			t.Errorf("Key(%q) = %q, Key(%q) = %q", p[0], Key(p[0]), p[1], Key(p[1]))
		}
	}
	// The stored form keeps the publisher's code points.
	if n := Normalize("ຊຳເໜືອ"); n != "ຊຳເໜືອ" || !strings.ContainsRune(n, '\u0EB3') {
		t.Errorf("Normalize changed Lao text: %q", n)
	}
	// Offsets cover the original code points: ຳ is one token of 3 bytes.
	toks := Tokens("ຊຳ")
	if len(toks) != 2 || toks[1].Start != 3 || toks[1].End != 6 || toks[1].Key != "\u0ECD\u0EB2" {
		t.Errorf("Tokens(ຊຳ) = %+v", toks)
	}
}

func TestLaoNextToVietnamese(t *testing.T) {
	got := keysOf("Hủa Phănຫົວພັນ x")
	want := append(append([]string{"hua3", "phăn"}, keysOf("ຫົວພັນ")...), "x")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestNormalizeQueryQuotes(t *testing.T) {
	if got := NormalizeQuery("“biên giới” – Lào"); got != `"biên giới" – Lào` {
		t.Errorf("NormalizeQuery = %q", got)
	}
}
