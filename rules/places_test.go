package rules

import (
	"slices"
	"testing"

	"github.com/diembao/diembao/internal/article"
)

func TestCommunesOfDefaultPack(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	current := 0
	for _, p := range s.Places() {
		if got := s.Communes([]string{p.ID}); len(got) == 1 && got[0] == p.ID {
			current++
		}
	}
	if current != 9 {
		t.Errorf("%d gazetteer entries are communes of today, want the nine", current)
	}
	tests := []struct {
		in   []string
		want []string
	}{
		{[]string{"xuan-cao"}, []string{"luan-thanh"}},
		{[]string{"xuan-cam"}, []string{"xa-thuong-xuan"}},          // two steps
		{[]string{"luan-khe"}, []string{"luan-thanh", "tan-thanh"}}, // split
		{[]string{"tan-thanh-thanh-hoa", "tan-thanh"}, []string{"tan-thanh"}},
		{[]string{"huyen-thuong-xuan", "sam-to", "don-bien-phong-bat-mot"}, nil},
		{[]string{"bat-mot", "xuan-le"}, []string{"bat-mot", "xuan-chinh"}},
	}
	for _, tt := range tests {
		if got := s.Communes(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Communes(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	r := s.Match(article.Article{Title: "Xã Bát Mọt và xã Xuân Cao (huyện Thường Xuân cũ, Thanh Hóa) làm đường"})
	if !slices.Contains(r.Places, "bat-mot") || !slices.Contains(r.Places, "xuan-cao") {
		t.Errorf("Match().Places = %v, want bat-mot and xuan-cao", r.Places)
	}
}
