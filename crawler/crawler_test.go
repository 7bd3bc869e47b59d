package crawler

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
)

func TestCrawlFeedEndToEnd(t *testing.T) {
	s := newSite(t)
	page := readTestdata(t, "article1.html")
	s.static("/thoi-su/don-bien-phong-bat-mot-tuan-tra-bien-gioi-1001.htm", "text/html; charset=utf-8", page)
	s.static("/rss/thoi-su.xml", "application/rss+xml", rss(
		rssItem("Đồn Biên phòng Bát Mọt tuần tra biên giới", s.url("/thoi-su/don-bien-phong-bat-mot-tuan-tra-bien-gioi-1001.htm?utm_source=rss"), "Fri, 20 Nov 2026 08:15:00 +0700"),
	))
	c, rec, _ := newTestCrawler(t, testConfig(), testSource(s))
	st, err := c.CrawlOnce(context.Background(), "mau")
	if err != nil {
		t.Fatal(err)
	}
	if st.Published != 1 {
		t.Fatalf("stats %+v, want 1 published", st)
	}
	a := rec.all()[0]
	wantCanon := s.url("/thoi-su/don-bien-phong-bat-mot-tuan-tra-bien-gioi-1001.htm")
	if a.CanonicalURL != wantCanon || a.ID != article.ID(wantCanon) {
		t.Errorf("canonical %q id %q, want %q", a.CanonicalURL, a.ID, wantCanon)
	}
	if a.Title != "Đồn Biên phòng Bát Mọt tuần tra biên giới" {
		t.Errorf("title %q", a.Title)
	}
	if !strings.Contains(a.Body, "Sầm Tớ") || strings.Contains(a.Body, "Tin đọc nhiều") {
		t.Errorf("body %q", a.Body)
	}
	if got := a.Published.Format(time.RFC3339); got != "2026-11-20T08:15:00+07:00" || a.PublishedFrom != article.DateMeta {
		t.Errorf("published %s from %q", got, a.PublishedFrom)
	}
	if a.ContentHash != article.ContentHash(a) || a.Revision != 1 || a.Lang != "vi" || a.Source != "mau" {
		t.Errorf("article %+v", a)
	}
	if a.Snapshot == "" {
		t.Fatal("no snapshot key")
	}
	snap := rec.snaps[a.Snapshot]
	raw, err := snap.Raw(0)
	if err != nil || string(raw) != page {
		t.Fatalf("snapshot raw: %v (equal=%v)", err, string(raw) == page)
	}
	// A second pass right away publishes nothing and fetches nothing.
	st, err = c.CrawlOnce(context.Background(), "mau")
	if err != nil || st.Published != 0 || st.Skipped != 1 {
		t.Fatalf("second pass %+v %v", st, err)
	}
	if h := c.Health()[0]; h.ItemsFound != 1 || h.Published != 1 || h.LastSuccess.IsZero() {
		t.Errorf("health %+v", h)
	}
	if ua := s.lastUA(); !strings.Contains(ua, "diembao") || !strings.Contains(ua, "https://example.org/diembao") {
		t.Errorf("user agent %q", ua)
	}
}

var _ = http.StatusOK
