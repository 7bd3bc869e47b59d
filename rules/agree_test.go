package rules

import (
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/textnorm"
	"github.com/goccy/go-yaml"
	"golang.org/x/text/unicode/norm"
)

// agree fails the test unless Match and the reference matcher give the same
// Result (reflect.DeepEqual: same order, same nil-ness).
func agree(t *testing.T, s *Set, rt *refTries, a article.Article) int {
	t.Helper()
	got := s.Match(a)
	want := s.matchRef(rt, a, func(r *compiledRule) bool { return !r.Disabled })
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Match(%q, %q, %q):\n got  %+v\n want %+v", clipText(a.Title), clipText(a.Lead), clipText(a.Body), got, want)
	}
	return len(got.Matches) + len(got.AreaTerms)
}

// mixedTexts builds n texts of real news words with phrases of s spliced
// in, in their own spelling, upper case, folded, decomposed or with
// non-breaking spaces, so that every phrase kind, stop phrase and context
// rule gets exercised.
func mixedTexts(s *Set, words []string, n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 3))
	var out []string
	for range n {
		var b strings.Builder
		for i := range 5 + r.IntN(60) {
			if i > 0 {
				b.WriteString([]string{" ", " ", " ", ", ", ". ", "\u00a0", " – "}[r.IntN(7)])
			}
			if r.IntN(4) == 0 && len(s.phrases) > 0 {
				p := s.phrases[r.IntN(len(s.phrases))].text
				switch r.IntN(5) {
				case 1:
					p = strings.ToUpper(p)
				case 2:
					p = textnorm.Fold(p)
				case 3:
					p = norm.NFD.String(p)
				}
				b.WriteString(p)
				continue
			}
			b.WriteString(words[r.IntN(len(words))])
		}
		out = append(out, b.String())
	}
	return out
}

func corpusWords(t testing.TB) []string {
	b, err := os.ReadFile(corpusPath)
	if err != nil {
		return strings.Fields(strings.Join(benchWords, " "))
	}
	return strings.Fields(string(b))
}

func TestMatchAgreesWithReference(t *testing.T) {
	def, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	test := mustSet(t, map[string]string{"a.yaml": testPack})
	words := corpusWords(t)
	sets := []*Set{def, test}
	for _, n := range []int{100, 1000} {
		bs, _ := benchSet(t, n)
		sets = append(sets, bs)
	}
	var snippets struct {
		Snippets []labelled `yaml:"snippets"`
	}
	if b, err := os.ReadFile("testdata/labelled.yaml"); err == nil {
		if err := yaml.Unmarshal(b, &snippets); err != nil {
			t.Fatal(err)
		}
	}
	dense := benchText(64<<10, 7)
	for si, s := range sets {
		rt := refTriesOf(s)
		found := 0
		for _, sn := range snippets.Snippets {
			agree(t, s, rt, article.Article{Title: sn.Title, Body: sn.Text})
		}
		texts := mixedTexts(s, words, 300, uint64(si))
		for i, x := range texts {
			found += agree(t, s, rt, article.Article{Body: x})
			found += agree(t, s, rt, article.Article{Title: texts[(i+1)%len(texts)], Lead: texts[(i+2)%len(texts)], Body: x})
		}
		for off := 0; off+4096 <= len(dense); off += 4096 {
			agree(t, s, rt, article.Article{Body: dense[off : off+4096]})
		}
		agree(t, s, rt, article.Article{Title: dense[:300], Body: dense})
		agree(t, s, rt, article.Article{Body: strings.Join(words, " ")})
		agree(t, s, rt, article.Article{})
		if found < 300 {
			t.Errorf("set %d: only %d matches and area terms in the mixed texts", si, found)
		}
		t.Logf("set %d: %d matches and area terms in the mixed texts", si, found)
	}
}

func FuzzMatchAgrees(f *testing.F) {
	s, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	rt := refTriesOf(s)
	for _, x := range []string{"Đồn Biên phòng Bát Mọt", "Lào Cai lao động", "ເມືອງຊຳໃຕ້ ລາວ", "bie\u0302n gio\u031b\u0301i", "\xff\xfe biên", "cửa khẩu Khẹo – Tha Lấu"} {
		f.Add(x, x)
	}
	f.Fuzz(func(t *testing.T, title, body string) {
		agree(t, s, rt, article.Article{Title: title, Body: body})
	})
}
