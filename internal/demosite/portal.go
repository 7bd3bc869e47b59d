package demosite

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/diembao/diembao/internal/config"
)

// PortalID is the id DemoPortals gives the sample commune portal.
const PortalID = "xa-xuan-mau"

// PortalOptions configures the sample commune portal.
type PortalOptions struct {
	// Now anchors the pages' dates; zero means time.Now().
	Now time.Time
	// InjectAfter: from the home page's InjectAfter-th request on, it
	// carries an injected hidden block of betting links (the demo sets 2,
	// so the watch sees a clean copy first). 0: only Inject turns it on.
	InjectAfter int
}

// Portal is the sample commune portal ("xã Xuân Mẫu", fictional): a home
// page, an introduction, news and budget pages carrying the default
// duties except the foreign-information plan, and switches that change
// its pages between two checks (for the change-watch tests and the demo).
// It is an http.Handler; its methods are safe for concurrent use.
type Portal struct {
	now   time.Time
	opt   PortalOptions
	name  string
	foot  string
	pages []portalPage // newest first
	tmpl  *template.Template

	mu       sync.Mutex
	homeHits int
	inject   bool
	iframe   bool
	down     bool
	removed  map[string]bool
}

type portalPage struct {
	Path      string
	Title     string
	Body      []string
	Published time.Time // zero: undated
}

type portalDoc struct {
	Name   string `yaml:"name"`
	Footer string `yaml:"footer"`
	Pages  []struct {
		Path    string   `yaml:"path"`
		Every   string   `yaml:"every"`
		Periods []string `yaml:"periods"`
		Day     *int     `yaml:"day"`
		EndDay  *int     `yaml:"end_day"`
		Title   string   `yaml:"title"`
		Body    string   `yaml:"body"`
	} `yaml:"pages"`
}

// NewPortal builds the sample portal from the embedded content.
func NewPortal(opt PortalOptions) (*Portal, error) {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.In(ict)
	b, err := files.ReadFile("content/portal/pages.yaml")
	if err != nil {
		return nil, fmt.Errorf("demosite: portal: %w", err)
	}
	var doc portalDoc
	if err := yaml.UnmarshalWithOptions(b, &doc, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("demosite: portal: %s", yaml.FormatError(err, false, false))
	}
	p := &Portal{now: now, opt: opt, name: doc.Name, foot: doc.Footer, removed: map[string]bool{}}
	for _, d := range doc.Pages {
		if d.Every == "" {
			p.pages = append(p.pages, portalPage{Path: d.Path, Title: d.Title, Body: lines(d.Body)})
			continue
		}
		cur := periodStart(d.Every, now)
		for _, which := range d.Periods {
			start := cur
			if which == "prev" {
				start = addPeriod(d.Every, cur, -1)
			}
			var date time.Time
			switch {
			case d.Day != nil:
				date = start.AddDate(0, 0, *d.Day).Add(9 * time.Hour)
			case d.EndDay != nil:
				date = addPeriod(d.Every, start, 1).AddDate(0, 0, *d.EndDay).Add(9 * time.Hour)
			default:
				return nil, fmt.Errorf("demosite: portal page %s: want day or end_day", d.Path)
			}
			if date.After(now) {
				continue
			}
			fill := fillPeriod(d.Every, start)
			p.pages = append(p.pages, portalPage{Path: fill(d.Path), Title: fill(d.Title), Body: lines(fill(d.Body)), Published: date})
		}
	}
	// Newest first, undated last.
	for i := 1; i < len(p.pages); i++ {
		for j := i; j > 0 && p.pages[j].Published.After(p.pages[j-1].Published); j-- {
			p.pages[j], p.pages[j-1] = p.pages[j-1], p.pages[j]
		}
	}
	p.tmpl, err = template.New("portal.html").Funcs(template.FuncMap{"footer": lines}).ParseFS(files, "templates/portal.html")
	if err != nil {
		return nil, fmt.Errorf("demosite: portal template: %w", err)
	}
	return p, nil
}

func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(strings.TrimSpace(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func periodStart(every string, t time.Time) time.Time {
	switch every {
	case "year":
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, t.Location())
	case "quarter":
		return time.Date(t.Year(), ((t.Month()-1)/3)*3+1, 1, 0, 0, 0, 0, t.Location())
	}
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
}

func addPeriod(every string, t time.Time, n int) time.Time {
	switch every {
	case "year":
		return t.AddDate(n, 0, 0)
	case "quarter":
		return t.AddDate(0, 3*n, 0)
	}
	return t.AddDate(0, n, 0)
}

var romanQ = [4]string{"I", "II", "III", "IV"}

// fillPeriod fills {year} {prev_year} {quarter} {month} for a period; in
// paths the quarter is a digit.
func fillPeriod(every string, start time.Time) func(string) string {
	q := int(start.Month()-1) / 3
	return func(s string) string {
		quarter := romanQ[q]
		if strings.HasPrefix(s, "/") {
			quarter = strconv.Itoa(q + 1)
		}
		return strings.NewReplacer("{year}", strconv.Itoa(start.Year()), "{prev_year}", strconv.Itoa(start.Year()-1),
			"{quarter}", quarter, "{month}", fmt.Sprintf("%02d", int(start.Month()))).Replace(s)
	}
}

// Inject turns the injected hidden block of betting links on the home page on or off.
func (p *Portal) Inject(on bool) { p.mu.Lock(); p.inject = on; p.mu.Unlock() }

// Iframe turns an iframe from another host on the news page on or off.
func (p *Portal) Iframe(on bool) { p.mu.Lock(); p.iframe = on; p.mu.Unlock() }

// Down makes every page answer 503 (or serve again).
func (p *Portal) Down(on bool) { p.mu.Lock(); p.down = on; p.mu.Unlock() }

// Remove makes a page answer 404 (or serve again).
func (p *Portal) Remove(path string, gone bool) { p.mu.Lock(); p.removed[path] = gone; p.mu.Unlock() }

// Paths lists the pages served besides the home page and /tin-tuc.
func (p *Portal) Paths() []string {
	out := make([]string, len(p.pages))
	for i, pg := range p.pages {
		out[i] = pg.Path
	}
	return out
}

type portalView struct {
	Name, Footer string
	Title        string
	Page         *portalPage
	List         []portalPage
	Inject       bool
	Iframe       bool
	Date         string
}

// ServeHTTP serves the portal.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	down, removed, inject, iframe := p.down, p.removed[r.URL.Path], p.inject, p.iframe
	if r.URL.Path == "/" && !down {
		p.homeHits++
		if p.opt.InjectAfter > 0 && p.homeHits >= p.opt.InjectAfter {
			inject = true
		}
	}
	p.mu.Unlock()
	switch {
	case r.URL.Path == "/robots.txt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "User-agent: *\nDisallow: /admin/\n")
		return
	case down:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "<!DOCTYPE html><title>503</title><h1>Service Unavailable</h1>")
		return
	case removed:
		http.NotFound(w, r)
		return
	}
	v := portalView{Name: p.name, Footer: p.foot}
	switch r.URL.Path {
	case "/":
		v.Title, v.Inject = p.name, inject
		v.List = p.pages[:min(len(p.pages), 8)]
	case "/tin-tuc":
		v.Title, v.Iframe = "Tin tức - Sự kiện", iframe
		v.List = p.pages
	default:
		for i := range p.pages {
			if p.pages[i].Path == r.URL.Path {
				v.Page = &p.pages[i]
				v.Title = p.pages[i].Title
				if !p.pages[i].Published.IsZero() {
					v.Date = p.pages[i].Published.Format(time.RFC3339)
				}
			}
		}
		if v.Page == nil {
			http.NotFound(w, r)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := p.tmpl.ExecuteTemplate(w, "portal", v); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
	}
}

// PortalServer is the sample portal served on loopback.
type PortalServer struct {
	*Portal
	url  string
	srv  *http.Server
	done chan struct{}
	once sync.Once
}

// StartPortal serves a sample portal on addr ("127.0.0.1:0": a free port)
// until ctx is cancelled or Close is called.
func StartPortal(ctx context.Context, addr string, opt PortalOptions) (*PortalServer, error) {
	p, err := NewPortal(opt)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("demosite: portal: listen %s: %w", addr, err)
	}
	s := &PortalServer{Portal: p, url: "http://" + ln.Addr().String(),
		srv: &http.Server{Handler: p, ReadHeaderTimeout: 5 * time.Second}, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener was closed under it; Close reports nothing more useful
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			s.Close()
		case <-s.done:
		}
	}()
	return s, nil
}

// URL is the portal's base URL without a trailing slash.
func (s *PortalServer) URL() string { return s.url }

// Close stops the server; it is safe to call more than once.
func (s *PortalServer) Close() {
	s.once.Do(func() {
		_ = s.srv.Close()
		<-s.done
	})
}

// DemoPortals describes the sample portal at url as diembao.yaml's
// portals: the default duty set, the home page, the news page and the
// introduction watched, a short interval and allow_private for loopback.
func DemoPortals(url string) []config.Portal {
	return []config.Portal{{
		ID: PortalID, Name: "Cổng TTĐT xã Xuân Mẫu (trang trình diễn)", URL: strings.TrimRight(url, "/") + "/",
		Pages: []string{"/", "/tin-tuc", "/gioi-thieu"}, Duties: config.Duties{Default: true},
		Interval: config.Duration(30 * time.Second), Delay: config.Duration(20 * time.Millisecond), Down: 3, AllowPrivate: true,
	}}
}
