package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/diembao/diembao/internal/browsertest"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/mailcatcher"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/internal/poll"
	"github.com/diembao/diembao/internal/web"
)

// e2eXSSTrap runs in every document before the page's own scripts (it is
// injected by the DevTools protocol, so the page's CSP does not stop it).
// Any payload that manages to call alert, confirm, prompt or print leaves
// its argument in window.__xss instead of opening a dialog; a payload that
// sets window.__xss itself is caught too.
const e2eXSSTrap = `(() => {
  const trap = (name) => function () {
    (window.__xss = window.__xss || []).push(name + ":" + Array.from(arguments).join(","));
  };
  for (const f of ["alert", "confirm", "prompt", "print"]) window[f] = trap(f);
})();`

// TestBrowserEndToEnd runs the whole node in process (embedded NATS, Bleve,
// rules, notifier, web UI) against the sample site with its hostile article
// and a mail catcher, then drives the UI in headless Chromium: log in,
// search without diacritics, open an article, check that the hostile
// article's payloads stay inert on every page that shows it, acknowledge an
// alert and see it acknowledged after a reload. Screenshots go to
// testartifacts/e2e/.
func TestBrowserEndToEnd(t *testing.T) {
	if _, err := os.Stat(browsertest.ChromiumPath); err != nil {
		t.Skipf("browser tests need Chromium at %s (Debian: apt-get install -y chromium): %v", browsertest.ChromiumPath, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()

	site, err := demosite.StartOptions(ctx, "127.0.0.1:0", demosite.Options{Hostile: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { site.Close() })
	var hostile demosite.Item
	for _, it := range site.Articles() {
		if it.Hostile {
			hostile = it
		}
	}
	if hostile.ID == "" {
		t.Fatal("the sample site serves no hostile article")
	}
	catcher, err := mailcatcher.New(mailcatcher.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { catcher.Close() })

	sources := filepath.Join(dir, "sources.yaml")
	writeTestFile(t, sources, strings.ReplaceAll(demosite.DemoSources(site.URL()), "delay: 50ms", "delay: 1ms"))
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
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v after cancel", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("run did not return within 30s of cancel")
		}
	}
	t.Cleanup(stop) // also on t.Fatal

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

	// Wait until the pipeline has done its work: the hostile article is in
	// the index and alerted, and at least one alert is recorded.
	hostileURL := site.URL() + hostile.Path
	var hostileID string
	poll.Until(t, 45*time.Second, "the hostile article indexed", func() (bool, string) {
		r, err := api.search("Bát Mọt")
		if err != nil {
			return false, err.Error()
		}
		for _, h := range r.Hits {
			if h.URL == hostileURL {
				hostileID = h.ID
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d hits, none at %s", r.Total, hostileURL)
	})
	var alertCount int
	poll.Until(t, 45*time.Second, "an alert for the hostile article", func() (bool, string) {
		list, err := api.alerts()
		if err != nil {
			return false, err.Error()
		}
		alertCount = len(list)
		for _, al := range list {
			if al.ArticleID == hostileID {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d alerts, none for %s", len(list), hostileID)
	})
	t.Logf("pipeline ready: hostile article %s, %d alerts", hostileID, alertCount)

	// The browser, with a listener that records every sign of a payload:
	// dialogs, console calls, uncaught exceptions, and requests to any host
	// but the UI's (the sample site, the payloads' 127.0.0.1:9, evil hosts).
	var mu sync.Mutex
	var events []string
	record := func(s string) {
		mu.Lock()
		events = append(events, s)
		mu.Unlock()
	}
	bctx := e2eBrowser(t, func(ev any) {
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			record("dialog: " + ev.Message)
		case *runtime.EventConsoleAPICalled:
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value))
			}
			record(fmt.Sprintf("console.%s(%s)", ev.Type, strings.Join(args, ", ")))
		case *cdplog.EventEntryAdded:
			// CSP violations, blocked loads, errors: escaping must leave
			// nothing for the policy to block. The browser's own request
			// for /favicon.ico (the UI serves none) is not a payload.
			if ev.Entry.Source == cdplog.EntrySourceNetwork && ev.Entry.URL == "http://"+addr+"/favicon.ico" {
				return
			}
			record(fmt.Sprintf("browser log (%s, %s): %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
		case *runtime.EventExceptionThrown:
			record("exception: " + ev.ExceptionDetails.Text)
		case *network.EventRequestWillBeSent:
			if foreignRequest(ev.Request.URL, addr) {
				record("request: " + ev.Request.URL)
			}
		}
	})
	// A dialog would block the page: dismiss it (it is recorded above).
	dialogs := chromedp.Events(bctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	if _, err := chromedp.Call(bctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enable the Log domain: %v", err)
	}
	if _, err := chromedp.Call(bctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: e2eXSSTrap}); err != nil {
		t.Fatalf("install the XSS trap: %v", err)
	}
	noPayloadRan := func(where string) {
		t.Helper()
		raw := e2eRun(t, bctx, chromedp.Evaluate[[]byte](`window.__xss === undefined ? null : window.__xss`))
		if string(raw) != "null" {
			t.Errorf("%s: a payload ran, window.__xss = %s", where, raw)
		}
		if body := e2eRun(t, bctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`)); strings.TrimSpace(body) == "hacked" {
			t.Errorf("%s: a payload replaced the page body", where)
		}
	}

	// Log in through /login.
	e2eDo(t, bctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), user),
		chromedp.SendKeys(chromedp.ID("password"), password),
		e2eShot(t, "01-login"),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("q")),
	)
	if who := e2eRun(t, bctx, chromedp.Text(chromedp.ID("who"))); !strings.Contains(who, user) {
		t.Errorf("signed in as %q, want %q", who, user)
	}

	// Search without diacritics: a highlighted snippet shows "biên giới".
	e2eDo(t, bctx,
		chromedp.SendKeys(chromedp.ID("q"), "bien gioi"),
		chromedp.Click(chromedp.ID("search")),
		chromedp.WaitVisible(chromedp.CSS(".hit-title")),
		e2eShot(t, "02-search-bien-gioi"),
	)
	if summary := e2eRun(t, bctx, chromedp.Text(chromedp.ID("summary"))); !strings.Contains(summary, "kết quả") {
		t.Errorf("search summary %q", summary)
	}
	// The index of the first hit whose snippet has a <mark> and reads
	// "biên giới", or -1.
	hitIdx := e2eRun(t, bctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("li.hit")).findIndex(li => {
		const s = li.querySelector(".snippet");
		return s && s.querySelector("mark") && s.textContent.normalize("NFC").toLowerCase().includes("biên giới");
	})`))
	if hitIdx < 0 {
		snips := e2eRun(t, bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".snippet")).map(s => s.innerHTML)`))
		t.Fatalf(`no hit for "bien gioi" has a highlighted snippet with "biên giới"; snippets: %q`, snips)
	}
	marks := e2eRun(t, bctx, chromedp.Evaluate[[]string](fmt.Sprintf(
		`Array.from(document.querySelectorAll("li.hit")[%d].querySelectorAll(".snippet mark")).map(m => m.textContent.normalize("NFC").toLowerCase())`, hitIdx)))
	if !strings.Contains(strings.Join(marks, " "), "biên") || !strings.Contains(strings.Join(marks, " "), "giới") {
		t.Errorf("highlighted terms %q do not cover biên giới", marks)
	}
	noPayloadRan("search bien gioi")

	// Open that article: its page shows the matched terms highlighted.
	hitTitle := e2eRun(t, bctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelectorAll("li.hit")[%d].querySelector(".hit-title").textContent`, hitIdx)))
	e2eDo(t, bctx,
		chromedp.Click(chromedp.CSS(fmt.Sprintf("li.hit:nth-child(%d) .hit-title", hitIdx+1))),
		chromedp.WaitVisible(chromedp.ID("article-title")),
		e2eShot(t, "03-article"),
	)
	if title := e2eRun(t, bctx, chromedp.Text(chromedp.ID("article-title"))); strings.TrimSpace(title) != strings.TrimSpace(hitTitle) {
		t.Errorf("opened %q, clicked %q", title, hitTitle)
	}
	if n := e2eRun(t, bctx, chromedp.Evaluate[int](`document.querySelectorAll("#article-body mark").length`)); n == 0 {
		body := e2eRun(t, bctx, chromedp.InnerHTML(chromedp.ID("article-body")))
		t.Errorf("article body has no highlighted term: %.500s", body)
	}
	noPayloadRan("article page")

	// The hostile article in the search results: its title is shown as text.
	e2eDo(t, bctx,
		chromedp.Navigate(base+"/?q="+url.QueryEscape("Bát Mọt")),
		chromedp.WaitVisible(chromedp.CSS(".hit-title")),
		e2eShot(t, "04-hostile-search"),
	)
	titles := e2eRun(t, bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".hit-title")).map(a => a.textContent)`))
	if !strings.Contains(strings.Join(titles, "\n"), "<script>alert('tieu-de')</script>") {
		t.Errorf("the hostile title is not shown as text among the hits: %q", titles)
	}
	noPayloadRan("search results with the hostile article")

	// The hostile article's page, its saved copy in the sandboxed frame, and
	// the saved copy on its own.
	e2eDo(t, bctx,
		chromedp.Navigate(base+"/articles/"+hostileID),
		chromedp.WaitVisible(chromedp.ID("article-title")),
		e2eShot(t, "05-hostile-article"),
	)
	if title := e2eRun(t, bctx, chromedp.Text(chromedp.ID("article-title"))); !strings.Contains(title, "<img src=x onerror=alert('title')>") {
		t.Errorf("hostile article title not shown as text: %q", title)
	}
	if n := e2eRun(t, bctx, chromedp.Evaluate[int](`document.querySelectorAll("#article-body script, #article-body img, #article-body iframe, #article-body svg, #article-body [onerror], #article-body [onclick], #article-body a[href^='javascript' i]").length`)); n != 0 {
		body := e2eRun(t, bctx, chromedp.InnerHTML(chromedp.ID("article-body")))
		t.Errorf("hostile article body keeps %d active elements: %.1000s", n, body)
	}
	noPayloadRan("hostile article page")
	if hasSaved := e2eRun(t, bctx, chromedp.Evaluate[bool](`document.getElementById("open-saved") !== null`)); hasSaved {
		e2eDo(t, bctx,
			chromedp.Navigate(base+"/articles/"+hostileID+"?saved=1"),
			chromedp.WaitVisible(chromedp.CSS("#saved iframe")),
			e2eShot(t, "06-hostile-saved-frame"),
		)
		if sb := e2eRun(t, bctx, chromedp.Evaluate[string](`document.querySelector("#saved iframe").getAttribute("sandbox")`)); sb != "" {
			t.Errorf("saved-copy iframe sandbox = %q, want empty (everything forbidden)", sb)
		}
		noPayloadRan("hostile article with its saved copy")
		src := e2eRun(t, bctx, chromedp.Evaluate[string](`document.querySelector("#saved iframe").getAttribute("src")`))
		e2eDo(t, bctx,
			chromedp.Navigate(base+src),
			chromedp.WaitReady(chromedp.CSS("body")),
			e2eShot(t, "07-hostile-saved-copy"),
		)
		noPayloadRan("hostile saved copy")
	} else {
		t.Logf("the hostile article has no saved copy link; saved copy not checked")
	}

	// The alerts inbox also shows the hostile alert; acknowledge one alert
	// (not the hostile one, whose title we do not want in a selector) with a
	// note, reload, and see it acknowledged.
	const note = "đã chuyển lãnh đạo xem"
	e2eDo(t, bctx,
		chromedp.Navigate(base+"/alerts"),
		chromedp.WaitVisible(chromedp.CSS("ul.alerts")),
		e2eShot(t, "08-alerts"),
	)
	noPayloadRan("alerts inbox")
	alertID := e2eRun(t, bctx, chromedp.Evaluate[string](`(() => {
		const li = document.querySelector("li.alert:not(.acked) input.sel");
		return li ? li.closest("li.alert").id.replace(/^alert-/, "") : "";
	})()`))
	if alertID == "" {
		t.Fatal("no unacknowledged alert to select in /alerts")
	}
	li := "#alert-" + alertID
	// The inbox acknowledges the selected alerts with one note.
	e2eDo(t, bctx,
		chromedp.Click(chromedp.CSS(li+" input.sel")),
		chromedp.SendKeys(chromedp.ID("bulk-note"), note),
		chromedp.Click(chromedp.ID("ack-selected")),
		chromedp.WaitVisible(chromedp.ID("acked-notice")),
		chromedp.WaitVisible(chromedp.CSS(li+" .ackinfo")),
	)
	ackBefore := e2eRun(t, bctx, chromedp.Text(chromedp.CSS(li+" .ackinfo")))
	e2eDo(t, bctx,
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(li+" .ackinfo")),
		e2eShot(t, "09-alert-acknowledged"),
	)
	ackAfter := e2eRun(t, bctx, chromedp.Text(chromedp.CSS(li+" .ackinfo")))
	for _, s := range []string{ackBefore, ackAfter} {
		if !strings.Contains(s, "Đã xác nhận bởi "+user) || !strings.Contains(s, note) {
			t.Errorf("alert %s ack text %q, want the user %q and the note %q", alertID, s, user, note)
		}
	}
	if n := e2eRun(t, bctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, li+".acked"))); n != 1 {
		t.Errorf("alert %s is not marked acknowledged after the reload", alertID)
	}
	noPayloadRan("alerts inbox after the ack")

	mu.Lock()
	for _, ev := range events {
		t.Errorf("unexpected browser event: %s", ev)
	}
	mu.Unlock()

	// Stop the node cleanly: cancel, and run returns without an error.
	stop()
}

// foreignRequest reports whether a request the browser sent leaves for a
// host other than the UI's (uiHost is host:port).
func foreignRequest(raw, uiHost string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return true
	}
	switch u.Scheme {
	case "data", "about", "blob":
		return false
	case "http", "https":
		return u.Host != uiHost
	}
	return true // javascript:, file:, ws: and the like
}

// e2eBrowser starts headless Chromium for one test (see internal/browsertest).
func e2eBrowser(t *testing.T, listen func(ev any)) context.Context {
	t.Helper()
	return browsertest.Start(t, listen)
}

func e2eShot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	return browsertest.Screenshot(t, "e2e", name)
}

func e2eRun[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func e2eDo(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer is a bytes.Buffer safe for the node's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
