package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/e2e"
	"github.com/diembao/diembao/internal/mailcatcher"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/internal/poll"
	"github.com/diembao/diembao/internal/web"
)

// TestPortalFindingsReachOfficeAndAdmin runs the crawl, notify and serve
// roles in one process with the sample portal: its missing duty and the
// injection it shows from its second check reach the office and the admin
// by mail once each (the default route of topic portal), not the police;
// the Portals page and the alert page's diff are served; the crawler's
// re-fetch watch lets the findings pass without dead letters.
func TestPortalFindingsReachOfficeAndAdmin(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline; skipped with -short")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	site, err := demosite.StartPortal(ctx, "127.0.0.1:0", demosite.PortalOptions{InjectAfter: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	catcher, err := mailcatcher.New(mailcatcher.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer catcher.Close()
	sources := filepath.Join(dir, "sources.yaml")
	// The crawl role needs a source: the portal's news page, linking to nothing it keeps.
	writeTestFile(t, sources, fmt.Sprintf("sources:\n  - id: xuanmau\n    kind: portal\n    listings: [{url: %q, links: \"^none$\"}]\n    interval: 24h\n    allow_private: true\n", site.URL()+"/tin-tuc"))
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Sources = sources
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.SMTP = config.SMTP{Host: catcher.Host(), Port: catcher.Port(), TLS: "none", From: "diembao@localhost"}
	cfg.Alerts.GroupWait = config.Duration(200 * time.Millisecond)
	cfg.Portals = demosite.DemoPortals(site.URL())
	cfg.Portals[0].Interval = config.Duration(time.Second)
	cfg.Portals[0].Delay = config.Duration(time.Millisecond)

	a := testApp(t, cfg) // its log is shown (the tail) only when the test fails
	n, err := node.Open(ctx, a.env(), node.Roles{Crawl: true, Index: true, Notify: true, Serve: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := n.KV(ctx, node.BucketAccounts)
	if err != nil {
		n.Bus().Close()
		t.Fatal(err)
	}
	if err := web.NewAccounts(accounts).Add(ctx, "an", web.RoleAnalyst, "mat-khau-du-dai-1"); err != nil {
		n.Bus().Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	var addr string
	select {
	case addr = <-n.HTTPReady():
	case err := <-done:
		t.Fatalf("run returned early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no web server within 30s")
	}
	api := apiClient{base: "http://" + addr, user: "an", pass: "mat-khau-du-dai-1"}

	office, admin, police := cfg.Audiences["office"].Emails[0], cfg.Audiences["admin"].Emails[0], cfg.Audiences["police"].Emails[0]
	var injection string
	poll.Until(t, 60*time.Second, "the injection's alert mailed to office and admin", func() (bool, string) {
		body, err := api.raw("/portals")
		if err != nil {
			return false, err.Error()
		}
		i := strings.Index(body, `href="/alerts/`)
		if !strings.Contains(body, "Liên kết ẩn") || i < 0 {
			return false, "no injection finding on /portals yet"
		}
		injection = body[i+len(`href="/alerts/`) : i+len(`href="/alerts/`)+32]
		to := map[string]bool{}
		for _, m := range catcher.Messages() {
			if slices.Contains(mailAlertIDs(t, m.Data), injection) {
				for _, r := range m.To {
					to[r] = true
				}
			}
		}
		return to[office] && to[admin], fmt.Sprintf("mailed to %v", to)
	})
	// Each portal alert reached office and admin exactly once, and not the police.
	alerts, err := api.alerts()
	if err != nil {
		t.Fatal(err)
	}
	var portalAlerts []e2e.Alert
	for _, al := range alerts {
		if strings.HasPrefix(al.ArticleID, "portal-") {
			portalAlerts = append(portalAlerts, al)
			if !slices.Equal(al.Audiences, []string{"office", "admin"}) {
				t.Errorf("alert %s routed to %v", al.ID, al.Audiences)
			}
		}
	}
	if len(portalAlerts) < 2 {
		t.Fatalf("want the missing duty's notices and the injection, got %d portal alerts", len(portalAlerts))
	}
	poll.Until(t, 30*time.Second, "every portal alert mailed", func() (bool, string) {
		got := 0
		for _, m := range catcher.Messages() {
			got += len(mailAlertIDs(t, m.Data)) * len(m.To)
		}
		return got >= 2*len(portalAlerts), fmt.Sprintf("%d deliveries", got)
	})
	e2e.CheckMailedOnceTo(t, catcher.Messages(), portalAlerts, map[string]string{"office": office, "admin": admin, "police": police})
	for _, m := range catcher.Messages() {
		if slices.Contains(m.To, police) {
			t.Errorf("the police got a portal mail: %v", mailAlertIDs(t, m.Data))
		}
	}
	page, err := api.raw("/alerts/" + injection)
	if err != nil || !strings.Contains(page, "Khác biệt giữa hai bản lưu") || !strings.Contains(page, "nhacai88.example.com") {
		t.Errorf("alert page without the diff (%v)", err)
	}
	portals, _ := api.raw("/portals")
	if !strings.Contains(portals, "Kế hoạch thông tin đối ngoại") || !strings.Contains(portals, "quá hạn") {
		t.Error("/portals does not show the missing duty")
	}
	dls, err := n.Bus().DeadLetters(ctx, 10)
	if err != nil || len(dls) != 0 {
		t.Errorf("dead letters: %v %v", dls, err)
	}
	checkReportWhileRunning(t, n, api, len(alerts))
}

// checkReportWhileRunning runs `diembao report` while the node holds the
// index and the embedded store: it reaches them over the bus, and carries
// the alert figures and the portal duties.
func checkReportWhileRunning(t *testing.T, n *node.Node, api apiClient, alertCount int) {
	t.Helper()
	cfg := n.Config()
	out := filepath.Join(t.TempDir(), "bc.xlsx")
	y := strconv.Itoa(time.Now().In(cfg.Location()).Year())
	var stdout, stderr bytes.Buffer
	b := &app{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), stdout: &stdout, stderr: &stderr,
		stdin: strings.NewReader(""), getenv: func(string) string { return "" }}
	if code := cmdReport(context.Background(), b, []string{"--year", y, "--all", "--out", out}); code != cli.ExitOK {
		t.Fatalf("report while run runs: exit %d: %s", code, stderr.String())
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("Cảnh báo", "B2"); v != strconv.Itoa(alertCount) {
		t.Errorf("report alerts %q, want the %d alerts raised", v, alertCount)
	}
	duties, _ := f.GetRows("Cổng TTĐT")
	missing := false
	for _, r := range duties {
		missing = missing || len(r) > 3 && strings.Contains(r[1], "đối ngoại") && r[3] == "Chưa đăng"
	}
	if !missing {
		t.Errorf("report duties %v: want the foreign-information plan missing", duties)
	}
	// An export is made by the running server, which holds the index: an
	// empty data dir of the command's own proves it asked the server.
	art := article.Article{V: 1, ID: "export-1", URL: "https://baothanhhoa.vn/x.htm", Source: "baothanhhoa", SourceKind: article.KindPress,
		Title: "Xuất kết quả về cổng Xuân Mầu", Body: "Cổng thông tin xã Xuân Mầu.", Revision: 1, Published: time.Now()}
	if err := n.Bus().PublishJSON(context.Background(), bus.SubjectArticles+".baothanhhoa", art.MsgID(), art); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 30*time.Second, "the article indexed", func() (bool, string) {
		r, err := api.search("Xuân Mầu")
		return err == nil && r.Total > 0, fmt.Sprint(err)
	})
	b.cfg.DataDir = t.TempDir()
	b.cfg.HTTP.BaseURL = api.base
	b.getenv = func(k string) string {
		return map[string]string{"DIEMBAO_USER": api.user, "DIEMBAO_PASSWORD": api.pass}[k]
	}
	csvOut := filepath.Join(t.TempDir(), "kq.csv")
	stderr.Reset()
	if code := cmdSearch(context.Background(), b, []string{"--format", "csv", "--out", csvOut, "Xuân Mầu"}); code != cli.ExitOK {
		t.Fatalf("search export while run runs: exit %d: %s", code, stderr.String())
	}
	if data, err := os.ReadFile(csvOut); err != nil || !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) || !strings.Contains(stderr.String(), "đã ghi 1 kết quả") {
		t.Errorf("export: %v, %q", err, stderr.String())
	}
}
