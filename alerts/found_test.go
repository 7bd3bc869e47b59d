package alerts

import (
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
)

// TestMailShowsFoundDay: an article without a date of its own shows its
// time as "ngày phát hiện" (the day it was found), in Vietnam time; a dated
// one written at −05:00 shows the Vietnamese wall clock.
func TestMailShowsFoundDay(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	r := newRenderer("https://diembao.example", ict, nil, nil)
	undated := article.Alert{ID: "a1", Title: "Giới thiệu xã Bát Mọt", URL: "https://baomau.vn/a.htm", Source: "baomau",
		Published: time.Date(2026, 11, 26, 10, 0, 0, 0, ict), PublishedFrom: article.DateFetched, Severity: "high"}
	dated := undated
	dated.ID, dated.PublishedFrom = "a2", article.DateMeta
	dated.Published = time.Date(2025, 10, 22, 19, 0, 0, 0, time.FixedZone("", -5*3600))
	_, text, html, err := r.render("vanphong", false, []article.Alert{undated, dated})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{text, html} {
		if !strings.Contains(body, "ngày phát hiện 10:00 26/11/2026") {
			t.Errorf("undated alert not shown as found day:\n%s", body)
		}
		if !strings.Contains(body, "07:00 23/10/2025 (giờ Việt Nam)") || strings.Contains(body, "ngày phát hiện 07:00") {
			t.Errorf("dated alert not in Vietnam time:\n%s", body)
		}
	}
}
