package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/diembao/diembao/crawler/sourcestore"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/browsertest"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/internal/poll"
	"github.com/diembao/diembao/internal/textnorm"
	"github.com/diembao/diembao/internal/web"
)

// TestBrowserSourceEditor runs the whole node in process (embedded NATS,
// crawler, index, web UI) with a seed of one quiet loopback feed, and drives
// the Sources page in headless Chromium: an admin adds a source for the
// sample press site, previews it (real extracted titles, nothing saved),
// saves it, and sees it listed; the running crawler then crawls it without
// a restart (its articles become searchable); disabling it and the history
// page work too. Screenshots at 1400 and 390 px go to the test's folder
// (or $DIEMBAO_SCREENSHOTS).
func TestBrowserSourceEditor(t *testing.T) {
	if _, err := os.Stat(browsertest.ChromiumPath); err != nil {
		t.Skipf("browser tests need Chromium at %s (Debian: apt-get install -y chromium): %v", browsertest.ChromiumPath, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	shotsDir := dir
	if d := os.Getenv("DIEMBAO_SCREENSHOTS"); d != "" {
		shotsDir = d
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	site, err := demosite.StartOptions(ctx, "127.0.0.1:0", demosite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { site.Close() })
	// The seed: one loopback feed with no items (allow_private in the seed
	// is what lets the UI add loopback sources).
	quiet := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			io.WriteString(w, "User-agent: *\nAllow: /\n")
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Trống</title></channel></rss>`)
	}))
	t.Cleanup(quiet.Close)
	sources := filepath.Join(dir, "sources.yaml")
	writeTestFile(t, sources, fmt.Sprintf("sources:\n  - id: yenlang\n    name: Bản tin Yên Lặng\n    feeds: [%q]\n    interval: 1h\n    delay: 1ms\n    allow_private: true\n", quiet.URL+"/rss.xml"))

	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Sources = sources
	cfg.HTTP.Listen = "127.0.0.1:0"
	a := testApp(t, cfg) // its log is shown (the tail) only when the test fails
	n, err := node.Open(ctx, a.env(), node.AllRoles(), "")
	if err != nil {
		t.Fatal(err)
	}
	const user, password = "quantri", "ngua-dung-pin-kep-giay"
	accounts, err := n.KV(ctx, node.BucketAccounts)
	if err != nil {
		n.Bus().Close()
		t.Fatal(err)
	}
	if err := web.NewAccounts(accounts).Add(ctx, user, web.RoleAdmin, password); err != nil {
		n.Bus().Close()
		t.Fatal(err)
	}
	bucket, err := n.Bus().KVHistory(ctx, node.BucketSources, sourcestore.History)
	if err != nil {
		n.Bus().Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	stopped := false
	t.Cleanup(func() {
		if stopped {
			return
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v after cancel", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("run did not return within 30s of cancel")
		}
	})
	var addr string
	select {
	case addr = <-n.HTTPReady():
	case err := <-done:
		stopped = true
		t.Fatalf("run returned before the web server listened: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the web server did not listen within 30s")
	}
	base := "http://" + addr
	api := apiClient{base: base, user: user, pass: password}

	bctx := browsertest.Start(t, nil)
	e2eDo(t, bctx,
		chromedp.EmulateViewport(1400, 900),
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), user),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.Navigate(base+"/sources"),
		chromedp.WaitVisible(chromedp.ID("source-yenlang")),
	)
	sourceShots(t, bctx, shotsDir, base+"/sources", "sources-before")
	e2eDo(t, bctx,
		chromedp.Click(chromedp.ID("source-add")),
		chromedp.WaitVisible(chromedp.ID("f-id")),
		chromedp.SendKeys(chromedp.ID("f-id"), "mau"),
		chromedp.SendKeys(chromedp.ID("f-name"), "Báo Tin Mẫu"),
		chromedp.SendKeys(chromedp.ID("f-feeds"), site.URL()+"/rss/home.rss"),
		chromedp.SetValue(chromedp.ID("f-interval"), "1h"),
		chromedp.SetValue(chromedp.ID("f-delay"), "5ms"),
		chromedp.Click(chromedp.ID("f-allow-private")),
		chromedp.SendKeys(chromedp.ID("f-note"), "thêm trang mẫu để thử"),
		chromedp.SendKeys(chromedp.ID("f-listings"), site.URL()+"/thoi-su (bai"),
		chromedp.Click(chromedp.ID("source-preview")),
		chromedp.WaitVisible(chromedp.ID("err-listings")),
	)
	// A bad link pattern is named on its field, in Vietnamese, and the rest
	// of the form is kept.
	if msg := e2eRun(t, bctx, chromedp.Text(chromedp.ID("err-listings"))); !strings.Contains(msg, "không phải biểu thức chính quy hợp lệ") {
		t.Errorf("listing error %q", msg)
	}
	if on := e2eRun(t, bctx, chromedp.Evaluate[bool](`document.getElementById("f-allow-private").checked && document.getElementById("f-id").value === "mau"`)); !on {
		t.Error("the form lost its values after an error")
	}
	e2eRun(t, bctx, chromedp.Evaluate[bool](`(document.getElementById("f-listings").value = "", true)`))
	e2eDo(t, bctx,
		chromedp.Click(chromedp.ID("source-preview")),
		chromedp.WaitVisible(chromedp.ID("preview")),
	)
	// The preview shows titles the sample site really serves, with dates
	// and where they came from, and saves nothing.
	titles := e2eRun(t, bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".preview-title")).map(h => h.textContent)`))
	served := map[string]bool{}
	for _, it := range site.Articles() {
		served[textnorm.Normalize(it.Title)] = true
	}
	if len(titles) == 0 {
		t.Fatalf("preview shows no article: %s", e2eRun(t, bctx, chromedp.Text(chromedp.ID("preview"))))
	}
	for _, ti := range titles {
		if !served[ti] {
			t.Errorf("preview title %q is not a title the site serves", ti)
		}
	}
	if txt := e2eRun(t, bctx, chromedp.Text(chromedp.ID("preview"))); !strings.Contains(txt, "lấy từ") || !strings.Contains(txt, "Tìm thấy") {
		t.Errorf("preview lacks dates or counts: %s", txt)
	}
	if v := e2eRun(t, bctx, chromedp.Evaluate[string](`document.getElementById("f-feeds").value`)); v != site.URL()+"/rss/home.rss" {
		t.Errorf("the form lost its feed after the preview: %q", v)
	}
	if _, err := bucket.Get(ctx, "mau"); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("preview stored the source: %v", err)
	}
	sourceShots(t, bctx, shotsDir, "", "source-preview")

	e2eDo(t, bctx,
		chromedp.Click(chromedp.ID("source-save")),
		chromedp.WaitVisible(chromedp.ID("source-saved")),
		chromedp.WaitVisible(chromedp.ID("source-mau")),
	)
	if row := e2eRun(t, bctx, chromedp.Text(chromedp.ID("source-mau"))); !strings.Contains(row, "Báo Tin Mẫu") || !strings.Contains(row, "thêm trên giao diện") {
		t.Errorf("new source row: %q", row)
	}
	// The running crawler picks the source up: its articles reach the index.
	poll.Until(t, 60*time.Second, "an article of the new source in the index", func() (bool, string) {
		var res indexer.Result
		err := api.get("/api/search?size=5&source=mau&q="+url.QueryEscape(titles[0]), &res)
		return err == nil && res.Total > 0 && res.Hits[0].Source == "mau", fmt.Sprintf("%+v, %v", res, err)
	})

	// Disable, then the history lists both revisions with their changes.
	e2eDo(t, bctx,
		chromedp.Navigate(base+"/sources"),
		chromedp.WaitVisible(chromedp.ID("disable-mau")),
		chromedp.Click(chromedp.ID("disable-mau")),
		chromedp.WaitVisible(chromedp.ID("enable-mau")),
	)
	if st := e2eRun(t, bctx, chromedp.Text(chromedp.CSS("#source-mau .state"))); st != "Đã tắt" {
		t.Errorf("disabled source state %q", st)
	}
	sourceShots(t, bctx, shotsDir, base+"/sources", "sources-after")
	e2eDo(t, bctx,
		chromedp.Click(chromedp.ID("history-mau")),
		chromedp.WaitVisible(chromedp.CSS(".src-history")),
	)
	hist := e2eRun(t, bctx, chromedp.Text(chromedp.CSS(".src-history")))
	for _, want := range []string{"Tắt", "Thêm nguồn", user, "thêm trang mẫu để thử", "đang thu", "đã tắt"} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q: %s", want, hist)
		}
	}
	sourceShots(t, bctx, shotsDir, "", "source-history")
}

// sourceShots saves full-page PNGs of url (the current page when empty) at
// 1400 px and 390 px wide, and fails when the page scrolls sideways on a
// phone.
func sourceShots(t *testing.T, ctx context.Context, dir, url, name string) {
	t.Helper()
	for _, w := range []int64{1400, 390} {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
		if w < 700 {
			opts = append(opts, chromedp.EmulateMobile)
		}
		e2eDo(t, ctx, chromedp.EmulateViewport(w, 900, opts...))
		if url != "" {
			e2eDo(t, ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("footer")))
		}
		width := e2eRun(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		buf := e2eRun(t, ctx, chromedp.FullScreenshot(100))
		path := filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w))
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", path)
		if int64(width) > w {
			t.Errorf("%s is %d px wide in a %d px window", name, width, w)
		}
	}
	e2eDo(t, ctx, chromedp.EmulateViewport(1400, 900))
}
