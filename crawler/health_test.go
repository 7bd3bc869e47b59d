package crawler

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/config"
)

// TestHealthTellsTheTruth: a source whose feed always fails shows its
// consecutive failed passes (discovery included), no successful discovery,
// no new article, goes stale after StaleAfter intervals and is noticed
// once; a working source counts only the last 24 hours.
func TestHealthTellsTheTruth(t *testing.T) {
	s := newSite(t)
	s.handle("/rss/hong.xml", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) })
	s.static(pagePath, "text/html", readTestdata(t, "article1.html"))
	s.static("/rss/thoi-su.xml", "application/rss+xml", rss(rssItem("Tin", s.url(pagePath), "Fri, 20 Nov 2026 08:15:00 +0700")))
	clk := &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	var notices []SourceHealth
	cfg := testConfig()
	cfg.Now, cfg.StaleAfter, cfg.MaxRetries = clk.Now, 3, -1
	cfg.Notice = NoticerFunc(func(_ context.Context, h SourceHealth) error {
		mu.Lock()
		notices = append(notices, h)
		mu.Unlock()
		return nil
	})
	dead := testSource(s)
	dead.ID, dead.Feeds, dead.Interval = "hong", []string{s.url("/rss/hong.xml")}, config.Duration(10*time.Minute)
	good := testSource(s)
	good.Interval = config.Duration(10 * time.Minute)
	c, _, st := newTestCrawler(t, cfg, dead, good)
	ctx := context.Background()
	for range 4 {
		_, _ = c.CrawlOnce(ctx, "hong")
		_, _ = c.CrawlOnce(ctx, "mau")
		clk.Add(10 * time.Minute)
	}
	h := map[string]SourceHealth{}
	for _, x := range c.Health() {
		h[x.Source] = x
	}
	if d := h["hong"]; d.FailedPasses != 4 || !d.LastSuccess.IsZero() || !d.LastNewArticle.IsZero() || d.Published24h != 0 || !d.Stale {
		t.Errorf("dead source health: failed passes %d, last success %v, last new %v, 24h %d, stale %v",
			d.FailedPasses, d.LastSuccess, d.LastNewArticle, d.Published24h, d.Stale)
	}
	// The working source gave its one article at the first pass and nothing
	// for the next three intervals: healthy passes, but stale as well.
	if g := h["mau"]; g.FailedPasses != 0 || g.LastSuccess.IsZero() || g.Published24h != 1 || g.LastNewArticle.IsZero() || !g.Stale {
		t.Errorf("working source health: %+v", g)
	}
	mu.Lock()
	if len(notices) != 2 || notices[0].Source != "hong" || notices[1].Source != "mau" {
		t.Errorf("notices %+v, want one for hong, then one for mau", notices)
	}
	mu.Unlock()

	// A day later the one article no longer counts in "24 giờ"; the source
	// is still stale and is not noticed again.
	clk.Add(25 * time.Hour)
	_, _ = c.CrawlOnce(ctx, "mau")
	_, _ = c.CrawlOnce(ctx, "mau")
	for _, x := range c.Health() {
		if x.Source == "mau" && (x.Published24h != 0 || !x.Stale || x.Published != 1) {
			t.Errorf("a day later: 24h %d, stale %v, published %d", x.Published24h, x.Stale, x.Published)
		}
	}
	mu.Lock()
	if len(notices) != 2 {
		t.Errorf("%d notices, want 2 (one per source going stale)", len(notices))
	}
	mu.Unlock()

	// Health survives a restart (kept in the crawl state).
	c2, err := New(cfg, []Source{dead, good}, &recorder{}, st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c2.CrawlOnce(ctx, "hong")
	for _, x := range c2.Health() {
		if x.Source == "hong" && x.FailedPasses != 5 {
			t.Errorf("after a restart hong has %d failed passes, want 5", x.FailedPasses)
		}
	}
}

// TestUptimeByDay: passes are counted per day in the crawler's zone, and
// Uptime over a period is the share of passes that did not fail.
func TestUptimeByDay(t *testing.T) {
	s := newSite(t)
	broken := false
	s.handle("/rss/lan.xml", func(w http.ResponseWriter, r *http.Request) {
		if broken {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(rss()))
	})
	clk := &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	cfg := testConfig()
	cfg.Now, cfg.MaxRetries = clk.Now, -1
	src := testSource(s)
	src.ID, src.Feeds = "lan", []string{s.url("/rss/lan.xml")}
	c, _, _ := newTestCrawler(t, cfg, src)
	ctx := context.Background()
	// Day one: 3 good passes; day two: 1 good, 3 failed.
	for i := range 7 {
		if i == 3 {
			clk.Add(24 * time.Hour)
		}
		broken = i >= 4
		_, _ = c.CrawlOnce(ctx, "lan")
	}
	h := c.Health()[0]
	if len(h.Days) != 2 || h.Days[0].Passes != 3 || h.Days[0].Failed != 0 || h.Days[1].Passes != 4 || h.Days[1].Failed != 3 {
		t.Fatalf("days %+v", h.Days)
	}
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	if u, ok := h.Uptime(day(20), day(22)); !ok || u != 4.0/7 {
		t.Errorf("uptime of both days %v %v, want 4/7", u, ok)
	}
	if u, ok := h.Uptime(day(21), day(22)); !ok || u != 0.25 {
		t.Errorf("uptime of day two %v %v, want 0.25", u, ok)
	}
	if _, ok := h.Uptime(day(1), day(20)); ok {
		t.Error("uptime before the first pass is known")
	}
}
