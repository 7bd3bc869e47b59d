package indexer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search/searcher"

	"github.com/diembao/diembao/internal/textnorm"
)

// phraseFixture builds n articles from a small vocabulary (so syllables
// repeat and many phrases occur, in titles and bodies, within and across
// sentences and lines), spread over three months, indexed in batches of 40
// so each month has several segments.
func phraseFixture(t *testing.T, x *Index, n int) []string {
	t.Helper()
	vocab := strings.Fields("biên giới Lào Sầm Tớ an ninh trật tự dân tộc thiểu số tôn giáo " +
		"Thanh Hoá Hóa hoà hòa thuỷ thủy bàn ban an toàn người Mông Thái đồn phòng Bát Mọt " +
		"cửa khẩu mạng xã hội ma túy tuý Tin Lành công giáo Công Giáo lao động")
	seps := []string{" ", " ", " ", " ", ", ", ". ", ".\n", " - ", "; "}
	r := rand.New(rand.NewPCG(1, 2))
	text := func(words int) string {
		var b strings.Builder
		for i := range words {
			if i > 0 {
				b.WriteString(seps[r.IntN(len(seps))])
			}
			b.WriteString(vocab[r.IntN(len(vocab))])
		}
		return b.String()
	}
	ctx := context.Background()
	var bodies []string
	var batch []ArticleAt
	for i := range n {
		a := art(fmt.Sprintf("a%03d", i), text(2+r.IntN(8)), text(5+r.IntN(60)), 1+i%28)
		a.Published = a.Published.AddDate(0, -(i % 3), 0)
		a.Source = []string{"bienphong", "baothanhhoa", "vnexpress"}[i%3]
		bodies = append(bodies, a.Title+"\n"+a.Body)
		batch = append(batch, ArticleAt{Article: a, Seq: uint64(i + 1)})
		if len(batch) == 40 || i == n-1 {
			if err := x.Index(ctx, batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return bodies
}

// phraseQueries draws phrases of 2–5 syllables from the fixture's text, as
// the text has them (a span across punctuation and line breaks too), plus
// their folded forms, phrases combined with words, OR and exclusions, and
// repeated, absent and tone-variant phrases.
func phraseQueries(bodies []string, n int) []string {
	r := rand.New(rand.NewPCG(3, 4))
	var qs []string
	for len(qs) < n {
		text := textnorm.Normalize(bodies[r.IntN(len(bodies))])
		toks := textnorm.Tokens(text)
		if len(toks) < 2 {
			continue
		}
		l := 2 + r.IntN(min(4, len(toks)-1))
		k := r.IntN(len(toks) - l + 1)
		span := strings.ReplaceAll(text[toks[k].Start:toks[k+l-1].End], `"`, " ")
		first := text[toks[k].Start:toks[k].End]
		pair := text[toks[k+l-2].Start:toks[k+l-1].End]
		switch r.IntN(6) {
		case 0:
			qs = append(qs, `"`+textnorm.Fold(span)+`"`)
		case 1:
			qs = append(qs, `"`+span+`" `+first)
		case 2:
			qs = append(qs, `"`+span+`" OR "`+pair+`"`)
		case 3:
			qs = append(qs, first+` -"`+pair+`"`)
		default:
			qs = append(qs, `"`+span+`"`)
		}
	}
	return append(qs,
		`"biên biên"`, `"an an an"`, `"biên giới biên giới"`, `"an ninh an ninh trật tự"`,
		`"Thanh Hoá"`, `"Thanh Hóa"`, `"thanh hoa"`, `"hoà hòa"`, `"thuỷ thủy"`,
		`"Lào Lào"`, `"không có đâu"`, `"Sầm Tớ Sầm"`, `"ma tuý"`, `"ma túy Tin Lành"`,
		`"giới. Lào"`, `"trật tự dân tộc thiểu số tôn giáo"`)
}

// diembao's phrase searcher gives what Bleve's gives: the same totals, hits
// in the same order with bit-identical scores, the same facets, sorted by
// relevance and by date, for phrases typed with diacritics and without
// (multi-phrases), on the same index.
func TestPhraseSameResultsAsBleve(t *testing.T) {
	// Bleve sums a disjunction of more than DisjunctionHeapTakeover keys
	// (a folded syllable has dozens) in its heap's order, which may differ
	// from its slice searcher's in the last bit; diembao's is the slice's.
	defer func(n int) { searcher.DisjunctionHeapTakeover = n }(searcher.DisjunctionHeapTakeover)
	searcher.DisjunctionHeapTakeover = 1 << 20
	x := openMem(t, nil)
	bodies := phraseFixture(t, x, 400)
	qs := phraseQueries(bodies, 400)
	ctx := context.Background()
	compare := func(stage string) {
		found := 0
		for _, q := range qs {
			for _, sort := range []string{"relevance", "date"} {
				for _, page := range []int{1, 2} {
					req := Query{Q: q, Sort: sort, Page: page, Size: 50}
					x.cfg.BlevePhrases = true
					plain, err := x.Search(ctx, req)
					if err != nil {
						t.Fatalf("bleve %q: %v", q, err)
					}
					x.cfg.BlevePhrases = false
					pair, err := x.Search(ctx, req)
					if err != nil {
						t.Fatalf("diembao %q: %v", q, err)
					}
					plain.TookMS, pair.TookMS = 0, 0
					if !reflect.DeepEqual(plain, pair) {
						t.Errorf("%s: %q sort %s page %d: results differ\nbleve:   total %d %v\ndiembao: total %d %v",
							stage, q, sort, page, plain.Total, hitIDs(plain), pair.Total, hitIDs(pair))
					}
					if page == 1 && sort == "date" && plain.Total > 0 {
						found++
					}
				}
			}
		}
		if found < len(qs)/2 {
			t.Errorf("%s: only %d of %d queries found anything: the fixture tests too little", stage, found, len(qs))
		}
	}
	compare("first")
	// New revisions of a third of the articles with other texts: their old
	// documents stay in the old segments, deleted.
	var batch []ArticleAt
	for i := 0; i < 400; i += 3 {
		words := strings.Fields(bodies[(i+11)%len(bodies)])
		a := art(fmt.Sprintf("a%03d", i), strings.Join(words[:min(6, len(words))], " "), bodies[(i+5)%len(bodies)], 1+i%28)
		a.Revision = 2
		batch = append(batch, ArticleAt{Article: a, Seq: uint64(1000 + i)})
	}
	if err := x.Index(ctx, batch); err != nil {
		t.Fatal(err)
	}
	compare("after updates")
}

func hitIDs(r Result) []string {
	out := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		out[i] = fmt.Sprintf("%s:%v", h.ID, h.Score)
	}
	return out
}

// A replaced revision's text is no longer found by a phrase: its document
// is deleted in its segment, and the phrase searcher must skip it.
func TestPhraseSkipsReplacedRevisions(t *testing.T) {
	x := openMem(t, nil, art("a1", "tiêu đề", "biên giới Sầm Tớ hôm nay", 3), art("a2", "tiêu đề", "không có gì", 3))
	a := art("a1", "tiêu đề", "nội dung khác hẳn", 3)
	a.Revision = 2
	if err := x.Index(context.Background(), []ArticleAt{{Article: a, Seq: 5}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`"Sầm Tớ"`, `"sam to"`, `"nội dung khác"`} {
		res, err := x.Search(context.Background(), Query{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		want := uint64(0)
		if strings.Contains(q, "nội") {
			want = 1
		}
		if res.Total != want {
			t.Errorf("%s: %d hits, want %d", q, res.Total, want)
		}
	}
}
