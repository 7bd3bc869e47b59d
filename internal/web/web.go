// Package web serves the analysts' UI (server-rendered html/template pages,
// assets embedded, no CDN, no inline script) and the JSON API of DESIGN.md.
// In: HTTP requests and the small interfaces of Deps (search, articles,
// alerts, rules, sources, digests, dead letters, snapshots) plus Accounts on a
// kv.Store. Out: HTML, JSON and Prometheus metrics. It never touches the bus.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/savedsearch"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config holds the server's knobs; a zero value means the default.
type Config struct {
	// BaseURL is the public address (http.base_url); https makes cookies Secure.
	BaseURL string
	// Location is the time zone dates are shown in (default Asia/Ho_Chi_Minh).
	Location *time.Location
	// SessionTTL is how long a login lasts (default 12h).
	SessionTTL time.Duration
	// SensitiveAudiences are the audiences whose alerts only police and
	// admins see (config audiences with sensitive: true, e.g. "police"). An
	// alert addressed only to sensitive audiences is invisible to analysts.
	SensitiveAudiences []string
	// AudienceNames gives the audiences' display names (config audiences'
	// name:); an audience not in it shows its id.
	AudienceNames map[string]string
	// LoginFailures is how many failed logins per user and client address are
	// allowed within LoginWindow before logins answer 429 (default 5, 15m).
	LoginFailures int
	LoginWindow   time.Duration
	// LoginAddressFailures is the looser cap on failed logins from one
	// client address, whatever the names tried (default 20 × LoginFailures):
	// offices share one address, so one person's typos must not lock out
	// the others, while a spray of names is still stopped.
	LoginAddressFailures int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (c *Config) setDefaults() {
	if c.Location == nil {
		c.Location = article.Vietnam()
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 12 * time.Hour
	}
	if c.LoginFailures <= 0 {
		c.LoginFailures = 5
	}
	if c.LoginAddressFailures <= 0 {
		c.LoginAddressFailures = 20 * c.LoginFailures
	}
	if c.LoginWindow <= 0 {
		c.LoginWindow = 15 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Deps are the server's collaborators. Accounts is required; every other
// field may be nil, and the pages that need it then say the feature is off
// (the API answers 503).
type Deps struct {
	Accounts    *Accounts
	Searcher    Searcher
	Articles    Articles
	Alerts      Alerts
	Rules       Rules
	Sources     SourceHealth
	SourceEdit  SourceEditor // add, edit, disable sources (sources_edit.go); nil: health only
	Digests     Digests
	DeadLetters DeadLetters
	Snapshots   Snapshots
	Reports     Reports  // the Reports page; nil: off
	Exporter    Exporter // search exports; nil: off
	Cases       Cases    // the case workflow (cases.go)
	Portals     Portals  // own portals: duties and change watch (portals.go)
	// SourceNames gives the sources' display names by id (sources.yaml's
	// name: with the UI's edits, own portals' names); nil or a missing id:
	// the id is shown. It is called on every page that lists articles, so it
	// should answer from memory.
	SourceNames article.SourceNames
	// Saved keeps saved searches (nil: the feature is off).
	Saved *savedsearch.Store
	// Registry is served on /metrics; the server registers its own HTTP
	// metrics on it. Nil: a new registry with the Go and process collectors.
	Registry *prometheus.Registry
	// Ready, if set, is called by /healthz; an error answers 503 with a JSON
	// body {"status": "unavailable", "failing": {part: reason}}, the parts
	// taken from the error's Failing() map[string]string method if it has one.
	Ready func(ctx context.Context) error
}

// Server is the web UI and API. Create it with New.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	pages   map[string]*template.Template
	limiter *limiter
	metrics *httpMetrics
	nav     *navCounter
	handler http.Handler
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	logins   *prometheus.CounterVec
	acks     prometheus.Counter
}

// New checks deps and builds the server.
func New(cfg Config, deps Deps, log *slog.Logger) (*Server, error) {
	if deps.Accounts == nil {
		return nil, errors.New("web: nil Accounts")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.setDefaults()
	if deps.Registry == nil {
		deps.Registry = prometheus.NewRegistry()
		deps.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	s := &Server{cfg: cfg, deps: deps, log: log.With("component", "web")}
	s.limiter = newLimiter(cfg.LoginFailures, cfg.LoginWindow, cfg.Now)
	s.nav = newNavCounter()
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "diembao_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "diembao_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "diembao_web_logins_total", Help: "Login attempts by result (ok, failed, limited).",
		}, []string{"result"}),
		acks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "diembao_web_alert_acks_total", Help: "Alerts acknowledged in the UI or API.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.logins, m.acks} {
		if err := deps.Registry.Register(c); err != nil {
			return nil, fmt.Errorf("web: register metrics: %w", err)
		}
	}
	s.metrics = m
	pages, err := parsePages(s.funcs())
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h http.Handler) {
		route := pattern
		if _, p, ok := strings.Cut(pattern, " "); ok {
			route = p
		}
		mux.Handle(pattern, s.instrument(route, h))
	}
	static, _ := fs.Sub(staticFS, "static")
	handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	handle("GET /healthz", http.HandlerFunc(s.healthz))
	handle("GET /metrics", s.authed("", false, promhttp.HandlerFor(s.deps.Registry, promhttp.HandlerOpts{Registry: s.deps.Registry})))
	handle("GET /login", http.HandlerFunc(s.loginPage))
	handle("POST /login", http.HandlerFunc(s.loginPost))
	handle("POST /logout", s.authed("", true, http.HandlerFunc(s.logout)))

	handle("GET /{$}", s.authed("", false, http.HandlerFunc(s.searchPage)))
	handle("GET /articles/{id}", s.authed("", false, http.HandlerFunc(s.articlePage)))
	handle("GET /articles/{id}/saved", s.authed("", false, http.HandlerFunc(s.savedCopy)))
	handle("GET /alerts", s.authed("", false, http.HandlerFunc(s.alertsPage)))
	handle("GET /alerts/{id}", s.authed("", false, http.HandlerFunc(s.alertPage)))
	handle("POST /alerts/{id}/ack", s.authed("", true, http.HandlerFunc(s.alertAckForm)))
	handle("GET /portals", s.authed("", false, http.HandlerFunc(s.portalsPage)))
	s.analystRoutes(handle) // inbox bulk acknowledge, saved searches, feeds (analyst.go)
	handle("GET /digests", s.authed("", false, http.HandlerFunc(s.digestsPage)))
	handle("GET /digests/{id}", s.authed("", false, http.HandlerFunc(s.digestPage)))
	handle("GET /digests/{id}/raw", s.authed("", false, http.HandlerFunc(s.digestRaw)))
	handle("GET /sources", s.authed(RoleAdmin, false, http.HandlerFunc(s.sourcesList)))
	s.sourceEditRoutes(handle) // sources_edit.go
	handle("GET /rules", s.authed(RoleAdmin, false, http.HandlerFunc(s.rulesPage)))
	handle("POST /rules/try", s.authed(RoleAdmin, true, http.HandlerFunc(s.rulesTry)))
	handle("GET /deadletters", s.authed(RoleAdmin, false, http.HandlerFunc(s.deadLettersPage)))
	handle("POST /deadletters/{id}/retry", s.authed(RoleAdmin, true, http.HandlerFunc(s.deadLetterRetry)))
	handle("GET /audit", s.authed(RoleAdmin, false, http.HandlerFunc(s.auditPage)))

	handle("GET /reports", s.authed("", false, http.HandlerFunc(s.reportsPage)))
	handle("GET /reports/chart/{name}", s.authed("", false, http.HandlerFunc(s.reportFile)))
	handle("GET /reports/file/{format}", s.authed("", false, http.HandlerFunc(s.reportFile)))
	handle("GET /search/export", s.authed("", false, http.HandlerFunc(s.searchExport)))
	handle("GET /api/search", s.authed("", false, http.HandlerFunc(s.apiSearch)))
	handle("GET /api/articles/{id}", s.authed("", false, http.HandlerFunc(s.apiArticle)))
	handle("GET /api/alerts", s.authed("", false, http.HandlerFunc(s.apiAlerts)))
	handle("POST /api/alerts/{id}/ack", s.authed("", true, http.HandlerFunc(s.apiAlertAck)))
	s.caseRoutes(handle)
	handle("/", s.authed("", false, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.notFound(w, r)
	})))

	cop := http.NewCrossOriginProtection()
	return s.securityHeaders(cop.Handler(mux))
}

// contentSecurityPolicy allows only our own scripts, styles and images; no
// inline script, no framing of our pages, no plugins.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-src 'self'; frame-ancestors 'none'"

// sandboxPolicy is sent with untrusted documents (saved copies, digests)
// that our own pages show in a sandboxed iframe: no script, no remote loads.
const sandboxPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) instrument(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.cfg.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		d := s.cfg.Now().Sub(start)
		s.metrics.requests.WithLabelValues(route, fmt.Sprint(sw.code)).Inc()
		s.metrics.duration.WithLabelValues(route).Observe(d.Seconds())
		lvl := slog.LevelDebug
		if sw.code >= 500 {
			lvl = slog.LevelWarn
		}
		s.log.Log(r.Context(), lvl, "http request", "method", r.Method, "route", route,
			"status", sw.code, "duration_ms", d.Milliseconds(), "user", userName(r.Context()))
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if s.deps.Ready != nil {
		if err := s.deps.Ready(r.Context()); err != nil {
			s.log.Warn("health check failed", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "failing": failingParts(err)})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// apiError writes {"error": msg}.
func apiError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// fail answers a failed dependency call: 404 for not found, 500 otherwise
// (logged once here, with a generic message to the client).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	switch {
	case isNotFound(err):
		if api {
			apiError(w, http.StatusNotFound, "not found")
			return
		}
		s.notFound(w, r)
	case errors.Is(err, context.Canceled):
		// the client went away
	case errors.Is(err, errkind.Unavailable):
		// A part the page needs is out for now (a full disk, the index
		// reopening, no index role answering): say so, and that it passes.
		s.log.Warn(what, "err", err, "path", r.URL.Path)
		w.Header().Set("Retry-After", "30")
		if api {
			apiError(w, http.StatusServiceUnavailable, "temporarily unavailable")
			return
		}
		s.errorPage(w, r, http.StatusServiceUnavailable, "Chức năng này tạm thời không khả dụng (hệ thống đang thiếu dung lượng đĩa hoặc đang khởi động lại một thành phần). Vui lòng thử lại sau ít phút.")
	default:
		s.log.Error(what, "err", err, "path", r.URL.Path)
		if api {
			apiError(w, http.StatusInternalServerError, "internal error")
			return
		}
		s.errorPage(w, r, http.StatusInternalServerError, "Đã xảy ra lỗi nội bộ. Vui lòng thử lại sau.")
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		apiError(w, http.StatusNotFound, "not found")
		return
	}
	s.errorPage(w, r, http.StatusNotFound, "Không tìm thấy trang này.")
}

func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, what string) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		apiError(w, http.StatusServiceUnavailable, what+" is not enabled")
		return
	}
	s.errorPage(w, r, http.StatusServiceUnavailable, "Chức năng này chưa được bật trên máy chủ.")
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, code int, msg string) {
	s.render(w, r, code, "error", map[string]any{"Code": code, "Message": msg})
}

// pageData is what every template receives as its root.
type pageData struct {
	Title string
	User  *User
	CSRF  string
	Path  string
	Data  any
	// Unacked is the unacknowledged alerts the user sees (navigation bar),
	// shown when UnackedOK.
	Unacked   int
	UnackedOK bool
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, page string, data any) {
	t, ok := s.pages[page]
	if !ok {
		s.log.Error("unknown template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	pd := pageData{Path: r.URL.Path, Data: data}
	if a := authFrom(r.Context()); a != nil {
		u := a.user
		pd.User = &u
		pd.CSRF = a.csrf
		pd.Unacked, pd.UnackedOK = s.unackedCount(r)
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, "layout", pd); err != nil {
		s.log.Error("render page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(buf.String()))
}

var pageNames = []string{"error", "login", "search", "article", "alerts", "alert", "digests", "digest",
	"sources", "rules", "deadletters", "audit", "reports", "cases", "case", "portals",
	"searches", "unsubscribe", "account", "source-list", "source-edit", "source-history"}

func parsePages(funcs template.FuncMap) (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs).Funcs(caseFuncs()).Funcs(sourceFuncs()).ParseFS(templateFS, "templates/layout.html", "templates/part-*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(templateFS, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("web: parse page %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

var severityNames = map[string]string{
	"info": "Thông tin", "low": "Thấp", "medium": "Trung bình", "high": "Cao", "critical": "Khẩn cấp",
}

var roleNames = map[string]string{RoleAnalyst: "Chuyên viên", RolePolice: "Công an", RoleAdmin: "Quản trị"}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"topicName": func(t string) string { return s.topicLabel(context.Background(), t) },
		"severityName": func(t string) string {
			if n, ok := severityNames[t]; ok {
				return n
			}
			return t
		},
		"roleName":   func(t string) string { return roleNames[t] },
		"sourceName": s.sourceName,
		"audienceName": func(a string) string {
			if n := s.cfg.AudienceNames[a]; n != "" {
				return n
			}
			return a
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(s.cfg.Location).Format("02/01/2006 15:04")
		},
		"day": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(s.cfg.Location).Format("2006-01-02")
		},
		"isAdmin": func(u *User) bool { return u != nil && u.Role == RoleAdmin },
		"contains": func(list []string, v string) bool {
			return slices.Contains(list, v)
		},
		"add": func(a, b int) int { return a + b },
		"findingName": func(k string) string {
			if n, ok := findingNames[k]; ok {
				return n
			}
			return k
		},
		"dutyStatusName": func(k string) string { return dutyStatusNames[k] },
		"safeHref":       safeHref,
	}
}

// limiter counts failed logins per key within a window.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	fails  map[string][]time.Time
}

func newLimiter(maxFails int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{max: maxFails, window: window, now: now, fails: map[string][]time.Time{}}
}

// blocked reports whether key has too many recent failures, and for how long.
func (l *limiter) blocked(key string) (bool, time.Duration) { return l.blockedN(key, l.max) }

// blockedN is blocked with an allowance of n failures.
func (l *limiter) blockedN(key string, n int) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f := l.prune(key, now)
	if len(f) < n {
		return false, 0
	}
	return true, f[len(f)-n].Add(l.window).Sub(now)
}

func (l *limiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.fails[key] = append(l.prune(key, now), now)
	if len(l.fails) > 10000 { // bound memory under a spray of keys
		for k := range l.fails {
			if len(l.prune(k, now)) == 0 {
				delete(l.fails, k)
			}
		}
	}
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

func (l *limiter) prune(key string, now time.Time) []time.Time {
	f := l.fails[key]
	i := 0
	for i < len(f) && now.Sub(f[i]) >= l.window {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = f
	return f
}

// sourceName is source id's display name (Deps.SourceNames), else the id.
func (s *Server) sourceName(id string) string { return s.deps.SourceNames.Name(id) }
