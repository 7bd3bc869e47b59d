package alerts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
)

// TestRaiserNewRulesOnly: a revision raises an alert only for rules that had
// not fired on the article before, and a redelivery raises nothing.
func TestRaiserNewRulesOnly(t *testing.T) {
	ctx := context.Background()
	fire := map[int][]article.Match{
		1: {{Rule: "border.core", Topic: "border", Severity: "high", Audiences: []string{"office"},
			Terms: []article.Term{{Text: "biên giới", Start: 10, End: 22}}}},
		2: {{Rule: "border.core", Topic: "border", Severity: "high"},
			{Rule: "laos.twin", Topic: "laos", Severity: "critical", Audiences: []string{"police"}}},
	}
	m := MatcherFunc(func(a article.Article) (bool, []article.Match) { return true, fire[a.Revision] })
	var got []article.Alert
	pub := AlertPublisherFunc(func(_ context.Context, al article.Alert) error { got = append(got, al); return nil })
	now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	r, err := NewRaiser(m, kv.NewMemory(), pub, func() time.Time { return now }, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := article.Article{ID: "a1", Revision: 1, Title: "T", Body: "Đồn dọc biên giới Việt – Lào hôm nay"}
	for range 2 { // the second is a redelivery
		if err := r.Handle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 1 || got[0].ID != article.AlertID("a1", []string{"border.core"}) || got[0].Severity != "high" {
		t.Fatalf("after revision 1: %+v", got)
	}
	if !strings.Contains(got[0].Snippet, "biên giới") || !got[0].Area || !got[0].Created.Equal(now) {
		t.Errorf("alert fields: %+v", got[0])
	}
	a.Revision = 2
	if err := r.Handle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].ID != article.AlertID("a1", []string{"laos.twin"}) || got[1].Severity != "critical" ||
		TopTopic(got[1].Matches) != "laos" || strings.Join(got[1].Topics, ",") != "border,laos" {
		t.Fatalf("after revision 2: %+v", got)
	}
	if err := r.Handle(ctx, article.Article{Body: "biên giới"}); !errkind.IsPermanent(err) {
		t.Errorf("article without id: err = %v, want a permanent error", err)
	}
}
