package indexer

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestLaoWordInsideRun searches Lao words that the page writes inside a run
// without spaces, through the real index (analyzers, query parser, phrase
// search), and checks that the stored title keeps the publisher's ຳ.
func TestLaoWordInsideRun(t *testing.T) {
	x := openMem(t, nil,
		art("lao1", "ຂ່າວແຂວງຫົວພັນ", "ເຈົ້າໜ້າທີ່ແຂວງຫົວພັນໄດ້ພົບປະກັບຄະນະຜູ້ແທນເມືອງຊຳໃຕ້.", 20),
		art("lao2", "ຂ່າວວຽງຈັນ", "ນະຄອນຫຼວງວຽງຈັນມີຝົນຕົກໜັກ.", 21),
		art("vi1", "Đồn Biên phòng Bát Mọt", "Cán bộ đồn phối hợp với tỉnh Hủa Phăn.", 22),
	)
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"ຫົວພັນ", []string{"lao1"}},
		{"ແຂວງຫົວພັນ", []string{"lao1"}},
		{"ຊຳໃຕ້", []string{"lao1"}},
		{"ຊໍາໃຕ້", []string{"lao1"}}, // the NFKC spelling finds the original
		{"ວຽງຈັນ", []string{"lao2"}},
		{"ຝົນ", []string{"lao2"}},
		{"ຫົວພັນ Bát", nil},
		{"ວຽງຫົວ", nil},
	} {
		got := ids(t, x, Query{Q: tt.q})
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Search(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
	a, err := x.Get(context.Background(), "lao1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.ContainsRune(a.Article.Body, '\u0EB3') {
		t.Errorf("stored body lost ຳ: %q", a.Article.Body)
	}
}
