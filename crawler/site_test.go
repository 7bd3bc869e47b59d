package crawler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
)

// site is a loopback press site whose pages a test can change.
type site struct {
	t   *testing.T
	srv *httptest.Server
	mu  sync.Mutex
	// pages maps a path to a handler; "/robots.txt" defaults to allow all.
	pages map[string]http.HandlerFunc
	hits  map[string]int
	ua    string
}

func newSite(t *testing.T) *site {
	s := &site{t: t, pages: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h, ok := s.pages[r.URL.Path]
		s.hits[r.URL.Path]++
		s.ua = r.UserAgent()
		s.mu.Unlock()
		if !ok {
			if r.URL.Path == "/robots.txt" {
				io.WriteString(w, "User-agent: *\nAllow: /\n")
				return
			}
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) handle(path string, h http.HandlerFunc) {
	s.mu.Lock()
	s.pages[path] = h
	s.mu.Unlock()
}

func (s *site) static(path, contentType, body string) {
	s.handle(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		io.WriteString(w, body)
	})
}

func (s *site) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *site) url(path string) string { return s.srv.URL + path }

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func rss(items ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Báo Mẫu</title><link>http://example/</link>`)
	for _, it := range items {
		b.WriteString(it)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

func rssItem(title, link, pub string) string {
	return fmt.Sprintf(`<item><title>%s</title><link>%s</link><pubDate>%s</pubDate></item>`, title, link, pub)
}

// recorder is a Publisher and SnapshotStore that keeps everything.
type recorder struct {
	mu       sync.Mutex
	articles []article.Article
	snaps    map[string]Snapshot
}

func (r *recorder) Publish(_ context.Context, a article.Article) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.articles = append(r.articles, a)
	return nil
}

func (r *recorder) PutSnapshot(_ context.Context, key string, s Snapshot) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.snaps == nil {
		r.snaps = map[string]Snapshot{}
	}
	r.snaps[key] = s
	return nil
}

func (r *recorder) all() []article.Article {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]article.Article(nil), r.articles...)
}

func testSource(s *site) Source {
	return Source{
		ID: "mau", Name: "Báo Mẫu", Kind: article.KindPress,
		Feeds:        []string{s.url("/rss/thoi-su.xml")},
		Interval:     config.Duration(time.Second),
		Delay:        config.Duration(time.Millisecond),
		AllowPrivate: true,
	}
}

func testConfig() Config {
	return Config{
		UserAgent: "diembao-test/1.0", ContactURL: "https://example.org/diembao",
		Timeout: 5 * time.Second, RetryBase: 5 * time.Millisecond, MaxRetries: 2, Parallel: 2,
	}
}

func newTestCrawler(t *testing.T, cfg Config, srcs ...Source) (*Crawler, *recorder, *kv.Memory) {
	t.Helper()
	rec := &recorder{}
	st := kv.NewMemory()
	c, err := New(cfg, srcs, rec, st, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return c, rec, st
}

func (s *site) lastUA() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ua
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func readFile(name string) (string, error) {
	b, err := os.ReadFile(name)
	return string(b), err
}
