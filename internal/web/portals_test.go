package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
)

type fakePortals struct {
	views    []PortalView
	findings []PortalFinding
}

func (f fakePortals) Overview(context.Context) ([]PortalView, error) { return f.views, nil }
func (f fakePortals) Findings(_ context.Context, limit int) ([]PortalFinding, error) {
	return f.findings, nil
}
func (f fakePortals) Finding(_ context.Context, id string) (PortalFinding, error) {
	for _, x := range f.findings {
		if x.AlertID == id {
			return x, nil
		}
	}
	return PortalFinding{}, ErrNotFound
}

func portalEnv(t *testing.T) *testEnv {
	e := newEnv(t, Config{})
	due := time.Date(2026, 1, 31, 23, 59, 59, 0, hcm)
	found := time.Date(2026, 12, 5, 9, 30, 0, 0, hcm)
	e.srv.deps.Portals = fakePortals{
		views: []PortalView{{ID: "xa-xuan-mau", Name: "Cổng TTĐT xã Xuân Mẫu", URL: "https://xuanmau.example.org/", LastCheck: found, LastOK: found,
			TLSExpiry: found.Add(10 * 24 * time.Hour),
			Duties: []PortalDuty{
				{Duty: "muc-tieu-kt-xh", Name: "Mục tiêu, chỉ tiêu phát triển kinh tế - xã hội năm 2026", Period: "2026", Label: "năm 2026", Due: due,
					Status: "published", URL: "https://xuanmau.example.org/muc-tieu", Published: due.Add(-40 * 24 * time.Hour)},
				{Duty: "ke-hoach-ttdn", Name: "Kế hoạch thông tin đối ngoại năm 2026", Period: "2026", Label: "năm 2026", Due: due, Status: "missing", Overdue: true},
			}}},
		findings: []PortalFinding{{AlertID: "portalalert1", Portal: "xa-xuan-mau", PortalName: "Cổng TTĐT xã Xuân Mẫu",
			URL: "https://xuanmau.example.org/", Kinds: []string{"hidden-link", "spam"}, Severity: "high", Found: found,
			Details: []string{"Từ ngữ quảng cáo cờ bạc: nha cai <b>uy tin</b>"}, Old: "portal-x.1", New: "portal-x.2",
			Diff: []PortalDiffLine{{" ", "</main>"}, {"+", `<div style="position:absolute;left:-9999px"><script>alert(1)</script>`}, {"+", "nhà cái uy tín"}}}},
	}
	e.alerts.mu.Lock()
	e.alerts.recs = append(e.alerts.recs, AlertRecord{Alert: article.Alert{V: 1, ID: "portalalert1", ArticleID: "portal-abc",
		URL: "https://xuanmau.example.org/", Title: "Cổng TTĐT xã Xuân Mẫu: trang / có thay đổi đáng ngờ", Source: "xa-xuan-mau",
		SourceKind: "portal", Topics: []string{"portal"}, Severity: "high", Audiences: []string{"office", "admin"}, Created: found,
		Matches: []article.Match{{Rule: "portal.hidden-link", Version: 1, Topic: "portal", Severity: "high", Terms: []article.Term{{Text: "https://nhacai88.example.com/ nhà cái"}}}}}})
	e.alerts.mu.Unlock()
	return e
}

func TestPortalsPage(t *testing.T) {
	e := portalEnv(t)
	resp, body := get(t, e.login("an"), e.ts.URL+"/portals")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"Cổng TTĐT xã Xuân Mẫu", "Kế hoạch thông tin đối ngoại năm 2026", "quá hạn", "Đã đăng",
		`href="https://xuanmau.example.org/muc-tieu"`, "Liên kết ẩn", `href="/alerts/portalalert1"`, "nha cai &lt;b&gt;uy tin&lt;/b&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("/portals lacks %q", want)
		}
	}
	if strings.Contains(body, "<b>uy tin</b>") {
		t.Error("finding details are not escaped")
	}
}

func TestPortalAlertShowsDiff(t *testing.T) {
	e := portalEnv(t)
	resp, body := get(t, e.login("an"), e.ts.URL+"/alerts/portalalert1")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"Khác biệt giữa hai bản lưu", "portal-x.1", "portal-x.2", `class="dadd"`,
		"&lt;script&gt;alert(1)&lt;/script&gt;", "nhà cái uy tín", `href="/portals"`} {
		if !strings.Contains(body, want) {
			t.Errorf("alert page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "/articles/portal-abc") {
		t.Error("diff not escaped, or a link to an archive article that does not exist")
	}
	// An ordinary alert has no portal section.
	_, body = get(t, e.login("an"), e.ts.URL+"/alerts/alert0office")
	if strings.Contains(body, "Khác biệt giữa hai bản lưu") {
		t.Error("press alert shows a portal diff")
	}
}

func TestPortalsPageOff(t *testing.T) {
	e := newEnv(t, Config{})
	resp, _ := get(t, e.login("an"), e.ts.URL+"/portals")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("portals without the watch: status %d, want 503", resp.StatusCode)
	}
}
