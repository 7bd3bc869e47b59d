package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SourceForm is a source as the editor shows and submits it: the keys of
// sources.yaml (DESIGN.md, "Files"), durations as typed ("10m").
type SourceForm struct {
	ID           string
	Name         string
	Kind         string // press | portal | foreign
	Feeds        []string
	Sitemaps     []string
	Listings     []SourceListing
	Interval     string
	Delay        string
	AllowPrivate bool
	RequireArea  bool
	SelTitle     string
	SelBody      string
	SelDate      string
}

// SourceListing is a listing page and the pattern of its article links.
type SourceListing struct {
	URL   string
	Links string
}

// SourceEntry is one source of the effective list (sources.yaml overlaid
// by the edits kept on the bus).
type SourceEntry struct {
	Form     SourceForm
	Disabled bool
	Seeded   bool   // listed in sources.yaml
	Edited   bool   // changed in the UI
	Rev      uint64 // newest stored revision (0: as in sources.yaml)
	By       string
	At       time.Time
}

// SourceRevision is one kept revision of a source.
type SourceRevision struct {
	Rev          uint64 // 0: the sources.yaml version
	Form         SourceForm
	Disabled     bool
	Action       string // add | edit | disable | enable | restore | seed
	By           string
	At           time.Time
	Note         string
	RestoredFrom uint64
}

// SourcePreview is what a pass over a candidate source would extract:
// `diembao sources check` on the form, nothing saved or published.
type SourcePreview struct {
	Found  int      // article links discovery listed
	Errors []string // discovery and extraction errors
	Items  []SourcePreviewItem
}

// SourcePreviewItem is one extracted article of a preview.
type SourcePreviewItem struct {
	URL           string
	Title         string
	Published     time.Time
	PublishedFrom string // jsonld | meta | feed | text | url
	Lines         []string
}

// SourceFieldErrors is the error of Save and Preview when fields of the form
// are at fault: form field name (id, name, kind, feeds, sitemaps, listings,
// interval, delay, allow_private, selectors.title, selectors.body,
// selectors.date) → message in Vietnamese.
type SourceFieldErrors map[string]string

// Error implements error.
func (e SourceFieldErrors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return "invalid source fields: " + strings.Join(keys, ", ")
}

// ErrSourceConflict is Save's error when someone saved the source since the
// editor loaded it.
var ErrSourceConflict = errors.New("web: source changed since it was loaded")

// SourceEditor adds, edits, disables and restores sources (admin pages
// under /sources). Its writes are kept with history on the bus and reach
// the crawler without a restart. Get, History and Restore return ErrNotFound
// for an unknown id; Save and Preview return SourceFieldErrors for a form
// that does not pass the checks of sources.yaml.
type SourceEditor interface {
	List(ctx context.Context) ([]SourceEntry, error)
	Get(ctx context.Context, id string) (SourceEntry, error)
	// Save stores f as the newest revision (isNew: add a source whose id
	// must be free) over baseRev (the revision the editor loaded).
	Save(ctx context.Context, f SourceForm, isNew bool, baseRev uint64, by, note string) error
	SetDisabled(ctx context.Context, id string, disabled bool, by, note string) error
	// Preview runs discovery on f and extracts a few of its newest
	// articles, saving and publishing nothing.
	Preview(ctx context.Context, f SourceForm) (SourcePreview, error)
	// History lists the kept revisions, newest first, then the sources.yaml
	// version (Rev 0) when the source is seeded.
	History(ctx context.Context, id string) ([]SourceRevision, error)
	// Restore makes revision rev (0: the sources.yaml version) the newest.
	Restore(ctx context.Context, id string, rev uint64, by, note string) error
}

// sourceEditRoutes registers the source editor's pages.
func (s *Server) sourceEditRoutes(handle func(pattern string, h http.Handler)) {
	handle("GET /sources/new", s.authed(RoleAdmin, false, http.HandlerFunc(s.sourceNew)))
	handle("GET /sources/{id}/edit", s.authed(RoleAdmin, false, http.HandlerFunc(s.sourceEdit)))
	handle("POST /sources/save", s.authed(RoleAdmin, true, http.HandlerFunc(s.sourceSave)))
	handle("POST /sources/{id}/disable", s.authed(RoleAdmin, true, http.HandlerFunc(s.sourceToggle)))
	handle("POST /sources/{id}/enable", s.authed(RoleAdmin, true, http.HandlerFunc(s.sourceToggle)))
	handle("GET /sources/{id}/history", s.authed(RoleAdmin, false, http.HandlerFunc(s.sourceHistory)))
	handle("POST /sources/{id}/restore", s.authed(RoleAdmin, true, http.HandlerFunc(s.sourceRestore)))
}

// sourceRow is one line of the editable sources page.
type sourceRow struct {
	SourceEntry
	Health    SourceStatus
	HasHealth bool
}

type sourceListData struct {
	Rows   []sourceRow
	Saved  string // id just saved, disabled or enabled
	Action string
}

// sourcesList is GET /sources: with an editor, the effective list with the
// crawl health of each source and the edit actions; without one, the
// health page alone.
func (s *Server) sourcesList(w http.ResponseWriter, r *http.Request) {
	if s.deps.SourceEdit == nil {
		s.sourcesPage(w, r)
		return
	}
	list, err := s.deps.SourceEdit.List(r.Context())
	if err != nil {
		s.fail(w, r, "list sources", err)
		return
	}
	health := map[string]SourceStatus{}
	if s.deps.Sources != nil {
		hs, err := s.deps.Sources.Health(r.Context())
		if err != nil {
			s.log.Warn("source health", "err", err) // the list still works
		}
		for _, h := range hs {
			health[h.ID] = h
		}
	}
	d := sourceListData{Saved: r.URL.Query().Get("saved"), Action: r.URL.Query().Get("action")}
	for _, e := range list {
		h, ok := health[e.Form.ID]
		d.Rows = append(d.Rows, sourceRow{SourceEntry: e, Health: h, HasHealth: ok})
	}
	s.render(w, r, http.StatusOK, "source-list", d)
}

type sourceEditData struct {
	Form    SourceForm
	New     bool
	BaseRev uint64
	Note    string
	Errors  SourceFieldErrors
	Error   string // not about one field (conflict, preview failure)
	Preview *SourcePreview
	Entry   SourceEntry
}

// Text forms of the form's lists, one item a line.
func (d sourceEditData) FeedsText() string    { return strings.Join(d.Form.Feeds, "\n") }
func (d sourceEditData) SitemapsText() string { return strings.Join(d.Form.Sitemaps, "\n") }
func (d sourceEditData) ListingsText() string {
	lines := make([]string, len(d.Form.Listings))
	for i, l := range d.Form.Listings {
		lines[i] = l.URL + " " + l.Links
	}
	return strings.Join(lines, "\n")
}

func (s *Server) sourceNew(w http.ResponseWriter, r *http.Request) {
	if s.deps.SourceEdit == nil {
		s.unavailable(w, r, "source editor")
		return
	}
	s.render(w, r, http.StatusOK, "source-edit", sourceEditData{New: true,
		Form: SourceForm{Kind: "press", Interval: "10m", Delay: "2s"}})
}

func (s *Server) sourceEdit(w http.ResponseWriter, r *http.Request) {
	if s.deps.SourceEdit == nil {
		s.unavailable(w, r, "source editor")
		return
	}
	e, err := s.deps.SourceEdit.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, "get source", err)
		return
	}
	s.render(w, r, http.StatusOK, "source-edit", sourceEditData{Form: e.Form, BaseRev: e.Rev, Entry: e})
}

// sourceFormFrom reads the editor's form fields.
func sourceFormFrom(r *http.Request) SourceForm {
	lines := func(name string) []string {
		var out []string
		for _, l := range strings.Split(r.PostFormValue(name), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	f := SourceForm{
		ID:           strings.TrimSpace(r.PostFormValue("id")),
		Name:         strings.TrimSpace(r.PostFormValue("name")),
		Kind:         r.PostFormValue("kind"),
		Feeds:        lines("feeds"),
		Sitemaps:     lines("sitemaps"),
		Interval:     strings.TrimSpace(r.PostFormValue("interval")),
		Delay:        strings.TrimSpace(r.PostFormValue("delay")),
		AllowPrivate: r.PostFormValue("allow_private") != "",
		RequireArea:  r.PostFormValue("require_area") != "",
		SelTitle:     strings.TrimSpace(r.PostFormValue("sel_title")),
		SelBody:      strings.TrimSpace(r.PostFormValue("sel_body")),
		SelDate:      strings.TrimSpace(r.PostFormValue("sel_date")),
	}
	for _, l := range lines("listings") {
		u, links := l, ""
		if i := strings.IndexAny(l, " \t"); i >= 0 {
			u, links = l[:i], strings.TrimSpace(l[i+1:])
		}
		f.Listings = append(f.Listings, SourceListing{URL: u, Links: links})
	}
	return f
}

// sourceSave is POST /sources/save: action=preview shows what the source
// would give without saving; action=save stores a revision.
func (s *Server) sourceSave(w http.ResponseWriter, r *http.Request) {
	if s.deps.SourceEdit == nil {
		s.unavailable(w, r, "source editor")
		return
	}
	d := sourceEditData{Form: sourceFormFrom(r), New: r.PostFormValue("new") == "1",
		Note: strings.TrimSpace(r.PostFormValue("note"))}
	d.BaseRev, _ = strconv.ParseUint(r.PostFormValue("base_rev"), 10, 64)
	if len(d.Note) > 500 {
		d.Note = d.Note[:500]
	}
	if !d.New {
		if e, err := s.deps.SourceEdit.Get(r.Context(), d.Form.ID); err == nil {
			d.Entry = e
		}
	}
	ctx := r.Context()
	var fe SourceFieldErrors
	switch r.PostFormValue("action") {
	case "preview":
		pctx, cancel := context.WithTimeout(ctx, 45*time.Second)
		defer cancel()
		p, err := s.deps.SourceEdit.Preview(pctx, d.Form)
		switch {
		case errors.As(err, &fe):
			d.Errors = fe
		case err != nil && p.Found == 0 && len(p.Errors) == 0:
			d.Error = "Không xem trước được: " + err.Error()
		default:
			d.Preview = &p
		}
		s.render(w, r, http.StatusOK, "source-edit", d)
		return
	case "save":
	default:
		s.errorPage(w, r, http.StatusBadRequest, "Thao tác không hợp lệ.")
		return
	}
	err := s.deps.SourceEdit.Save(ctx, d.Form, d.New, d.BaseRev, userName(ctx), d.Note)
	switch {
	case err == nil:
		s.auditSource(r, "source-save", d.Form.ID, d.Note)
		http.Redirect(w, r, "/sources?action=saved&saved="+url.QueryEscape(d.Form.ID)+"#source-"+url.PathEscape(d.Form.ID), http.StatusSeeOther)
		return
	case errors.As(err, &fe):
		d.Errors = fe
	case errors.Is(err, ErrSourceConflict):
		d.Error = "Nguồn này vừa được người khác sửa. Mở lại trang sửa để xem bản mới nhất rồi sửa lại; thay đổi của bạn chưa được lưu."
	case isNotFound(err):
		d.Error = "Không có nguồn “" + d.Form.ID + "”; có thể mã nguồn đã bị đổi. Hãy thêm nguồn mới."
	default:
		s.fail(w, r, "save source", err)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, "source-edit", d)
}

// sourceToggle is POST /sources/{id}/disable and /enable.
func (s *Server) sourceToggle(w http.ResponseWriter, r *http.Request) {
	if s.deps.SourceEdit == nil {
		s.unavailable(w, r, "source editor")
		return
	}
	id := r.PathValue("id")
	disable := strings.HasSuffix(r.URL.Path, "/disable")
	if err := s.deps.SourceEdit.SetDisabled(r.Context(), id, disable, userName(r.Context()), strings.TrimSpace(r.PostFormValue("note"))); err != nil {
		s.fail(w, r, "toggle source", err)
		return
	}
	action := "enabled"
	if disable {
		action = "disabled"
	}
	s.auditSource(r, "source-"+strings.TrimSuffix(action, "d"), id, r.PostFormValue("note"))
	http.Redirect(w, r, "/sources?action="+action+"&saved="+url.QueryEscape(id)+"#source-"+url.PathEscape(id), http.StatusSeeOther)
}

// auditSource records a change of a source in the audit log (the change
// itself is already kept with its history; a failed audit write is logged).
func (s *Server) auditSource(r *http.Request, action, id, note string) {
	detail := id
	if note = strings.TrimSpace(note); note != "" {
		detail += ": " + note
	}
	if err := s.deps.Accounts.Audit(r.Context(), AuditEntry{Time: s.cfg.Now(), User: userName(r.Context()), Action: action, Detail: detail}); err != nil {
		s.log.Warn("audit source change", "source", id, "err", err)
	}
}

// sourceChange is one field that differs between two revisions.
type sourceChange struct {
	Field, Old, New string
}

type historyRow struct {
	SourceRevision
	Changes []sourceChange // against the revision before it
	Current bool
}

type sourceHistoryData struct {
	ID       string
	Name     string
	Rows     []historyRow
	Restored bool
}

func (s *Server) sourceHistory(w http.ResponseWriter, r *http.Request) {
	if s.deps.SourceEdit == nil {
		s.unavailable(w, r, "source editor")
		return
	}
	id := r.PathValue("id")
	e, err := s.deps.SourceEdit.Get(r.Context(), id)
	if err != nil {
		s.fail(w, r, "get source", err)
		return
	}
	revs, err := s.deps.SourceEdit.History(r.Context(), id)
	if err != nil {
		s.fail(w, r, "source history", err)
		return
	}
	d := sourceHistoryData{ID: id, Name: e.Form.Name, Restored: r.URL.Query().Get("restored") != ""}
	for i, rv := range revs {
		row := historyRow{SourceRevision: rv, Current: i == 0}
		if i+1 < len(revs) {
			row.Changes = diffSources(revs[i+1], rv)
		} else {
			row.Changes = diffSources(SourceRevision{}, rv) // the oldest kept: its settings
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, r, http.StatusOK, "source-history", d)
}

func (s *Server) sourceRestore(w http.ResponseWriter, r *http.Request) {
	if s.deps.SourceEdit == nil {
		s.unavailable(w, r, "source editor")
		return
	}
	id := r.PathValue("id")
	rev, err := strconv.ParseUint(r.PostFormValue("rev"), 10, 64)
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "Thiếu số bản cần khôi phục.")
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	if note == "" {
		note = fmt.Sprintf("Khôi phục bản #%d", rev)
		if rev == 0 {
			note = "Khôi phục bản trong sources.yaml"
		}
	}
	err = s.deps.SourceEdit.Restore(r.Context(), id, rev, userName(r.Context()), note)
	var fe SourceFieldErrors
	switch {
	case err == nil:
		s.auditSource(r, "source-restore", id, note)
		http.Redirect(w, r, "/sources/"+url.PathEscape(id)+"/history?restored=1", http.StatusSeeOther)
	case errors.As(err, &fe):
		msgs := make([]string, 0, len(fe))
		for _, m := range fe {
			msgs = append(msgs, m)
		}
		slices.Sort(msgs)
		s.errorPage(w, r, http.StatusUnprocessableEntity, "Không khôi phục được bản này: "+strings.Join(msgs, " "))
	case errors.Is(err, ErrSourceConflict):
		s.errorPage(w, r, http.StatusConflict, "Nguồn vừa được người khác sửa. Tải lại trang lịch sử rồi thử lại.")
	default:
		s.fail(w, r, "restore source", err)
	}
}

// Labels of the form's fields, for the history's field-by-field changes.
var sourceFieldLabels = []struct {
	label string
	get   func(SourceRevision) string
}{
	{"Tên", func(r SourceRevision) string { return r.Form.Name }},
	{"Loại", func(r SourceRevision) string { return sourceKindName(r.Form.Kind) }},
	{"RSS/Atom", func(r SourceRevision) string { return strings.Join(r.Form.Feeds, "\n") }},
	{"Sitemap", func(r SourceRevision) string { return strings.Join(r.Form.Sitemaps, "\n") }},
	{"Trang danh sách", func(r SourceRevision) string {
		var b strings.Builder
		for i, l := range r.Form.Listings {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(l.URL + " " + l.Links)
		}
		return b.String()
	}},
	{"Chu kỳ thu", func(r SourceRevision) string { return r.Form.Interval }},
	{"Giãn cách", func(r SourceRevision) string { return r.Form.Delay }},
	{"Chỉ giữ bài về địa bàn", func(r SourceRevision) string { return yesNo(r.Form.RequireArea) }},
	{"Địa chỉ nội bộ", func(r SourceRevision) string { return yesNo(r.Form.AllowPrivate) }},
	{"Bộ chọn tiêu đề", func(r SourceRevision) string { return r.Form.SelTitle }},
	{"Bộ chọn nội dung", func(r SourceRevision) string { return r.Form.SelBody }},
	{"Bộ chọn ngày", func(r SourceRevision) string { return r.Form.SelDate }},
	{"Trạng thái", func(r SourceRevision) string {
		if r.Disabled {
			return "đã tắt"
		}
		return "đang thu"
	}},
}

func yesNo(b bool) string {
	if b {
		return "có"
	}
	return "không"
}

// diffSources lists the fields that differ from old to cur.
func diffSources(old, cur SourceRevision) []sourceChange {
	var out []sourceChange
	for _, f := range sourceFieldLabels {
		if o, n := f.get(old), f.get(cur); o != n {
			out = append(out, sourceChange{Field: f.label, Old: o, New: n})
		}
	}
	return out
}

var sourceKindNames = map[string]string{"press": "Báo chí", "portal": "Cổng TTĐT", "foreign": "Nước ngoài"}

func sourceKindName(k string) string {
	if n, ok := sourceKindNames[k]; ok {
		return n
	}
	return k
}

var sourceActionNames = map[string]string{
	"add": "Thêm nguồn", "edit": "Sửa", "disable": "Tắt", "enable": "Bật", "restore": "Khôi phục", "seed": "Bản trong sources.yaml",
}

var datePrecisionNames = map[string]string{
	"jsonld": "dữ liệu JSON-LD", "meta": "thẻ meta", "feed": "RSS/sitemap", "text": "chữ trên trang", "url": "địa chỉ bài", "fetched": "ngày tải (không tìm thấy ngày đăng)",
}

// sourceFuncs are the template functions of the source pages.
func sourceFuncs() map[string]any {
	return map[string]any{
		"sourceKind": sourceKindName,
		"sourceAction": func(a string) string {
			if n, ok := sourceActionNames[a]; ok {
				return n
			}
			return a
		},
		"dateFrom": func(f string) string {
			if n, ok := datePrecisionNames[f]; ok {
				return n
			}
			if f == "" {
				return "không rõ"
			}
			return f
		},
		"fieldErr": func(errs SourceFieldErrors, field string) string { return errs[field] },
	}
}
