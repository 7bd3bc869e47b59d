package portal

import (
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/kv"
)

func demoHome(b *testing.B) []byte {
	b.Helper()
	p, err := demosite.NewPortal(demosite.PortalOptions{})
	if err != nil {
		b.Fatal(err)
	}
	p.Inject(true)
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest("GET", "/tin-tuc", nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return body
}

// BenchmarkAnalyse measures the change watch's parse of one page: hidden
// elements, links, scripts, spam vocabulary and visible words.
func BenchmarkAnalyse(b *testing.B) {
	spam, err := loadSpam()
	if err != nil {
		b.Fatal(err)
	}
	body := demoHome(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := analyse(body, "https://portal.example/tin-tuc", "portal.example", spam); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiff measures the diff of two copies of a page with a block
// injected in the middle.
func BenchmarkDiff(b *testing.B) {
	body := demoHome(b)
	old := htmlLines(body)
	now := append(append(append([]string{}, old[:len(old)/2]...), "<div style=\"display:none\">", "nhà cái", "</div>"), old[len(old)/2:]...)
	b.ReportAllocs()
	for b.Loop() {
		diffLines(old, now)
	}
}

// BenchmarkCompliance measures the duty table of a portal with 200 pages:
// the default set's queries compiled for two periods, then matched on
// every page.
func BenchmarkCompliance(b *testing.B) {
	st := kv.NewMemory()
	p := config.Portal{ID: "p", Name: "P", URL: "https://p.example/", Duties: config.Duties{Default: true}}
	r, err := NewReader([]config.Portal{p}, st, hcm)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, hcm)
	text := "Công khai dự toán ngân sách xã năm 2026. Tin hoạt động: sự kiện trong tháng. Người phát ngôn, điện thoại."
	for i := range 200 {
		pr := pageRecord{URL: "https://p.example/" + itoa(i), Title: "Trang " + itoa(i), Text: text, Published: now.AddDate(0, 0, -i), FirstSeen: now, LastSeen: now}
		if err := putJSON(b.Context(), st, "page.p."+pageID(pr.URL), pr); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Current(b.Context(), "p", now); err != nil {
			b.Fatal(err)
		}
	}
}
