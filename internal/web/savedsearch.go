package web

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/savedsearch"
)

// Saved searches and subscriptions: an analyst saves the query of the
// search page with its filters (POST /searches), manages them on
// /searches (name, notification: none, immediate or daily; the private Atom
// feed address, which can be revoked by issuing a new one; delete), reads
// the feed without login at /feeds/{token}, and unsubscribes from a
// search's mails in one click at /unsubscribe (signed token, no login;
// POST also answers RFC 8058 one-click requests). /account sets the e-mail
// address notifications go to.

func (s *Server) savedRoutes(handle func(pattern string, h http.Handler)) {
	handle("GET /searches", s.authed("", false, http.HandlerFunc(s.searchesPage)))
	handle("POST /searches", s.authed("", true, http.HandlerFunc(s.searchSave)))
	handle("POST /searches/{id}", s.authed("", true, http.HandlerFunc(s.searchUpdate)))
	handle("POST /searches/{id}/feed", s.authed("", true, http.HandlerFunc(s.searchRotateFeed)))
	handle("POST /searches/{id}/delete", s.authed("", true, http.HandlerFunc(s.searchDelete)))
	handle("GET /feeds/{token}", http.HandlerFunc(s.feed))
	handle("GET /unsubscribe", http.HandlerFunc(s.unsubscribePage))
	handle("POST /unsubscribe", http.HandlerFunc(s.unsubscribePost))
	handle("GET /account", s.authed("", false, http.HandlerFunc(s.accountPage)))
	handle("POST /account", s.authed("", true, http.HandlerFunc(s.accountPost)))
}

// SetEmail sets a user's e-mail address for notifications ("" removes it).
func (a *Accounts) SetEmail(ctx context.Context, name, email string) error {
	email = strings.TrimSpace(email)
	if email != "" {
		addr, err := mail.ParseAddress(email)
		if err != nil || addr.Name != "" || addr.Address != email || len(email) > 254 {
			return fmt.Errorf("địa chỉ thư %q không hợp lệ", email)
		}
	}
	for range 10 {
		e, err := a.store.Get(ctx, userKey(name))
		if err != nil {
			if errors.Is(err, kv.ErrNotFound) {
				return fmt.Errorf("user %q: %w", name, ErrNotFound)
			}
			return fmt.Errorf("user %q: %w", name, err)
		}
		var u User
		if err := json.Unmarshal(e.Value, &u); err != nil {
			return fmt.Errorf("user %q: %w", name, err)
		}
		u.Email = email
		b, _ := json.Marshal(u)
		_, err = a.store.Update(ctx, userKey(name), b, e.Revision)
		if errors.Is(err, kv.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("user %q: %w", name, err)
		}
		return nil
	}
	return fmt.Errorf("user %q: too many concurrent changes", name)
}

// expandRange turns range=today|7d|30d|year into from and to (the search
// page's date presets); explicit from/to win.
func (s *Server) expandRange(v url.Values) url.Values {
	p := v.Get("range")
	if p == "" || v.Get("from") != "" || v.Get("to") != "" {
		return v
	}
	from, to := savedsearch.RangeWindow(p, s.cfg.Now(), s.cfg.Location)
	if from.IsZero() {
		return v
	}
	c := url.Values{}
	for k, vs := range v {
		c[k] = vs
	}
	c.Set("from", from.In(s.cfg.Location).Format("2006-01-02"))
	c.Set("to", to.In(s.cfg.Location).Format("2006-01-02"))
	return c
}

type presetLink struct {
	Label, Href string
	On          bool
}

type bar struct {
	X, Y, W, H int
	Label      string
	Count      uint64
	Href       string
	Tick       string
}

type chartView struct {
	Bars          []bar
	Width, Height int
	Max           uint64
	Unit          string
}

// searchExtra is what this file adds to the search page.
type searchExtra struct {
	Presets  []presetLink
	Chart    *chartView
	CanSave  bool
	SaveVals url.Values
	Range    string
	CSRF     string
	// DefaultName proposes a name for the saved search: the query.
	DefaultName string
}

func (s *Server) searchExtras(r *http.Request, q *indexer.Query) *searchExtra {
	v := r.URL.Query()
	x := &searchExtra{CanSave: s.deps.Saved != nil, Range: v.Get("range"), DefaultName: strings.TrimSpace(v.Get("q"))}
	if a := authFrom(r.Context()); a != nil {
		x.CSRF = a.csrf
	}
	for _, p := range []struct{ id, label string }{{"", "Mọi lúc"}, {savedsearch.RangeToday, "Hôm nay"}, {savedsearch.Range7d, "7 ngày"}, {savedsearch.Range30d, "30 ngày"}, {savedsearch.RangeYear, "Năm nay"}} {
		c := withParamValues(v, "range", nil)
		c.Del("from")
		c.Del("to")
		c.Del("page")
		if p.id != "" {
			c.Set("range", p.id)
		}
		on := p.id == x.Range && (p.id != "" || (v.Get("from") == "" && v.Get("to") == ""))
		x.Presets = append(x.Presets, presetLink{Label: p.label, Href: "/?" + c.Encode(), On: on})
	}
	x.SaveVals = url.Values{}
	for _, k := range []string{"q", "source", "topic", "area", "range", "from", "to"} {
		if vs := v[k]; len(vs) > 0 {
			x.SaveVals[k] = vs
		}
	}
	if q != nil {
		x.Chart = s.volumeChart(r, *q)
	}
	return x
}

// volumeChart counts the query's hits per day (ranges up to 62 days) or per
// month (at most 24 months; the last 12 when the range is open), one count
// query per bar, four at a time. It returns nil when there is no bar or a
// count failed (logged).
func (s *Server) volumeChart(r *http.Request, q indexer.Query) *chartView {
	spans, unit := chartSpans(q, s.cfg.Now(), s.cfg.Location)
	if len(spans) == 0 {
		return nil
	}
	counts, err := s.countSpans(r, q, spans)
	if err != nil {
		s.log.Warn("volume chart", "err", err)
		return nil
	}
	return chartBars(spans, counts, unit, r.URL.Query())
}

// span is one bar's period, both ends inclusive.
type span struct{ a, b time.Time }

// chartSpans returns the bars' periods of q in loc and their unit: days
// ("ngày") when q covers at most 62 days, else months ("tháng", the last
// 24 at most). The period ends at q.To or now, whichever is earlier (now
// if q.To is zero), and starts at q.From or, if zero, 11 months before the
// end's month.
func chartSpans(q indexer.Query, now time.Time, loc *time.Location) ([]span, string) {
	now = now.In(loc)
	to := q.To
	if to.IsZero() || to.After(now) {
		to = now
	}
	from := q.From
	if from.IsZero() {
		from = time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, -11, 0)
	}
	from = from.In(loc)
	var spans []span
	if to.Sub(from) <= 62*24*time.Hour {
		for d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc); !d.After(to); d = d.AddDate(0, 0, 1) {
			spans = append(spans, span{d, d.AddDate(0, 0, 1).Add(-time.Nanosecond)})
		}
		return spans, "ngày"
	}
	m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, loc)
	for !m.After(to) {
		spans = append(spans, span{m, m.AddDate(0, 1, 0).Add(-time.Nanosecond)})
		m = m.AddDate(0, 1, 0)
	}
	if len(spans) > 24 {
		spans = spans[len(spans)-24:]
	}
	return spans, "tháng"
}

// countSpans counts q's hits within each span (clipped to q's own period),
// as the user of r may see them, four queries at a time. When queries
// fail, it returns one of their errors.
func (s *Server) countSpans(r *http.Request, q indexer.Query, spans []span) ([]uint64, error) {
	counts := make([]uint64, len(spans))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	var failed error
	var mu sync.Mutex
	for i, sp := range spans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cq := q
			cq.From, cq.To = sp.a, sp.b
			if !q.From.IsZero() && cq.From.Before(q.From) {
				cq.From = q.From
			}
			if !q.To.IsZero() && cq.To.After(q.To) {
				cq.To = q.To
			}
			cq.Page, cq.Size, cq.Sort = 1, 1, "date"
			res, err := s.search(r.Context(), r, cq)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = err
				return
			}
			counts[i] = res.Total
		}()
	}
	wg.Wait()
	return counts, failed
}

// chartBars lays out one bar per span with its count, label, axis tick
// and a link to the search v (the page's query) narrowed to the span.
func chartBars(spans []span, counts []uint64, unit string, v url.Values) *chartView {
	cv := &chartView{Width: 720, Height: 140, Unit: unit}
	for _, c := range counts {
		cv.Max = max(cv.Max, c)
	}
	plotH := 110
	slot := cv.Width / len(spans)
	bw := max(slot-2, 1)
	for i, sp := range spans {
		h := 0
		if cv.Max > 0 {
			h = int(float64(counts[i]) / float64(cv.Max) * float64(plotH))
		}
		if counts[i] > 0 && h < 2 {
			h = 2
		}
		label := sp.a.Format("02/01/2006")
		tick := ""
		if unit == "tháng" {
			label = sp.a.Format("01/2006")
			if sp.a.Month() == 1 || i == 0 {
				tick = label
			} else {
				tick = sp.a.Format("01")
			}
		} else if i == 0 || sp.a.Day() == 1 || len(spans) <= 10 || i%7 == 0 {
			tick = sp.a.Format("02/01")
		}
		c := withParamValues(v, "range", nil)
		c.Set("from", sp.a.Format("2006-01-02"))
		c.Set("to", sp.b.Format("2006-01-02"))
		c.Del("page")
		cv.Bars = append(cv.Bars, bar{X: i * slot, Y: plotH - h, W: bw, H: h, Label: label, Count: counts[i], Href: "/?" + c.Encode(), Tick: tick})
	}
	return cv
}

type searchesData struct {
	Searches []savedView
	Email    string
	Saved    string
	Error    string
}

type savedView struct {
	savedsearch.Search
	Href, FeedURL, RangeLabel string
}

var rangeLabels = map[string]string{savedsearch.RangeToday: "hôm nay", savedsearch.Range7d: "7 ngày gần nhất",
	savedsearch.Range30d: "30 ngày gần nhất", savedsearch.RangeYear: "năm nay"}

func (s *Server) savedOff(w http.ResponseWriter, r *http.Request) bool {
	if s.deps.Saved == nil {
		s.unavailable(w, r, "saved searches")
		return true
	}
	return false
}

func (s *Server) searchesPage(w http.ResponseWriter, r *http.Request) {
	if s.savedOff(w, r) {
		return
	}
	s.renderSearches(w, r, http.StatusOK, "")
}

func (s *Server) renderSearches(w http.ResponseWriter, r *http.Request, code int, msg string) {
	u := authFrom(r.Context()).user
	list, err := s.deps.Saved.List(r.Context(), u.Name)
	if err != nil {
		s.fail(w, r, "list saved searches", err)
		return
	}
	d := searchesData{Email: u.Email, Saved: r.URL.Query().Get("saved"), Error: msg}
	base := strings.TrimRight(s.cfg.BaseURL, "/")
	for _, x := range list {
		d.Searches = append(d.Searches, savedView{Search: x, Href: "/?" + x.Values().Encode(), FeedURL: base + "/feeds/" + x.FeedToken,
			RangeLabel: rangeLabels[x.Range]})
	}
	s.render(w, r, code, "searches", d)
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func (s *Server) searchSave(w http.ResponseWriter, r *http.Request) {
	if s.savedOff(w, r) {
		return
	}
	u := authFrom(r.Context()).user
	ss := savedsearch.Search{Owner: u.Name, Name: strings.TrimSpace(r.PostFormValue("name")), Query: strings.TrimSpace(r.PostFormValue("q")),
		Sources: indexer.ParseList(r.PostForm["source"]), Topics: indexer.ParseList(r.PostForm["topic"]), Area: r.PostFormValue("area"),
		Range: r.PostFormValue("range"), Notify: r.PostFormValue("notify")}
	if ss.Range == "" {
		ss.From, ss.To = r.PostFormValue("from"), r.PostFormValue("to")
	}
	if ss.Name == "" {
		ss.Name = ss.Query
	}
	for _, d := range []string{ss.From, ss.To} {
		if d != "" && !dateRE.MatchString(d) {
			s.renderSearches(w, r, http.StatusBadRequest, "Ngày không hợp lệ: "+d)
			return
		}
	}
	if ss.Area != "" && ss.Area != "true" && ss.Area != "false" {
		ss.Area = ""
	}
	saved, err := s.deps.Saved.Add(r.Context(), ss)
	if err != nil {
		if errors.Is(err, savedsearch.ErrNotFound) || strings.Contains(err.Error(), "savedsearch:") || strings.Contains(err.Error(), "save search") {
			s.fail(w, r, "save search", err)
			return
		}
		s.renderSearches(w, r, http.StatusBadRequest, upperFirst(err.Error()))
		return
	}
	s.log.Info("search saved", "user", u.Name, "search_id", saved.ID, "notify", saved.Notify)
	http.Redirect(w, r, "/searches?saved="+saved.ID, http.StatusSeeOther)
}

func (s *Server) searchUpdate(w http.ResponseWriter, r *http.Request) {
	if s.savedOff(w, r) {
		return
	}
	u := authFrom(r.Context()).user
	if _, err := s.deps.Saved.Update(r.Context(), u.Name, r.PathValue("id"), r.PostFormValue("name"), r.PostFormValue("notify")); err != nil {
		if errors.Is(err, savedsearch.ErrNotFound) {
			s.notFound(w, r)
			return
		}
		s.renderSearches(w, r, http.StatusBadRequest, upperFirst(err.Error()))
		return
	}
	http.Redirect(w, r, "/searches", http.StatusSeeOther)
}

func (s *Server) searchRotateFeed(w http.ResponseWriter, r *http.Request) {
	if s.savedOff(w, r) {
		return
	}
	u := authFrom(r.Context()).user
	if _, err := s.deps.Saved.RotateFeed(r.Context(), u.Name, r.PathValue("id")); err != nil {
		if errors.Is(err, savedsearch.ErrNotFound) {
			s.notFound(w, r)
			return
		}
		s.fail(w, r, "rotate feed token", err)
		return
	}
	http.Redirect(w, r, "/searches", http.StatusSeeOther)
}

func (s *Server) searchDelete(w http.ResponseWriter, r *http.Request) {
	if s.savedOff(w, r) {
		return
	}
	u := authFrom(r.Context()).user
	if err := s.deps.Saved.Delete(r.Context(), u.Name, r.PathValue("id")); err != nil {
		if errors.Is(err, savedsearch.ErrNotFound) {
			s.notFound(w, r)
			return
		}
		s.fail(w, r, "delete saved search", err)
		return
	}
	http.Redirect(w, r, "/searches", http.StatusSeeOther)
}

// savedQuery turns a saved search into an index query on the day of now.
func (s *Server) savedQuery(ss savedsearch.Search, size int) (indexer.Query, error) {
	v := s.expandRange(ss.Values())
	v.Set("sort", "date")
	v.Set("size", fmt.Sprint(size))
	return s.parseQuery(v)
}

// FindFor runs a saved search as its owner may see it (police-only rules
// hidden from analysts), newest first: the Finder of the subscription
// Notifier and the feed. A disabled or deleted owner finds nothing.
func (s *Server) FindFor(ctx context.Context, ss savedsearch.Search, size int) ([]indexer.Hit, error) {
	if s.deps.Searcher == nil {
		return nil, errors.New("web: search is not enabled")
	}
	u, err := s.deps.Accounts.Get(ctx, ss.Owner)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, nil
	}
	q, err := s.savedQuery(ss, size)
	if err != nil {
		return nil, err
	}
	hidden := s.hiddenTopicsFor(ctx, u.Role)
	q, ok := visibleQuery(q, hidden)
	if !ok {
		return nil, nil
	}
	res, err := s.deps.Searcher.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	res = visibleResult(cleanResult(res), hidden)
	return res.Hits, nil
}

// Email returns a user's notification address ("" when none or disabled).
func (a *Accounts) Email(ctx context.Context, name string) (string, error) {
	u, err := a.Get(ctx, name)
	if isNotFound(err) {
		return "", nil
	}
	if err != nil || u.Disabled {
		return "", err
	}
	return u.Email, nil
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Link    []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title   string     `xml:"title"`
	ID      string     `xml:"id"`
	Updated string     `xml:"updated"`
	Link    []atomLink `xml:"link"`
	Summary string     `xml:"summary,omitempty"`
	Author  atomAuthor `xml:"author"`
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// feed serves a saved search's newest 50 articles as Atom, without login:
// the unguessable token in the path is the credential.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	if s.deps.Saved == nil || s.deps.Searcher == nil {
		http.NotFound(w, r)
		return
	}
	ss, err := s.deps.Saved.ByFeedToken(r.Context(), r.PathValue("token"))
	if errors.Is(err, savedsearch.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.log.Error("feed token", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hits, err := s.FindFor(r.Context(), ss, 50)
	if err != nil {
		s.log.Error("feed search", "search_id", ss.ID, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	base := strings.TrimRight(s.cfg.BaseURL, "/")
	f := atomFeed{Title: "diembao – " + ss.Name, ID: "urn:diembao:search:" + ss.ID, Updated: ss.Created.UTC().Format(time.RFC3339),
		Link: []atomLink{{Href: base + "/?" + ss.Values().Encode(), Rel: "alternate"}}, Author: atomAuthor{Name: "diembao"}}
	for _, h := range hits {
		up := h.Published.UTC()
		if up.After(mustParse(f.Updated)) {
			f.Updated = up.Format(time.RFC3339)
		}
		e := atomEntry{Title: h.Title, ID: "urn:diembao:article:" + h.ID, Updated: up.Format(time.RFC3339),
			Link:    []atomLink{{Href: base + "/articles/" + url.PathEscape(h.ID), Rel: "alternate"}},
			Summary: html.UnescapeString(tagRE.ReplaceAllString(h.Snippet, "")), Author: atomAuthor{Name: s.sourceName(h.Source)}}
		if u := safeHref(h.URL); u != "" {
			e.Link = append(e.Link, atomLink{Href: u, Rel: "related"})
		}
		f.Entries = append(f.Entries, e)
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(f); err != nil {
		s.log.Warn("write feed", "err", err)
	}
}

func mustParse(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

type unsubData struct {
	Owner, ID, Token, Name string
	Done, Bad              bool
}

func (s *Server) unsubParams(r *http.Request) (unsubData, savedsearch.Search, error) {
	q := r.URL.Query()
	d := unsubData{Owner: q.Get("u"), ID: q.Get("s"), Token: q.Get("t")}
	if d.Owner == "" && r.Method == http.MethodPost {
		d.Owner, d.ID, d.Token = r.PostFormValue("u"), r.PostFormValue("s"), r.PostFormValue("t")
	}
	if s.deps.Saved == nil {
		return d, savedsearch.Search{}, savedsearch.ErrNotFound
	}
	if err := s.deps.Saved.VerifyUnsubscribe(r.Context(), d.Owner, d.ID, d.Token); err != nil {
		return d, savedsearch.Search{}, err
	}
	ss, err := s.deps.Saved.Get(r.Context(), d.Owner, d.ID)
	d.Name = ss.Name
	return d, ss, err
}

// unsubscribePage asks to confirm (GET must not change anything: mail
// scanners open links).
func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	d, ss, err := s.unsubParams(r)
	switch {
	case errors.Is(err, savedsearch.ErrNotFound):
		d.Bad = true
		s.render(w, r, http.StatusNotFound, "unsubscribe", d)
	case err != nil:
		s.fail(w, r, "unsubscribe", err)
	default:
		d.Done = ss.Notify == savedsearch.NotifyNone
		s.render(w, r, http.StatusOK, "unsubscribe", d)
	}
}

// unsubscribePost turns the search's mails off: the confirmation form and
// RFC 8058 one-click POSTs from mail clients.
func (s *Server) unsubscribePost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	d, _, err := s.unsubParams(r)
	if err == nil {
		_, err = s.deps.Saved.Unsubscribe(r.Context(), d.Owner, d.ID, d.Token)
	}
	switch {
	case errors.Is(err, savedsearch.ErrNotFound):
		d.Bad = true
		s.render(w, r, http.StatusNotFound, "unsubscribe", d)
	case err != nil:
		s.fail(w, r, "unsubscribe", err)
	default:
		s.log.Info("unsubscribed", "user", d.Owner, "search_id", d.ID)
		d.Done = true
		s.render(w, r, http.StatusOK, "unsubscribe", d)
	}
}

type accountData struct {
	Email string
	Saved bool
	Error string
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	u := authFrom(r.Context()).user
	s.render(w, r, http.StatusOK, "account", accountData{Email: u.Email, Saved: r.URL.Query().Get("saved") == "1"})
}

func (s *Server) accountPost(w http.ResponseWriter, r *http.Request) {
	u := authFrom(r.Context()).user
	email := r.PostFormValue("email")
	if err := s.deps.Accounts.SetEmail(r.Context(), u.Name, email); err != nil {
		if isNotFound(err) {
			s.fail(w, r, "set email", err)
			return
		}
		s.render(w, r, http.StatusBadRequest, "account", accountData{Email: email, Error: upperFirst(err.Error())})
		return
	}
	http.Redirect(w, r, "/account?saved=1", http.StatusSeeOther)
}
