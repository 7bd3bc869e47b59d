package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/cases"
	"github.com/diembao/diembao/internal/textnorm"
	"github.com/diembao/diembao/rules"
)

// Cases is the case workflow (internal/cases.Service). Errors wrap the
// cases package's sentinels: ErrInvalidMove answers 409, ErrBadInput 400,
// ErrTooLarge 413, ErrUnsupportedType 415, ErrNotFound 404.
type Cases interface {
	List(ctx context.Context, f cases.Filter) ([]cases.Case, cases.Counts, error)
	Get(ctx context.Context, id string) (cases.Case, error)
	Open(ctx context.Context, in cases.Intake) (cases.Case, bool, error)
	AddItem(ctx context.Context, id string, in cases.Intake) (cases.Case, error)
	Move(ctx context.Context, id, by, to, verdict, note string) (cases.Case, error)
	Edit(ctx context.Context, id, by string, p cases.Patch) (cases.Case, error)
	AddNote(ctx context.Context, id, by, text string) (cases.Case, error)
	AddEvidence(ctx context.Context, id, by string, u cases.Upload) (cases.Case, error)
	Blob(ctx context.Context, c cases.Case, sum string) (cases.Evidence, []byte, error)
	Backtest(ctx context.Context, caseID, query string, since time.Time) (rules.BacktestReport, error)
	Document(c cases.Case, kind, format string) ([]byte, string, string, error)
}

// caseRoutes registers the case pages and API.
func (s *Server) caseRoutes(handle func(string, http.Handler)) {
	page := func(h http.HandlerFunc) http.Handler { return s.authed("", false, h) }
	form := func(h http.HandlerFunc) http.Handler { return s.authed("", false, s.caseForm(h)) }
	handle("GET /cases", page(s.casesPage))
	handle("POST /cases", form(s.caseOpenForm))
	handle("GET /cases/new", page(s.caseNewPage))
	handle("GET /cases/{id}", page(s.casePage))
	handle("POST /cases/{id}/move", form(caseThen(s.doMove, redirectToCase)))
	handle("POST /cases/{id}/items", form(s.caseItemForm))
	handle("POST /cases/{id}/edit", form(s.caseEditForm))
	handle("POST /cases/{id}/notes", form(caseThen(s.doNote, redirectToCase)))
	handle("POST /cases/{id}/evidence", form(s.caseEvidenceForm))
	handle("POST /cases/{id}/backtest", form(s.caseBacktestForm))
	handle("GET /cases/{id}/evidence/{sum}", page(s.caseEvidence))
	handle("GET /cases/{id}/doc/{file}", page(s.caseDoc))
	handle("GET /api/cases", page(s.apiCases))
	handle("POST /api/cases", form(s.apiCaseOpen))
	handle("GET /api/cases/{id}", page(s.apiCase))
	handle("POST /api/cases/{id}/move", form(caseThen(s.doMove, s.caseJSON)))
	handle("POST /api/cases/{id}/notes", form(caseThen(s.doNote, s.caseJSON)))
}

// caseForm parses a POST (JSON, urlencoded or multipart with an upload up
// to the cases' size limit plus 1 MiB) and checks the CSRF token of session
// users, as authed does for smaller forms.
func (s *Server) caseForm(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.deps.Cases == nil {
			s.unavailable(w, r, "cases")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.maxCaseBody())
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct == "multipart/form-data" {
			if err := r.ParseMultipartForm(8 << 20); err != nil {
				s.caseFail(w, r, nil, fmt.Errorf("%w: %w", cases.ErrTooLarge, err))
				return
			}
		} else if ct != "application/json" {
			if err := r.ParseForm(); err != nil {
				s.caseFail(w, r, nil, fmt.Errorf("%w: %w", cases.ErrBadInput, err))
				return
			}
		}
		a := authFrom(r.Context())
		if a.session {
			tok := r.Header.Get("X-CSRF-Token")
			if tok == "" {
				tok = r.FormValue("csrf")
			}
			if tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(a.csrf)) != 1 {
				s.log.Warn("csrf token mismatch", "user", a.user.Name, "path", r.URL.Path)
				if strings.HasPrefix(r.URL.Path, "/api/") {
					apiError(w, http.StatusForbidden, "missing or wrong CSRF token")
					return
				}
				s.errorPage(w, r, http.StatusForbidden, "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang.")
				return
			}
		}
		next(w, r)
	}
}

func (s *Server) maxCaseBody() int64 { return 9 << 20 }

// policeOnly reports whether every audience of the case is sensitive.
func (s *Server) policeOnly(c cases.Case) bool {
	if len(c.Audiences) == 0 {
		return false
	}
	for _, a := range c.Audiences {
		if !slices.Contains(s.cfg.SensitiveAudiences, a) {
			return false
		}
	}
	return true
}

// touchesPolice reports whether the case touches a police (sensitive) route.
func (s *Server) touchesPolice(c cases.Case) bool {
	return slices.ContainsFunc(c.Audiences, func(a string) bool { return slices.Contains(s.cfg.SensitiveAudiences, a) })
}

// caseVisible: admins see every case; analysts all but police-only cases;
// police the cases that touch police routes.
func (s *Server) caseVisible(u User, c cases.Case) bool {
	switch u.Role {
	case RoleAdmin:
		return true
	case RolePolice:
		return s.touchesPolice(c)
	default:
		return !s.policeOnly(c)
	}
}

// visibleCase returns c as the request's user may see it: for an analyst,
// without the topics only police-only rules give (visibility.go), as
// articles and alerts are shown.
func (s *Server) visibleCase(r *http.Request, c cases.Case) cases.Case {
	return withoutTopics(c, s.hiddenTopics(r))
}

// visibleCases is visibleCase over a list (the rules listed once).
func (s *Server) visibleCases(r *http.Request, list []cases.Case) []cases.Case {
	hidden := s.hiddenTopics(r)
	for i, c := range list {
		list[i] = withoutTopics(c, hidden)
	}
	return list
}

// withoutTopics returns c without the hidden topics.
func withoutTopics(c cases.Case, hidden map[string]bool) cases.Case {
	if len(hidden) == 0 || !slices.ContainsFunc(c.Topics, func(t string) bool { return hidden[t] }) {
		return c
	}
	c.Topics = slices.DeleteFunc(slices.Clone(c.Topics), func(t string) bool { return hidden[t] })
	return c
}

// canManage: analysts and admins open, move and edit cases.
func canManage(u User) bool { return u.Role == RoleAnalyst || u.Role == RoleAdmin }

// getCase returns a visible case (an invisible one is not found) and
// audits every view of a police-only case.
func (s *Server) getCase(r *http.Request, view bool) (cases.Case, error) {
	id := r.PathValue("id")
	if !idRE.MatchString(id) {
		return cases.Case{}, ErrNotFound
	}
	c, err := s.deps.Cases.Get(r.Context(), id)
	if err != nil {
		return c, err
	}
	u := authFrom(r.Context()).user
	if !s.caseVisible(u, c) {
		s.log.Warn("case hidden from user", "case_id", id, "user", u.Name)
		return cases.Case{}, ErrNotFound
	}
	if view && s.policeOnly(c) {
		if err := s.deps.Accounts.Audit(r.Context(), AuditEntry{Time: s.cfg.Now(), User: u.Name, Action: "view_case",
			AlertID: "case-" + c.ID, Detail: c.ID}); err != nil {
			return cases.Case{}, err
		}
	}
	return c, nil
}

// caseStatus maps a case error to its HTTP status and a message for the user.
func caseStatus(err error) (int, string) {
	msg := err.Error()
	for _, p := range []string{"invalid input: ", "invalid move: "} {
		if i := strings.Index(msg, p); i >= 0 {
			msg = msg[i+len(p):]
		}
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, cases.ErrStale):
		msg = strings.TrimPrefix(msg, cases.ErrStale.Error()+": ")
		return http.StatusConflict, msg + ". Thay đổi của bạn chưa được lưu; nội dung bạn nhập vẫn ở biểu mẫu bên dưới, hãy đối chiếu với thông tin mới rồi bấm Lưu lần nữa."
	case errors.Is(err, cases.ErrInvalidMove):
		return http.StatusConflict, msg
	case errors.Is(err, cases.ErrTooLarge), errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "Tệp quá lớn: " + msg
	case errors.Is(err, cases.ErrUnsupportedType):
		return http.StatusUnsupportedMediaType, "Loại tệp không được chấp nhận: " + msg
	case errors.Is(err, cases.ErrBadInput):
		return http.StatusBadRequest, msg
	case isNotFound(err), errors.Is(err, cases.ErrNotFound):
		return http.StatusNotFound, "not found"
	}
	return 0, ""
}

// caseFail answers a failed case action: the case page (or the list) again
// with the message, or {"error": …} for the API.
func (s *Server) caseFail(w http.ResponseWriter, r *http.Request, c *cases.Case, err error) {
	code, msg := caseStatus(err)
	switch code {
	case 0:
		s.fail(w, r, "case action", err)
		return
	case http.StatusNotFound:
		s.notFound(w, r)
		return
	}
	s.log.Info("case action refused", "path", r.URL.Path, "status", code, "err", err)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		apiError(w, code, msg)
		return
	}
	if c != nil {
		s.renderCase(w, r, code, *c, msg, nil)
		return
	}
	s.renderCases(w, r, code, msg)
}

func (s *Server) caseFilter(r *http.Request) cases.Filter {
	q := r.URL.Query()
	u := authFrom(r.Context()).user
	f := cases.Filter{Status: q.Get("status"), Owner: q.Get("owner"), Topic: q.Get("topic"),
		Visible: func(c cases.Case) bool { return s.caseVisible(u, c) }}
	if f.Topic != "" && s.hiddenTopics(r)[f.Topic] { // cannot be filtered on: nothing matches
		f.Visible = func(cases.Case) bool { return false }
	}
	switch q.Get("overdue") {
	case "1", "true", "on":
		f.Overdue = true
	}
	return f
}

type casesData struct {
	Cases    []cases.Case
	Counts   cases.Counts
	Filter   cases.Filter
	Topics   []facetView // the topics the filter offers
	Statuses []string
	Now      time.Time
	Error    string
	Form     map[string]string
	Manage   bool
}

func (s *Server) renderCases(w http.ResponseWriter, r *http.Request, code int, msg string) {
	f := s.caseFilter(r)
	list, cnt, err := s.deps.Cases.List(r.Context(), f)
	if err != nil {
		s.fail(w, r, "list cases", err)
		return
	}
	form := map[string]string{}
	for _, k := range []string{"claim", "url", "text", "owner", "severity", "alert", "article"} {
		form[k] = r.FormValue(k)
	}
	topics := s.topicChoices(r, func(t string) bool { return t == f.Topic })
	s.render(w, r, code, "cases", casesData{Cases: s.visibleCases(r, list), Counts: cnt, Filter: f, Topics: topics, Statuses: cases.Statuses,
		Now: s.cfg.Now(), Error: msg, Form: form, Manage: canManage(authFrom(r.Context()).user)})
}

func (s *Server) casesPage(w http.ResponseWriter, r *http.Request) {
	if s.deps.Cases == nil {
		s.unavailable(w, r, "cases")
		return
	}
	s.renderCases(w, r, http.StatusOK, "")
}

// caseNewPage is "Mở vụ việc" from an alert or an article: the list page
// with the intake form filled in.
func (s *Server) caseNewPage(w http.ResponseWriter, r *http.Request) {
	if s.deps.Cases == nil {
		s.unavailable(w, r, "cases")
		return
	}
	s.renderCases(w, r, http.StatusOK, "")
}

// intake reads an intake from a form or JSON body.
func (s *Server) intake(r *http.Request) (cases.Intake, error) {
	u := authFrom(r.Context()).user
	in := cases.Intake{By: u.Name, Visible: func(c cases.Case) bool { return s.caseVisible(u, c) }}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var body struct {
			Claim, Owner, Severity, URL, Text string
			ArticleID                         string   `json:"article_id"`
			AlertID                           string   `json:"alert_id"`
			Topics                            []string `json:"topics"`
			Communes                          []string `json:"communes"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return in, fmt.Errorf("%w: JSON: %v", cases.ErrBadInput, err)
		}
		in.Claim, in.Owner, in.Severity, in.URL, in.Text = body.Claim, body.Owner, body.Severity, body.URL, body.Text
		in.ArticleID, in.AlertID, in.Topics, in.Communes = body.ArticleID, body.AlertID, body.Topics, body.Communes
		return in, nil
	}
	in.Claim, in.Owner, in.Severity = r.FormValue("claim"), r.FormValue("owner"), r.FormValue("severity")
	in.URL, in.Text = r.FormValue("url"), r.FormValue("text")
	in.ArticleID, in.AlertID = r.FormValue("article"), r.FormValue("alert")
	if v := r.FormValue("topics"); v != "" {
		in.Topics = []string{v}
	}
	if v := r.FormValue("communes"); v != "" {
		in.Communes = []string{v}
	}
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["file"]; len(fhs) > 0 && fhs[0].Size > 0 {
			f, err := fhs[0].Open()
			if err != nil {
				return in, err
			}
			defer f.Close()
			data, err := io.ReadAll(f)
			if err != nil {
				return in, err
			}
			in.File = &cases.Upload{Name: fhs[0].Filename, Data: data}
		}
	}
	return in, nil
}

func (s *Server) forbiddenCase(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		apiError(w, http.StatusForbidden, "forbidden: only analysts and admins open and move cases")
		return
	}
	s.errorPage(w, r, http.StatusForbidden, "Chỉ chuyên viên và quản trị viên được mở và xử lý vụ việc.")
}

func (s *Server) openCase(w http.ResponseWriter, r *http.Request) (cases.Case, bool, bool) {
	if !canManage(authFrom(r.Context()).user) {
		s.forbiddenCase(w, r)
		return cases.Case{}, false, false
	}
	in, err := s.intake(r)
	if err == nil {
		err = s.alertVisible(r, in)
	}
	if err != nil {
		s.caseFail(w, r, nil, err)
		return cases.Case{}, false, false
	}
	c, existing, err := s.deps.Cases.Open(r.Context(), in)
	if err != nil {
		s.caseFail(w, r, nil, err)
		return cases.Case{}, false, false
	}
	s.log.Info("case intake", "case_id", c.ID, "existing", existing, "user", in.By)
	return c, existing, true
}

// alertVisible refuses an intake naming an alert the user cannot see, as
// if it did not exist: such an alert neither opens a case nor joins one.
func (s *Server) alertVisible(r *http.Request, in cases.Intake) error {
	if in.AlertID == "" || s.deps.Alerts == nil {
		return nil
	}
	a, err := s.deps.Alerts.Get(r.Context(), in.AlertID)
	if err == nil && !s.visible(authFrom(r.Context()).user, a) {
		return fmt.Errorf("%w: không tìm thấy cảnh báo %q", cases.ErrBadInput, in.AlertID)
	}
	return nil
}

func (s *Server) caseOpenForm(w http.ResponseWriter, r *http.Request) {
	c, existing, ok := s.openCase(w, r)
	if !ok {
		return
	}
	dest := "/cases/" + c.ID
	if existing {
		dest += "?existing=1"
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

func (s *Server) apiCaseOpen(w http.ResponseWriter, r *http.Request) {
	c, existing, ok := s.openCase(w, r)
	if !ok {
		return
	}
	code := http.StatusCreated
	if existing {
		code = http.StatusOK
	}
	writeJSON(w, code, s.visibleCase(r, c))
}

// timelineEvent is one line of the spread timeline.
type timelineEvent struct {
	At     time.Time
	Kind   string // appear, edit, removed, corrected
	Label  string
	Source string
	Title  string
	URL    string // safeHref: http(s) only
	Item   cases.Item
}

// timeline is the spread: each item's first appearance, and the changes of
// the indexed ones from their revisions (edited, removed, corrected).
func (s *Server) timeline(ctx context.Context, c cases.Case) []timelineEvent {
	var out []timelineEvent
	for _, it := range c.SortedItems() {
		label := cases.KindName(it.Kind)
		if len(out) == 0 {
			label = "Xuất hiện đầu tiên · " + label
		}
		out = append(out, timelineEvent{At: it.FirstSeen, Kind: "appear", Label: label, Source: it.Source, Title: it.Title,
			URL: safeHref(it.URL), Item: it})
		if it.ArticleID == "" || s.deps.Articles == nil {
			continue
		}
		v, err := s.deps.Articles.Get(ctx, it.ArticleID)
		if err != nil {
			continue
		}
		for i, rev := range v.Revisions {
			if i == 0 {
				continue
			}
			ev := timelineEvent{At: rev.Fetched, Kind: "edit", Label: fmt.Sprintf("Bài bị sửa (lần %d)", rev.Revision),
				Source: rev.Source, Title: rev.Title, URL: safeHref(rev.URL), Item: it}
			low := textnorm.Key(rev.Title + " " + rev.Lead + " " + rev.Body)
			switch {
			case rev.Removed:
				ev.Kind, ev.Label = "removed", "Bài bị gỡ (404/410)"
			case strings.Contains(low, textnorm.Key("cải chính")) || strings.Contains(low, textnorm.Key("đính chính")):
				ev.Kind, ev.Label = "corrected", "Bài được cải chính"
			}
			out = append(out, ev)
		}
	}
	slices.SortStableFunc(out, func(a, b timelineEvent) int { return a.At.Compare(b.At) })
	return out
}

type caseData struct {
	C         cases.Case
	Form      cases.Case    // what the edit forms show: C, or C with a refused stale edit's values
	Contact   cases.Contact // the press agency the edit form shows (a refused edit's)
	Timeline  []timelineEvent
	Overdue   bool
	Error     string
	Existing  bool
	Saved     bool
	Manage    bool
	Annotate  bool
	Statuses  []string
	Verdicts  []string
	Outcomes  []string
	Backtest  *rules.BacktestReport
	RuleDraft string
}

func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, code int, c cases.Case, msg string, bt *rules.BacktestReport) {
	s.render(w, r, code, "case", s.caseView(r, c, msg, bt))
}

// caseView is the case page's data; its edit forms show c.
func (s *Server) caseView(r *http.Request, c cases.Case, msg string, bt *rules.BacktestReport) caseData {
	u := authFrom(r.Context()).user
	c = s.visibleCase(r, c)
	d := caseData{C: c, Form: c, Timeline: s.timeline(r.Context(), c), Overdue: c.Overdue(s.cfg.Now()), Error: msg,
		Existing: r.URL.Query().Get("existing") == "1", Saved: r.URL.Query().Get("saved") == "1", Manage: canManage(u),
		Annotate: canManage(u) || u.Role == RolePolice && s.touchesPolice(c),
		Statuses: cases.Statuses, Verdicts: cases.Verdicts, Outcomes: cases.Outcomes, Backtest: bt, RuleDraft: c.Rule}
	if bt != nil {
		d.RuleDraft = r.FormValue("rule")
	}
	return d
}

// staleEdit answers an edit refused because the case changed since its
// form was shown: the case as it is now, with the refused values kept in
// the edit form (and the form's base now the case's), so nothing typed is
// lost and saving again is a deliberate choice.
func (s *Server) staleEdit(w http.ResponseWriter, r *http.Request, c cases.Case, p cases.Patch, refused error) {
	cur, err := s.deps.Cases.Get(r.Context(), c.ID)
	if err != nil {
		s.caseFail(w, r, &c, err)
		return
	}
	code, msg := caseStatus(refused)
	s.log.Info("case action refused", "path", r.URL.Path, "status", code, "err", refused)
	d := s.caseView(r, cur, msg, nil)
	d.Form = s.visibleCase(r, withPatch(d.C, p))
	if p.AddContact != nil {
		d.Contact = *p.AddContact
	}
	s.render(w, r, code, "case", d)
}

// withPatch returns a copy of c showing p's values as typed (for a form).
func withPatch(c cases.Case, p cases.Patch) cases.Case {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setList := func(dst *[]string, v *[]string) {
		if v != nil {
			*dst = slices.Clone(*v)
		}
	}
	set(&c.Claim, p.Claim)
	set(&c.Owner, p.Owner)
	set(&c.Severity, p.Severity)
	set(&c.Rule, p.Rule)
	set(&c.Clarification.Text, p.ClarText)
	set(&c.Clarification.PublishedURL, p.PublishedURL)
	set(&c.Report.Number, p.ReportNumber)
	setList(&c.Topics, p.Topics)
	setList(&c.Communes, p.Communes)
	setList(&c.Report.Recipients, p.ReportRecipients)
	setList(&c.Outcome, p.Outcome)
	if p.PublishedAt != nil {
		c.Clarification.PublishedAt = *p.PublishedAt
	}
	if p.ReportDate != nil {
		c.Report.Date = *p.ReportDate
	}
	return c
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request) {
	if s.deps.Cases == nil {
		s.unavailable(w, r, "cases")
		return
	}
	c, err := s.getCase(r, true)
	if err != nil {
		s.fail(w, r, "get case", err)
		return
	}
	s.renderCase(w, r, http.StatusOK, c, "", nil)
}

func (s *Server) apiCases(w http.ResponseWriter, r *http.Request) {
	if s.deps.Cases == nil {
		s.unavailable(w, r, "cases")
		return
	}
	f := s.caseFilter(r)
	if f.Status != "" && !slices.Contains(cases.Statuses, f.Status) {
		apiError(w, http.StatusBadRequest, "status must be one of "+strings.Join(cases.Statuses, ", "))
		return
	}
	list, cnt, err := s.deps.Cases.List(r.Context(), f)
	if err != nil {
		s.fail(w, r, "list cases", err)
		return
	}
	u := authFrom(r.Context()).user
	for _, c := range list {
		if s.policeOnly(c) {
			_ = s.deps.Accounts.Audit(r.Context(), AuditEntry{Time: s.cfg.Now(), User: u.Name, Action: "view_case", AlertID: "case-" + c.ID, Detail: c.ID + " (list)"})
		}
	}
	if list == nil {
		list = []cases.Case{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": s.visibleCases(r, list), "counts": cnt})
}

func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) {
	if s.deps.Cases == nil {
		s.unavailable(w, r, "cases")
		return
	}
	c, err := s.getCase(r, true)
	if err != nil {
		s.fail(w, r, "get case", err)
		return
	}
	writeJSON(w, http.StatusOK, s.visibleCase(r, c))
}

// caseAction loads the visible case for a POST and checks the role.
func (s *Server) caseAction(w http.ResponseWriter, r *http.Request, annotate bool) (cases.Case, bool) {
	c, err := s.getCase(r, false)
	if err != nil {
		s.fail(w, r, "get case", err)
		return c, false
	}
	u := authFrom(r.Context()).user
	if !canManage(u) && !(annotate && u.Role == RolePolice && s.touchesPolice(c)) {
		s.forbiddenCase(w, r)
		return c, false
	}
	return c, true
}

func (s *Server) moveArgs(r *http.Request) (to, verdict, note string, err error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var body struct{ Status, Verdict, Note string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return "", "", "", fmt.Errorf("%w: JSON: %v", cases.ErrBadInput, err)
		}
		return body.Status, body.Verdict, body.Note, nil
	}
	return r.FormValue("status"), r.FormValue("verdict"), r.FormValue("note"), nil
}

func (s *Server) doMove(w http.ResponseWriter, r *http.Request) (cases.Case, bool) {
	c, ok := s.caseAction(w, r, false)
	if !ok {
		return c, false
	}
	to, verdict, note, err := s.moveArgs(r)
	if err == nil {
		var moved cases.Case
		moved, err = s.deps.Cases.Move(r.Context(), c.ID, authFrom(r.Context()).user.Name, to, verdict, note)
		if err == nil {
			return moved, true
		}
	}
	s.caseFail(w, r, &c, err)
	return c, false
}

// caseThen runs a case action shared by a form and the API, then answers
// with then; the action has answered itself when it fails.
func caseThen(do func(http.ResponseWriter, *http.Request) (cases.Case, bool), then func(http.ResponseWriter, *http.Request, cases.Case)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if c, ok := do(w, r); ok {
			then(w, r, c)
		}
	}
}

// redirectToCase answers a form with the case's page.
func redirectToCase(w http.ResponseWriter, r *http.Request, c cases.Case) {
	http.Redirect(w, r, "/cases/"+c.ID, http.StatusSeeOther)
}

// caseJSON answers the API with the case as the user may see it.
func (s *Server) caseJSON(w http.ResponseWriter, r *http.Request, c cases.Case) {
	writeJSON(w, http.StatusOK, s.visibleCase(r, c))
}

func (s *Server) caseItemForm(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseAction(w, r, false)
	if !ok {
		return
	}
	in, err := s.intake(r)
	if err == nil {
		err = s.alertVisible(r, in)
	}
	if err == nil {
		c2, err2 := s.deps.Cases.AddItem(r.Context(), c.ID, in)
		if err2 == nil {
			http.Redirect(w, r, "/cases/"+c2.ID, http.StatusSeeOther)
			return
		}
		err = err2
	}
	s.caseFail(w, r, &c, err)
}

func (s *Server) doNote(w http.ResponseWriter, r *http.Request) (cases.Case, bool) {
	c, ok := s.caseAction(w, r, true)
	if !ok {
		return c, false
	}
	text := r.FormValue("note")
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
		var body struct{ Note string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			s.caseFail(w, r, &c, fmt.Errorf("%w: JSON: %v", cases.ErrBadInput, err))
			return c, false
		}
		text = body.Note
	}
	c2, err := s.deps.Cases.AddNote(r.Context(), c.ID, authFrom(r.Context()).user.Name, text)
	if err != nil {
		s.caseFail(w, r, &c, err)
		return c, false
	}
	return c2, true
}

func (s *Server) caseEvidenceForm(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseAction(w, r, false)
	if !ok {
		return
	}
	in, err := s.intake(r)
	if err == nil && in.File == nil {
		err = fmt.Errorf("%w: chưa chọn tệp", cases.ErrBadInput)
	}
	if err == nil {
		var c2 cases.Case
		if c2, err = s.deps.Cases.AddEvidence(r.Context(), c.ID, in.By, *in.File); err == nil {
			http.Redirect(w, r, "/cases/"+c2.ID, http.StatusSeeOther)
			return
		}
	}
	s.caseFail(w, r, &c, err)
}

// localDay parses a yyyy-mm-dd form date in the office's time zone.
func (s *Server) localDay(v string) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation("2006-01-02", v, s.cfg.Location)
	if err != nil {
		return nil, fmt.Errorf("%w: ngày %q không hợp lệ (yyyy-mm-dd)", cases.ErrBadInput, v)
	}
	return &t, nil
}

func (s *Server) caseEditForm(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseAction(w, r, false)
	if !ok {
		return
	}
	p, err := s.editPatch(r, c)
	if err != nil {
		s.caseFail(w, r, &c, err)
		return
	}
	c2, err := s.deps.Cases.Edit(r.Context(), c.ID, authFrom(r.Context()).user.Name, p)
	if errors.Is(err, cases.ErrStale) {
		s.staleEdit(w, r, c, p, err)
		return
	}
	if err != nil {
		s.caseFail(w, r, &c, err)
		return
	}
	http.Redirect(w, r, "/cases/"+c2.ID+"?saved=1", http.StatusSeeOther)
}

// formStr is a form field, nil when the form lacks it.
func formStr(r *http.Request, name string) *string {
	if _, ok := r.Form[name]; !ok {
		return nil
	}
	v := r.FormValue(name)
	return &v
}

// formList is a form field split at new lines and semicolons, nil when the
// form lacks it.
func formList(r *http.Request, name string) *[]string {
	if _, ok := r.Form[name]; !ok {
		return nil
	}
	var out []string
	for _, l := range strings.FieldsFunc(r.FormValue(name), func(r rune) bool { return r == '\n' || r == ';' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return &out
}

// editPatch reads the edit form of case c: the fields it has, the base it
// was shown at, and the topics hidden from the user kept (they are not in
// their form). An error is the user's to fix.
func (s *Server) editPatch(r *http.Request, c cases.Case) (cases.Patch, error) {
	var p cases.Patch
	p.Claim, p.Owner, p.Severity, p.Rule = formStr(r, "claim"), formStr(r, "owner"), formStr(r, "severity"), formStr(r, "rule")
	p.Topics, p.Communes = formList(r, "topics"), formList(r, "communes")
	if p.Topics != nil {
		hidden := s.hiddenTopics(r)
		for _, t := range c.Topics {
			if hidden[t] && !slices.Contains(*p.Topics, t) {
				*p.Topics = append(*p.Topics, t)
			}
		}
	}
	p.ClarText, p.PublishedURL, p.ReportNumber = formStr(r, "clar_text"), formStr(r, "published_url"), formStr(r, "report_number")
	p.ReportRecipients = formList(r, "report_recipients")
	if v, ok := r.Form["base"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v[0]))
		if err != nil || n < 0 {
			return p, fmt.Errorf("%w: biểu mẫu không hợp lệ (base %q); tải lại trang", cases.ErrBadInput, v[0])
		}
		p.Base = &n
	}
	var err error
	if _, ok := r.Form["published_at"]; ok {
		if p.PublishedAt, err = s.localDay(r.FormValue("published_at")); err != nil {
			return p, err
		}
	}
	if _, ok := r.Form["report_date"]; ok {
		if p.ReportDate, err = s.localDay(r.FormValue("report_date")); err != nil {
			return p, err
		}
	}
	if p.AddContact, err = s.formContact(r); err != nil {
		return p, err
	}
	if _, ok := r.Form["outcome_set"]; ok {
		o := r.Form["outcome"]
		if o == nil {
			o = []string{}
		}
		p.Outcome = &o
	}
	return p, nil
}

// formContact is the press agency the edit form says was told (with the
// day), nil when none is named.
func (s *Server) formContact(r *http.Request) (*cases.Contact, error) {
	ag := strings.TrimSpace(r.FormValue("contact_agency"))
	if ag == "" {
		return nil, nil
	}
	at, err := s.localDay(r.FormValue("contact_at"))
	if err != nil {
		return nil, err
	}
	ct := cases.Contact{Agency: ag}
	if at != nil {
		ct.At = *at
	}
	return &ct, nil
}

func (s *Server) caseBacktestForm(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseAction(w, r, false)
	if !ok {
		return
	}
	days, err := strconv.Atoi(firstNonEmptyStr(r.FormValue("days"), "30"))
	if err != nil || days < 1 || days > 3650 {
		s.caseFail(w, r, &c, fmt.Errorf("%w: số ngày chạy thử phải từ 1 đến 3650", cases.ErrBadInput))
		return
	}
	rep, err := s.deps.Cases.Backtest(r.Context(), c.ID, r.FormValue("rule"), s.cfg.Now().AddDate(0, 0, -days))
	if err != nil {
		s.caseFail(w, r, &c, err)
		return
	}
	s.renderCase(w, r, http.StatusOK, c, "", &rep)
}

func firstNonEmptyStr(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

// caseEvidence serves an evidence file as a download, never rendered in our
// origin (saved copies are untrusted HTML).
func (s *Server) caseEvidence(w http.ResponseWriter, r *http.Request) {
	if s.deps.Cases == nil {
		s.unavailable(w, r, "cases")
		return
	}
	c, err := s.getCase(r, true)
	if err != nil {
		s.fail(w, r, "get case", err)
		return
	}
	ev, data, err := s.deps.Cases.Blob(r.Context(), c, r.PathValue("sum"))
	if err != nil {
		s.fail(w, r, "get evidence", err)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", sandboxPolicy)
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": ev.Name}))
	h.Set("X-Content-SHA256", ev.SHA256)
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
}

// caseDoc serves a generated document: /cases/{id}/doc/response.pdf,
// report.docx, claimreview.html.
func (s *Server) caseDoc(w http.ResponseWriter, r *http.Request) {
	if s.deps.Cases == nil {
		s.unavailable(w, r, "cases")
		return
	}
	c, err := s.getCase(r, true)
	if err != nil {
		s.fail(w, r, "get case", err)
		return
	}
	kind, format, _ := strings.Cut(r.PathValue("file"), ".")
	data, ct, name, err := s.deps.Cases.Document(c, kind, format)
	if err != nil {
		s.caseFail(w, r, &c, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Cache-Control", "no-store")
	if format == "html" {
		h.Set("Content-Security-Policy", sandboxPolicy)
	}
	_, _ = w.Write(data)
}

// caseFuncs are the template functions of the case pages.
func caseFuncs() template.FuncMap {
	return template.FuncMap{
		"statusName":  cases.StatusName,
		"verdictName": cases.VerdictName,
		"kindName":    cases.KindName,
		"outcomeName": cases.OutcomeName,
		"joinLines":   func(l []string) string { return strings.Join(l, "\n") },
		"join":        func(l []string) string { return strings.Join(l, ", ") },
		"list":        func(v ...string) []string { return v },
		"actionName": func(a string) string {
			return map[string]string{"open": "mở vụ việc", "move": "chuyển trạng thái", "item": "thêm bài",
				"evidence": "thêm chứng cứ", "edit": "cập nhật", "note": "ghi chú", "intake": "tiếp nhận trùng"}[a]
		},
		"nextStatus": func(s string) string {
			for i, x := range cases.Statuses {
				if x == s && i+1 < len(cases.Statuses) {
					return cases.Statuses[i+1]
				}
			}
			return ""
		},
		"deref": func(t *time.Time) time.Time { return *t },
		"short": func(s string) string { return s[:min(12, len(s))] },
		"caseQuery": func(f cases.Filter, key, val string) string {
			q := url.Values{}
			if f.Status != "" {
				q.Set("status", f.Status)
			}
			if f.Owner != "" {
				q.Set("owner", f.Owner)
			}
			if f.Topic != "" {
				q.Set("topic", f.Topic)
			}
			if f.Overdue {
				q.Set("overdue", "1")
			}
			if val == "" {
				q.Del(key)
			} else {
				q.Set(key, val)
			}
			return "/cases?" + q.Encode()
		},
	}
}
