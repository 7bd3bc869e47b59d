package crawler

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
)

// benchSite serves n article pages (~25 KB of Vietnamese news HTML each)
// and a feed listing them.
func benchSite(b *testing.B, n int) (*httptest.Server, []string) {
	b.Helper()
	base := readTestdataB(b, "article1.html")
	mux := http.NewServeMux()
	var urls []string
	var items []string
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	filler := strings.Repeat(`<div class="related"><a href="/tin/khac.htm">Tin liên quan: giá lúa, thời tiết, giao thông nông thôn ở Thanh Hóa</a></div>`+"\n", 120)
	for i := range n {
		path := fmt.Sprintf("/thoi-su/bai-%d-%d.htm", i, 100000+i)
		page := strings.Replace(base, "tặng 50 suất quà", fmt.Sprintf("tặng %d suất quà", i), 1)
		page = strings.Replace(page, `href="/thoi-su/don-bien-phong-bat-mot-tuan-tra-bien-gioi-1001.htm"`, `href="`+path+`"`, 1)
		page = strings.Replace(page, "<footer>", filler+"<footer>", 1)
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, page)
		})
		urls = append(urls, srv.URL+path)
		items = append(items, rssItem(fmt.Sprintf("Bài %d", i), srv.URL+path, "Fri, 20 Nov 2026 08:15:00 +0700"))
	}
	feed := rss(items...)
	mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, feed) })
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "User-agent: *\nAllow: /\n") })
	return srv, urls
}

func readTestdataB(b *testing.B, name string) string {
	s, err := readFile("testdata/" + name)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

const benchPages = 300

// BenchmarkCrawlPages: one full pass (feed → fetch → extract → publish →
// state) over a loopback site, politeness off, Colly, Parallel 8.
//
//	go test -run '^$' -bench 'Pages' -benchtime 5x -cpu 2 ./crawler/
func BenchmarkCrawlPages(b *testing.B) {
	srv, _ := benchSite(b, benchPages)
	src := Source{ID: "bench", Name: "bench", Kind: article.KindPress, Feeds: []string{srv.URL + "/rss.xml"},
		Interval: config.Duration(time.Minute), Delay: config.Duration(time.Millisecond), AllowPrivate: true}
	var published int
	for b.Loop() {
		var mu sync.Mutex
		pub := PublisherFunc(func(context.Context, article.Article) error { mu.Lock(); published++; mu.Unlock(); return nil })
		c, err := New(Config{NoPoliteness: true, Parallel: 8, PerHost: 8, MaxPerPass: benchPages}, []Source{src}, pub, kv.NewMemory(), nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		st, err := c.CrawlOnce(context.Background(), "bench")
		if err != nil || st.Published != benchPages {
			b.Fatalf("%+v %v", st, err)
		}
	}
	b.ReportMetric(float64(benchPages*b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkFloorNetHTTPGoquery: the same pages fetched with net/http by 8
// workers and parsed with goquery, nothing else: the floor.
func BenchmarkFloorNetHTTPGoquery(b *testing.B) {
	_, urls := benchSite(b, benchPages)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	for b.Loop() {
		work := make(chan string)
		var wg sync.WaitGroup
		var titles sync.Map
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for u := range work {
					res, err := client.Get(u)
					if err != nil {
						b.Error(err)
						continue
					}
					doc, err := goquery.NewDocumentFromReader(res.Body)
					res.Body.Close()
					if err != nil {
						b.Error(err)
						continue
					}
					titles.Store(u, doc.Find("h1").Text())
				}
			}()
		}
		for _, u := range urls {
			work <- u
		}
		close(work)
		wg.Wait()
	}
	b.ReportMetric(float64(benchPages*b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkExtract: extraction alone on one page (1 goroutine).
func BenchmarkExtract(b *testing.B) {
	page := []byte(readTestdataB(b, "article1.html"))
	env := extractEnv{loc: article.Vietnam(), now: testNow, fastDate: true}
	for b.Loop() {
		if _, err := extract("https://baomau.vn/a-1.htm", page, nil, Source{ID: "mau"}, env); err != nil {
			b.Fatal(err)
		}
	}
}
