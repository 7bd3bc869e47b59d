package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/diembao/diembao/internal/browsertest"
	"github.com/diembao/diembao/internal/cases"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/mailcatcher"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/internal/poll"
	"github.com/diembao/diembao/internal/web"
)

// outlet is a second press site on loopback ("localhost", so the crawler
// tells it from the sample site): its feed lists a reprint of the sample
// site's false-report article only once reprint is set, and it serves a
// post that is handed in by hand.
type outlet struct {
	srv     *httptest.Server
	reprint atomic.Bool
	page    []byte // the reprint's HTML
	path    string
}

func newOutlet(t *testing.T, site *demosite.Site, it demosite.Item) *outlet {
	t.Helper()
	resp, err := http.Get(site.URL() + it.Path)
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	o := &outlet{path: it.Path}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/rss.xml":
			w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
			items := ""
			if o.reprint.Load() {
				items = fmt.Sprintf("<item><title>Đăng lại: cửa khẩu Khẹo</title><link>%s%s</link><pubDate>%s</pubDate></item>",
					o.base(), o.path, time.Now().Format(time.RFC1123Z))
			}
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Báo Khác</title><link>%s/</link>%s</channel></rss>`, o.base(), items)
		case o.path:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(o.page)
		case "/bai-dang-mxh.htm":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bài đăng</title></head><body><article><h1>Nóng: đóng cửa khẩu</h1>
<p>Cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn, người dân không được qua lại. Bà con tích trữ hàng hóa ngay kẻo không kịp, biên giới đã bị phong tỏa hoàn toàn từ sáng nay.</p></article></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(o.srv.Close)
	// The reprint: the same page, every link to the sample site rewritten
	// to this outlet (so its canonical URL, hence its id, differ).
	o.page = bytes.ReplaceAll(orig, []byte(site.URL()), []byte(o.base()))
	return o
}

func (o *outlet) base() string { return strings.Replace(o.srv.URL, "127.0.0.1", "localhost", 1) }

// TestBrowserCaseFlow walks a case in Chromium from an alert to its close:
// open it from the alert, add a URL by hand, watch a reprint on a second
// outlet attach itself, verify, respond, report, generate the documents
// (PDF and DOCX text checked), close; refused inputs show their message.
func TestBrowserCaseFlow(t *testing.T) {
	if _, err := os.Stat(browsertest.ChromiumPath); err != nil {
		t.Skipf("browser tests need Chromium at %s (Debian: apt-get install -y chromium): %v", browsertest.ChromiumPath, err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("the case browser test reads PDFs with pdftotext (poppler-utils); .ci/run installs it")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	site, err := demosite.StartOptions(ctx, "127.0.0.1:0", demosite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { site.Close() })
	var story demosite.Item
	for _, it := range site.Articles() {
		if it.ID == "240116" { // "Thông tin đóng cửa khẩu Khẹo là sai sự thật"
			story = it
		}
	}
	if story.ID == "" {
		t.Fatal("the sample site has no false-report story 240116")
	}
	out := newOutlet(t, site, story)
	catcher, err := mailcatcher.New(mailcatcher.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { catcher.Close() })

	sources := filepath.Join(dir, "sources.yaml")
	writeTestFile(t, sources, strings.ReplaceAll(demosite.DemoSources(site.URL()), "delay: 50ms", "delay: 1ms")+
		fmt.Sprintf("  - {id: baokhac, name: Báo Khác, kind: press, feeds: [%q], interval: 2s, delay: 1ms, allow_private: true}\n", out.base()+"/rss.xml"))
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Sources = sources
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.SMTP = config.SMTP{Host: catcher.Host(), Port: catcher.Port(), TLS: "none", From: "diembao@localhost"}
	cfg.Alerts.GroupWait = config.Duration(200 * time.Millisecond)
	a := testApp(t, cfg) // its log is shown (the tail) only when the test fails
	n, err := node.Open(ctx, a.env(), node.AllRoles(), "")
	if err != nil {
		t.Fatal(err)
	}
	const user, password = "lan", "ngua-dung-pin-kep-giay"
	accounts, err := n.KV(ctx, node.BucketAccounts)
	if err == nil {
		err = web.NewAccounts(accounts).Add(ctx, user, web.RoleAnalyst, password)
	}
	if err != nil {
		n.Bus().Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Errorf("run did not return within 30s of cancel")
		}
	})
	var addr string
	select {
	case addr = <-n.HTTPReady():
	case err := <-done:
		t.Fatalf("run returned before the web server listened: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the web server did not listen within 30s")
	}
	base := "http://" + addr
	api := apiClient{base: base, user: user, pass: password}
	storyURL := site.URL() + story.Path
	var alertID string
	poll.Until(t, 60*time.Second, "an alert for the false-report story", func() (bool, string) {
		list, err := api.alerts()
		if err != nil {
			return false, err.Error()
		}
		for _, al := range list {
			if al.URL == storyURL {
				alertID = al.ID
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d alerts", len(list))
	})

	t.Logf("pipeline ready: alert %s", alertID)
	// Two browser sessions (each has browsertest's time limit, which a
	// loaded machine under -race could exceed for the whole walk): the first
	// opens the case and watches it spread, the second handles it to the end.
	var bctx context.Context
	var browserStart time.Time
	login := func() {
		t.Helper()
		bctx, browserStart = browsertest.Start(t, nil), time.Now()
		e2eDo(t, bctx,
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.ID("user")),
			chromedp.SendKeys(chromedp.ID("user"), user),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.ID("login")),
			chromedp.WaitVisible(chromedp.ID("q")),
		)
	}
	shot := func(name string) chromedp.Action[chromedp.Void] { return browsertest.Screenshot(t, "cases", name) }
	login()
	e2eDo(t, bctx,
		// 1. Open the case from the alert.
		chromedp.Navigate(base+"/alerts/"+alertID),
		chromedp.Click(chromedp.ID("open-case-from-alert")),
		chromedp.WaitVisible(chromedp.ID("claim")),
		chromedp.SendKeys(chromedp.ID("claim"), "Cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn, người dân không được qua lại"),
		shot("01-open-from-alert"),
		chromedp.Click(chromedp.ID("open-case")),
		chromedp.WaitVisible(chromedp.CSS(`#case-status[data-status="received"]`)),
	)
	caseID := strings.TrimPrefix(e2eRun(t, bctx, chromedp.Evaluate[string](`location.pathname`)), "/cases/")
	getCase := func() cases.Case {
		t.Helper()
		var c cases.Case
		if err := api.get("/api/cases/"+caseID, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := getCase(); len(c.Items) != 1 || c.Items[0].Kind != cases.KindOrigin || c.Items[0].AlertID != alertID {
		t.Fatalf("opened case %s: %+v", caseID, c.Items)
	}

	lap := func(what string) { t.Logf("%s at %s", what, time.Since(browserStart).Round(100*time.Millisecond)) }
	lap("opened")
	// 2. Add a URL by hand: fetched once, its saved copy kept with its hash.
	postURL := out.base() + "/bai-dang-mxh.htm"
	e2eDo(t, bctx,
		chromedp.SendKeys(chromedp.ID("item-url"), postURL),
		chromedp.Click(chromedp.ID("add-item")),
		chromedp.WaitVisible(chromedp.CSS("tr.kind-manual")),
		shot("02-url-added"),
	)
	c := getCase()
	if len(c.Items) != 2 || c.Items[1].URL != postURL || len(c.Items[1].Evidence) != 64 || len(c.Evidence) != 1 {
		t.Fatalf("hand-added item: %+v, evidence %+v", c.Items, c.Evidence)
	}
	// The saved copy downloads with its hash.
	if saved, err := api.raw("/cases/" + caseID + "/evidence/" + c.Evidence[0].SHA256); err != nil || !strings.Contains(saved, "tích trữ hàng hóa") {
		t.Errorf("saved copy: %v", err)
	}

	lap("url added")
	// Refused inputs, shown on the page: the same URL again, a private
	// address, a move that skips steps without a reason.
	e2eDo(t, bctx,
		chromedp.SendKeys(chromedp.ID("item-url"), postURL),
		chromedp.Click(chromedp.ID("add-item")),
		chromedp.WaitVisible(chromedp.ID("case-error")),
	)
	if msg := e2eRun(t, bctx, chromedp.Text(chromedp.ID("case-error"))); !strings.Contains(msg, "đã có trong vụ việc") {
		t.Errorf("duplicate URL message %q", msg)
	}
	e2eDo(t, bctx,
		chromedp.Navigate(base+"/cases"),
		chromedp.SendKeys(chromedp.ID("claim"), "thử"),
		chromedp.SendKeys(chromedp.ID("intake-url"), "http://10.0.0.1/noi-bo"),
		chromedp.Click(chromedp.ID("open-case")),
		chromedp.WaitVisible(chromedp.ID("case-error")),
	)
	if msg := e2eRun(t, bctx, chromedp.Text(chromedp.ID("case-error"))); !strings.Contains(msg, "private") {
		t.Errorf("private URL message %q", msg)
	}
	move := func(status, verdict, note string) {
		t.Helper()
		// The browser is on the case page: every action redirects back to it.
		e2eDo(t, bctx,
			chromedp.WaitVisible(chromedp.ID("move-status")),
			chromedp.SetValue(chromedp.ID("move-status"), status),
			chromedp.SetValue(chromedp.ID("move-verdict"), verdict),
			chromedp.SendKeys(chromedp.ID("move-note"), note),
			chromedp.Click(chromedp.ID("move")),
		)
	}
	e2eDo(t, bctx, chromedp.Navigate(base+"/cases/"+caseID))
	move(cases.StatusReported, "", "")
	e2eDo(t, bctx, chromedp.WaitVisible(chromedp.ID("case-error")))
	if msg := e2eRun(t, bctx, chromedp.Text(chromedp.ID("case-error"))); !strings.Contains(msg, "bỏ qua bước cần ghi lý do") {
		t.Errorf("skipping move message %q", msg)
	}

	lap("refusals")
	// 3. A reprint appears on the second outlet and attaches itself.
	out.reprint.Store(true)
	poll.Until(t, 60*time.Second, "the reprint attached", func() (bool, string) {
		for _, it := range getCase().Items {
			if it.URL == out.base()+story.Path {
				return it.Kind == cases.KindReprint && it.Source == "baokhac", "attached as " + it.Kind + " from " + it.Source
			}
		}
		return false, "not attached"
	})
	poll.Until(t, 30*time.Second, "the owner's notice mailed", func() (bool, string) {
		for _, m := range catcher.Messages() {
			if strings.Contains(m.MessageID, "case-"+caseID+"-item-") {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d mails", len(catcher.Messages()))
	})
	e2eDo(t, bctx, chromedp.Navigate(base+"/cases/"+caseID), chromedp.WaitVisible(chromedp.ID("timeline")), shot("03-reprint"))
	if tl := e2eRun(t, bctx, chromedp.Text(chromedp.ID("timeline"))); !strings.Contains(tl, "Xuất hiện đầu tiên") || !strings.Contains(tl, "Đăng lại") {
		t.Errorf("timeline %q", tl)
	}

	lap("reprint attached")
	// The case rule, backtested on the archive like `rules check --archive`:
	// the sample site's story and the reprint match it.
	e2eDo(t, bctx, chromedp.Click(chromedp.ID("backtest")), chromedp.WaitVisible(chromedp.ID("backtest-result")))
	if res := e2eRun(t, bctx, chromedp.Text(chromedp.ID("backtest-result"))); !strings.Contains(res, story.Path) {
		t.Errorf("backtest result %q lacks the story", res)
	}

	lap("backtest")
	// 4. Verify, respond (with the clarification), report, close.
	login()
	e2eDo(t, bctx, chromedp.Navigate(base+"/cases/"+caseID))
	move(cases.StatusVerifying, "", "bắt đầu xác minh")
	e2eDo(t, bctx, chromedp.WaitVisible(chromedp.CSS(`#case-status[data-status="verifying"]`)))
	move(cases.StatusVerified, cases.VerdictFalse, "Đồn Biên phòng Bát Mọt xác nhận cửa khẩu hoạt động bình thường")
	e2eDo(t, bctx, chromedp.WaitVisible(chromedp.CSS(`#case-status[data-status="verified"]`)),
		chromedp.SendKeys(chromedp.ID("clar-input"), "Cửa khẩu phụ Khẹo vẫn hoạt động bình thường; hình ảnh được chụp từ nhiều năm trước."),
		chromedp.SendKeys(chromedp.ID("published-url"), "https://thuongxuan.thanhhoa.gov.vn/lam-ro-cua-khau-kheo"),
		chromedp.SendKeys(chromedp.ID("contact-agency"), "Báo Khác"),
		chromedp.SendKeys(chromedp.ID("report-number"), "12"),
		chromedp.Click(chromedp.ID("save-case")),
		chromedp.WaitVisible(chromedp.ID("case-saved")),
	)
	move(cases.StatusResponded, "", "đã gửi công văn và đăng tải làm rõ")
	e2eDo(t, bctx, chromedp.WaitVisible(chromedp.CSS(`#case-status[data-status="responded"]`)))
	move(cases.StatusReported, "", "đã báo cáo tỉnh")
	e2eDo(t, bctx, chromedp.WaitVisible(chromedp.CSS(`#case-status[data-status="reported"]`)), shot("04-reported"))

	// 5. The documents, linked from the page.
	for _, id := range []string{"doc-response-pdf", "doc-response-docx", "doc-report-pdf", "doc-report-docx", "doc-claimreview"} {
		if n := e2eRun(t, bctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll("#%s").length`, id))); n != 1 {
			t.Errorf("no link #%s", id)
		}
	}
	claim := "Cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn"
	docs := map[string][]string{
		"response.pdf":  {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "V/v làm rõ thông tin sai sự thật", "Kính gửi", "Báo Khác", claim, "Nơi nhận"},
		"response.docx": {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "V/v làm rõ thông tin sai sự thật", "Kính gửi", claim},
		"report.pdf":    {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO", "Số: 12/BC-UBND", "I. TÌNH HÌNH", "II. KẾT QUẢ XÁC MINH", "III. KẾT QUẢ XỬ LÝ", claim},
		"report.docx":   {"BÁO CÁO", "I. TÌNH HÌNH", "III. KẾT QUẢ XỬ LÝ", claim},
	}
	// The documents are generated on the server while the browser goes on
	// to close the case (PDF rendering is the slow part, under -race most).
	type fetched struct {
		file, body string
		err        error
	}
	results := make(chan fetched, len(docs)+1)
	for _, file := range append(slices.Collect(maps.Keys(docs)), "claimreview.html") {
		go func() {
			body, err := api.raw("/cases/" + caseID + "/doc/" + file)
			results <- fetched{file, body, err}
		}()
	}
	move(cases.StatusClosed, "", "đã xử lý xong")
	e2eDo(t, bctx, chromedp.WaitVisible(chromedp.CSS(`#case-status[data-status="closed"]`)), shot("05-closed"))
	lap("closed")
	for range len(docs) + 1 {
		r := <-results
		if r.err != nil {
			t.Fatalf("%s: %v", r.file, r.err)
		}
		var text string
		switch {
		case r.file == "claimreview.html":
			if !strings.Contains(r.body, `"ClaimReview"`) || !strings.Contains(r.body, "Sai sự thật") {
				t.Errorf("claimreview.html: %.300s", r.body)
			}
			continue
		case strings.HasSuffix(r.file, ".pdf"):
			text = pdfText(t, []byte(r.body))
		default:
			text = docxText(t, []byte(r.body))
		}
		flat := strings.Join(strings.Fields(text), " ")
		for _, w := range docs[r.file] {
			if !strings.Contains(flat, w) {
				t.Errorf("%s lacks %q", r.file, w)
			}
		}
	}
	lap("documents checked")
	c = getCase()
	var path []string
	for _, e := range c.History {
		if e.Action == "move" {
			path = append(path, e.To)
			if e.By != user || e.Note == "" {
				t.Errorf("history entry %+v lacks who or note", e)
			}
		}
	}
	if got := strings.Join(path, ","); got != "verifying,verified,responded,reported,closed" {
		t.Errorf("moves %s", got)
	}
}

var xmlTagRE = regexp.MustCompile(`<[^>]+>`)

func docxText(t *testing.T, docx []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatalf("docx: %v", err)
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			s := strings.ReplaceAll(string(b), "</w:p>", "\n")
			return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`).Replace(xmlTagRE.ReplaceAllString(s, ""))
		}
	}
	t.Fatal("docx without word/document.xml")
	return ""
}
