package crawler

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/textnorm"
)

// TestDemoSite crawls the bundled sample press site (feed, sitemap index,
// listings) and checks every article against what the site says it serves.
func TestDemoSite(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, article.Vietnam())
	site, err := demosite.StartOptions(ctx, "127.0.0.1:0", demosite.Options{Now: now, Hostile: true})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	srcs, err := ParseSources("demo sources", []byte(demosite.DemoSources(site.URL())))
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.NoPoliteness = true
	cfg.Now = func() time.Time { return now }
	c, rec, _ := newTestCrawler(t, cfg, srcs...)
	st, err := c.CrawlOnce(ctx, demosite.SourceID)
	if err != nil {
		t.Fatal(err)
	}
	items := site.Articles()
	if st.Published != len(items) || st.ExtractFail+st.FetchFail != 0 {
		for _, a := range rec.all() {
			t.Logf("%s %s", a.URL, a.Title)
		}
		t.Fatalf("stats %+v for %d articles", st, len(items))
	}
	got := map[string]article.Article{}
	for _, a := range rec.all() {
		got[strings.TrimPrefix(a.URL, site.URL())] = a
	}
	for _, it := range items {
		a, ok := got[it.Path]
		if !ok {
			t.Errorf("%s not published", it.Path)
			continue
		}
		if want := textnorm.Normalize(it.Title); a.Title != want {
			t.Errorf("%s: title %q, want %q", it.Path, a.Title, want)
		}
		if !a.Published.Equal(it.Published) || a.Published.Format(time.RFC3339)[19:] != "+07:00" {
			t.Errorf("%s: published %s via %q, want %s via %q", it.Path, a.Published.Format(time.RFC3339), a.PublishedFrom, it.Published.Format(time.RFC3339), it.DateFrom)
		}
		switch {
		case it.DateFrom == demosite.DateText && a.PublishedFrom == article.DateFeed:
			// The feed's pubDate ranks above visible text; the text alone must give the same time.
			b, err := c.Check(ctx, a.URL, true)
			if err != nil || b.PublishedFrom != article.DateText || !b.Published.Equal(it.Published) {
				t.Errorf("%s: without the feed: %s via %q (%v), want %s", it.Path, b.Published.Format(time.RFC3339), b.PublishedFrom, err, it.Published.Format(time.RFC3339))
			}
		case a.PublishedFrom != it.DateFrom:
			t.Errorf("%s: published_from %q, want %q", it.Path, a.PublishedFrom, it.DateFrom)
		}
		if want := textnorm.Normalize(it.Lead); it.Lead != "" && a.Lead != want {
			t.Errorf("%s: lead %q, want %q", it.Path, a.Lead, want)
		}
		if len(it.Authors) > 0 && !slices.Equal(a.Authors, normAll(it.Authors)) {
			t.Errorf("%s: authors %q, want %q", it.Path, a.Authors, it.Authors)
		}
		if !it.Modified.IsZero() && !a.Modified.Equal(it.Modified) {
			t.Errorf("%s: modified %s, want %s", it.Path, a.Modified, it.Modified)
		}
		if len(a.Body) < 200 || a.Lang != "vi" {
			t.Errorf("%s: body %d bytes, lang %q", it.Path, len(a.Body), a.Lang)
		}
	}
}

func normAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = textnorm.Normalize(s)
	}
	return out
}
