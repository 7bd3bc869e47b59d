package crawler

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/poll"
)

// waitFor polls cond until it holds or 20 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	poll.True(t, 20*time.Second, what, cond)
}

// TestSetSourcesWhileRunning: a source added while Run runs is crawled
// without a restart, and a source taken out of the list is no longer
// requested; an invalid list changes nothing.
func TestSetSourcesWhileRunning(t *testing.T) {
	s := newSite(t)
	page := readTestdata(t, "article1.html")
	s.static("/a/bai-1001.htm", "text/html; charset=utf-8", page)
	s.static("/b/bai-2002.htm", "text/html; charset=utf-8", strings.Replace(page, "Bát Mọt", "Yên Nhân", -1))
	s.static("/a.xml", "application/rss+xml", rss(rssItem("Bài A", s.url("/a/bai-1001.htm"), "Fri, 20 Nov 2026 08:15:00 +0700")))
	s.static("/b.xml", "application/rss+xml", rss(rssItem("Bài B", s.url("/b/bai-2002.htm"), "Fri, 20 Nov 2026 09:15:00 +0700")))
	src := func(id, feed string) Source {
		return Source{ID: id, Name: "Nguồn " + id, Feeds: []string{s.url(feed)},
			Interval: config.Duration(20 * time.Millisecond), Delay: config.Duration(time.Millisecond), AllowPrivate: true}
	}
	a, b := src("a", "/a.xml"), src("b", "/b.xml")
	cfg := testConfig()
	cfg.NoPoliteness = true
	c, rec, _ := newTestCrawler(t, cfg, a)
	published := func(source string) bool {
		for _, x := range rec.all() {
			if x.Source == source {
				return true
			}
		}
		return false
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	waitFor(t, "source a published", func() bool { return published("a") })
	if s.hitCount("/b.xml") != 0 {
		t.Fatal("b requested before it was added")
	}

	if err := c.SetSources([]Source{a, b}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "source b published", func() bool { return published("b") })

	bad := b
	bad.Kind = "blog"
	if err := c.SetSources([]Source{a, bad}); err == nil || !strings.Contains(err.Error(), "kind") {
		t.Fatalf("invalid kind: err %v", err)
	}
	if err := c.SetSources([]Source{b, b}); err == nil {
		t.Fatal("duplicate ids accepted")
	}
	c.mu.Lock()
	order := slices.Clone(c.order)
	c.mu.Unlock()
	if !slices.Equal(order, []string{"a", "b"}) {
		t.Fatalf("after rejected lists: %v", order)
	}

	// Disable a: after b has made two more passes, a's feed is not asked again.
	if err := c.SetSources([]Source{b}); err != nil {
		t.Fatal(err)
	}
	hb := s.hitCount("/b.xml")
	waitFor(t, "two passes of b", func() bool { return s.hitCount("/b.xml") >= hb+2 })
	ha := s.hitCount("/a.xml")
	hb = s.hitCount("/b.xml")
	waitFor(t, "three more passes of b", func() bool { return s.hitCount("/b.xml") >= hb+3 })
	if got := s.hitCount("/a.xml"); got != ha {
		t.Errorf("disabled source a fetched %d more times", got-ha)
	}
	if h := c.Health(); len(h) != 2 || h[0].Source != "b" || h[0].Passes == 0 || h[0].Disabled || h[1].Source != "a" || !h[1].Disabled || h[1].Passes == 0 {
		t.Errorf("health after disabling a: %+v", h)
	}

	// A changed source restarts with its new settings (here a new feed).
	b2 := b
	b2.Feeds = []string{s.url("/a.xml")}
	b2.Name = "Nguồn b (sửa)"
	ha = s.hitCount("/a.xml")
	if err := c.SetSources([]Source{b2}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "edited b reads the new feed", func() bool { return s.hitCount("/a.xml") > ha })
	if h := c.Health(); h[0].Name != "Nguồn b (sửa)" || len(h) != 2 {
		t.Errorf("health name %q", h[0].Name)
	}
}

// TestValidateSource: the sources.yaml checks, with the field at fault.
func TestValidateSource(t *testing.T) {
	ok := Source{ID: "bao-moi", Feeds: []string{"https://example.org/rss.xml"}}
	got, field, err := ValidateSource(ok)
	if err != nil || field != "" || got.Kind != "press" || got.Interval.D() != DefaultInterval || got.Name != "bao-moi" {
		t.Fatalf("valid source: %+v %q %v", got, field, err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Source)
		field string
	}{
		{"bad id", func(s *Source) { s.ID = "Báo Mới" }, "id"},
		{"kind", func(s *Source) { s.Kind = "blog" }, "kind"},
		{"feed url", func(s *Source) { s.Feeds = []string{"ftp://x"} }, "feeds"},
		{"listing pattern", func(s *Source) { s.Listings = []Listing{{URL: "https://example.org/", Links: "("}} }, "listings"},
		{"interval", func(s *Source) { s.Interval = config.Duration(time.Second) }, "interval"},
		{"selector", func(s *Source) { s.Selectors.Title = "h1[" }, "selectors"},
	} {
		s := ok
		tc.edit(&s)
		if _, field, err := ValidateSource(s); err == nil || field != tc.field {
			t.Errorf("%s: field %q err %v, want field %q", tc.name, field, err, tc.field)
		}
	}
}
