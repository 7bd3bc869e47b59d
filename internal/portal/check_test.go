package portal

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
)

// fakeSite answers FetchPage from a map of URL to status and body; a URL
// it does not know answers 404.
type fakeSite struct {
	mu    sync.Mutex
	pages map[string]crawler.Page
}

func (s *fakeSite) set(u string, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[u] = crawler.Page{URL: u, Status: status, Body: []byte(body)}
}

func (s *fakeSite) FetchPage(_ context.Context, u string, _ bool, _ time.Duration) (crawler.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pg, ok := s.pages[u]; ok {
		return pg, nil
	}
	return crawler.Page{URL: u, Status: 404}, nil
}

func (s *fakeSite) ExtractPage(crawler.Page, string) (article.Article, error) {
	return article.Article{}, errors.New("fake: no article")
}

func (s *fakeSite) ProbeTLS(context.Context, string, bool) (crawler.TLSState, error) {
	return crawler.TLSState{}, errors.New("fake: no TLS")
}

type memCopies struct {
	mu sync.Mutex
	m  map[string]crawler.Snapshot
}

func (c *memCopies) PutSnapshot(_ context.Context, key string, s crawler.Snapshot) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = s
	return nil
}

func (c *memCopies) GetSnapshot(_ context.Context, key string) (crawler.Snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[key]
	if !ok {
		return crawler.Snapshot{}, errors.New("no copy")
	}
	return s, nil
}

// TestCheckPageFindings drives Check with a fake fetcher through the
// branches the demo portal does not reach: a failed page other than the
// home page, a page answering 403, a new script with a rewritten home
// page, and a new outbound host alone (a low-severity finding).
func TestCheckPageFindings(t *testing.T) {
	const base = "http://portal.example"
	site := &fakeSite{pages: map[string]crawler.Page{}}
	p := config.Portal{ID: "p", Name: "Cổng P", URL: base, Pages: []string{"/", "/a", "/b", "/c"},
		Duties: config.Duties{List: []config.Duty{{ID: "x", Name: "X", Query: `"cổng"`, Due: "12-31", Every: config.EveryYear}}}}
	var mu sync.Mutex
	var alerts []article.Alert
	pub := PublisherFunc(func(_ context.Context, a article.Alert) error {
		mu.Lock()
		defer mu.Unlock()
		alerts = append(alerts, a)
		return nil
	})
	clk := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	w, err := New(Config{Portals: []config.Portal{p}, Now: clk.Now}, site, &memCopies{m: map[string]crawler.Snapshot{}}, kv.NewMemory(), pub, nil)
	if err != nil {
		t.Fatal(err)
	}
	// check runs one pass and returns the report and the kinds of each
	// non-duty alert it published, by alert severity.
	check := func() (Report, map[string][]string) {
		t.Helper()
		clk.Add(time.Hour)
		mu.Lock()
		n := len(alerts)
		mu.Unlock()
		rep, err := w.Check(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		got := map[string][]string{}
		for _, a := range alerts[n:] {
			for _, m := range a.Matches {
				if m.Rule != "portal."+KindDuty {
					got[a.Severity] = append(got[a.Severity], m.Rule)
				}
			}
		}
		return rep, got
	}
	home := `<html><body><p>Cổng thông tin điện tử xã P: tin tức, văn bản, thủ tục hành chính, lịch công tác, hỏi đáp</p></body></html>`
	site.set(base+"/", 200, home)
	site.set(base+"/a", 503, "")
	site.set(base+"/b", 200, `<html><body><p>Trang b</p></body></html>`)
	site.set(base+"/c", 403, "")

	// A failed page other than the home page is counted and the others are
	// still fetched; a 403 is fetched but not compared.
	rep, got := check()
	if rep.Failed != 1 || rep.Fetched != 3 || len(got) != 0 {
		t.Fatalf("first check: %+v, alerts %v; want 1 failed, 3 fetched, no page alerts", rep, got)
	}

	// A new script and a rewritten home page text: one high finding.
	site.set(base+"/", 200, `<html><body><script src="https://cdn.bad.example/x.js"></script><p>hoàn toàn khác hẳn nội dung mới lạ</p></body></html>`)
	_, got = check()
	if want := []string{"portal." + KindNewHost, "portal." + KindScript, "portal." + KindDeface}; !slices.Equal(slices.Sorted(slices.Values(got["high"])), want) || len(got) != 1 {
		t.Fatalf("script and rewrite: alerts %v, want one high alert %v", got, want)
	}

	// Back to the old text, plus a link to a host never seen: a low finding.
	site.set(base+"/", 200, `<html><body><script src="https://cdn.bad.example/x.js"></script><p>hoàn toàn khác hẳn nội dung mới lạ</p><a href="https://other.example/">lạ</a></body></html>`)
	_, got = check()
	if len(got) != 1 || !slices.Equal(got["low"], []string{"portal." + KindNewHost}) {
		t.Fatalf("new host: alerts %v, want one low alert portal.%s", got, KindNewHost)
	}
}
