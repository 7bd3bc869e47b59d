package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestUnauthenticated(t *testing.T) {
	e := newEnv(t, Config{})
	c := e.client()
	tests := []struct {
		path string
		code int
	}{
		{"/healthz", 200},
		{"/login", 200},
		{"/", 303},
		{"/alerts", 303},
		{"/api/search?q=x", 401},
		{"/api/alerts", 401},
		{"/metrics", 401},
		{"/static/style.css", 200},
	}
	for _, tt := range tests {
		resp, _ := get(t, c, e.ts.URL+tt.path)
		if resp.StatusCode != tt.code {
			t.Errorf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.code)
		}
		if got := resp.Header.Get("Content-Security-Policy"); !strings.Contains(got, "frame-ancestors 'none'") || strings.Contains(got, "unsafe-inline") {
			t.Errorf("GET %s: CSP %q", tt.path, got)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", tt.path)
		}
	}
	resp, _ := get(t, c, e.ts.URL+"/?q=biên")
	if loc := resp.Header.Get("Location"); loc != "/login?next=%2F%3Fq%3Dbi%C3%AAn" {
		t.Errorf("redirect to %q", loc)
	}
}

func TestLoginAndSession(t *testing.T) {
	e := newEnv(t, Config{})
	c := e.client()
	resp, err := c.PostForm(e.ts.URL+"/login", url.Values{"user": {"an"}, "password": {e.pw["an"]}, "next": {"/alerts"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/alerts" {
		t.Fatalf("login: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	ck := resp.Cookies()
	if len(ck) != 1 || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie %+v", ck)
	}
	resp, body := get(t, c, e.ts.URL+"/")
	if resp.StatusCode != 200 || !strings.Contains(body, `id="who">an (Chuyên viên)`) {
		t.Fatalf("search page %d: %s", resp.StatusCode, body)
	}
	// Open redirect refused.
	resp, _ = get(t, c, e.ts.URL+"/login?next=//evil.example/")
	if loc := resp.Header.Get("Location"); loc != "/" {
		t.Errorf("next=//evil → %q", loc)
	}
	// Log out needs the CSRF token.
	resp, _ = postForm(t, c, e.ts.URL+"/logout", url.Values{})
	if resp.StatusCode != 403 {
		t.Errorf("logout without csrf = %d", resp.StatusCode)
	}
	tok := csrfOf(t, c, e.ts.URL+"/")
	resp, _ = postForm(t, c, e.ts.URL+"/logout", url.Values{"csrf": {tok}})
	if resp.StatusCode != 303 {
		t.Errorf("logout = %d", resp.StatusCode)
	}
	resp, _ = get(t, c, e.ts.URL+"/")
	if resp.StatusCode != 303 {
		t.Errorf("after logout / = %d", resp.StatusCode)
	}
}

func postForm(t *testing.T, c *http.Client, u string, v url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	_, body := get(t, c, u)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf token on %s", u)
	}
	return m[1]
}

func TestLoginRateLimit(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	e := newEnv(t, Config{Now: clock, LoginFailures: 3, LoginWindow: time.Minute})
	c := e.client()
	for i := range 3 {
		resp, body := postForm(t, c, e.ts.URL+"/login", url.Values{"user": {"an"}, "password": {"wrong password"}})
		if resp.StatusCode != 401 || !strings.Contains(body, "Sai tên đăng nhập hoặc mật khẩu") {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	// Even the right password is refused while limited.
	resp, body := postForm(t, c, e.ts.URL+"/login", url.Values{"user": {"an"}, "password": {e.pw["an"]}})
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Quá nhiều lần") {
		t.Fatalf("limited: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Basic auth shares the limit.
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/alerts", nil)
	req.SetBasicAuth("an", e.pw["an"])
	r2, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != 429 {
		t.Errorf("basic auth while limited = %d", r2.StatusCode)
	}
	// Another user from the same address is not locked out yet.
	e.login("congan")
	// The window passes.
	e.srv.limiter.mu.Lock()
	now = now.Add(2 * time.Minute)
	e.srv.limiter.mu.Unlock()
	e.login("an")
}

func TestAPISearchJSON(t *testing.T) {
	e := newEnv(t, Config{})
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/search?q=bien+gioi&topic=border&from=2026-11-01&to=2026-11-30&sort=date&size=5", nil)
	req.SetBasicAuth("an", e.pw["an"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"total", "took_ms", "hits", "facets"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no %q in response", k)
		}
	}
	var hits []map[string]any
	_ = json.Unmarshal(raw["hits"], &hits)
	if len(hits) != 3 { // two revisions of a1 and the hostile article in the fake
		t.Fatalf("hits = %d", len(hits))
	}
	for _, k := range []string{"id", "url", "title", "source", "published", "snippet", "topics", "score"} {
		if _, ok := hits[0][k]; !ok {
			t.Errorf("hit has no %q", k)
		}
	}
	if s := hits[0]["snippet"].(string); !strings.Contains(s, "<mark>biên</mark>") {
		t.Errorf("snippet %q", s)
	}
	q := e.index.last
	if q.Sort != "date" || q.Size != 5 || q.Page != 1 || len(q.Topics) != 1 || q.From.IsZero() ||
		q.To.Format(time.RFC3339) != "2026-11-30T23:59:59+07:00" {
		t.Errorf("query %+v", q)
	}
	var facets map[string][]map[string]any
	_ = json.Unmarshal(raw["facets"], &facets)
	if len(facets["source"]) == 0 || facets["source"][0]["term"] == nil {
		t.Errorf("facets %v", facets)
	}

	for _, bad := range []string{"q=%22unbalanced", "sort=nonsense", "from=yesterday", "size=1000", "area=maybe"} {
		req, _ := http.NewRequest("GET", e.ts.URL+"/api/search?"+bad, nil)
		req.SetBasicAuth("an", e.pw["an"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&m)
		resp.Body.Close()
		if resp.StatusCode != 400 || m["error"] == "" {
			t.Errorf("%s: %d %v", bad, resp.StatusCode, m)
		}
	}
}

func TestSanitizeSnippet(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a <mark>b</mark> c", "a <mark>b</mark> c"},
		{"<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"},
		{"&lt;img src=x onerror=y&gt;", "&lt;img src=x onerror=y&gt;"},
		{"<mark><mark>x</mark></mark>", "<mark>x</mark>"},
		{"<mark>open", "<mark>open</mark>"},
		{"<MARK onclick=x>y", "&lt;MARK onclick=x&gt;y"},
		{"Tom &amp; Jerry", "Tom &amp; Jerry"},
		{`"quoted" 'x'`, "&#34;quoted&#34; &#39;x&#39;"},
	}
	for _, tt := range tests {
		if got := sanitizeSnippet(tt.in); got != tt.want {
			t.Errorf("sanitizeSnippet(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSearchPageEscapes(t *testing.T) {
	e := newEnv(t, Config{})
	c := e.login("an")
	resp, body := get(t, c, e.ts.URL+"/?q=tan+cong")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, bad := range []string{"<script>window", "<img src=x", "<svg onload", `href="javascript:`, "<b>lạ</b>"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if !strings.Contains(body, "&lt;script&gt;window.__xss=1&lt;/script&gt;") {
		t.Errorf("escaped title missing")
	}
	_, body = get(t, c, e.ts.URL+"/?q=bien+gioi")
	if !strings.Contains(body, `<mark>biên</mark>`) || !strings.Contains(body, "Thường Xuân</span>") || !strings.Contains(body, "Biên giới") {
		t.Errorf("no highlight or badges: %s", body)
	}
	resp, body = get(t, c, e.ts.URL+"/?q=%22bad")
	if resp.StatusCode != 400 || !strings.Contains(body, "Bad query: unbalanced quote") {
		t.Errorf("bad query: %d", resp.StatusCode)
	}
}

func TestArticle(t *testing.T) {
	e := newEnv(t, Config{})
	c := e.login("an")
	arts := sampleArticles()
	id := arts[0].ID
	resp, body := get(t, c, e.ts.URL+"/articles/"+id)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"<mark>biên giới</mark>", "<mark>Sầm Tớ</mark>", "border.core", "Phiên bản 2",
		`class="dadd"`, "Đoạn mới được thêm vào bài.", `class="ddel"`, "Xem bản lưu"} {
		if !strings.Contains(body, want) {
			t.Errorf("article page lacks %q", want)
		}
	}
	_, body = get(t, c, e.ts.URL+"/articles/"+id+"?saved=1")
	if !strings.Contains(body, `<iframe sandbox=""`) {
		t.Errorf("no sandboxed iframe")
	}
	resp, body = get(t, c, e.ts.URL+"/articles/"+id+"/saved")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox;") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("saved copy CSP %q", csp)
	}
	if !strings.Contains(body, "Bản lưu phiên bản 2") {
		t.Errorf("saved copy %s", body)
	}
	resp, _ = get(t, c, e.ts.URL+"/articles/nope")
	if resp.StatusCode != 404 {
		t.Errorf("unknown article %d", resp.StatusCode)
	}
	resp, body = get(t, c, e.ts.URL+"/api/articles/"+id)
	var v articleJSON
	if err := json.Unmarshal([]byte(body), &v); err != nil || resp.StatusCode != 200 {
		t.Fatalf("api article %d %v", resp.StatusCode, err)
	}
	if v.Article.Revision != 2 || len(v.Revisions) != 2 || len(v.Matches) == 0 {
		t.Errorf("api article %+v", v)
	}
}

func TestSanitizeSavedCopy(t *testing.T) {
	out := string(sanitizeSavedCopy([]byte(hostileSnapshot), ""))
	for _, bad := range []string{"<script", "onload", "onclick", "onerror", "evil.example", "<iframe", "<svg",
		"<object", "<form", "<input", "<base", "http-equiv", "style=", "javascript:", "<img", "__xss"} {
		if strings.Contains(out, bad) {
			t.Errorf("saved copy contains %q:\n%s", bad, out)
		}
	}
	for _, want := range []string{"<h1>Bản lưu tấn công</h1>", "[ảnh: ảnh mồi]", "<p>Kết thúc.</p>", `<span class="link">liên kết</span>`} {
		if !strings.Contains(out, want) {
			t.Errorf("saved copy lacks %q:\n%s", want, out)
		}
	}
	// UTF-8 input is kept even when its <meta> names another charset.
	utf := []byte(`<html><head><meta charset="windows-1258"></head><body><p>Biên giới</p></body></html>`)
	if out := string(sanitizeSavedCopy(utf, "")); !strings.Contains(out, "<p>Biên giới</p>") {
		t.Errorf("utf-8 with stale meta: %s", out)
	}
	// A legacy charset is decoded.
	win := []byte("<html><head><meta charset=\"windows-1258\"></head><body><p>Vi\xea\xd2t</p></body></html>")
	if out := string(sanitizeSavedCopy(win, "")); !strings.Contains(out, "<p>Viê") {
		t.Errorf("windows-1258: %s", out)
	}
}

func TestAlertsRolesAckAudit(t *testing.T) {
	e := newEnv(t, Config{})
	an := e.login("an")
	_, body := get(t, an, e.ts.URL+"/alerts")
	if strings.Contains(body, "Tin mật") || !strings.Contains(body, "Tuần tra biên giới") {
		t.Errorf("analyst inbox wrong: %s", body)
	}
	resp, _ := get(t, an, e.ts.URL+"/alerts/alert1police")
	if resp.StatusCode != 404 {
		t.Errorf("analyst sees police alert: %d", resp.StatusCode)
	}
	_, body = get(t, an, e.ts.URL+"/api/alerts")
	if strings.Contains(body, "alert1police") {
		t.Errorf("api shows police alert to analyst")
	}
	// Ack by form: CSRF required.
	resp, _ = postForm(t, an, e.ts.URL+"/alerts/alert1police/ack", url.Values{"csrf": {csrfOf(t, an, e.ts.URL+"/alerts")}})
	if resp.StatusCode != 404 {
		t.Errorf("analyst acked police alert: %d", resp.StatusCode)
	}
	resp, _ = postForm(t, an, e.ts.URL+"/alerts/alert0office/ack", url.Values{"note": {"đã báo lãnh đạo"}})
	if resp.StatusCode != 403 {
		t.Errorf("ack without csrf = %d", resp.StatusCode)
	}
	tok := csrfOf(t, an, e.ts.URL+"/alerts/alert0office")
	resp, _ = postForm(t, an, e.ts.URL+"/alerts/alert0office/ack", url.Values{"csrf": {tok}, "note": {"đã báo lãnh đạo"}, "back": {"/alerts/alert0office"}})
	if resp.StatusCode != 303 {
		t.Fatalf("ack = %d", resp.StatusCode)
	}
	_, body = get(t, an, e.ts.URL+"/alerts/alert0office")
	if !strings.Contains(body, "Đã xác nhận bởi <strong>an</strong>") || !strings.Contains(body, "đã báo lãnh đạo") {
		t.Errorf("not acknowledged: %s", body)
	}

	police := e.login("congan")
	_, body = get(t, police, e.ts.URL+"/alerts")
	if !strings.Contains(body, "Tin mật") {
		t.Errorf("police does not see police alert")
	}
	// API ack with basic auth needs no CSRF.
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/alerts/alert1police/ack", strings.NewReader("note=ok"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("congan", e.pw["congan"])
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var rec AlertRecord
	_ = json.NewDecoder(r2.Body).Decode(&rec)
	r2.Body.Close()
	if r2.StatusCode != 200 || rec.AckedBy != "congan" || rec.AckNote != "ok" {
		t.Errorf("api ack %d %+v", r2.StatusCode, rec)
	}
	// A cross-site browser POST is refused before anything else.
	req, _ = http.NewRequest("POST", e.ts.URL+"/api/alerts/alert1police/ack", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.SetBasicAuth("congan", e.pw["congan"])
	r3, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r3.Body.Close()
	if r3.StatusCode != 403 {
		t.Errorf("cross-site POST = %d", r3.StatusCode)
	}

	// Audit: admin sees who viewed and acknowledged; analysts cannot open it.
	resp, _ = get(t, an, e.ts.URL+"/audit")
	if resp.StatusCode != 403 {
		t.Errorf("analyst /audit = %d", resp.StatusCode)
	}
	admin := e.login("quantri")
	_, body = get(t, admin, e.ts.URL+"/audit")
	for _, want := range []string{"xem", "xác nhận", "alert0office", "alert1police", "đã báo lãnh đạo"} {
		if !strings.Contains(body, want) {
			t.Errorf("audit lacks %q", want)
		}
	}
	log, _ := e.accounts.AuditLog(t.Context(), "alert0office", 0)
	if len(log) != 3 || log[0].Action != "view" || log[1].Action != "ack" || log[1].User != "an" {
		t.Errorf("audit of alert0office: %+v", log)
	}
}

func TestAdminPages(t *testing.T) {
	e := newEnv(t, Config{})
	an := e.login("an")
	for _, p := range []string{"/sources", "/rules", "/deadletters", "/audit"} {
		resp, _ := get(t, an, e.ts.URL+p)
		if resp.StatusCode != 403 {
			t.Errorf("analyst %s = %d", p, resp.StatusCode)
		}
	}
	admin := e.login("quantri")
	_, body := get(t, admin, e.ts.URL+"/sources")
	if !strings.Contains(body, "Báo Thanh Hóa") || !strings.Contains(body, "&lt;script&gt;x&lt;/script&gt;") || !strings.Contains(body, "3 lượt liên tiếp") {
		t.Errorf("sources page: %s", body)
	}
	_, body = get(t, admin, e.ts.URL+"/rules")
	if !strings.Contains(body, "border.core") || !strings.Contains(body, "unknown key") {
		t.Errorf("rules page")
	}
	tok := csrfOf(t, admin, e.ts.URL+"/rules")
	_, body = postForm(t, admin, e.ts.URL+"/rules/try", url.Values{"csrf": {tok}, "text": {"Tuần tra biên giới ở Thường Xuân <script>"}})
	if !strings.Contains(body, "<mark>biên giới</mark>") || !strings.Contains(body, "&lt;script&gt;") || !strings.Contains(body, "Địa bàn Thường Xuân: <strong>có") {
		t.Errorf("try result: %s", body)
	}
	_, body = get(t, admin, e.ts.URL+"/deadletters")
	if !strings.Contains(body, "mapping &lt;b&gt;conflict") {
		t.Errorf("dead letters page")
	}
	resp, _ := postForm(t, admin, e.ts.URL+"/deadletters/dl1/retry", url.Values{"csrf": {tok}})
	if resp.StatusCode != 303 || len(e.dead.letters) != 0 {
		t.Errorf("retry: %d, %d left", resp.StatusCode, len(e.dead.letters))
	}
	_, body = get(t, admin, e.ts.URL+"/digests")
	if !strings.Contains(body, "2026-W47") {
		t.Errorf("digests page")
	}
	resp, body = get(t, admin, e.ts.URL+"/digests/2026-W47/raw")
	if !strings.HasPrefix(resp.Header.Get("Content-Security-Policy"), "sandbox;") {
		t.Errorf("digest raw CSP %q", resp.Header.Get("Content-Security-Policy"))
	}
	_ = body
	resp, body = get(t, admin, e.ts.URL+"/metrics")
	if resp.StatusCode != 200 || !strings.Contains(body, "diembao_http_requests_total") || !strings.Contains(body, "diembao_web_logins_total") {
		t.Errorf("metrics %d", resp.StatusCode)
	}
}

func TestAccounts(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := t.Context()
	if err := e.accounts.Add(ctx, "an", RoleAnalyst, "0123456789"); err == nil {
		t.Error("duplicate user accepted")
	}
	for _, bad := range []struct{ name, role, pw string }{{"Ai Đó", RoleAnalyst, "0123456789"}, {"x", "boss", "0123456789"}, {"y", RoleAdmin, "short"}} {
		if err := e.accounts.Add(ctx, bad.name, bad.role, bad.pw); err == nil {
			t.Errorf("Add(%q, %q) accepted", bad.name, bad.role)
		}
	}
	if _, err := e.accounts.Authenticate(ctx, "nobody", "x"); err != ErrBadCredentials {
		t.Errorf("unknown user: %v", err)
	}
	if u, err := e.accounts.Authenticate(ctx, " AN ", e.pw["an"]); err != nil || u.Role != RoleAnalyst {
		t.Errorf("case-insensitive name: %v", err)
	}
	users, _ := e.accounts.List(ctx)
	if len(users) != 3 || users[0].Hash != nil {
		t.Errorf("List = %+v", users)
	}
}

func TestDiffText(t *testing.T) {
	d := diffText("a\nb\nc", "a\nB\nc\nd")
	var ops []string
	for _, l := range d {
		ops = append(ops, l.Op+l.Text)
	}
	if got := strings.Join(ops, ","); got != "=a,-b,+B,=c,+d" {
		t.Errorf("diff = %s", got)
	}
}

func TestSessionExpiry(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	e := newEnv(t, Config{SessionTTL: time.Hour})
	e.accounts.now = func() time.Time { return now }
	c := e.login("an")
	if resp, _ := get(t, c, e.ts.URL+"/"); resp.StatusCode != 200 {
		t.Fatalf("fresh session: %d", resp.StatusCode)
	}
	now = now.Add(2 * time.Hour)
	if resp, _ := get(t, c, e.ts.URL+"/"); resp.StatusCode != 303 {
		t.Errorf("expired session: %d", resp.StatusCode)
	}
	if _, _, err := e.accounts.NewSession(t.Context(), "an", -time.Minute); err != nil {
		t.Fatal(err)
	}
	if n, err := e.accounts.SweepSessions(t.Context()); err != nil || n != 1 {
		t.Errorf("SweepSessions = %d, %v", n, err)
	}
}
