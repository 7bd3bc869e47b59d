package rules

import (
	"encoding/json"
	"testing"

	"github.com/diembao/diembao/internal/article"
)

// TestVerdictCarried: an article that carries the pipeline's verdict is not
// matched again; one without it (a v1 message from before the field) is.
func TestVerdictCarried(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var a article.Article
	if err := json.Unmarshal([]byte(`{"v":1,"id":"x","title":"Tuần tra biên giới ở xã Bát Mọt, huyện Thường Xuân","body":"Đồn Biên phòng Bát Mọt tuần tra biên giới Việt – Lào."}`), &a); err != nil {
		t.Fatal(err)
	}
	if a.Matched != nil {
		t.Fatal("a v1 message without the field decodes with a verdict")
	}
	fresh := s.Verdict(a)
	if !fresh.Area || len(fresh.Matches) == 0 {
		t.Fatalf("fresh verdict %+v: want the area and a match", fresh)
	}
	a.Matched = s.Match(a).Matched()
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back article.Article
	if err := json.Unmarshal(data, &back); err != nil || back.Matched == nil || len(back.Matched.Matches) != len(fresh.Matches) {
		t.Fatalf("verdict lost on the wire: %+v, %v", back.Matched, err)
	}
	carried := &article.Matched{Topics: []string{"religion"}}
	a.Matched = carried
	if got := s.Verdict(a); got != carried {
		t.Errorf("Verdict matched again instead of reading the carried verdict: %+v", got)
	}
}
