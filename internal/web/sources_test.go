package web

import (
	"strings"
	"testing"
	"time"
)

// TestSourcesPageTruth: a source whose discovery keeps failing shows its
// consecutive failed passes and "never" for the last successful discovery;
// a quiet source shows "Không có bài mới".
func TestSourcesPageTruth(t *testing.T) {
	e := newEnv(t, Config{})
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	e.srv.deps.Sources = fakeSources{
		{ID: "hong", Name: "Báo Hỏng", Kind: "press", LastCrawl: at, Failures: 4, LastError: "status 500"},
		{ID: "lang", Name: "Báo Lặng", Kind: "press", LastCrawl: at, LastOK: at, LastNew: at.Add(-time.Hour), Stale: true, Backlog: 12},
	}
	_, body := get(t, e.login("quantri"), e.ts.URL+"/sources")
	hong := body[strings.Index(body, `id="source-hong"`):]
	hong = hong[:strings.Index(hong, "</tr>")]
	if !strings.Contains(hong, "Lỗi (4 lượt liên tiếp)") || !strings.Contains(hong, "chưa lần nào") || strings.Contains(hong, "Bình thường") {
		t.Errorf("failing source row: %s", hong)
	}
	lang := body[strings.Index(body, `id="source-lang"`):]
	lang = lang[:strings.Index(lang, "</tr>")]
	if !strings.Contains(lang, "Không có bài mới") || !strings.Contains(lang, "<td>12</td>") {
		t.Errorf("quiet source row: %s", lang)
	}
}
