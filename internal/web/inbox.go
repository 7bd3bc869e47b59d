package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/textnorm"
)

// The alert inbox (/alerts) triages: unacknowledged first, then by severity
// (critical first), then newest first; filters by severity, topic, commune
// (the gazetteer's places named in the alert), source and acknowledged state,
// each with counts (over the alerts the other filters select); several
// alerts are acknowledged at once with one note (POST /alerts/ack).

// inboxFetch is how many of the newest alerts the inbox reads and sorts.
const inboxFetch = 1000

// inboxDims are the filter dimensions, in the order the page shows them.
var inboxDims = []struct{ key, label string }{
	{"state", "Trạng thái"}, {"severity", "Mức độ"}, {"topic", "Chủ đề"}, {"commune", "Địa bàn"}, {"source", "Nguồn"},
}

type inboxItem struct {
	AlertRecord
	Places []string
}

// values returns the item's values for one filter dimension.
func (it inboxItem) values(dim string) []string {
	switch dim {
	case "state":
		if it.Acked() {
			return []string{"acked"}
		}
		return []string{"unacked"}
	case "severity":
		return []string{it.Severity}
	case "topic":
		return it.Topics
	case "commune":
		return it.Places
	case "source":
		return []string{it.Source}
	}
	return nil
}

type inboxFacet struct {
	Key, Label string
	Buckets    []facetView
}

type inboxData struct {
	Alerts   []inboxItem
	Facets   []inboxFacet
	Total    int // alerts the filters select
	All      int // alerts visible to the user
	Unacked  int // unacknowledged among the selected
	Filtered bool
	Back     string
	Error    string
	Done     int // alerts just acknowledged (?acked=n)
}

// inboxFilters reads the filters: each dimension may repeat or be
// comma-separated; unacked=1 (the old form) means state=unacked.
func inboxFilters(v url.Values) map[string][]string {
	f := map[string][]string{}
	for _, d := range inboxDims {
		if vals := indexer.ParseList(v[d.key]); len(vals) > 0 {
			f[d.key] = vals
		}
	}
	if u := v.Get("unacked"); (u == "1" || u == "true") && f["state"] == nil {
		f["state"] = []string{"unacked"}
	}
	return f
}

// passes reports whether it passes every filter but skip's.
func passes(it inboxItem, f map[string][]string, skip string) bool {
	for dim, want := range f {
		if dim == skip {
			continue
		}
		ok := false
		for _, v := range it.values(dim) {
			if slices.ContainsFunc(want, func(w string) bool { return sameValue(dim, v, w) }) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func sameValue(dim, a, b string) bool {
	if dim == "commune" { // typed without diacritics too
		return textnorm.Fold(a) == textnorm.Fold(b)
	}
	return a == b
}

// alertTime is when the alert was raised (published when unknown).
func alertTime(a AlertRecord) time.Time {
	if !a.Created.IsZero() {
		return a.Created
	}
	return a.Published
}

// sortInbox orders unacknowledged first, then severity, then newest first.
func sortInbox(items []inboxItem) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.Acked() != b.Acked() {
			return !a.Acked()
		}
		if ra, rb := article.SeverityRank(a.Severity), article.SeverityRank(b.Severity); ra != rb {
			return ra > rb
		}
		if ta, tb := alertTime(a.AlertRecord), alertTime(b.AlertRecord); !ta.Equal(tb) {
			return ta.After(tb)
		}
		return a.ID < b.ID
	})
}

// places returns the gazetteer names found in the alert's title, lead and
// snippet, each once (first spelling).
func (s *Server) places(r *http.Request, a AlertRecord) []string {
	if s.deps.Rules == nil {
		return nil
	}
	res, err := s.deps.Rules.Try(r.Context(), textnorm.Normalize(a.Title+"\n"+a.Lead+"\n"+a.Snippet))
	if err != nil {
		return nil
	}
	var out, keys []string
	for _, p := range res.Places {
		if k := textnorm.Key(p); !slices.Contains(keys, k) {
			keys = append(keys, k)
			out = append(out, p)
		}
	}
	return out
}

// inbox builds the inbox for the request's user and filters.
func (s *Server) inbox(r *http.Request) (inboxData, error) {
	v := r.URL.Query()
	list, err := s.listAlerts(r, AlertFilter{Limit: inboxFetch})
	if err != nil {
		return inboxData{}, err
	}
	f := inboxFilters(v)
	items := make([]inboxItem, len(list))
	for i, a := range list {
		items[i] = inboxItem{AlertRecord: a, Places: s.places(r, a)}
	}
	d := inboxData{All: len(items), Filtered: len(f) > 0, Back: "/alerts"}
	if q := inboxQuery(f).Encode(); q != "" {
		d.Back = "/alerts?" + q
	}
	for _, it := range items {
		if passes(it, f, "") {
			d.Alerts = append(d.Alerts, it)
			if !it.Acked() {
				d.Unacked++
			}
		}
	}
	d.Total = len(d.Alerts)
	sortInbox(d.Alerts)
	for _, dim := range inboxDims {
		counts := map[string]int{}
		label := map[string]string{}
		var order []string
		for _, it := range items {
			if !passes(it, f, dim.key) {
				continue
			}
			for _, val := range it.values(dim.key) {
				k := val
				if dim.key == "commune" {
					k = textnorm.Fold(val)
				}
				if _, ok := counts[k]; !ok {
					order = append(order, k)
					label[k] = val
				}
				counts[k]++
			}
		}
		sortBuckets(dim.key, order, counts)
		fc := inboxFacet{Key: dim.key, Label: dim.label}
		for _, k := range order {
			val := label[k]
			on := slices.ContainsFunc(f[dim.key], func(w string) bool { return sameValue(dim.key, val, w) })
			next := slices.DeleteFunc(slices.Clone(f[dim.key]), func(w string) bool { return sameValue(dim.key, val, w) })
			if !on {
				next = append(next, val)
			}
			nf := map[string][]string{}
			for kk, vv := range f {
				nf[kk] = vv
			}
			nf[dim.key] = next
			href := "/alerts"
			if q := inboxQuery(nf).Encode(); q != "" {
				href += "?" + q
			}
			fc.Buckets = append(fc.Buckets, facetView{Term: val, Label: s.bucketLabel(r.Context(), dim.key, val), Count: counts[k], Active: on, Href: href})
		}
		if len(fc.Buckets) > 0 {
			d.Facets = append(d.Facets, fc)
		}
	}
	return d, nil
}

func inboxQuery(f map[string][]string) url.Values {
	q := url.Values{}
	for _, d := range inboxDims {
		if len(f[d.key]) > 0 {
			q[d.key] = f[d.key]
		}
	}
	return q
}

func sortBuckets(dim string, order []string, counts map[string]int) {
	sort.SliceStable(order, func(i, j int) bool {
		switch dim {
		case "state":
			return order[i] == "unacked" && order[j] != "unacked"
		case "severity":
			return article.SeverityRank(order[i]) > article.SeverityRank(order[j])
		}
		if counts[order[i]] != counts[order[j]] {
			return counts[order[i]] > counts[order[j]]
		}
		return order[i] < order[j]
	})
}

func (s *Server) bucketLabel(ctx context.Context, dim, v string) string {
	switch dim {
	case "state":
		if v == "acked" {
			return "Đã xác nhận"
		}
		return "Chưa xác nhận"
	case "severity":
		if n, ok := severityNames[v]; ok {
			return n
		}
	case "topic":
		return s.topicLabel(ctx, v)
	}
	return v
}

func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request) {
	if s.deps.Alerts == nil {
		s.unavailable(w, r, "alerts")
		return
	}
	d, err := s.inbox(r)
	if err != nil {
		s.fail(w, r, "list alerts", err)
		return
	}
	d.Done, _ = indexer.ParseInt("acked", r.URL.Query().Get("acked"), 0, 0, inboxFetch)
	s.render(w, r, http.StatusOK, "alerts", d)
}

// alertBulkAck acknowledges the selected alerts (form fields id, repeated)
// with one note, then returns to the inbox (back).
func (s *Server) alertBulkAck(w http.ResponseWriter, r *http.Request) {
	if s.deps.Alerts == nil {
		s.unavailable(w, r, "alerts")
		return
	}
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "Biểu mẫu không hợp lệ.")
		return
	}
	ids := r.PostForm["id"]
	if len(ids) == 0 {
		s.errorPage(w, r, http.StatusBadRequest, "Chưa chọn cảnh báo nào.")
		return
	}
	if len(ids) > inboxFetch {
		s.errorPage(w, r, http.StatusBadRequest, "Chọn quá nhiều cảnh báo một lần.")
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	if utf8.RuneCountInString(note) > 1000 {
		note = string([]rune(note)[:1000])
	}
	u := authFrom(r.Context()).user
	done := 0
	for _, id := range ids {
		if !idRE.MatchString(id) {
			continue
		}
		a, err := s.deps.Alerts.Get(r.Context(), id)
		if isNotFound(err) || (err == nil && !s.visible(u, a)) {
			continue // unknown or invisible: as if not there
		}
		if err != nil {
			s.fail(w, r, "get alert", err)
			return
		}
		if a.Acked() {
			continue
		}
		now := s.cfg.Now()
		if err := s.deps.Alerts.Ack(r.Context(), id, u.Name, note, now); err != nil {
			s.fail(w, r, "ack alert", err)
			return
		}
		if err := s.deps.Accounts.Audit(r.Context(), AuditEntry{Time: now, User: u.Name, Action: "ack", AlertID: id, Detail: note}); err != nil {
			s.fail(w, r, "audit ack", err)
			return
		}
		s.metrics.acks.Inc()
		done++
	}
	s.nav.forget()
	s.log.Info("alerts acknowledged", "count", done, "user", u.Name)
	back := r.PostFormValue("back")
	if back == "" {
		back = "/alerts"
	}
	back = localRedirect(back)
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	http.Redirect(w, r, back+sep+"acked="+strconv.Itoa(done), http.StatusSeeOther)
}

// navCounter caches the unacknowledged count shown in the navigation bar
// for a few seconds, per visibility class (analysts, others).
type navCounter struct {
	mu  sync.Mutex
	ttl time.Duration
	at  map[bool]time.Time
	n   map[bool]int
}

func newNavCounter() *navCounter {
	return &navCounter{ttl: 3 * time.Second, at: map[bool]time.Time{}, n: map[bool]int{}}
}

func (c *navCounter) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.at)
}

// unackedCount returns the unacknowledged alerts the request's user sees;
// ok is false when alerts are off or cannot be read.
func (s *Server) unackedCount(r *http.Request) (int, bool) {
	a := authFrom(r.Context())
	if a == nil || s.deps.Alerts == nil {
		return 0, false
	}
	cls := a.user.Role == RoleAnalyst
	now := s.cfg.Now()
	s.nav.mu.Lock()
	if at, ok := s.nav.at[cls]; ok && now.Sub(at) < s.nav.ttl && !now.Before(at) {
		n := s.nav.n[cls]
		s.nav.mu.Unlock()
		return n, true
	}
	s.nav.mu.Unlock()
	list, err := s.listAlerts(r, AlertFilter{Unacked: true, Limit: inboxFetch})
	if err != nil {
		s.log.Warn("count unacknowledged alerts", "err", err)
		return 0, false
	}
	n := 0
	for _, x := range list {
		if !x.Acked() {
			n++
		}
	}
	s.nav.mu.Lock()
	s.nav.at[cls], s.nav.n[cls] = now, n
	s.nav.mu.Unlock()
	return n, true
}
