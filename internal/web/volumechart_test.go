package web

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/indexer"
)

// TestVolumeChart calls volumeChart with a searcher that counts the day of
// month of each bar's start (and remembers the queries): bar spans clipped
// to the query, daily and monthly bars, the last 24 months kept, the least
// visible height of a non-empty bar, and no chart when a count fails.
func TestVolumeChart(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, hcm)
	var mu sync.Mutex
	var qs []indexer.Query
	var fail error
	count := SearcherFunc(func(_ context.Context, q indexer.Query) (indexer.Result, error) {
		mu.Lock()
		defer mu.Unlock()
		qs = append(qs, q)
		if fail != nil {
			return indexer.Result{}, fail
		}
		n := uint64(q.From.Day())
		if q.From.Month() == time.November && q.From.Day() == 28 {
			n = 1000 // dwarfs the day 1 bar
		}
		return indexer.Result{Total: n}, nil
	})
	e := newEnv(t, Config{Location: hcm, Now: func() time.Time { return now }}, func(d *Deps) { d.Searcher = count })
	r := httptest.NewRequest("GET", "/?q=x&range=7d&page=3", nil)
	day := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, hcm) }

	// Days: 28 November 12:00 to 1 December 06:00, clipped at both ends.
	qs = nil
	cv := e.srv.volumeChart(r, indexer.Query{Q: "x", From: day(11, 28, 12), To: day(12, 1, 6)})
	if cv == nil || cv.Unit != "ngày" || len(cv.Bars) != 4 || cv.Max != 1000 {
		t.Fatalf("daily chart %+v", cv)
	}
	var first, last indexer.Query
	for _, q := range qs {
		if q.From.Day() == 28 {
			first = q
		}
		if q.From.Day() == 1 {
			last = q
		}
	}
	if !first.From.Equal(day(11, 28, 12)) || !last.To.Equal(day(12, 1, 6)) || first.Size != 1 || first.Sort != "date" {
		t.Errorf("bar queries not clipped to the query: first %+v last %+v", first, last)
	}
	b := cv.Bars[3]
	if b.H != 2 || b.Count != 1 || b.Label != "01/12/2026" || b.Tick != "01/12" {
		t.Errorf("last bar %+v: want the least height 2 for a count of 1", b)
	}
	if h, err := url.ParseQuery(b.Href[2:]); err != nil || h.Get("from") != "2026-12-01" || h.Get("to") != "2026-12-01" || h.Has("range") || h.Has("page") || h.Get("q") != "x" {
		t.Errorf("last bar link %q", b.Href)
	}

	// Months: an open start gives the last 12 months; a long range keeps 24.
	cv = e.srv.volumeChart(r, indexer.Query{Q: "x"})
	if cv == nil || cv.Unit != "tháng" || len(cv.Bars) != 12 || cv.Bars[0].Label != "01/2026" || cv.Bars[11].Tick != "12" {
		t.Fatalf("open chart %+v", cv)
	}
	cv = e.srv.volumeChart(r, indexer.Query{Q: "x", From: day(1, 1, 0).AddDate(-5, 0, 0)})
	if cv == nil || len(cv.Bars) != 24 || cv.Bars[0].Label != "01/2025" || cv.Bars[0].Tick != "01/2025" {
		t.Fatalf("long chart: %d bars, first %+v", len(cv.Bars), cv.Bars[0])
	}

	// A range that ends before it starts has no bars; a failed count no chart.
	if cv := e.srv.volumeChart(r, indexer.Query{Q: "x", From: day(12, 3, 0), To: day(12, 1, 0)}); cv != nil {
		t.Errorf("empty range: chart %+v", cv)
	}
	fail = errors.New("index down")
	if cv := e.srv.volumeChart(r, indexer.Query{Q: "x", From: day(12, 1, 0)}); cv != nil {
		t.Errorf("failed count: chart %+v", cv)
	}
}
