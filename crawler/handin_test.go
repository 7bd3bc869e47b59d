package crawler

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
)

func TestFetchOnce(t *testing.T) {
	page := `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bài đăng</title></head><body><article><h1>Cửa khẩu phụ Khẹo</h1>
<p>Trên mạng xã hội lan truyền thông tin cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn, người dân không được qua lại, kèm hình ảnh cũ.</p></article></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/bai.htm" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	defer srv.Close()
	ctx := context.Background()

	// No source for loopback: refused before any request, as the crawl does.
	c, _, _ := newTestCrawler(t, testConfig())
	if _, err := c.FetchOnce(ctx, srv.URL+"/bai.htm"); !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("loopback without an allowing source: %v, want ErrPrivateAddress", err)
	}

	// A source that allows loopback lends its permission; the raw page is
	// kept for the saved copy, and nothing is published or stored.
	src := Source{ID: "local", Name: "Local", Kind: article.KindPress, Feeds: []string{srv.URL + "/rss.xml"}, AllowPrivate: true}
	c, rec, st := newTestCrawler(t, testConfig(), src)
	h, err := c.FetchOnce(ctx, srv.URL+"/bai.htm")
	if err != nil {
		t.Fatal(err)
	}
	if string(h.Raw) != page || h.Article.ID == "" || h.Article.Source != "local" || !strings.Contains(h.Article.Body, "đóng cửa vô thời hạn") {
		t.Fatalf("FetchOnce = %+v", h.Article)
	}
	if keys, _ := st.Keys(ctx, ""); len(keys) != 0 || len(rec.all()) != 0 {
		t.Errorf("FetchOnce wrote state %v or published", keys)
	}
	if _, err := c.FetchOnce(ctx, srv.URL+"/khong-co.htm"); !errors.Is(err, errkind.Permanent) {
		t.Errorf("404: %v, want a permanent error", err)
	}
}
