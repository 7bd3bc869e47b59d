package indexer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// The fixture of the query-language tests: the border article has "biên
// giới" side by side; the traps have both syllables apart.
func queryFixture(t *testing.T) *Index {
	t.Helper()
	return openMem(t, nil,
		art("border", "Tuần tra biên giới", "Đồn Biên phòng Bát Mọt tuần tra đường biên giới cùng lực lượng Lào.", 2),
		art("trap1", "Phổ biến pháp luật", "Phổ biến kiến thức, giới thiệu mô hình mới cho người dân.", 3),
		art("trap2", "Biên phòng giới thiệu", "Bộ đội Biên phòng giới thiệu việc làm cho thanh niên.", 4),
		art("drugs", "Bắt vụ ma túy", "Công an bắt đối tượng vận chuyển ma túy qua biên giới Việt - Lào.", 5),
		art("smuggle", "Chống buôn lậu", "Ngăn chặn buôn lậu hàng hóa tại chợ phiên.", 6),
		art("far", "Tin tổng hợp", "Ma túy là hiểm họa. "+strings.Repeat("Tin tức kinh tế xã hội hôm nay. ", 20)+"Tuần tra biên giới.", 7),
		art("plain", "Tin bien gioi", "Bai viet khong dau ve bien gioi va ma tuy.", 8),
	)
}

func TestQueryLanguage(t *testing.T) {
	x := queryFixture(t)
	tests := []struct {
		name, q string
		want    []string // exact set
	}{
		{"folded run is a word", "bien gioi", []string{"border", "drugs", "far", "plain"}},
		{"folded words apart with AND", "bien AND gioi", []string{"border", "trap1", "trap2", "drugs", "far", "plain"}},
		{"exact run keeps every article with both words", "biên giới", []string{"border", "trap2", "drugs", "far"}},
		{"OR binds runs", "ma tuy OR buon lau", []string{"drugs", "smuggle", "far", "plain"}},
		{"NEAR close", `"ma túy" NEAR/5 "biên giới"`, []string{"drugs"}},
		{"NEAR either order", `"biên giới" NEAR/5 "ma túy"`, []string{"drugs"}},
		{"NEAR wide", `"ma túy" NEAR/300 "biên giới"`, []string{"drugs", "far"}},
		{"NEAR with an OR group", `"ma túy" NEAR/5 ("cửa khẩu" OR "biên giới")`, []string{"drugs"}},
		{"NEAR folded", `ma tuy NEAR/8 bien gioi`, []string{"drugs", "plain"}},
		{"parentheses and NOT", `(biên giới OR buôn lậu) NOT "ma túy"`, []string{"border", "trap2", "smuggle"}},
		{"minus", `"biên giới" -Lào`, []string{"far"}},
		{"title scope", `title:"ma túy"`, []string{"drugs"}},
		{"title scope group", `title:(buôn OR tuần)`, []string{"border", "smuggle"}},
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

// Words typed with diacritics side by side rank the articles where they
// stand together above those where they are apart.
func TestRunRanksAdjacentFirst(t *testing.T) {
	x := openMem(t, nil,
		// The trap mentions both words more often, apart.
		art("trap", "Biên phòng giới thiệu", "Biên phòng giới thiệu. Biên phòng và giới trẻ. Biên phòng giới thiệu lại.", 2),
		art("border", "Tin địa phương", "Tuần tra biên giới.", 3),
	)
	got := ids(t, x, Query{Q: "biên giới"})
	if !slices.Equal(got, []string{"border", "trap"}) {
		t.Errorf("biên giới ranks %v, want border first", got)
	}
}

func TestRunNotice(t *testing.T) {
	x := queryFixture(t)
	res, err := x.Search(context.Background(), Query{Q: "bien gioi"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0], "bien AND gioi") {
		t.Errorf("notices %q, want one naming bien AND gioi", res.Notices)
	}
	// Words whose side-by-side form nowhere exists stay a loose AND.
	res, err = x.Search(context.Background(), Query{Q: "gioi thieu pho"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notices) != 0 || res.Total != 1 {
		t.Errorf("gioi thieu pho: total %d, notices %q; want 1 hit and no notice", res.Total, res.Notices)
	}
}

func TestQueryErrorsSayWhat(t *testing.T) {
	x := queryFixture(t)
	for _, tt := range []struct{ q, want string }{
		{"NEAR/30", "NEAR/30 cần một từ"},
		{"ma túy NEAR/x biên", "NEAR/x"},
		{`"ma túy" NEAR/5 (biên AND giới)`, "NEAR/5 nối hai từ"},
		{"(biên giới", "thiếu dấu ngoặc đóng"},
		{"biên giới)", "thừa"},
		{"biên AND", "AND phải đứng giữa"},
		{"NOT biên", "cần ít nhất một từ"},
		{"biên OR -giới", "OR"},
		{"title:", "title:"},
		{"()", "ngoặc không có từ"},
	} {
		_, err := x.Search(context.Background(), Query{Q: tt.q})
		var qe *QueryError
		if !errors.As(err, &qe) || !strings.Contains(qe.Msg, tt.want) {
			t.Errorf("Search(%q) err = %v, want a QueryError saying %q", tt.q, err, tt.want)
		}
	}
}

func TestEmptyResultExplained(t *testing.T) {
	x := queryFixture(t)
	ctx := context.Background()
	// Typed with diacritics, found only without: suggest the folded form.
	res, err := x.Search(ctx, Query{Q: "khóng dấu"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 || res.Suggest != "khong dau" || res.SuggestTotal != 1 {
		t.Errorf("khóng dấu: total %d, suggest %q (%d); want 0, khong dau (1)", res.Total, res.Suggest, res.SuggestTotal)
	}
	// A topic no article has is named.
	res, err = x.Search(ctx, Query{Q: "biên giới", Topics: []string{"khongco"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 || len(res.Notices) == 0 || !strings.Contains(strings.Join(res.Notices, " "), "«khongco»") {
		t.Errorf("unknown topic: total %d, notices %q", res.Total, res.Notices)
	}
	// Operators survive folding.
	if got := foldQuery(`"Ma Túy" OR title:Lào NEAR/3 Đồn`); got != `"ma tuy" OR title:lao NEAR/3 don` {
		t.Errorf("foldQuery = %q", got)
	}
}

// A run is highlighted where its words stand together, as one <mark>; its
// words alone elsewhere are not.
func TestSnippetMarksThePhrase(t *testing.T) {
	x := openMem(t, nil, art("b", "Tin", "Bộ đội Biên phòng giới thiệu mô hình tuần tra biên giới.", 2))
	for _, q := range []string{"bien gioi", "biên giới"} {
		res, err := x.Search(context.Background(), Query{Q: q})
		if err != nil || len(res.Hits) != 1 {
			t.Fatalf("%q: %+v %v", q, res, err)
		}
		s := res.Hits[0].Snippet
		if !strings.Contains(s, "<mark>biên giới</mark>") || strings.Contains(s, "<mark>Biên</mark>") || strings.Count(s, "<mark>") != 1 {
			t.Errorf("%q: snippet %s", q, s)
		}
	}
	// Apart only: each word is marked.
	x = openMem(t, nil, art("t", "Tin", "Biên phòng giới thiệu.", 2))
	res, err := x.Search(context.Background(), Query{Q: "biên giới"})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if s := res.Hits[0].Snippet; !strings.Contains(s, "<mark>Biên</mark>") || !strings.Contains(s, "<mark>giới</mark>") {
		t.Errorf("apart: snippet %s", s)
	}
}
