package indexer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/textnorm"
)

var ict = time.FixedZone("ICT", 7*3600)

func testLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func art(id, title, body string, day int) article.Article {
	return article.Article{
		V: 1, ID: id, URL: "https://example.vn/" + id, CanonicalURL: "https://example.vn/" + id,
		Source: "baothanhhoa", SourceKind: article.KindPress, Lang: "vi",
		Title: title, Body: body, Revision: 1,
		Published: time.Date(2026, 11, day, 9, 0, 0, 0, ict),
	}
}

func openMem(t *testing.T, cls Classifier, arts ...article.Article) *Index {
	t.Helper()
	x, err := Open(Config{}, cls, testLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	batch := make([]ArticleAt, len(arts))
	for i, a := range arts {
		batch[i] = ArticleAt{Article: a, Seq: uint64(i + 1)}
	}
	if err := x.Index(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	return x
}

func ids(t *testing.T, x *Index, q Query) []string {
	t.Helper()
	res, err := x.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%q): %v", q.Q, err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}

func TestSearchVietnamese(t *testing.T) {
	x := openMem(t, nil,
		art("border", "Tuần tra biên giới Việt - Lào", "Đồn Biên phòng Bát Mọt tuần tra đường biên giới.", 2),
		art("labour", "Xuất khẩu lao động", "Người lao động đi làm việc ở nước ngoài.", 3),
		art("laos", "Hợp tác với Lào", "Huyện Sầm Tớ của Lào.", 4),
		art("ban", "Bàn giao nhà", "Cán bộ bàn giao hồ sơ cho ban quản lý.", 5),
		art("hoa", "Thanh Hoá phát triển", "Tỉnh Thanh Hoá và hoà bình.", 6),
		art("nfd", norm.NFD.String("Thường Xuân mùa lúa"), norm.NFD.String("Người dân Thường Xuân gặt lúa."), 7),
	)
	tests := []struct {
		name, q string
		want    []string // exact set, any order
	}{
		{"nfd query finds nfc text", norm.NFD.String("biên giới"), []string{"border"}},
		{"nfc query finds nfd text", "Thường Xuân", []string{"nfd"}},
		{"old-style tone finds new-style", "Thanh Hóa", []string{"hoa"}},
		{"old-style tone word", "hòa bình", []string{"hoa"}},
		{"Lào does not find lao động", "Lào", []string{"border", "laos"}},
		{"folded finds diacritics", "bien gioi", []string{"border"}},
		{"folded phrase", `"bien gioi"`, []string{"border"}},
		{"exact phrase", `"biên giới"`, []string{"border"}},
		{"an is not in ban/bàn", "an", nil},
		{"whole syllable ban", "ban", []string{"ban"}},
		{"exclusion", "Lào -biên", []string{"laos"}},
		{"or", "Sầm OR lúa", []string{"laos", "nfd"}},
		{"đ folds to d", "don bien phong", []string{"border"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(t, x, Query{Q: tt.q})
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("Search(%q) = %v, want %v", tt.q, got, want)
			}
		})
	}
}

func TestExactRanksFirst(t *testing.T) {
	x := openMem(t, nil,
		art("folded", "Tin tức", "bao nhiêu người, bao giờ", 2),
		art("exact", "Tin tức", "cơn bão số 3 đổ bộ", 3),
	)
	if got := ids(t, x, Query{Q: "bao"}); len(got) != 2 {
		t.Fatalf("bao: %v", got)
	}
	if got := ids(t, x, Query{Q: "bão"}); !slices.Equal(got, []string{"exact"}) {
		t.Fatalf("bão: %v", got)
	}
}

func TestBadQuery(t *testing.T) {
	x := openMem(t, nil)
	for _, q := range []Query{{Q: `"biên giới`}, {Q: "-Lào"}, {Q: "OR Lào"}, {Q: "Lào", Sort: "x"}} {
		_, err := x.Search(context.Background(), q)
		var qe *QueryError
		if !errors.As(err, &qe) {
			t.Errorf("Search(%+v) err = %v, want *QueryError", q, err)
		}
	}
}

func TestFiltersFacetsSortPaging(t *testing.T) {
	cls := ClassifierFunc(func(a article.Article) ([]string, bool) {
		if strings.Contains(a.Title, "biên giới") {
			return []string{"border"}, true
		}
		return nil, false
	})
	a1 := art("a1", "biên giới một", "nội dung", 1)
	a2 := art("a2", "biên giới hai", "nội dung", 20)
	a2.Source = "bienphong"
	a3 := art("a3", "tin khác", "nội dung", 10)
	a3.Published = time.Date(2026, 10, 10, 9, 0, 0, 0, ict) // another month
	x := openMem(t, cls, a1, a2, a3)

	if got := ids(t, x, Query{Q: "nội dung", Sort: "date"}); !slices.Equal(got, []string{"a2", "a1", "a3"}) {
		t.Errorf("sort date: %v", got)
	}
	if got := ids(t, x, Query{Q: "nội dung", Sources: []string{"bienphong"}}); !slices.Equal(got, []string{"a2"}) {
		t.Errorf("source filter: %v", got)
	}
	if got := ids(t, x, Query{Q: "nội dung", Topics: []string{"border"}, Sort: "date"}); !slices.Equal(got, []string{"a2", "a1"}) {
		t.Errorf("topic filter: %v", got)
	}
	no := false
	if got := ids(t, x, Query{Area: &no}); !slices.Equal(got, []string{"a3"}) {
		t.Errorf("area filter: %v", got)
	}
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, ict)
	to := time.Date(2026, 11, 1, 0, 0, 0, 0, ict)
	if got := ids(t, x, Query{Q: "nội dung", From: from, To: to}); !slices.Equal(got, []string{"a1"}) {
		t.Errorf("date filter (one whole day): %v", got)
	}
	if got := ids(t, x, Query{Q: "nội dung", Sort: "date", Page: 2, Size: 2}); !slices.Equal(got, []string{"a3"}) {
		t.Errorf("page 2: %v", got)
	}
	res, err := x.Search(context.Background(), Query{Q: "nội dung"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 {
		t.Errorf("total %d", res.Total)
	}
	if f := res.Facets["topic"]; len(f) != 1 || f[0] != (FacetCount{"border", 2}) {
		t.Errorf("topic facet %v", f)
	}
	if f := res.Facets["source"]; len(f) != 2 || f[0] != (FacetCount{"baothanhhoa", 2}) {
		t.Errorf("source facet %v", f)
	}
	d, err := x.Get(context.Background(), "a2")
	if err != nil || !d.Area || !slices.Equal(d.Topics, []string{"border"}) || d.Article.Source != "bienphong" {
		t.Errorf("Get: %+v %v", d, err)
	}
	if _, err := x.Get(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(nope) err = %v", err)
	}
}

func TestSnippetEscapes(t *testing.T) {
	x := openMem(t, nil, art("x", "Tiêu đề", `Trước <script>alert("biên giới")</script> & sau biên giới.`, 2))
	res, err := x.Search(context.Background(), Query{Q: "biên giới"})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("%v %v", res, err)
	}
	s := res.Hits[0].Snippet
	if strings.Contains(s, "<script>") || !strings.Contains(s, "&lt;script&gt;") {
		t.Errorf("snippet not escaped: %s", s)
	}
	if !strings.Contains(s, "<mark>biên giới</mark>") {
		t.Errorf("snippet not marked: %s", s)
	}
}

func TestUpsertRevisions(t *testing.T) {
	ctx := context.Background()
	x := openMem(t, nil)
	v2 := art("a", "bản mới", "nội dung thứ hai", 5)
	v2.Revision = 2
	v1 := art("a", "bản cũ", "nội dung thứ nhất", 5)
	v1.Revision = 1
	if err := x.Index(ctx, []ArticleAt{{v2, 10}}); err != nil {
		t.Fatal(err)
	}
	if err := x.Index(ctx, []ArticleAt{{v1, 11}}); err != nil { // late redelivery
		t.Fatal(err)
	}
	d, err := x.Get(ctx, "a")
	if err != nil || d.Article.Revision != 2 {
		t.Fatalf("after late old revision: %+v %v", d.Article, err)
	}
	if n, _ := x.Count(); n != 1 {
		t.Errorf("count %d", n)
	}
	if x.LastSeq() != 11 {
		t.Errorf("LastSeq %d", x.LastSeq())
	}
	// A newer revision moved to another month replaces the old one.
	v3 := art("a", "bản ba", "nội dung thứ ba", 5)
	v3.Revision = 3
	v3.Published = v3.Published.AddDate(0, 1, 0)
	if err := x.Index(ctx, []ArticleAt{{v3, 12}, {v1, 12}}); err != nil {
		t.Fatal(err)
	}
	if n, _ := x.Count(); n != 1 {
		t.Errorf("count after move %d", n)
	}
	if got := ids(t, x, Query{Q: "thứ ba"}); !slices.Equal(got, []string{"a"}) {
		t.Errorf("new text: %v", got)
	}
	if got := ids(t, x, Query{Q: "thứ hai"}); len(got) != 0 {
		t.Errorf("old text still found: %v", got)
	}
}

func TestReopenDisk(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x, err := Open(Config{Dir: dir}, nil, testLog())
	if err != nil {
		t.Fatal(err)
	}
	a := art("a", "biên giới", "Đồn biên phòng", 5)
	b := art("b", "Lào", "Sầm Tớ", 5)
	b.Published = b.Published.AddDate(0, -2, 0)
	if err := x.Index(ctx, []ArticleAt{{a, 41}, {b, 42}}); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	x, err = Open(Config{Dir: dir}, nil, testLog())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if x.LastSeq() != 42 {
		t.Errorf("LastSeq after reopen = %d", x.LastSeq())
	}
	if n, _ := x.Count(); n != 2 {
		t.Errorf("Count after reopen = %d", n)
	}
	if got := ids(t, x, Query{Q: "bien gioi"}); !slices.Equal(got, []string{"a"}) {
		t.Errorf("search after reopen: %v", got)
	}
	if d, err := x.Get(ctx, "b"); err != nil || d.Article.Title != "Lào" {
		t.Errorf("Get after reopen: %+v %v", d, err)
	}
}

type sliceSource struct{ arts []ArticleAt }

func (s *sliceSource) Next(context.Context) (ArticleAt, bool, error) {
	if len(s.arts) == 0 {
		return ArticleAt{}, false, nil
	}
	a := s.arts[0]
	s.arts = s.arts[1:]
	return a, true, nil
}

func TestReindex(t *testing.T) {
	x := openMem(t, nil)
	var src sliceSource
	for i := range 7 {
		a := art(string(rune('a'+i)), "tin", "nội dung", 1+i)
		src.arts = append(src.arts, ArticleAt{a, uint64(100 + i)})
	}
	var last Progress
	calls := 0
	if err := x.Reindex(context.Background(), &src, 7, 3, func(p Progress) { last = p; calls++ }); err != nil {
		t.Fatal(err)
	}
	if calls != 3 || last.Done != 7 || last.LastSeq != 106 {
		t.Errorf("progress %+v after %d calls", last, calls)
	}
	if n, _ := x.Count(); n != 7 {
		t.Errorf("count %d", n)
	}
}

func TestBigBatchChunksKeepSeq(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x, err := Open(Config{Dir: dir}, nil, testLog())
	if err != nil {
		t.Fatal(err)
	}
	var batch []ArticleAt
	for i := range 250 {
		batch = append(batch, ArticleAt{Article: art(fmt.Sprintf("a%03d", i), "tin biên giới", "nội dung", 1+i%28), Seq: uint64(1000 + i)})
	}
	if err := x.Index(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	x, err = Open(Config{Dir: dir}, nil, testLog())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if n, _ := x.Count(); n != 250 || x.LastSeq() != 1249 {
		t.Errorf("after reopen: %d docs, LastSeq %d", n, x.LastSeq())
	}
}

// Folded phrases are matched on the exact fields (the folded fields keep no
// positions): in the title alone, in the body alone, across đ and shape
// marks, never across a gap or inside a syllable.
func TestFoldedPhrase(t *testing.T) {
	x := openMem(t, nil,
		art("title", "Đồn biên phòng Bát Mọt", "Nội dung khác.", 2),
		art("body", "Tin tức", "Người dân tộc Thái ở Thường Xuân.", 3),
		art("gap", "Tin tức", "Biên cương và giới hạn, đồn xa.", 4),
		art("ban", "Tin tức", "Bàn toàn bộ hồ sơ.", 5),
		art("latin", "Café Müller", "Quán Müller mở cửa.", 6),
	)
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{`"don bien phong"`, []string{"title"}},
		{`"bat mot"`, []string{"title"}},
		{`"nguoi dan toc thai"`, []string{"body"}},
		{`"thuong xuan"`, []string{"body"}},
		{`"bien gioi"`, nil},
		{`"an toan"`, nil},
		{`"quan muller"`, []string{"latin"}},
		{`"cafe muller"`, []string{"latin"}},
	} {
		got := ids(t, x, Query{Q: tt.q})
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Search(%s) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// Every key of the corpus is among the keys its fold expands to.
func TestKeysFoldingCoversCorpus(t *testing.T) {
	text := "Đường biên giới Việt – Lào, huyện Thường Xuân, tỉnh Thanh Hoá; người Thái, Mường; " +
		"khuya quốc thuỷ thủy hoà hòa nguyễn ưởng ươn ngoẵng giặt gì quyển chuyện Sầm Tớ Bát Mọt tôn giáo"
	minKeys := 30 // the fixture above alone
	if raw, err := os.ReadFile("../../shared/corpus/binhvq-sample/demo-full.txt"); err == nil {
		text += "\n" + string(raw[:min(len(raw), 2<<20)])
		minKeys = 1000 // the shared corpus, present beside the checkout on the dev machine
	}
	seen := map[string]bool{}
	for _, tk := range textnorm.Tokens(textnorm.Normalize(text)) {
		if seen[tk.Key] {
			continue
		}
		seen[tk.Key] = true
		if !slices.Contains(keysFolding(tk.Fold), tk.Key) {
			t.Errorf("keysFolding(%q) lacks %q", tk.Fold, tk.Key)
		}
	}
	if len(seen) < minKeys {
		t.Fatalf("only %d keys checked", len(seen))
	}
}

func gcPercent() int {
	v := debug.SetGCPercent(100)
	debug.SetGCPercent(v)
	return v
}

func TestGCPercentSetAndRestored(t *testing.T) {
	before := gcPercent()
	x, err := Open(Config{GCPercent: 250}, nil, testLog())
	if err != nil {
		t.Fatal(err)
	}
	if got := gcPercent(); got != 250 {
		t.Errorf("GC percent while open = %d, want 250", got)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if got := gcPercent(); got != before {
		t.Errorf("GC percent after Close = %d, want %d", got, before)
	}
	ro, err := Open(Config{GCPercent: 250, ReadOnly: true, Dir: t.TempDir()}, nil, testLog())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got := gcPercent(); got != before {
		t.Errorf("read-only index changed the GC percent to %d", got)
	}
}

// The snippet looks in the first 2 KB first; it must give what a look at
// the whole (first 16 KB of the) text gives, wherever the match is.
func TestSnippetPrefixSameAsWhole(t *testing.T) {
	p, err := parseQuery("biên giới")
	if err != nil {
		t.Fatal(err)
	}
	m := p.marker()
	filler := strings.Repeat("tin tức hôm nay về kinh tế xã hội ", 200) // ≈ 7 KB
	for _, at := range []int{0, 10, 300, 1900, 2040, 2100, 5000, 7000, 20000} {
		text := filler
		if at < len(filler) {
			cut := strings.LastIndexByte(filler[:at+1], ' ') + 1
			text = filler[:cut] + "biên giới " + filler[cut:]
		} else {
			text = strings.Repeat(filler, 3) + " biên giới"
		}
		got := snippet(text, m, 40)
		want, _ := snippetIn(text, 16<<10, m, 40, true)
		if got != want {
			t.Errorf("match at %d: snippet\n%s\nwant\n%s", at, got, want)
		}
		if at < 7000 && !strings.Contains(got, "<mark>biên giới</mark>") {
			t.Errorf("match at %d not marked: %s", at, got)
		}
	}
	if got := snippet("ngắn thôi", m, 40); got != "ngắn thôi" {
		t.Errorf("short text without match: %q", got)
	}
}

// A new installation's empty index answers searches with no hits; a bad
// query is still an error.
func TestSearchEmptyIndex(t *testing.T) {
	x := openMem(t, nil)
	res, err := x.Search(context.Background(), Query{Q: "biên giới", Sort: "date"})
	if err != nil || res.Total != 0 || res.Hits == nil || res.Facets["source"] == nil {
		t.Errorf("empty index: %+v, %v", res, err)
	}
	var qe *QueryError
	if _, err := x.Search(context.Background(), Query{Q: `"biên`}); !errors.As(err, &qe) {
		t.Errorf("bad query on an empty index: %v", err)
	}
	if _, err := x.Get(context.Background(), "a1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get on an empty index: %v", err)
	}
	if n, err := x.Count(); n != 0 || err != nil {
		t.Errorf("Count on an empty index: %d, %v", n, err)
	}
}
