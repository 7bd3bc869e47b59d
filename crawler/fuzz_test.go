package crawler

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao/internal/article"
)

func FuzzParseVietDate(f *testing.F) {
	for _, s := range []string{"Thứ tư, 10/1/2024 - 14:30", "(15:19 30/11/2019)", "Đăng ngày 11 - 11 - 2023", "2 giờ trước", "2026-11-20T08:15:00+07:00", "ngày 04 tháng 5 năm 2019", "99/99/9999 99:99"} {
		f.Add(s)
	}
	loc := article.Vietnam()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, loc)
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := parseVietDate(s, now, loc); ok && (d.Year() < 1900 || d.Year() > 2200) {
			t.Errorf("parseVietDate(%q) = %v", s, d)
		}
		parseMachineDate(s, loc)
		dateFromURL(s, loc)
	})
}

func FuzzRepairLegacy(f *testing.F) {
	for _, s := range []string{"TiÕng ViÖt rÊt hay", "Tieáng Vieät raát hay", "Viá»‡t Nam", "Tiếng Việt", "Ã", "Ä\uFFFD"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, _ := repairLegacy(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Errorf("repairLegacy(%q) = %q: invalid UTF-8", s, out)
		}
	})
}

func FuzzExtract(f *testing.F) {
	f.Add([]byte(articleHTML("Tiêu đề", "2026-11-20T08:00:00+07:00", "Nội dung bài báo về biên giới.")), "text/html")
	f.Add([]byte("<html><head><script type=\"application/ld+json\">[{\"@type\":\"NewsArticle\",\"author\":{\"name\":1}}]</script>"), "text/html; charset=windows-1258")
	f.Add([]byte{0xef, 0xbb, 0xbf, '<', 'p', '>', 0xff, 0xfe}, "")
	f.Fuzz(func(t *testing.T, body []byte, ctype string) {
		a, err := extract("https://baomau.vn/a-1.htm", body, http.Header{"Content-Type": {ctype}}, Source{ID: "f"}, testEnv())
		if err == nil && (!utf8.ValidString(a.Body) || !utf8.ValidString(a.Title) || strings.TrimSpace(a.Body) == "") {
			t.Errorf("bad article %+v", a)
		}
	})
}

func FuzzSources(f *testing.F) {
	f.Add([]byte("sources:\n  - id: a\n    feeds: [https://a.vn/rss]\n"))
	f.Add([]byte("sources: [{id: b, listings: [{url: 'https://b.vn', links: '('}]}]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseSources("f.yaml", b)
	})
}
