package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchEnv returns a server whose index holds n articles that all match "biên giới".
func benchEnv(b *testing.B, n int) (*testEnv, *http.Cookie) {
	e := newEnv(b, Config{})
	base := sampleArticles()[0]
	e.index.articles = nil
	for i := range n {
		a := base
		a.ID = fmt.Sprintf("%032x", i)
		a.Title = fmt.Sprintf("Tuần tra biên giới số %d", i)
		a.Body = strings.Repeat("Đồn biên phòng Bát Mọt phối hợp tuần tra biên giới. ", 8)
		e.index.articles = append(e.index.articles, a)
	}
	token, _, err := e.accounts.NewSession(b.Context(), "an", e.srv.cfg.SessionTTL)
	if err != nil {
		b.Fatal(err)
	}
	return e, &http.Cookie{Name: sessionCookie, Value: token}
}

func benchGet(b *testing.B, e *testEnv, ck *http.Cookie, path string) {
	h := e.srv.Handler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(ck)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkSearchPage renders the search page with 20 hits (the fake index's
// own cost included, which is small next to rendering).
func BenchmarkSearchPage(b *testing.B) {
	e, ck := benchEnv(b, 20)
	benchGet(b, e, ck, "/?q=bien+gioi")
}

// BenchmarkAPISearch encodes the JSON of 20 hits.
func BenchmarkAPISearch(b *testing.B) {
	e, ck := benchEnv(b, 20)
	benchGet(b, e, ck, "/api/search?q=bien+gioi")
}

// BenchmarkSanitizeSavedCopy cleans a ~80 KB hostile page.
func BenchmarkSanitizeSavedCopy(b *testing.B) {
	page := []byte(strings.Repeat(hostileSnapshot, 80<<10/len(hostileSnapshot)))
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		sanitizeSavedCopy(page, "")
	}
}
