package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
)

const sessionCookie = "diembao_session"

type authKey struct{}

// auth is the signed-in user of a request.
type auth struct {
	user    User
	csrf    string // empty for HTTP basic auth (no CSRF needed: browsers never send it on their own)
	token   string // session token; empty for basic auth
	session bool
}

func authFrom(ctx context.Context) *auth {
	a, _ := ctx.Value(authKey{}).(*auth)
	return a
}

func userName(ctx context.Context) string {
	if a := authFrom(ctx); a != nil {
		return a.user.Name
	}
	return ""
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authed wraps h: it needs a signed-in user (session cookie or HTTP basic
// auth) with role (or any role when role is ""), and, when mutating, a valid
// CSRF token from session users (form field csrf or header X-CSRF-Token).
func (s *Server) authed(role string, mutating bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api := strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/metrics"
		a, err := s.identify(w, r)
		if err != nil {
			if err == errLimited {
				return // answered
			}
			s.fail(w, r, "identify user", err)
			return
		}
		if a == nil {
			if api {
				apiError(w, http.StatusUnauthorized, "unauthorized")
				return
			}
			if r.Method != http.MethodGet {
				http.Error(w, "Chưa đăng nhập", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		ctx := context.WithValue(r.Context(), authKey{}, a)
		r = r.WithContext(ctx)
		if role != "" && a.user.Role != role {
			if api {
				apiError(w, http.StatusForbidden, "forbidden")
				return
			}
			s.errorPage(w, r, http.StatusForbidden, "Trang này chỉ dành cho quản trị viên.")
			return
		}
		if mutating && a.session {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			tok := r.Header.Get("X-CSRF-Token")
			if tok == "" {
				tok = r.PostFormValue("csrf")
			}
			if tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(a.csrf)) != 1 {
				s.log.Warn("csrf token mismatch", "user", a.user.Name, "path", r.URL.Path)
				if api {
					apiError(w, http.StatusForbidden, "missing or wrong CSRF token")
					return
				}
				s.errorPage(w, r, http.StatusForbidden, "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang.")
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

var errLimited = fmt.Errorf("web: login rate limited")

// identify returns the request's user, or nil when nobody is signed in.
func (s *Server) identify(w http.ResponseWriter, r *http.Request) (*auth, error) {
	ctx := r.Context()
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		sess, err := s.deps.Accounts.Session(ctx, c.Value)
		if err == nil {
			u, err := s.deps.Accounts.Get(ctx, sess.User)
			if err == nil && !u.Disabled {
				return &auth{user: u, csrf: sess.CSRF, token: c.Value, session: true}, nil
			}
			if err != nil && !isNotFound(err) {
				return nil, err
			}
		} else if !isNotFound(err) {
			return nil, err
		}
	}
	name, pw, ok := r.BasicAuth()
	if !ok {
		return nil, nil
	}
	keys := s.limitKeys(r, name)
	if s.limited(w, r, keys) {
		return nil, errLimited
	}
	u, err := s.deps.Accounts.Authenticate(ctx, name, pw)
	if err != nil {
		if err == ErrBadCredentials {
			s.loginFailed(r, name, keys)
			return nil, nil
		}
		return nil, err
	}
	return &auth{user: u}, nil
}

func (s *Server) limitKeys(r *http.Request, name string) []string {
	ip := clientIP(r)
	return []string{"u|" + ip + "|" + strings.ToLower(strings.TrimSpace(name)), "ip|" + ip}
}

// limited answers 429 when this name from this client address failed
// LoginFailures times, or the address as a whole failed
// LoginAddressFailures times, within LoginWindow.
func (s *Server) limited(w http.ResponseWriter, r *http.Request, keys []string) bool {
	for i, k := range keys {
		lim := s.limiter
		blocked, wait := lim.blocked(k)
		if i == 1 { // the whole address: the looser cap
			blocked, wait = lim.blockedN(k, s.cfg.LoginAddressFailures)
		}
		if !blocked {
			continue
		}
		s.metrics.logins.WithLabelValues("limited").Inc()
		mins := int(math.Ceil(wait.Minutes()))
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
		if strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/metrics" {
			apiError(w, http.StatusTooManyRequests, "too many failed logins")
			return true
		}
		s.render(w, r, http.StatusTooManyRequests, "login", loginData{
			Error: fmt.Sprintf("Quá nhiều lần đăng nhập sai. Vui lòng thử lại sau %d phút.", mins),
			Next:  localRedirect(r.FormValue("next")),
		})
		return true
	}
	return false
}

func (s *Server) loginFailed(r *http.Request, name string, keys []string) {
	for _, k := range keys {
		s.limiter.fail(k)
	}
	s.metrics.logins.WithLabelValues("failed").Inc()
	s.log.Warn("login failed", "user", name, "client", clientIP(r))
}

type loginData struct {
	Error string
	Next  string
	User  string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if a, _ := s.identifySession(r); a != nil {
		http.Redirect(w, r, localRedirect(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", loginData{Next: localRedirect(r.URL.Query().Get("next"))})
}

func (s *Server) identifySession(r *http.Request) (*auth, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, nil
	}
	sess, err := s.deps.Accounts.Session(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	return &auth{user: User{Name: sess.User}, csrf: sess.CSRF, token: c.Value, session: true}, nil
}

func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "login", loginData{Error: "Biểu mẫu không hợp lệ.", Next: "/"})
		return
	}
	name, pw := r.PostFormValue("user"), r.PostFormValue("password")
	next := localRedirect(r.PostFormValue("next"))
	keys := s.limitKeys(r, name)
	if s.limited(w, r, keys) {
		return
	}
	u, err := s.deps.Accounts.Authenticate(r.Context(), name, pw)
	if err == ErrBadCredentials {
		s.loginFailed(r, name, keys)
		s.render(w, r, http.StatusUnauthorized, "login", loginData{
			Error: "Sai tên đăng nhập hoặc mật khẩu.", Next: next, User: name,
		})
		return
	}
	if err != nil {
		s.fail(w, r, "authenticate", err)
		return
	}
	token, _, err := s.deps.Accounts.NewSession(r.Context(), u.Name, s.cfg.SessionTTL)
	if err != nil {
		s.fail(w, r, "new session", err)
		return
	}
	s.limiter.reset(keys[0])
	s.metrics.logins.WithLabelValues("ok").Inc()
	s.log.Info("login", "user", u.Name, "role", u.Role, "client", clientIP(r))
	_ = s.deps.Accounts.Audit(r.Context(), AuditEntry{Time: s.cfg.Now(), User: u.Name, Action: "login", Detail: clientIP(r)})
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: strings.HasPrefix(s.cfg.BaseURL, "https://"), MaxAge: int(s.cfg.SessionTTL.Seconds()),
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if a := authFrom(r.Context()); a != nil && a.token != "" {
		if err := s.deps.Accounts.EndSession(r.Context(), a.token); err != nil {
			s.log.Warn("end session", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
