package web

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/diembao/diembao/internal/browsertest"
)

// browser starts headless Chromium for one test (see internal/browsertest).
func browser(t *testing.T, listen func(ev any)) context.Context {
	t.Helper()
	return browsertest.Start(t, listen)
}

func screenshot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	return browsertest.Screenshot(t, "web", name)
}

func browserLogin(e *testEnv, user string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(e.ts.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), user),
		chromedp.SendKeys(chromedp.ID("password"), e.pw[user]),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("q")),
	)
}

// run runs one action and fails the test on error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func TestBrowserAnalystFlow(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := browser(t, nil)
	do(t, ctx, browserLogin(e, "an"))
	if who := run(t, ctx, chromedp.Text(chromedp.ID("who"))); !strings.Contains(who, "an") {
		t.Errorf("signed-in user %q", who)
	}

	// Search without diacritics finds "biên giới".
	do(t, ctx,
		chromedp.SendKeys(chromedp.ID("q"), "bien gioi"),
		chromedp.Click(chromedp.ID("search")),
		chromedp.WaitVisible(chromedp.CSS(".hit-title")),
		screenshot(t, "01-search-bien-gioi"),
	)
	summary := run(t, ctx, chromedp.Text(chromedp.ID("summary")))
	first := run(t, ctx, chromedp.Text(chromedp.CSS(".hit-title")))
	marks := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(".snippet mark").length`))
	if !strings.Contains(summary, "kết quả") || marks == 0 || !strings.Contains(first, "biên giới") {
		t.Errorf("search: summary %q, marks %d, first %q", summary, marks, first)
	}

	// Open the article: matched terms are highlighted.
	do(t, ctx,
		chromedp.Click(chromedp.CSS(".hit-title")),
		chromedp.WaitVisible(chromedp.ID("article-title")),
		screenshot(t, "02-article"),
	)
	if body := run(t, ctx, chromedp.InnerHTML(chromedp.ID("article-body"))); !strings.Contains(body, "<mark>biên giới</mark>") {
		t.Errorf("article body not highlighted: %s", body)
	}

	// Acknowledge an alert, reload, and see it acknowledged.
	do(t, ctx,
		chromedp.Navigate(e.ts.URL+"/alerts/alert0office"),
		chromedp.WaitVisible(chromedp.ID("ack")),
		chromedp.SendKeys(chromedp.CSS(`input[name="note"]`), "đã chuyển lãnh đạo"),
		chromedp.Click(chromedp.ID("ack")),
		chromedp.WaitVisible(chromedp.ID("ackinfo")),
	)
	ackText := run(t, ctx, chromedp.Text(chromedp.ID("ackinfo")))
	do(t, ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("ackinfo")), screenshot(t, "03-alert-acknowledged"))
	ackAfter := run(t, ctx, chromedp.Text(chromedp.ID("ackinfo")))
	for _, s := range []string{ackText, ackAfter} {
		if !strings.Contains(s, "Đã xác nhận bởi an") || !strings.Contains(s, "đã chuyển lãnh đạo") {
			t.Errorf("ack text %q", s)
		}
	}
	if r, _ := e.alerts.Get(t.Context(), "alert0office"); r.AckedBy != "an" {
		t.Errorf("store not acknowledged: %+v", r)
	}

	// On a phone.
	do(t, ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(e.ts.URL+"/alerts"),
		chromedp.WaitVisible(chromedp.CSS(".alerts")),
		screenshot(t, "04-alerts-phone"),
		chromedp.Navigate(e.ts.URL+"/?q=bien+gioi"),
		chromedp.WaitVisible(chromedp.CSS(".hit-title")),
		screenshot(t, "05-search-phone"),
	)
	if w := run(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("search page is %dpx wide on a 390px phone", w)
	}
}

// TestBrowserXSS shows crawled strings full of script, style and
// event-handler payloads, and the saved copy of a hostile page, and checks in
// the browser that nothing ran, no dialog opened and nothing was fetched from
// the attacker's host.
func TestBrowserXSS(t *testing.T) {
	e := newEnv(t, Config{})
	var mu sync.Mutex
	var events []string
	ctx := browser(t, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			events = append(events, "dialog: "+ev.Message)
		case *network.EventRequestWillBeSent:
			if strings.Contains(ev.Request.URL, "evil.example") || strings.HasPrefix(ev.Request.URL, "javascript:") {
				events = append(events, "request: "+ev.Request.URL)
			}
		case *runtime.EventConsoleAPICalled:
			events = append(events, "console: "+string(ev.Type))
		}
	})
	// Any dialog a payload opened would block the page: dismiss it (and it is
	// already recorded as a failure above).
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	hostile := hostileArticle()
	check := func(where string) {
		t.Helper()
		raw := run(t, ctx, chromedp.Evaluate[[]byte](`window.__xss === undefined ? null : window.__xss`))
		if string(raw) != "null" {
			t.Errorf("%s: a payload ran, window.__xss = %s", where, raw)
		}
	}
	do(t, ctx, browserLogin(e, "quantri"),
		chromedp.Navigate(e.ts.URL+"/?q=tan+cong"),
		chromedp.WaitVisible(chromedp.CSS(".hit-title")),
		screenshot(t, "10-xss-search"))
	if title := run(t, ctx, chromedp.Text(chromedp.CSS(".hit-title"))); !strings.Contains(title, "<script>window.__xss=1</script>") {
		t.Errorf("hostile title not shown as text: %q", title)
	}
	check("search results")

	do(t, ctx,
		chromedp.Navigate(e.ts.URL+"/articles/"+hostile.ID+"?saved=1"),
		chromedp.WaitVisible(chromedp.ID("article-title")),
		chromedp.WaitVisible(chromedp.CSS("iframe")),
		screenshot(t, "11-xss-article-saved-copy"))
	if sb := run(t, ctx, chromedp.Evaluate[string](`document.querySelector("iframe").getAttribute("sandbox")`)); sb != "" {
		t.Errorf("iframe sandbox = %q, want empty (everything forbidden)", sb)
	}
	check("article page")

	for _, p := range []string{"/articles/" + hostile.ID + "/saved", "/sources", "/digests/2026-W47", "/digests/2026-W47/raw"} {
		do(t, ctx, chromedp.Navigate(e.ts.URL+p), chromedp.WaitReady(chromedp.CSS("body")))
		check(p)
	}
	do(t, ctx, screenshot(t, "12-xss-digest-raw"))

	mu.Lock()
	defer mu.Unlock()
	for _, ev := range events {
		t.Errorf("unexpected browser event: %s", ev)
	}
}
