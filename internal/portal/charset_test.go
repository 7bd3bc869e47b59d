package portal

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
)

// TestCheckReadsPageCharset: a portal page served in a legacy charset
// (windows-1258, named by the Content-Type header or by a <meta> tag) is
// read in that charset, so spam injected into it is found as on a UTF-8
// page.
func TestCheckReadsPageCharset(t *testing.T) {
	enc := func(s string) []byte {
		b, err := charmap.Windows1258.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const spam = `<div style="display:none">nhà cái uy tín, kèo nhà cái</div>`
	tests := []struct {
		name   string
		header string
		body   []byte
	}{
		{"utf-8", "text/html; charset=utf-8", []byte(`<html><body><p>Xin chào</p>` + spam + `</body></html>`)},
		{"header", "text/html; charset=windows-1258", enc(`<html><body><p>Xin chào</p>` + spam + `</body></html>`)},
		{"meta", "text/html", enc(`<html><head><meta charset="windows-1258"></head><body><p>Xin chào</p>` + spam + `</body></html>`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const base = "http://portal.example"
			site := &fakeSite{pages: map[string]crawler.Page{base + "/": {URL: base + "/", Status: 200, Body: tt.body,
				Header: http.Header{"Content-Type": {tt.header}}}}}
			p := config.Portal{ID: "p", Name: "Cổng P", URL: base, Pages: []string{"/"},
				Duties: config.Duties{List: []config.Duty{{ID: "x", Name: "X", Query: `"cổng"`, Due: "12-31", Every: config.EveryYear}}}}
			var mu sync.Mutex
			var rules []string
			pub := PublisherFunc(func(_ context.Context, a article.Alert) error {
				mu.Lock()
				defer mu.Unlock()
				for _, m := range a.Matches {
					rules = append(rules, m.Rule)
				}
				return nil
			})
			clk := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
			w, err := New(Config{Portals: []config.Portal{p}, Now: clk.Now}, site, &memCopies{m: map[string]crawler.Snapshot{}}, kv.NewMemory(), pub, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Check(t.Context(), p.ID); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if !slices.Contains(rules, "portal."+KindSpam) {
				t.Errorf("spam in a %s page not found: alerts %v", tt.name, rules)
			}
		})
	}
}

// TestEmptyHomePageIsDowntime: a home page answering 200 with an empty
// body (a crashed CMS) is a failed check, counted towards downtime: it is
// not a defacement, the previous copy stays the baseline, and the duties
// it gave evidence of are not suddenly missing.
func TestEmptyHomePageIsDowntime(t *testing.T) {
	const base = "http://portal.example"
	site := &fakeSite{pages: map[string]crawler.Page{}}
	p := config.Portal{ID: "p", Name: "Cổng P", URL: base, Pages: []string{"/"}, Down: 2,
		Duties: config.Duties{List: []config.Duty{{ID: "lanh-dao", Name: "Lãnh đạo", Query: `"chủ tịch" AND "điện thoại"`, Due: "01-31", Every: config.EveryYear}}}}
	var mu sync.Mutex
	var rules []string
	pub := PublisherFunc(func(_ context.Context, a article.Alert) error {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range a.Matches {
			rules = append(rules, m.Rule)
		}
		return nil
	})
	clk := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	w, err := New(Config{Portals: []config.Portal{p}, Now: clk.Now}, site, &memCopies{m: map[string]crawler.Snapshot{}}, kv.NewMemory(), pub, nil)
	if err != nil {
		t.Fatal(err)
	}
	check := func() (Report, []string) {
		t.Helper()
		clk.Add(time.Hour)
		mu.Lock()
		n := len(rules)
		mu.Unlock()
		rep, err := w.Check(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		return rep, slices.Clone(rules[n:])
	}
	home := `<html><body><p>Cổng thông tin điện tử xã P: tin tức, văn bản, thủ tục hành chính.</p><footer>Chủ tịch UBND xã: Lê Văn A, điện thoại 0237 000 000</footer></body></html>`
	site.set(base+"/", 200, home)
	if _, got := check(); len(got) != 0 {
		t.Fatalf("first check: alerts %v", got)
	}
	site.set(base+"/", 200, "  \n")
	rep, got := check()
	if len(got) != 0 || rep.Failed != 1 || rep.Fetched != 0 {
		t.Fatalf("empty home page: report %+v, alerts %v; want one failed page, no alert yet", rep, got)
	}
	if _, got := check(); !slices.Equal(got, []string{"portal." + KindDown}) {
		t.Fatalf("second empty answer: alerts %v, want the downtime finding", got)
	}
	site.set(base+"/", 200, home)
	if _, got := check(); len(got) != 0 {
		t.Fatalf("back with the same page: alerts %v, want none", got)
	}
	rows, err := w.Current(t.Context(), p.ID, clk.Now())
	if err != nil || len(rows) == 0 || rows[0].Status != StatusPublished {
		t.Fatalf("duty after the outage: %+v %v", rows, err)
	}
}
