package article

import "testing"

func TestSourceNamesName(t *testing.T) {
	sn := SourceNames(func() map[string]string { return map[string]string{"btx": "Báo Thanh Hóa", "rong": ""} })
	for id, want := range map[string]string{"btx": "Báo Thanh Hóa", "rong": "rong", "khac": "khac"} {
		if got := sn.Name(id); got != want {
			t.Errorf("Name(%q) = %q, want %q", id, got, want)
		}
	}
	if got := SourceNames(nil).Name("btx"); got != "btx" {
		t.Errorf("nil SourceNames named btx %q", got)
	}
}
