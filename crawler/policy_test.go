package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/poll"
)

const pagePath = "/thoi-su/don-bien-phong-bat-mot-tuan-tra-bien-gioi-1001.htm"

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func feedSite(t *testing.T) *site {
	s := newSite(t)
	s.static("/rss/thoi-su.xml", "application/rss+xml", rss(rssItem("Tin", s.url(pagePath), "Fri, 20 Nov 2026 08:15:00 +0700")))
	return s
}

func TestRobotsDisallowAndCrawlDelay(t *testing.T) {
	s := newSite(t)
	s.static("/robots.txt", "text/plain", "User-agent: diembao\nCrawl-delay: 7\nDisallow: /private/\n\nUser-agent: *\nDisallow: /\n")
	s.static("/private/a-1.htm", "text/html", readTestdata(t, "article1.html"))
	s.static(pagePath, "text/html", readTestdata(t, "article1.html"))
	s.static("/rss/thoi-su.xml", "application/rss+xml", rss(
		rssItem("a", s.url("/private/a-1.htm"), ""), rssItem("b", s.url(pagePath), "")))
	c, rec, _ := newTestCrawler(t, testConfig(), testSource(s))
	// Crawl-delay is read for our product token, and capped.
	delay, err := c.f.robotsAllow(context.Background(), mustURL(t, s.url(pagePath)), testSource(s))
	if err != nil || delay != 7*time.Second {
		t.Fatalf("crawl delay %v, %v; want 7s", delay, err)
	}
	c.f.cfg.NoPoliteness = true // do not wait 7 s in a unit test
	st, err := c.CrawlOnce(context.Background(), "mau")
	if err != nil {
		t.Fatal(err)
	}
	if s.hitCount("/private/a-1.htm") != 0 {
		t.Error("disallowed page was fetched")
	}
	if st.Published != 1 || len(rec.all()) != 1 {
		t.Errorf("stats %+v", st)
	}
	if _, err := c.Check(context.Background(), s.url("/private/a-1.htm"), true); !errors.Is(err, ErrRobots) {
		t.Errorf("Check of a disallowed page: %v", err)
	}
}

func TestConditionalGetAndRevisions(t *testing.T) {
	s := feedSite(t)
	var mu sync.Mutex
	body, etag := readTestdata(t, "article1.html"), `"v1"`
	s.handle(pagePath, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b, e := body, etag
		mu.Unlock()
		if r.Header.Get("If-None-Match") == e {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", e)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, b)
	})
	clk := &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	cfg := testConfig()
	cfg.Now = clk.Now
	c, rec, _ := newTestCrawler(t, cfg, testSource(s))
	ctx := context.Background()
	if st, err := c.CrawlOnce(ctx, "mau"); err != nil || st.Published != 1 {
		t.Fatalf("first pass %+v %v", st, err)
	}
	clk.Add(7 * time.Hour) // past Revisit
	st, err := c.CrawlOnce(ctx, "mau")
	if err != nil || st.NotModified != 1 || st.Published != 0 {
		t.Fatalf("304 pass %+v %v", st, err)
	}
	// The page is edited: a new revision with its own snapshot.
	mu.Lock()
	body = strings.Replace(body, "tặng 50 suất quà", "tặng 60 suất quà", 1)
	etag = `"v2"`
	mu.Unlock()
	clk.Add(7 * time.Hour)
	st, err = c.CrawlOnce(ctx, "mau")
	if err != nil || st.Published != 1 {
		t.Fatalf("edit pass %+v %v", st, err)
	}
	arts := rec.all()
	if len(arts) != 2 || arts[1].Revision != 2 || arts[1].ID != arts[0].ID || arts[1].ContentHash == arts[0].ContentHash {
		t.Fatalf("revisions %+v", arts)
	}
	if arts[1].Snapshot != SnapshotKey(arts[1].ID, 2) || rec.snaps[arts[1].Snapshot].Revision != 2 {
		t.Errorf("snapshot of revision 2: %q", arts[1].Snapshot)
	}
	// A re-fetch with a new ETag but the same text publishes nothing.
	mu.Lock()
	etag = `"v3"`
	mu.Unlock()
	clk.Add(7 * time.Hour)
	if st, err = c.CrawlOnce(ctx, "mau"); err != nil || st.Unchanged != 1 || st.Published != 0 {
		t.Fatalf("unchanged pass %+v %v", st, err)
	}
	// Removed: 404 becomes a removed revision, once.
	s.handle(pagePath, http.NotFound)
	for range 2 {
		clk.Add(7 * time.Hour)
		if _, err = c.CrawlOnce(ctx, "mau"); err != nil {
			t.Fatal(err)
		}
	}
	arts = rec.all()
	if len(arts) != 3 || !arts[2].Removed || arts[2].Revision != 3 || arts[2].Title == "" {
		t.Fatalf("removal: %+v", arts[len(arts)-1])
	}
}

func TestWatchRefetches(t *testing.T) {
	s := feedSite(t)
	var mu sync.Mutex
	body := readTestdata(t, "article1.html")
	s.handle(pagePath, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		io.WriteString(w, body)
	})
	clk := &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	cfg := testConfig()
	cfg.Now = clk.Now
	cfg.Revisit = 1000 * time.Hour
	c, rec, st := newTestCrawler(t, cfg, testSource(s))
	ctx := context.Background()
	if _, err := c.CrawlOnce(ctx, "mau"); err != nil {
		t.Fatal(err)
	}
	a := rec.all()[0]
	if err := c.Watch(ctx, a.URL); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	body = strings.Replace(body, "50 suất", "70 suất", 1)
	mu.Unlock()
	if err := c.RunWatches(ctx); err != nil || len(rec.all()) != 1 {
		t.Fatalf("nothing is due yet: %v, %d", err, len(rec.all()))
	}
	clk.Add(61 * time.Minute)
	if err := c.RunWatches(ctx); err != nil || len(rec.all()) != 2 {
		t.Fatalf("1 h re-fetch: %v, %d articles", err, len(rec.all()))
	}
	clk.Add(24 * time.Hour)
	if err := c.RunWatches(ctx); err != nil {
		t.Fatal(err)
	}
	if keys, _ := st.Keys(ctx, "w."); len(keys) != 0 {
		t.Errorf("watch entries left: %v", keys)
	}
}

func TestRetryAfter429(t *testing.T) {
	s := feedSite(t)
	var mu sync.Mutex
	n := 0
	s.handle(pagePath, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, readTestdata(t, "article1.html"))
	})
	s.handle("/busy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c, rec, _ := newTestCrawler(t, testConfig(), testSource(s))
	if st, err := c.CrawlOnce(context.Background(), "mau"); err != nil || st.Published != 1 || len(rec.all()) != 1 {
		t.Fatalf("%+v %v", st, err)
	}
	_, err := c.Check(context.Background(), s.url("/busy"), true)
	if !errors.Is(err, ErrRetryLater) {
		t.Fatalf("Retry-After 3600: %v", err)
	}
	// The host is now held off: further requests fail fast instead of waiting an hour.
	if _, err := c.Check(context.Background(), s.url(pagePath), true); !errors.Is(err, ErrRetryLater) {
		t.Fatalf("held-off host: %v", err)
	}
}

func TestRedirectLoop(t *testing.T) {
	s := newSite(t)
	s.handle("/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/b", http.StatusFound) })
	s.handle("/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/a", http.StatusMovedPermanently) })
	c, _, _ := newTestCrawler(t, testConfig(), testSource(s))
	_, err := c.Check(context.Background(), s.url("/a"), true)
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("redirect loop: %v", err)
	}
}

func TestRedirectFollowedToFinalURL(t *testing.T) {
	s := newSite(t)
	s.handle("/old-1001.htm", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, pagePath, http.StatusMovedPermanently)
	})
	s.static(pagePath, "text/html", strings.Replace(readTestdata(t, "article1.html"), `<link rel="canonical" href="/thoi-su/don-bien-phong-bat-mot-tuan-tra-bien-gioi-1001.htm">`, "", 1))
	c, _, _ := newTestCrawler(t, testConfig(), testSource(s))
	a, err := c.Check(context.Background(), s.url("/old-1001.htm"), true)
	if err != nil {
		t.Fatal(err)
	}
	if a.URL != s.url(pagePath) || a.CanonicalURL != s.url(pagePath) {
		t.Errorf("url %q canonical %q", a.URL, a.CanonicalURL)
	}
}

func TestBodyLimits(t *testing.T) {
	s := newSite(t)
	chunk := bytes.Repeat([]byte("<p>biên giới</p>\n"), 4096)
	s.handle("/huge", func(w http.ResponseWriter, r *http.Request) { // 50 MB, chunked, no Content-Length
		w.Header().Set("Content-Type", "text/html")
		for sent := 0; sent < 50<<20; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	s.handle("/declared", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(50<<20))
		w.Write(chunk)
	})
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestSpeed) // 8 MB of spaces, ~40 KB on the wire
	zw.Write(bytes.Repeat([]byte{' '}, 8<<20))
	zw.Close()
	s.handle("/bomb.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-gzip")
		w.Write(bomb.Bytes())
	})
	s.handle("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb.Bytes())
	})
	cfg := testConfig()
	cfg.MaxBody = 1 << 20
	c, _, _ := newTestCrawler(t, cfg, testSource(s))
	for _, p := range []string{"/huge", "/declared", "/bomb.xml.gz", "/bomb"} {
		_, err := c.Check(context.Background(), s.url(p), true)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: %v, want ErrTooLarge", p, err)
		}
	}
}

func TestSlowServerTimesOut(t *testing.T) {
	s := newSite(t)
	s.handle("/slow", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "<html><body><p>Đang tải")
		w.(http.Flusher).Flush()
		<-r.Context().Done() // trickle nothing more until the client gives up
	})
	cfg := testConfig()
	cfg.Timeout = 300 * time.Millisecond
	cfg.MaxRetries = -1
	c, _, _ := newTestCrawler(t, cfg, testSource(s))
	_, err := c.Check(context.Background(), s.url("/slow"), true)
	if err == nil || !strings.Contains(err.Error(), "Timeout") && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow server: %v", err)
	}
}

func TestPrivateAddressRefused(t *testing.T) {
	s := newSite(t)
	s.static(pagePath, "text/html", readTestdata(t, "article1.html"))
	src := testSource(s)
	src.AllowPrivate = false
	src.Interval = config.Duration(time.Minute)
	c, _, _ := newTestCrawler(t, testConfig(), src)
	if _, err := c.Check(context.Background(), s.url(pagePath), false); !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("loopback without allow_private: %v", err)
	}
	if _, err := c.CrawlOnce(context.Background(), "mau"); !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("crawl of a loopback source: %v", err)
	}
}

func TestRedirectToPrivateAddressRefusedAtDial(t *testing.T) {
	inner := newSite(t) // stands for an internal service
	inner.static("/admin", "text/html", readTestdata(t, "article1.html"))
	outer := newSite(t) // stands for a public site that redirects inwards
	outer.handle("/go", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.url("/admin"), http.StatusFound)
	})
	outerAddr := strings.TrimPrefix(outer.srv.URL, "http://")
	cfg := testConfig()
	cfg.dialGuard = func(address string) error { // the outer site counts as public
		if address == outerAddr {
			return nil
		}
		return refusePrivate(address)
	}
	c, _, _ := newTestCrawler(t, cfg, testSource(outer))
	_, err := c.Check(context.Background(), outer.url("/go"), false)
	if !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("redirect to a private address: %v", err)
	}
	if inner.hitCount("/admin") != 0 {
		t.Error("the private address was reached")
	}
}

func TestPublicAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1": false, "10.1.2.3": false, "192.168.1.1": false, "172.16.0.1": false, "169.254.169.254": false,
		"100.64.0.1": false, "0.0.0.0": false, "::1": false, "fe80::1": false, "fc00::1": false, "::ffff:127.0.0.1": false,
		"14.225.0.1": true, "8.8.8.8": true, "2001:4860:4860::8888": true,
	} {
		if got := publicAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("publicAddr(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	s := feedSite(t)
	s.static(pagePath, "text/html", readTestdata(t, "article1.html"))
	c, rec, _ := newTestCrawler(t, testConfig(), testSource(s))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	poll.True(t, 10*time.Second, "a published article", func() bool { return len(rec.all()) > 0 })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	// Run has returned: its goroutines are gone, so no request can follow.
	if _, err := c.CrawlOnce(ctx, "mau"); err == nil {
		t.Error("CrawlOnce with a cancelled context reported success")
	}
}

func TestAreaFilter(t *testing.T) {
	s := feedSite(t)
	s.static(pagePath, "text/html", readTestdata(t, "article1.html"))
	src := testSource(s)
	src.RequireArea = true
	cfg := testConfig()
	cfg.Area = areaFunc(func(a article.Article) bool { return strings.Contains(a.Body, "Thường Xuân") })
	c, rec, _ := newTestCrawler(t, cfg, src)
	st, err := c.CrawlOnce(context.Background(), "mau")
	if err != nil || st.Filtered != 1 || len(rec.all()) != 0 {
		t.Fatalf("%+v %v", st, err)
	}
}

type areaFunc func(article.Article) bool

func (f areaFunc) ConcernsArea(a article.Article) bool { return f(a) }

var (
	_ = net.IPv4len
	_ = httptest.NewServer
	_ = config.Duration(0)
)

func TestRobotsServerErrorIsNotRemembered(t *testing.T) {
	s := feedSite(t)
	s.static(pagePath, "text/html", readTestdata(t, "article1.html"))
	var mu sync.Mutex
	broken := true
	s.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if broken {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		io.WriteString(w, "User-agent: *\nAllow: /\n")
	})
	cfg := testConfig()
	cfg.MaxRetries = -1
	c, rec, _ := newTestCrawler(t, cfg, testSource(s))
	if _, err := c.CrawlOnce(context.Background(), "mau"); !errors.Is(err, ErrRetryLater) {
		t.Fatalf("robots.txt 500: %v", err)
	}
	if s.hitCount(pagePath) != 0 || len(rec.all()) != 0 {
		t.Fatal("crawled without a robots.txt")
	}
	mu.Lock()
	broken = false
	mu.Unlock()
	if st, err := c.CrawlOnce(context.Background(), "mau"); err != nil || st.Published != 1 {
		t.Fatalf("after robots.txt recovered: %+v %v", st, err)
	}
	if h := c.Health()[0]; h.NewestItem.IsZero() || h.Passes != 2 {
		t.Errorf("health %+v", h)
	}
}
