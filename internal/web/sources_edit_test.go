package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSourceEditor keeps sources in memory; the real one (cmd/diembao,
// crawler/sourcestore) is tested against JetStream and in Chromium.
type fakeSourceEditor struct {
	mu      sync.Mutex
	entries []SourceEntry
	hist    map[string][]SourceRevision
	saves   []SourceForm
	notes   []string
	preview SourcePreview
}

func (f *fakeSourceEditor) List(context.Context) ([]SourceEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SourceEntry(nil), f.entries...), nil
}

func (f *fakeSourceEditor) find(id string) int {
	for i, e := range f.entries {
		if e.Form.ID == id {
			return i
		}
	}
	return -1
}

func (f *fakeSourceEditor) Get(_ context.Context, id string) (SourceEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := f.find(id); i >= 0 {
		return f.entries[i], nil
	}
	return SourceEntry{}, fmt.Errorf("source %s: %w", id, ErrNotFound)
}

func (f *fakeSourceEditor) Save(_ context.Context, form SourceForm, isNew bool, base uint64, by, note string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(form.Feeds)+len(form.Sitemaps)+len(form.Listings) == 0 {
		return SourceFieldErrors{"feeds": "Cần ít nhất một RSS/Atom, sitemap hoặc trang danh sách."}
	}
	i := f.find(form.ID)
	if isNew && i >= 0 {
		return SourceFieldErrors{"id": "Mã nguồn đã có."}
	}
	if !isNew && i >= 0 && f.entries[i].Rev != base {
		return ErrSourceConflict
	}
	f.saves = append(f.saves, form)
	f.notes = append(f.notes, by+": "+note)
	e := SourceEntry{Form: form, Edited: true, Rev: uint64(len(f.saves)), By: by, At: time.Now()}
	if i >= 0 {
		f.entries[i] = e
	} else {
		f.entries = append(f.entries, e)
	}
	return nil
}

func (f *fakeSourceEditor) SetDisabled(_ context.Context, id string, disabled bool, by, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := f.find(id)
	if i < 0 {
		return ErrNotFound
	}
	f.entries[i].Disabled = disabled
	f.notes = append(f.notes, fmt.Sprintf("%s: disabled=%v", by, disabled))
	return nil
}

func (f *fakeSourceEditor) Preview(_ context.Context, form SourceForm) (SourcePreview, error) {
	if form.Interval == "soon" {
		return SourcePreview{}, SourceFieldErrors{"interval": "“soon” không phải khoảng thời gian."}
	}
	return f.preview, nil
}

func (f *fakeSourceEditor) History(_ context.Context, id string) ([]SourceRevision, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hist[id], nil
}

func (f *fakeSourceEditor) Restore(_ context.Context, id string, rev uint64, by, note string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notes = append(f.notes, fmt.Sprintf("%s: restore %s #%d (%s)", by, id, rev, note))
	return nil
}

func newSourceEnv(t *testing.T) (*testEnv, *fakeSourceEditor) {
	ed := &fakeSourceEditor{
		entries: []SourceEntry{
			{Form: SourceForm{ID: "baothanhhoa", Name: "Báo Thanh Hóa", Kind: "press", Feeds: []string{"https://baothanhhoa.vn/rss/thoi-su.xml"}, Interval: "10m", Delay: "2s"}, Seeded: true},
			{Form: SourceForm{ID: "evil", Name: "<script>x</script>", Kind: "press", Feeds: []string{"https://evil.example/rss"}}, Edited: true, Rev: 7, By: "quantri"},
		},
		hist: map[string][]SourceRevision{"evil": {
			{Rev: 7, Form: SourceForm{ID: "evil", Name: "<script>x</script>", Interval: "10m"}, Action: "edit", By: "quantri", Note: "<b>đổi tên</b>"},
			{Rev: 3, Form: SourceForm{ID: "evil", Name: "Báo Ác", Interval: "30m"}, Action: "add", By: "quantri"},
		}},
		preview: SourcePreview{Found: 12, Errors: []string{"sitemap https://evil.example/sitemap.xml: status 404"}, Items: []SourcePreviewItem{
			{URL: "https://evil.example/a-1.htm", Title: "<img src=x onerror=alert(1)>Tin biên giới", Published: time.Date(2026, 12, 1, 8, 0, 0, 0, hcm), PublishedFrom: "meta",
				Lines: []string{"Dòng đầu <script>alert(2)</script>", "Dòng hai"}},
		}},
	}
	e := newEnv(t, Config{}, func(d *Deps) { d.SourceEdit = ed })
	return e, ed
}

// TestSourceEditorAccess: only admins reach the editor, and every write
// needs the session's CSRF token.
func TestSourceEditorAccess(t *testing.T) {
	e, ed := newSourceEnv(t)
	an := e.login("an")
	for _, p := range []string{"/sources", "/sources/new", "/sources/evil/edit", "/sources/evil/history"} {
		if resp, _ := get(t, an, e.ts.URL+p); resp.StatusCode != http.StatusForbidden {
			t.Errorf("analyst GET %s: %d", p, resp.StatusCode)
		}
	}
	tok := csrfOf(t, an, e.ts.URL+"/")
	form := url.Values{"csrf": {tok}, "action": {"save"}, "new": {"1"}, "id": {"moi"}, "feeds": {"https://moi.example/rss"}}
	if resp, _ := postForm(t, an, e.ts.URL+"/sources/save", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst save: %d", resp.StatusCode)
	}
	if resp, _ := postForm(t, an, e.ts.URL+"/sources/evil/disable", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst disable: %d", resp.StatusCode)
	}
	if resp, _ := postForm(t, e.client(), e.ts.URL+"/sources/save", form); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous save: %d", resp.StatusCode)
	}
	admin := e.login("quantri")
	noTok := url.Values{"action": {"save"}, "new": {"1"}, "id": {"moi"}, "feeds": {"https://moi.example/rss"}}
	for _, p := range []string{"/sources/save", "/sources/evil/disable", "/sources/evil/enable", "/sources/evil/restore"} {
		if resp, _ := postForm(t, admin, e.ts.URL+p, noTok); resp.StatusCode != http.StatusForbidden {
			t.Errorf("admin POST %s without CSRF: %d", p, resp.StatusCode)
		}
		bad := url.Values{"csrf": {"wrong"}, "rev": {"3"}}
		for k, v := range noTok {
			bad[k] = v
		}
		if resp, _ := postForm(t, admin, e.ts.URL+p, bad); resp.StatusCode != http.StatusForbidden {
			t.Errorf("admin POST %s with a wrong CSRF token: %d", p, resp.StatusCode)
		}
	}
	if len(ed.saves) != 0 || len(ed.notes) != 0 {
		t.Fatalf("refused requests changed sources: %v %v", ed.saves, ed.notes)
	}
}

// TestSourceEditorFlow: list, add with field errors, preview, save, disable,
// history and restore, with crawled and typed text escaped everywhere.
func TestSourceEditorFlow(t *testing.T) {
	e, ed := newSourceEnv(t)
	admin := e.login("quantri")
	_, body := get(t, admin, e.ts.URL+"/sources")
	for _, want := range []string{`id="source-add"`, `href="/sources/evil/edit"`, `action="/sources/evil/disable"`, `href="/sources/evil/history"`,
		"&lt;script&gt;x&lt;/script&gt;", "thêm trên giao diện"} {
		if !strings.Contains(body, want) {
			t.Errorf("sources page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>x</script>") {
		t.Error("source name not escaped")
	}
	// Health rows join the list by id.
	if row := body[strings.Index(body, `id="source-evil"`):]; !strings.Contains(row[:strings.Index(row, "</tr>")], "Lỗi (3 lượt liên tiếp)") {
		t.Errorf("evil row lacks its health")
	}

	tok := csrfOf(t, admin, e.ts.URL+"/sources/new")
	// Preview with a field error shows it and saves nothing.
	form := url.Values{"csrf": {tok}, "new": {"1"}, "id": {"moi"}, "name": {"Báo Mới"}, "kind": {"press"},
		"feeds": {"https://moi.example/rss\r\n\r\n https://moi.example/rss2 "}, "listings": {"https://moi.example/tin  -[0-9]+\\.htm$"},
		"interval": {"soon"}, "delay": {"2s"}, "action": {"preview"}}
	_, body = postForm(t, admin, e.ts.URL+"/sources/save", form)
	if !strings.Contains(body, `id="err-interval"`) || !strings.Contains(body, "“soon” không phải khoảng thời gian.") {
		t.Errorf("preview field error missing")
	}
	form.Set("interval", "15m")
	_, body = postForm(t, admin, e.ts.URL+"/sources/save", form)
	for _, want := range []string{`id="preview"`, "Tìm thấy 12 liên kết bài", "&lt;img src=x onerror=alert(1)&gt;Tin biên giới", "lấy từ thẻ meta",
		"Dòng đầu &lt;script&gt;alert(2)&lt;/script&gt;", "status 404", `>https://moi.example/tin -[0-9]&#43;\.htm$</textarea>`} {
		if !strings.Contains(body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if strings.Contains(body, "<img src=x") || strings.Contains(body, "<script>alert(2)") {
		t.Error("preview not escaped")
	}
	if len(ed.saves) != 0 {
		t.Fatal("preview saved")
	}
	// Save.
	form.Set("action", "save")
	form.Set("note", "nguồn mới")
	resp, _ := postForm(t, admin, e.ts.URL+"/sources/save", form)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/sources?action=saved&saved=moi") {
		t.Fatalf("save: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	got := ed.saves[0]
	if got.ID != "moi" || len(got.Feeds) != 2 || got.Feeds[1] != "https://moi.example/rss2" || len(got.Listings) != 1 ||
		got.Listings[0] != (SourceListing{URL: "https://moi.example/tin", Links: `-[0-9]+\.htm$`}) || got.Interval != "15m" || ed.notes[0] != "quantri: nguồn mới" {
		t.Errorf("saved form %+v, note %q", got, ed.notes)
	}
	// Adding the same id again is a field error shown on the form.
	resp, body = postForm(t, admin, e.ts.URL+"/sources/save", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Mã nguồn đã có.") {
		t.Errorf("duplicate add: %d", resp.StatusCode)
	}
	// An edit over a stale revision is refused with a clear message.
	_, body = get(t, admin, e.ts.URL+"/sources/evil/edit")
	if !strings.Contains(body, `name="base_rev" value="7"`) || !strings.Contains(body, "readonly") {
		t.Errorf("edit form lacks its base revision or a fixed id")
	}
	edit := url.Values{"csrf": {tok}, "id": {"evil"}, "name": {"Báo Ác"}, "kind": {"press"}, "feeds": {"https://evil.example/rss"}, "base_rev": {"6"}, "action": {"save"}}
	if resp, body := postForm(t, admin, e.ts.URL+"/sources/save", edit); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "vừa được người khác sửa") {
		t.Errorf("stale edit: %d", resp.StatusCode)
	}
	// Disable and enable.
	resp, _ = postForm(t, admin, e.ts.URL+"/sources/evil/disable", url.Values{"csrf": {tok}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	_, body = get(t, admin, e.ts.URL+"/sources?action=disabled&saved=evil")
	if !strings.Contains(body, `action="/sources/evil/enable"`) || !strings.Contains(body, "Đã tắt nguồn") {
		t.Errorf("disabled source shows no enable button")
	}
	// History: field-by-field changes, escaped, and restore.
	_, body = get(t, admin, e.ts.URL+"/sources/evil/history")
	for _, want := range []string{"Bản #7 · Sửa", "Bản #3 · Thêm nguồn", "<td>Tên</td><td class=\"ddel\">Báo Ác</td><td class=\"dadd\">&lt;script&gt;x&lt;/script&gt;</td>",
		"<td>Chu kỳ thu</td><td class=\"ddel\">30m</td><td class=\"dadd\">10m</td>", "&lt;b&gt;đổi tên&lt;/b&gt;", `id="restore-3"`} {
		if !strings.Contains(body, want) {
			t.Errorf("history lacks %q", want)
		}
	}
	if strings.Contains(body, `id="restore-7"`) {
		t.Error("the current revision offers a restore")
	}
	resp, _ = postForm(t, admin, e.ts.URL+"/sources/evil/restore", url.Values{"csrf": {tok}, "rev": {"3"}})
	if resp.StatusCode != http.StatusSeeOther || ed.notes[len(ed.notes)-1] != "quantri: restore evil #3 (Khôi phục bản #3)" {
		t.Errorf("restore: %d %v", resp.StatusCode, ed.notes)
	}
	if resp, _ := get(t, admin, e.ts.URL+"/sources/khong-co/edit"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown source: %d", resp.StatusCode)
	}
	// Every change is in the audit log too.
	log, err := e.accounts.AuditLog(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, en := range log {
		if strings.HasPrefix(en.Action, "source-") {
			acts = append(acts, en.User+" "+en.Action+" "+en.Detail)
		}
	}
	if got := strings.Join(acts, " | "); got != "quantri source-restore evil: Khôi phục bản #3 | quantri source-disable evil | quantri source-save moi: nguồn mới" {
		t.Errorf("audit: %s", got)
	}
}
