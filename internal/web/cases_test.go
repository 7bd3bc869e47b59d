package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/cases"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/officedoc"
)

// caseLookup reads the test env's alerts and articles for case intakes.
type caseLookup struct{ e *testEnv }

func (l caseLookup) Article(ctx context.Context, id string) (article.Article, error) {
	v, err := l.e.index.Get(ctx, id)
	if err != nil {
		return article.Article{}, fmt.Errorf("%w: %s", cases.ErrNotFound, id)
	}
	return v.Revisions[len(v.Revisions)-1], nil
}

func (l caseLookup) Alert(ctx context.Context, id string) (article.Alert, []string, error) {
	a, err := l.e.alerts.Get(ctx, id)
	if err != nil {
		return article.Alert{}, nil, fmt.Errorf("%w: %s", cases.ErrNotFound, id)
	}
	return a.Alert, a.Audiences, nil
}

type blobMap map[string][]byte

func (b blobMap) Put(_ context.Context, k string, d []byte) error { b[k] = d; return nil }
func (b blobMap) Get(_ context.Context, k string) ([]byte, error) {
	d, ok := b[k]
	if !ok {
		return nil, cases.ErrNotFound
	}
	return d, nil
}

// refusingFetcher refuses every URL as a private address, as the crawler
// guard does for loopback and RFC 1918 hosts.
type refusingFetcher struct{}

func (refusingFetcher) Fetch(_ context.Context, u string) (cases.Fetched, error) {
	return cases.Fetched{}, fmt.Errorf("%w: fetch %s: private or loopback address refused", cases.ErrBadInput, u)
}

func newCaseEnv(t *testing.T, opts ...func(*Deps)) *testEnv {
	t.Helper()
	e := newEnv(t, Config{}, opts...)
	svc, err := cases.New(config.Cases{}, cases.Deps{Store: kv.NewMemory(), Lookup: caseLookup{e}, Blobs: blobMap{},
		Fetcher: refusingFetcher{}, Issuer: officedoc.IssuerFrom(config.Default().Office),
		Route: func([]string, string) []string { return []string{"office"} }})
	if err != nil {
		t.Fatal(err)
	}
	deps := e.srv.deps
	deps.Cases, deps.Registry = svc, nil
	srv, err := New(Config{SensitiveAudiences: []string{"police"}}, deps, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.ts.Close()
	e.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

// api sends a JSON request with basic auth and decodes the answer.
func (e *testEnv) api(t *testing.T, user, method, path string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, rd)
	req.SetBasicAuth(user, e.pw[user])
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode
}

func TestCaseAPIWorkflowAndRefusals(t *testing.T) {
	e := newCaseEnv(t)
	var c cases.Case
	if code := e.api(t, "an", "POST", "/api/cases", map[string]any{"alert_id": "alert0office", "claim": "Biên giới bị phong tỏa"}, &c); code != http.StatusCreated {
		t.Fatalf("open: %d", code)
	}
	if c.ID == "" || c.Items[0].AlertID != "alert0office" || c.Status != cases.StatusReceived {
		t.Fatalf("case = %+v", c)
	}
	// The same article handed in again attaches to the open case.
	var again cases.Case
	if code := e.api(t, "an", "POST", "/api/cases", map[string]any{"article_id": c.Items[0].ArticleID, "claim": "khác"}, &again); code != http.StatusOK || again.ID != c.ID {
		t.Fatalf("duplicate intake: %d id %q want %q", code, again.ID, c.ID)
	}
	var errOut map[string]string
	tests := []struct {
		name string
		path string
		body map[string]any
		want int
	}{
		{"skip without reason", "/api/cases/" + c.ID + "/move", map[string]any{"status": "responded", "verdict": "false"}, http.StatusConflict},
		{"verified without verdict", "/api/cases/" + c.ID + "/move", map[string]any{"status": "verified", "note": "x"}, http.StatusConflict},
		{"unknown status", "/api/cases/" + c.ID + "/move", map[string]any{"status": "done"}, http.StatusBadRequest},
		{"private URL", "/api/cases", map[string]any{"url": "http://127.0.0.1:9/x", "claim": "x"}, http.StatusBadRequest},
		{"no claim", "/api/cases", map[string]any{"text": "dán"}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errOut = nil
			if code := e.api(t, "an", "POST", tt.path, tt.body, &errOut); code != tt.want || errOut["error"] == "" {
				t.Fatalf("%s: %d %v, want %d with a message", tt.path, code, errOut, tt.want)
			}
		})
	}
	if code := e.api(t, "an", "POST", "/api/cases/"+c.ID+"/move", map[string]any{"status": "verifying", "note": "bắt đầu"}, &c); code != http.StatusOK || c.Status != cases.StatusVerifying {
		t.Fatalf("move: %d %+v", code, c.Status)
	}
	// Police may read and annotate this case (it touches the police route)
	// but not move it.
	if code := e.api(t, "congan", "POST", "/api/cases/"+c.ID+"/move", map[string]any{"status": "verified", "verdict": "false"}, nil); code != http.StatusForbidden {
		t.Errorf("police move: %d, want 403", code)
	}
	if code := e.api(t, "congan", "POST", "/api/cases/"+c.ID+"/notes", map[string]any{"note": "Công an xã đã xác minh"}, &c); code != http.StatusOK || len(c.Notes) != 1 {
		t.Errorf("police note: %d %+v", code, c.Notes)
	}
	var list struct {
		Cases  []cases.Case `json:"cases"`
		Counts cases.Counts `json:"counts"`
	}
	if code := e.api(t, "an", "GET", "/api/cases?status=verifying", nil, &list); code != 200 || len(list.Cases) != 1 || list.Counts.Total != 1 {
		t.Errorf("list: %d %+v", code, list)
	}
}

func TestCasePoliceOnlyHiddenAndAudited(t *testing.T) {
	e := newCaseEnv(t)
	var c cases.Case
	if code := e.api(t, "congan", "POST", "/api/cases", map[string]any{"alert_id": "alert1police", "claim": "x"}, nil); code != http.StatusForbidden {
		t.Fatalf("police opened a case: %d", code)
	}
	if code := e.api(t, "quantri", "POST", "/api/cases", map[string]any{"alert_id": "alert1police", "claim": "Tin về Sầm Tớ"}, &c); code != http.StatusCreated {
		t.Fatalf("admin open: %d", code)
	}
	if code := e.api(t, "an", "GET", "/api/cases/"+c.ID, nil, nil); code != http.StatusNotFound {
		t.Errorf("analyst sees a police-only case: %d", code)
	}
	var list struct{ Cases []cases.Case }
	e.api(t, "an", "GET", "/api/cases", nil, &list)
	if len(list.Cases) != 0 {
		t.Errorf("analyst lists a police-only case")
	}
	if code := e.api(t, "congan", "GET", "/api/cases/"+c.ID, nil, nil); code != http.StatusOK {
		t.Fatalf("police view: %d", code)
	}
	log, err := e.accounts.AuditLog(context.Background(), "case-"+c.ID, 10)
	if err != nil || len(log) != 1 || log[0].User != "congan" || log[0].Action != "view_case" {
		t.Fatalf("audit = %+v, %v", log, err)
	}
}

func multipartBody(t *testing.T, fields map[string]string, fileName string, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if fileName != "" {
		fw, _ := mw.CreateFormFile("file", fileName)
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	return &buf, mw.FormDataContentType()
}

func TestCaseFormsUploadsAndCSRF(t *testing.T) {
	e := newCaseEnv(t)
	c := e.login("an")
	tok := csrfOf(t, c, e.ts.URL+"/cases")
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	post := func(fields map[string]string, name string, data []byte) (*http.Response, string) {
		body, ct := multipartBody(t, fields, name, data)
		resp, err := c.Post(e.ts.URL+"/cases", ct, body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	tests := []struct {
		name   string
		fields map[string]string
		file   string
		data   []byte
		want   int
		msg    string
	}{
		{"no csrf", map[string]string{"claim": "x", "text": "t"}, "", nil, http.StatusForbidden, ""},
		{"wrong type", map[string]string{"csrf": tok, "claim": "x", "text": "t"}, "a.png", []byte("<html><script>alert(1)</script>"), http.StatusUnsupportedMediaType, "Loại tệp không được chấp nhận"},
		{"oversize", map[string]string{"csrf": tok, "claim": "x", "text": "t"}, "big.png", append(png, make([]byte, 5<<20)...), http.StatusRequestEntityTooLarge, "Tệp quá lớn"},
		{"private URL", map[string]string{"csrf": tok, "claim": "x", "url": "http://10.1.2.3/"}, "", nil, http.StatusBadRequest, "private"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := post(tt.fields, tt.file, tt.data)
			if resp.StatusCode != tt.want || !strings.Contains(body, tt.msg) {
				t.Fatalf("status %d, want %d with %q", resp.StatusCode, tt.want, tt.msg)
			}
		})
	}
	resp, _ := post(map[string]string{"csrf": tok, "claim": "Ảnh chụp <b>bài</b> đăng", "text": "nội dung <script>x</script>"}, "../anh.png", png)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("open with upload: %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	r2, page := get(t, c, e.ts.URL+loc)
	if r2.StatusCode != 200 || strings.Contains(page, "<script>x</script>") || strings.Contains(page, "<b>bài</b>") || !strings.Contains(page, "anh.png") {
		t.Fatalf("case page %d: unescaped text or missing evidence", r2.StatusCode)
	}
	// "Mở vụ việc" from an article page: the intake form names the article.
	arts := sampleArticles()
	_, art := get(t, c, e.ts.URL+"/articles/"+arts[1].ID)
	if !strings.Contains(art, `href="/cases/new?article=`+arts[1].ID) {
		t.Errorf("article page has no Mở vụ việc link")
	}
	if _, form := get(t, c, e.ts.URL+"/cases/new?article="+arts[1].ID); !strings.Contains(form, `name="article" value="`+arts[1].ID+`"`) {
		t.Errorf("intake form does not carry the article")
	}
	// A refused move on the page: 409 with the reason, nothing changed.
	r3, body := postForm(t, c, e.ts.URL+loc+"/move", url.Values{"csrf": {tok}, "status": {"reported"}})
	if r3.StatusCode != http.StatusConflict || !strings.Contains(body, "bỏ qua bước cần ghi lý do") {
		t.Fatalf("bad move: %d", r3.StatusCode)
	}
}

// TestCaseTimelineShowsEditsRemovalsCorrections: the case page's spread
// timeline shows the origin's later revisions from the archive: a
// correction, then the page answering 404/410.
func TestCaseTimelineShowsEditsRemovalsCorrections(t *testing.T) {
	e := newCaseEnv(t)
	orig := sampleAlerts()[0]
	var first article.Article
	for _, a := range e.index.articles {
		if a.ID == orig.ArticleID {
			first = a
		}
	}
	corrected := first
	corrected.Revision, corrected.Title = 3, "Đính chính: "+first.Title
	corrected.Fetched = first.Fetched.Add(2 * time.Hour)
	removed := first
	removed.Revision, removed.Removed = 4, true
	removed.Fetched = first.Fetched.Add(5 * time.Hour)
	e.index.mu.Lock()
	e.index.articles = append(e.index.articles, corrected, removed)
	e.index.mu.Unlock()
	var c cases.Case
	if code := e.api(t, "an", "POST", "/api/cases", map[string]any{"alert_id": orig.ID, "claim": "Biên giới bị phong tỏa"}, &c); code != http.StatusCreated {
		t.Fatalf("open: %d", code)
	}
	_, page := get(t, e.login("an"), e.ts.URL+"/cases/"+c.ID)
	i1, i2, i3 := strings.Index(page, "Xuất hiện đầu tiên"), strings.Index(page, "Bài được cải chính"), strings.Index(page, "Bài bị gỡ (404/410)")
	if i1 < 0 || i2 < i1 || i3 < i2 {
		t.Fatalf("timeline order: first %d, corrected %d, removed %d", i1, i2, i3)
	}
}

// TestCaseIntakeDoesNotLeakPoliceOnlyCase: an analyst handing in the
// article of an open police-only case must neither get that case back (its
// claim, notes, history) nor leave an intake in its history.
func TestCaseIntakeDoesNotLeakPoliceOnlyCase(t *testing.T) {
	e := newCaseEnv(t)
	var c cases.Case
	if code := e.api(t, "quantri", "POST", "/api/cases", map[string]any{"alert_id": "alert1police", "claim": "Tin mật về Sầm Tớ"}, &c); code != http.StatusCreated {
		t.Fatalf("admin open: %d", code)
	}
	art := c.Items[0].ArticleID
	var got map[string]any
	code := e.api(t, "an", "POST", "/api/cases", map[string]any{"article_id": art, "claim": "khác"}, &got)
	if code == http.StatusOK || code == http.StatusCreated || got["id"] == c.ID || strings.Contains(fmt.Sprint(got), "Tin mật về") {
		t.Fatalf("analyst intake of a police-only case's article: %d %v", code, got)
	}
	if code != http.StatusBadRequest || got["error"] == "" {
		t.Errorf("analyst intake: %d %v, want 400 with a message", code, got)
	}
	// The form answers likewise, without redirecting to the hidden case.
	cl := e.login("an")
	tok := csrfOf(t, cl, e.ts.URL+"/cases")
	resp, body := postForm(t, cl, e.ts.URL+"/cases", url.Values{"csrf": {tok}, "article": {art}, "claim": {"khác"}})
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(body, "Tin mật về") || strings.Contains(body, c.ID) {
		t.Errorf("form intake: %d", resp.StatusCode)
	}
	var after cases.Case
	if code := e.api(t, "quantri", "GET", "/api/cases/"+c.ID, nil, &after); code != 200 || len(after.History) != len(c.History) {
		t.Errorf("the police-only case's history changed: %d %+v", code, after.History)
	}
}

// TestCaseUnknownIDsAre404: a well-formed case id that does not exist, or
// an evidence file the case does not have, is 404 on every endpoint, not
// an internal error.
func TestCaseUnknownIDsAre404(t *testing.T) {
	e := newCaseEnv(t)
	var c cases.Case
	if code := e.api(t, "an", "POST", "/api/cases", map[string]any{"alert_id": "alert0office", "claim": "Biên giới bị phong tỏa"}, &c); code != http.StatusCreated {
		t.Fatalf("open: %d", code)
	}
	cl := e.login("an")
	tok := csrfOf(t, cl, e.ts.URL+"/cases")
	zero := strings.Repeat("0", 64)
	for _, p := range []string{"/cases/VV-2026-999", "/api/cases/VV-2026-999", "/cases/VV-2026-999/doc/response.pdf",
		"/cases/VV-2026-999/evidence/" + zero, "/cases/" + c.ID + "/evidence/" + zero, "/cases/" + c.ID + "/evidence/abc"} {
		if resp, _ := get(t, cl, e.ts.URL+p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	for _, p := range []string{"move", "edit", "notes", "items", "backtest", "evidence"} {
		resp, _ := postForm(t, cl, e.ts.URL+"/cases/VV-2026-999/"+p, url.Values{"csrf": {tok}, "status": {"verifying"}, "note": {"x"}, "claim": {"x"}, "text": {"x"}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", p, resp.StatusCode)
		}
	}
	if code := e.api(t, "an", "POST", "/api/cases/VV-2026-999/move", map[string]any{"status": "verifying"}, nil); code != http.StatusNotFound {
		t.Errorf("API move of an unknown case: %d, want 404", code)
	}
}

var baseRE = regexp.MustCompile(`name="base" value="([0-9]+)"`)

// TestCaseEditFromStaleFormRefused: two people open the same case; the
// first saves the clarification text, the second then saves the report
// number from the form they loaded before (its clarification still empty).
// The second save must be refused with 409 and a message saying who
// changed the case, keep what they typed in the form, and not wipe the
// first one's text; saving again from the refreshed form then works.
func TestCaseEditFromStaleFormRefused(t *testing.T) {
	e := newCaseEnv(t)
	var c cases.Case
	if code := e.api(t, "an", "POST", "/api/cases", map[string]any{"alert_id": "alert0office", "claim": "Biên giới bị phong tỏa"}, &c); code != http.StatusCreated {
		t.Fatalf("open: %d", code)
	}
	page := e.ts.URL + "/cases/" + c.ID
	form := func(cl *http.Client) url.Values {
		_, body := get(t, cl, page)
		v := url.Values{"csrf": {csrfRE.FindStringSubmatch(body)[1]}, "claim": {c.Claim}, "owner": {c.Owner}, "severity": {c.Severity},
			"topics": {strings.Join(c.Topics, "; ")}, "communes": {""}, "clar_text": {""}, "published_url": {""}, "published_at": {""},
			"report_number": {""}, "report_date": {""}, "report_recipients": {""}, "outcome_set": {"1"}}
		if m := baseRE.FindStringSubmatch(body); m != nil {
			v.Set("base", m[1])
		}
		return v
	}
	an, qt := e.login("an"), e.login("quantri")
	fa, fq := form(an), form(qt)
	fa.Set("clar_text", "UBND xã khẳng định biên giới vẫn thông thương.")
	if resp, _ := postForm(t, an, page+"/edit", fa); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d", resp.StatusCode)
	}
	fq.Set("report_number", "12/BC-UBND")
	resp, body := postForm(t, qt, page+"/edit", fq)
	var now cases.Case
	e.api(t, "quantri", "GET", "/api/cases/"+c.ID, nil, &now)
	if now.Clarification.Text == "" {
		t.Fatalf("the stale form wiped the clarification text saved meanwhile (second save: %d)", resp.StatusCode)
	}
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "đã được an thay đổi lúc") || !strings.Contains(body, "chưa được lưu") {
		t.Fatalf("stale save: %d, want 409 saying who changed the case and that nothing was saved", resp.StatusCode)
	}
	if !strings.Contains(body, `value="12/BC-UBND"`) || !strings.Contains(body, "UBND xã khẳng định") {
		t.Errorf("the refused form lost what was typed, or does not show the text saved meanwhile")
	}
	if now.Report.Number != "" {
		t.Errorf("refused save changed the report number: %q", now.Report.Number)
	}
	// Saving again from the page as refused (it carries the new base) works.
	m := baseRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("refused page has no base")
	}
	fq.Set("base", m[1])
	fq.Set("clar_text", now.Clarification.Text)
	if resp, _ := postForm(t, qt, page+"/edit", fq); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save after refresh: %d", resp.StatusCode)
	}
	e.api(t, "quantri", "GET", "/api/cases/"+c.ID, nil, &now)
	if now.Report.Number != "12/BC-UBND" || now.Clarification.Text == "" {
		t.Errorf("after refresh: %+v %+v", now.Report, now.Clarification)
	}
}

// TestCaseEvidenceNameFollowsContent: an upload's name keeps an extension
// only when it matches the type found by content, and loses any directory:
// a text file named .html (with a script) downloads as .html.txt, PNG bytes
// named .exe as .exe.png, so no one opens evidence as a page or program.
func TestCaseEvidenceNameFollowsContent(t *testing.T) {
	e := newCaseEnv(t)
	var c cases.Case
	if code := e.api(t, "an", "POST", "/api/cases", map[string]any{"alert_id": "alert0office", "claim": "Biên giới bị phong tỏa"}, &c); code != http.StatusCreated {
		t.Fatalf("open: %d", code)
	}
	cl := e.login("an")
	tok := csrfOf(t, cl, e.ts.URL+"/cases")
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"bao-cao.html", []byte("Xem ngay <script>alert(1)</script>"), "bao-cao.html.txt"},
		{`C:\Users\an\anh.exe`, png, "anh.exe.png"},
		{"../../anh chup.JPG", append([]byte("\xff\xd8\xff\xe0"), make([]byte, 64)...), "anh chup.JPG"},
		{"tailieu.pdf", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), "tailieu.pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			body, ct := multipartBody(t, map[string]string{"csrf": tok}, tt.name, tt.data)
			resp, err := cl.Post(e.ts.URL+"/cases/"+c.ID+"/evidence", ct, body)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("upload: %d", resp.StatusCode)
			}
			var got cases.Case
			e.api(t, "an", "GET", "/api/cases/"+c.ID, nil, &got)
			ev := got.Evidence[len(got.Evidence)-1]
			if ev.Name != tt.want {
				t.Errorf("stored name %q, want %q", ev.Name, tt.want)
			}
			r2, _ := get(t, cl, e.ts.URL+"/cases/"+c.ID+"/evidence/"+ev.SHA256)
			if cd := r2.Header.Get("Content-Disposition"); !strings.Contains(cd, url.PathEscape(tt.want)) && !strings.Contains(cd, tt.want) {
				t.Errorf("download as %q, want %q", cd, tt.want)
			}
		})
	}
}

// TestCaseHidesPoliceOnlyTopicFromAnalyst: a case opened from an alert
// that a police-only rule also matched carries that rule's topic; an
// analyst does not see the topic on the case (page, API, list) and cannot
// filter on it, and saving the edit form keeps it for the police.
func TestCaseHidesPoliceOnlyTopicFromAnalyst(t *testing.T) {
	e := newCaseEnv(t, func(d *Deps) { d.Rules = restrictedRules{} })
	arts := sampleArticles()
	secret := article.Match{Rule: "laos.mat", Version: 1, Topic: "laos", Severity: "critical", Audiences: []string{"police"}}
	open := article.Match{Rule: "border.core", Version: 1, Topic: "border", Severity: "high", Audiences: []string{"office", "police"}}
	e.alerts.mu.Lock()
	e.alerts.recs = append(e.alerts.recs, AlertRecord{Alert: article.Alert{V: 1, ID: "mixed", ArticleID: arts[2].ID, URL: arts[2].URL,
		Title: "Tuần tra", Source: "baothanhhoa", Area: true, Severity: "high", Audiences: []string{"office", "police"},
		Topics: []string{"border", "laos"}, Matches: []article.Match{open, secret}}})
	e.alerts.mu.Unlock()
	var c cases.Case
	if code := e.api(t, "an", "POST", "/api/cases", map[string]any{"alert_id": "mixed", "claim": "Biên giới bị phong tỏa"}, &c); code != http.StatusCreated {
		t.Fatalf("open: %d", code)
	}
	if slices.Contains(c.Topics, "laos") {
		t.Errorf("intake answer shows the analyst topics %v", c.Topics)
	}
	var got cases.Case
	if e.api(t, "an", "GET", "/api/cases/"+c.ID, nil, &got); slices.Contains(got.Topics, "laos") || !slices.Contains(got.Topics, "border") {
		t.Errorf("analyst API topics %v", got.Topics)
	}
	var list struct{ Cases []cases.Case }
	if e.api(t, "an", "GET", "/api/cases", nil, &list); len(list.Cases) != 1 || slices.Contains(list.Cases[0].Topics, "laos") {
		t.Errorf("analyst list %+v", list.Cases)
	}
	if e.api(t, "an", "GET", "/api/cases?topic=laos", nil, &list); len(list.Cases) != 0 {
		t.Errorf("analyst filters cases on a police-only topic: %d", len(list.Cases))
	}
	an := e.login("an")
	_, page := get(t, an, e.ts.URL+"/cases/"+c.ID)
	if strings.Contains(page, "t-laos") || strings.Contains(page, "laos;") || strings.Contains(page, "; laos") {
		t.Errorf("case page shows the police-only topic to an analyst")
	}
	_, listPage := get(t, an, e.ts.URL+"/cases")
	if strings.Contains(listPage, "t-laos") {
		t.Errorf("case list shows the police-only topic to an analyst")
	}
	tok := csrfOf(t, an, e.ts.URL+"/cases/"+c.ID)
	if resp, _ := postForm(t, an, e.ts.URL+"/cases/"+c.ID+"/edit", url.Values{"csrf": {tok}, "topics": {"border; disinfo"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	if e.api(t, "congan", "GET", "/api/cases/"+c.ID, nil, &got); !slices.Equal(got.Topics, []string{"border", "disinfo", "laos"}) {
		t.Errorf("police topics after the analyst's edit: %v, want border, disinfo, laos", got.Topics)
	}
}

// TestCaseAddItemRefusesInvisibleAlert: an analyst cannot add to a case
// an alert they may not see (as they cannot open a case from it); the
// answer is the one for an unknown alert.
func TestCaseAddItemRefusesInvisibleAlert(t *testing.T) {
	e := newCaseEnv(t)
	var c cases.Case
	if code := e.api(t, "an", "POST", "/api/cases", map[string]any{"text": "bài dán", "claim": "Biên giới bị phong tỏa"}, &c); code != http.StatusCreated {
		t.Fatalf("open: %d", code)
	}
	cl := e.login("an")
	tok := csrfOf(t, cl, e.ts.URL+"/cases/"+c.ID)
	resp, body := postForm(t, cl, e.ts.URL+"/cases/"+c.ID+"/items", url.Values{"csrf": {tok}, "alert": {"alert1police"}})
	_, unknown := postForm(t, cl, e.ts.URL+"/cases/"+c.ID+"/items", url.Values{"csrf": {tok}, "alert": {"alert9none"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "không tìm thấy cảnh báo") || !strings.Contains(unknown, "không tìm thấy cảnh báo") {
		t.Fatalf("adding a police-only alert: %d", resp.StatusCode)
	}
	var got cases.Case
	if e.api(t, "quantri", "GET", "/api/cases/"+c.ID, nil, &got); len(got.Items) != 1 {
		t.Errorf("items %+v", got.Items)
	}
}

// TestCaseEditFormFields: the edit form's dates, press contact, base and
// outcome: a bad date or base is a 400 naming it with nothing saved, a
// contact without a day is told today, with one that day, and an empty
// outcome list clears the outcome.
func TestCaseEditFormFields(t *testing.T) {
	e := newCaseEnv(t)
	var c cases.Case
	if code := e.api(t, "an", "POST", "/api/cases", map[string]any{"alert_id": "alert0office", "claim": "Biên giới bị phong tỏa"}, &c); code != http.StatusCreated {
		t.Fatalf("open: %d", code)
	}
	cl := e.login("an")
	page := e.ts.URL + "/cases/" + c.ID
	tok := csrfOf(t, cl, page)
	for _, tt := range []struct {
		field, value, msg string
	}{
		{"published_at", "2026-02-30", "ngày"},
		{"report_date", "05/12/2026", "ngày"},
		{"contact_at", "hôm qua", "ngày"},
		{"base", "-1", "biểu mẫu không hợp lệ"},
		{"base", "x", "biểu mẫu không hợp lệ"},
	} {
		v := url.Values{"csrf": {tok}, "report_number": {"99"}, "contact_agency": {"Báo Thanh Hóa"}, tt.field: {tt.value}}
		resp, body := postForm(t, cl, page+"/edit", v)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tt.msg) {
			t.Errorf("%s=%q: %d, want 400 with %q", tt.field, tt.value, resp.StatusCode, tt.msg)
		}
	}
	var got cases.Case
	if e.api(t, "an", "GET", "/api/cases/"+c.ID, nil, &got); got.Report.Number != "" || len(got.Clarification.Contacts) != 0 {
		t.Fatalf("refused edits saved something: %+v %+v", got.Report, got.Clarification)
	}
	post := func(v url.Values) {
		t.Helper()
		v.Set("csrf", tok)
		if resp, body := postForm(t, cl, page+"/edit", v); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit %v: %d %s", v, resp.StatusCode, body)
		}
	}
	post(url.Values{"contact_agency": {"Báo Thanh Hóa"}, "contact_at": {"2026-12-01"}, "report_date": {"2026-12-05"},
		"published_at": {"2026-12-02"}, "outcome_set": {"1"}, "outcome": {"removed", "corrected"}})
	post(url.Values{"contact_agency": {" Báo Nhân Dân "}})
	e.api(t, "an", "GET", "/api/cases/"+c.ID, nil, &got)
	loc := e.srv.cfg.Location
	if len(got.Clarification.Contacts) != 2 || got.Clarification.Contacts[0].At.In(loc).Format("2006-01-02") != "2026-12-01" ||
		got.Clarification.Contacts[1].Agency != "Báo Nhân Dân" || got.Clarification.Contacts[1].At.IsZero() {
		t.Errorf("contacts %+v", got.Clarification.Contacts)
	}
	if got.Report.Date.In(loc).Format("2006-01-02") != "2026-12-05" || got.Clarification.PublishedAt.In(loc).Format("2006-01-02") != "2026-12-02" ||
		!slices.Equal(got.Outcome, []string{"removed", "corrected"}) {
		t.Errorf("dates and outcome: %v %v %v", got.Report.Date, got.Clarification.PublishedAt, got.Outcome)
	}
	post(url.Values{"outcome_set": {"1"}})
	if e.api(t, "an", "GET", "/api/cases/"+c.ID, nil, &got); len(got.Outcome) != 0 {
		t.Errorf("outcome not cleared: %v", got.Outcome)
	}
}
