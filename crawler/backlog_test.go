package crawler

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
)

// TestLongListingDrainsOverPasses: a listing of 10,000 links with a cap of
// 1,000 per pass. Links already fetched do not use up the cap, so ten passes
// fetch every link exactly once, and an eleventh fetches nothing.
func TestLongListingDrainsOverPasses(t *testing.T) {
	const links, perPass = 10000, 1000
	s := newSite(t)
	var b strings.Builder
	b.WriteString("<html><body><ul>")
	for i := range links {
		fmt.Fprintf(&b, `<li><a href="/tin/bai-%d.htm">Bài %d</a></li>`, i, i)
	}
	b.WriteString("</ul></body></html>")
	s.static("/tin", "text/html; charset=utf-8", b.String())
	src := Source{ID: "mau", Name: "Báo Mẫu", Kind: article.KindPress, AllowPrivate: true,
		Listings: []Listing{{URL: s.url("/tin"), Links: `/tin/bai-[0-9]+\.htm$`}},
		Interval: config.Duration(time.Minute)}
	cfg := testConfig()
	cfg.NoPoliteness, cfg.MaxPerPass, cfg.Parallel, cfg.PerHost = true, perPass, 8, 8
	c, _, _ := newTestCrawler(t, cfg, src)
	ctx := context.Background()
	for pass := range links / perPass {
		st, err := c.CrawlOnce(ctx, "mau")
		if err != nil {
			t.Fatal(err)
		}
		if st.Fetched != perPass {
			t.Fatalf("pass %d fetched %d pages, want %d (found %d, skipped %d)", pass+1, st.Fetched, perPass, st.Found, st.Skipped)
		}
		if want := links - (pass+1)*perPass; st.Backlog != want {
			t.Errorf("pass %d: backlog %d, want %d", pass+1, st.Backlog, want)
		}
	}
	st, err := c.CrawlOnce(ctx, "mau")
	if err != nil {
		t.Fatal(err)
	}
	if st.Fetched != 0 || st.Found != links {
		t.Errorf("after the backlog drained: fetched %d, found %d", st.Fetched, st.Found)
	}
	for i := range links {
		if n := s.hitCount(fmt.Sprintf("/tin/bai-%d.htm", i)); n != 1 {
			t.Fatalf("link %d fetched %d times, want 1", i, n)
		}
	}
}

// TestBacklogNewestFirst: with dates known (a sitemap), the cap takes the
// newest links first.
func TestBacklogNewestFirst(t *testing.T) {
	s := newSite(t)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	base := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	order := []int{7, 2, 9, 0, 5, 3, 8, 1, 6, 4} // day offsets, shuffled
	for _, d := range order {
		fmt.Fprintf(&b, `<url><loc>%s</loc><lastmod>%s</lastmod></url>`, s.url(fmt.Sprintf("/tin/ngay-%d.htm", d)), base.AddDate(0, 0, d).Format(time.RFC3339))
	}
	b.WriteString(`</urlset>`)
	s.static("/sitemap.xml", "application/xml", b.String())
	src := Source{ID: "mau", Name: "Báo Mẫu", Kind: article.KindPress, AllowPrivate: true,
		Sitemaps: []string{s.url("/sitemap.xml")}, Interval: config.Duration(time.Minute)}
	cfg := testConfig()
	cfg.NoPoliteness, cfg.MaxPerPass = true, 3
	c, _, _ := newTestCrawler(t, cfg, src)
	for pass, want := range [][]int{{9, 8, 7}, {6, 5, 4}} {
		if _, err := c.CrawlOnce(context.Background(), "mau"); err != nil {
			t.Fatal(err)
		}
		for _, d := range want {
			if s.hitCount(fmt.Sprintf("/tin/ngay-%d.htm", d)) != 1 {
				t.Errorf("pass %d did not fetch day %d", pass+1, d)
			}
		}
	}
	if n := s.hitCount("/tin/ngay-0.htm"); n != 0 {
		t.Errorf("oldest link fetched before the newer ones")
	}
}
