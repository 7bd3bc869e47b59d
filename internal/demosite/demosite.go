// Package demosite serves a bundled sample Vietnamese press site on loopback,
// for `diembao demo`, end-to-end tests and benchmarks.
// In: a listen address and Options (the clock, whether to serve hostile
// pages). Out: an HTTP site with a home page, category listings, RSS 2.0
// feeds, a sitemap index with a news sitemap, robots.txt and about thirty
// article pages, plus Items describing what each article should match.
//
// The articles are fictional, written for this demo; they live in
// content/*.txt (embedded), not in Go string literals. Their dates are
// relative to Options.Now so they always fall in the current and previous
// week, in +07:00.
package demosite

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Topic ids of the default rule pack (DESIGN.md, "Rules").
const (
	TopicBorder   = "border"
	TopicEthnic   = "ethnic"
	TopicReligion = "religion"
	TopicLaos     = "laos"
	TopicDisinfo  = "disinfo"
)

// Where an article page states its publication time (article.Date* values).
const (
	DateJSONLD = "jsonld" // JSON-LD NewsArticle datePublished (plus a visible date)
	DateMeta   = "meta"   // <meta property="article:published_time"> (plus a visible date)
	DateText   = "text"   // only a visible Vietnamese date such as "Thứ tư, 10/1/2024 - 14:30"
)

// Options configures the site. The zero value is the demo: the clock is
// time.Now and no hostile page is served.
type Options struct {
	// Now anchors the article dates; zero means time.Now().
	Now time.Time
	// Hostile adds the security-test article (script, onerror, javascript:
	// and markup-breaking payloads in title, author and body) to the pages,
	// feeds and sitemaps.
	Hostile bool
}

// Item describes one article the site serves and what the pipeline is
// expected to make of it.
type Item struct {
	ID string // the CMS's numeric id, also at the end of Path
	// Title is NFC, exactly as in <h1> (entities decoded). Some titles hold
	// "–" or curly quotes: compare with textnorm.Normalize(Title), as the
	// crawler publishes it.
	Title     string
	Lead      string    // the sapo, NFC
	Path      string    // "/slug-240101.htm"; the URL is Site.URL() + Path
	Section   string    // category slug, e.g. "quoc-phong-an-ninh"
	Authors   []string  // byline
	Published time.Time // in +07:00, to the minute
	Modified  time.Time // zero when the page states none
	DateFrom  string    // DateJSONLD, DateMeta or DateText
	// Topics are the default pack's topic ids the article's text is written
	// to hit (whether or not it concerns the area), sorted. Empty for
	// ordinary news, including the traps ("lao động", "Lào Cai", "Thọ Xuân").
	Topics []string
	// Area is true when the article concerns the Thường Xuân area (old or
	// new commune names, the border post, cửa khẩu Khẹo, Sầm Tớ).
	Area bool
	// Trap says which false positive the article sets, if any.
	Trap string
	// Hostile marks the security-test article (only with Options.Hostile).
	Hostile bool
}

// Site is a running sample press site.
type Site struct {
	url   string
	items []Item
	srv   *http.Server
	done  chan struct{}
	once  sync.Once
	err   error
}

// Start serves the demo site on addr ("127.0.0.1:0" picks a free port) until
// ctx is cancelled or Close is called.
func Start(ctx context.Context, addr string) (*Site, error) {
	return StartOptions(ctx, addr, Options{})
}

// StartOptions is Start with explicit Options.
func StartOptions(ctx context.Context, addr string, opt Options) (*Site, error) {
	h, items, err := NewHandler(opt)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("demosite: listen %s: %w", addr, err)
	}
	s := &Site{
		url:   "http://" + ln.Addr().String(),
		items: items,
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 5 * time.Second,
		},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = s.Close()
		case <-s.done:
		}
	}()
	return s, nil
}

// URL returns the site's base URL without a trailing slash, e.g.
// "http://127.0.0.1:41234".
func (s *Site) URL() string { return s.url }

// Articles returns the articles served, newest first (a copy).
func (s *Site) Articles() []Item {
	out := make([]Item, len(s.items))
	for i, it := range s.items {
		it.Authors = append([]string(nil), it.Authors...)
		it.Topics = append([]string(nil), it.Topics...)
		out[i] = it
	}
	return out
}

// Close stops the server and closes open connections. It is safe to call
// more than once and returns the serving error, if serving failed.
func (s *Site) Close() error {
	s.once.Do(func() {
		_ = s.srv.Close()
		<-s.done
	})
	return s.err
}
