package digest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/article"
)

// What only a police-only rule found stays out of the office's digest and
// the archive copy, and is in the police's.
func TestRestrictedRulesOnlyInSensitiveCopy(t *testing.T) {
	d := func(day, h int) time.Time { return time.Date(2026, 11, day, h, 0, 0, 0, ict) }
	open := article.Match{Rule: "border.core", Topic: "border", Severity: "high", Audiences: []string{"office", "police"},
		Terms: []article.Term{{Text: "biên giới"}}}
	secret := article.Match{Rule: "laos.mat", Topic: "laos", Severity: "critical", Audiences: []string{"police"},
		Terms: []article.Term{{Text: "chuyên án"}}}
	arch := archive{items: []Item{
		{ID: "a1", Title: "Tuần tra biên giới", Lead: "Tin tuần tra.", Source: "baothanhhoa", Published: d(18, 9), Area: true,
			Topics: []string{"border", "laos"}, Terms: []string{"biên giới", "chuyên án"}},
		{ID: "a5", Title: "Bài chỉ công an được biết", Lead: "Nội dung.", Source: "vnexpress", Published: d(19, 9),
			Topics: []string{"laos"}, Terms: []string{"chuyên án"}},
	}, recs: []alerts.Record{
		{Alert: article.Alert{ID: "al1", ArticleID: "a1", Title: "Tuần tra biên giới", Severity: "critical", Topics: []string{"border", "laos"},
			Matches: []article.Match{open, secret}}, Audiences: []string{"office", "police"}, Received: d(18, 9)},
		{Alert: article.Alert{ID: "al5", ArticleID: "a5", Title: "Bài chỉ công an được biết", Severity: "critical", Topics: []string{"laos"},
			Matches: []article.Match{secret}}, Audiences: []string{"office", "police"}, Received: d(19, 9)},
	}}
	b, err := NewBuilder(arch, ict, "UBND xã Thường Xuân")
	if err != nil {
		t.Fatal(err)
	}
	b.HideRestricted([]string{"police"})
	full, err := b.Build(context.Background(), "2026-W47")
	if err != nil {
		t.Fatal(err)
	}
	render := func(x Digest) string {
		h, err := HTML(x, ict)
		if err != nil {
			t.Fatal(err)
		}
		return h + Text(x, ict)
	}
	for name, x := range map[string]Digest{"office": ForAudience(full, "office"), "public": Public(full, []string{"police"})} {
		out := render(x)
		for _, leak := range []string{"chuyên án", "Bài chỉ công an", "Lào – Sầm Tớ", "khẩn cấp", "Khẩn cấp"} {
			if strings.Contains(out, leak) {
				t.Errorf("%s copy shows %q", name, leak)
			}
		}
		if x.Articles != 1 || x.Stories != 1 || len(x.Alerts) != 1 || x.Alerts[0].Severity != "high" {
			t.Errorf("%s copy: %d articles, %d stories, alerts %+v", name, x.Articles, x.Stories, x.Alerts)
		}
		if !strings.Contains(out, "biên giới") || !strings.Contains(out, "Tuần tra biên giới") {
			t.Errorf("%s copy lost the open rule's article", name)
		}
	}
	police := render(ForAudience(full, "police"))
	for _, want := range []string{"chuyên án", "Bài chỉ công an"} {
		if !strings.Contains(police, want) {
			t.Errorf("police copy lacks %q", want)
		}
	}
}
