package web

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/textnorm"
)

// visible reports whether u may see the alert: police and admins see all;
// analysts do not see alerts addressed only to sensitive audiences.
func (s *Server) visible(u User, a AlertRecord) bool {
	if u.Role != RoleAnalyst {
		return true
	}
	if s.onlyRestricted(a) { // raised by police-only rules alone
		return false
	}
	if len(a.Audiences) == 0 {
		return true
	}
	for _, aud := range a.Audiences {
		if !slices.Contains(s.cfg.SensitiveAudiences, aud) {
			return true
		}
	}
	return false
}

func (s *Server) alertFilter(r *http.Request) (AlertFilter, error) {
	q := r.URL.Query()
	f := AlertFilter{Topic: q.Get("topic")}
	switch q.Get("unacked") {
	case "", "0", "false":
	case "1", "true":
		f.Unacked = true
	default:
		return f, errBadParam{"unacked must be true or false"}
	}
	if v := q.Get("since"); v != "" {
		t, err := indexer.ParseDay("since", v, s.cfg.Location, false)
		if err != nil {
			return f, errBadParam{err.Error()}
		}
		f.Since = t
	}
	n, err := indexer.ParseInt("limit", q.Get("limit"), 100, 1, 1000)
	if err != nil {
		return f, errBadParam{err.Error()}
	}
	f.Limit = n
	return f, nil
}

func (s *Server) listAlerts(r *http.Request, f AlertFilter) ([]AlertRecord, error) {
	all, err := s.deps.Alerts.List(r.Context(), f)
	if err != nil {
		return nil, err
	}
	u := authFrom(r.Context()).user
	out := []AlertRecord{}
	for _, a := range all {
		if s.visible(u, a) {
			out = append(out, s.visibleAlert(r, a))
		}
	}
	return out, nil
}

func (s *Server) apiAlerts(w http.ResponseWriter, r *http.Request) {
	if s.deps.Alerts == nil {
		s.unavailable(w, r, "alerts")
		return
	}
	f, err := s.alertFilter(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	list, err := s.listAlerts(r, f)
	if err != nil {
		s.fail(w, r, "list alerts", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": list})
}

// getVisibleAlert returns the alert if it exists and the user may see it;
// an invisible alert is reported as not found.
func (s *Server) getVisibleAlert(r *http.Request) (AlertRecord, error) {
	id := r.PathValue("id")
	if !idRE.MatchString(id) {
		return AlertRecord{}, ErrNotFound
	}
	a, err := s.deps.Alerts.Get(r.Context(), id)
	if err != nil {
		return a, err
	}
	if !s.visible(authFrom(r.Context()).user, a) {
		s.log.Warn("alert hidden from user", "alert_id", id, "user", userName(r.Context()))
		return AlertRecord{}, ErrNotFound
	}
	return s.visibleAlert(r, a), nil
}

type alertData struct {
	A      AlertRecord
	URL    string
	Audit  []AuditEntry
	Portal *PortalFinding // the own-portal finding behind the alert, with its diff
}

func (s *Server) alertPage(w http.ResponseWriter, r *http.Request) {
	if s.deps.Alerts == nil {
		s.unavailable(w, r, "alerts")
		return
	}
	a, err := s.getVisibleAlert(r)
	if err != nil {
		s.fail(w, r, "get alert", err)
		return
	}
	u := authFrom(r.Context()).user
	if err := s.deps.Accounts.Audit(r.Context(), AuditEntry{Time: s.cfg.Now(), User: u.Name, Action: "view", AlertID: a.ID}); err != nil {
		s.fail(w, r, "audit alert view", err)
		return
	}
	d := alertData{A: a, URL: safeHref(a.URL), Portal: s.portalFinding(r.Context(), a)}
	if u.Role == RoleAdmin {
		d.Audit, _ = s.deps.Accounts.AuditLog(r.Context(), a.ID, 50)
	}
	s.render(w, r, http.StatusOK, "alert", d)
}

// ack acknowledges a visible alert and writes the audit entry.
func (s *Server) ack(r *http.Request) (AlertRecord, error) {
	a, err := s.getVisibleAlert(r)
	if err != nil {
		return a, err
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	if utf8.RuneCountInString(note) > 1000 {
		note = string([]rune(note)[:1000])
	}
	u := authFrom(r.Context()).user
	now := s.cfg.Now()
	if err := s.deps.Alerts.Ack(r.Context(), a.ID, u.Name, note, now); err != nil {
		return a, err
	}
	if err := s.deps.Accounts.Audit(r.Context(), AuditEntry{Time: now, User: u.Name, Action: "ack", AlertID: a.ID, Detail: note}); err != nil {
		return a, err
	}
	s.metrics.acks.Inc()
	s.nav.forget()
	s.log.Info("alert acknowledged", "alert_id", a.ID, "user", u.Name)
	rec, err := s.deps.Alerts.Get(r.Context(), a.ID)
	if err != nil {
		return rec, err
	}
	return s.visibleAlert(r, rec), nil
}

func (s *Server) alertAckForm(w http.ResponseWriter, r *http.Request) {
	if s.deps.Alerts == nil {
		s.unavailable(w, r, "alerts")
		return
	}
	if _, err := s.ack(r); err != nil {
		s.fail(w, r, "ack alert", err)
		return
	}
	http.Redirect(w, r, localRedirect(r.PostFormValue("back")), http.StatusSeeOther)
}

func (s *Server) apiAlertAck(w http.ResponseWriter, r *http.Request) {
	if s.deps.Alerts == nil {
		s.unavailable(w, r, "alerts")
		return
	}
	a, err := s.ack(r)
	if err != nil {
		s.fail(w, r, "ack alert", err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// ---- digests ----

func (s *Server) digestsPage(w http.ResponseWriter, r *http.Request) {
	if s.deps.Digests == nil {
		s.unavailable(w, r, "digests")
		return
	}
	list, err := s.deps.Digests.List(r.Context())
	if err != nil {
		s.fail(w, r, "list digests", err)
		return
	}
	s.render(w, r, http.StatusOK, "digests", list)
}

func (s *Server) digestPage(w http.ResponseWriter, r *http.Request) {
	if s.deps.Digests == nil {
		s.unavailable(w, r, "digests")
		return
	}
	id := r.PathValue("id")
	if !idRE.MatchString(id) {
		s.notFound(w, r)
		return
	}
	list, err := s.deps.Digests.List(r.Context())
	if err != nil {
		s.fail(w, r, "list digests", err)
		return
	}
	for _, d := range list {
		if d.ID == id {
			s.render(w, r, http.StatusOK, "digest", d)
			return
		}
	}
	s.notFound(w, r)
}

func (s *Server) digestRaw(w http.ResponseWriter, r *http.Request) {
	if s.deps.Digests == nil {
		s.unavailable(w, r, "digests")
		return
	}
	id := r.PathValue("id")
	if !idRE.MatchString(id) {
		s.notFound(w, r)
		return
	}
	doc, err := s.deps.Digests.Get(r.Context(), id)
	if err != nil {
		s.fail(w, r, "get digest", err)
		return
	}
	writeSandboxed(w, doc)
}

// ---- admin pages ----

func (s *Server) sourcesPage(w http.ResponseWriter, r *http.Request) {
	if s.deps.Sources == nil {
		s.unavailable(w, r, "sources")
		return
	}
	list, err := s.deps.Sources.Health(r.Context())
	if err != nil {
		s.fail(w, r, "source health", err)
		return
	}
	s.render(w, r, http.StatusOK, "sources", list)
}

type rulesData struct {
	Rules     []RuleInfo
	LastError string
	Text      string
	Tried     bool
	Result    RuleResult
	TextHTML  template.HTML
	List      rulesList // paging and search of Rules (rulespage.go)
}

func (s *Server) rulesData(r *http.Request) (rulesData, error) {
	var d rulesData
	list, err := s.deps.Rules.List(r.Context())
	if err != nil {
		return d, err
	}
	page, _ := strconv.Atoi(r.FormValue("page"))
	d.Rules, d.List = pageRules(list, r.FormValue("q"), page)
	if e := s.deps.Rules.LastError(); e != nil {
		d.LastError = e.Error()
	}
	return d, nil
}

func (s *Server) rulesPage(w http.ResponseWriter, r *http.Request) {
	if s.deps.Rules == nil {
		s.unavailable(w, r, "rules")
		return
	}
	d, err := s.rulesData(r)
	if err != nil {
		s.fail(w, r, "list rules", err)
		return
	}
	s.render(w, r, http.StatusOK, "rules", d)
}

func (s *Server) rulesTry(w http.ResponseWriter, r *http.Request) {
	if s.deps.Rules == nil {
		s.unavailable(w, r, "rules")
		return
	}
	d, err := s.rulesData(r)
	if err != nil {
		s.fail(w, r, "list rules", err)
		return
	}
	d.Text = r.PostFormValue("text")
	if len(d.Text) > 200_000 {
		d.Text = strings.ToValidUTF8(d.Text[:200_000], "")
	}
	// Offsets come back in the NFC form, so match and highlight that form.
	d.Text = textnorm.Normalize(d.Text)
	res, err := s.deps.Rules.Try(r.Context(), d.Text)
	if err != nil {
		s.fail(w, r, "try rules", err)
		return
	}
	d.Tried, d.Result = true, res
	var terms []article.Term
	for _, m := range res.Matches {
		terms = append(terms, m.Terms...)
	}
	d.TextHTML = highlight(d.Text, terms, "body")
	s.render(w, r, http.StatusOK, "rules", d)
}

type deadData struct {
	Letters []DeadLetter
	Done    string
}

func (s *Server) deadLettersPage(w http.ResponseWriter, r *http.Request) {
	if s.deps.DeadLetters == nil {
		s.unavailable(w, r, "dead letters")
		return
	}
	list, err := s.deps.DeadLetters.List(r.Context())
	if err != nil {
		s.fail(w, r, "list dead letters", err)
		return
	}
	s.render(w, r, http.StatusOK, "deadletters", deadData{Letters: list, Done: r.URL.Query().Get("retried")})
}

func (s *Server) deadLetterRetry(w http.ResponseWriter, r *http.Request) {
	if s.deps.DeadLetters == nil {
		s.unavailable(w, r, "dead letters")
		return
	}
	id := r.PathValue("id")
	if !idRE.MatchString(id) {
		s.notFound(w, r)
		return
	}
	if err := s.deps.DeadLetters.Retry(r.Context(), id); err != nil {
		s.fail(w, r, "retry dead letter", err)
		return
	}
	u := userName(r.Context())
	_ = s.deps.Accounts.Audit(r.Context(), AuditEntry{Time: s.cfg.Now(), User: u, Action: "retry", Detail: id})
	s.log.Info("dead letter retried", "id", id, "user", u)
	http.Redirect(w, r, "/deadletters?retried="+id, http.StatusSeeOther)
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	list, err := s.deps.Accounts.AuditLog(r.Context(), r.URL.Query().Get("alert"), 500)
	if err != nil {
		s.fail(w, r, "audit log", err)
		return
	}
	s.render(w, r, http.StatusOK, "audit", list)
}
