package web

import (
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestLocalRedirect: every redirect target taken from a request goes through
// localRedirect; what a browser would resolve to another origin becomes "/".
func TestLocalRedirect(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/alerts", "/alerts"},
		{"/alerts?state=open&page=2", "/alerts?state=open&page=2"},
		{"/?q=biên giới", "/?q=biên giới"},
		{"/articles/abc#terms", "/articles/abc#terms"},
		{"/%2F%2Fevil.example", "/%2F%2Fevil.example"}, // an encoded slash stays a path segment
		{"//evil.example", "/"},
		{"//evil.example/x", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"\t//evil.example", "/"},
		{" //evil.example", "/"},
		{"\x00//evil.example", "/"},
		{"http://evil.example/", "/"},
		{"https:evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"alerts", "/"},
		{"/a/..//evil.example", "/a/..//evil.example"}, // same origin: http.Redirect cleans it to /evil.example
		{"/\x7f/evil", "/"},
	}
	for _, tt := range tests {
		if got := localRedirect(tt.in); got != tt.want {
			t.Errorf("localRedirect(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// Whatever comes out must resolve to the same origin, as a browser
		// resolves it after dropping tabs and newlines.
		base, _ := url.Parse("http://diembao.test/login")
		ref, err := url.Parse(strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(localRedirect(tt.in)))
		if err != nil {
			t.Errorf("localRedirect(%q) = unparsable %v", tt.in, err)
			continue
		}
		if u := base.ResolveReference(ref); u.Host != "diembao.test" || u.Scheme != "http" {
			t.Errorf("localRedirect(%q) resolves to %s", tt.in, u)
		}
	}
}

// TestLoginNextTabRedirect: POST /login with next=/%09/evil.example
// redirects to "/", not to a Location a browser reads as //evil.example.
func TestLoginNextTabRedirect(t *testing.T) {
	e := newEnv(t, Config{})
	for _, next := range []string{"/\t/evil.example", "/\\evil.example", "/%09/evil.example"} {
		c := e.client()
		raw, _ := url.QueryUnescape(next)
		resp, _ := postForm(t, c, e.ts.URL+"/login", url.Values{"user": {"an"}, "password": {e.pw["an"]}, "next": {raw}})
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("login next=%q → Location %q, want /", next, loc)
		}
	}
	// The ack form's back= goes through the same function.
	c := e.login("an")
	tok := csrfOf(t, c, e.ts.URL+"/alerts")
	resp, _ := postForm(t, c, e.ts.URL+"/alerts/"+sampleAlerts()[0].ID+"/ack", url.Values{"csrf": {tok}, "back": {"/\t/evil.example"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc != "/" {
		t.Errorf("ack back=/<TAB>/evil → %d %q, want 303 /", resp.StatusCode, loc)
	}
}

// TestBrowserLoginNextStaysOnOrigin: Chromium, signing in from a crafted
// link, asks for no page of another host and ends on the UI's own origin.
func TestBrowserLoginNextStaysOnOrigin(t *testing.T) {
	e := newEnv(t, Config{})
	origin, _ := url.Parse(e.ts.URL)
	var mu sync.Mutex
	var foreign []string
	ctx := browser(t, func(ev any) {
		var urls []string
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			urls = append(urls, ev.Request.URL)
		case *page.EventFrameNavigated:
			urls = append(urls, ev.Frame.URL, ev.Frame.UnreachableURL)
		}
		for _, s := range urls {
			// Only network addresses count: the browser's own data: URLs (a
			// date picker's icon), about:blank and the like go to no host.
			if u, err := url.Parse(s); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != origin.Host {
				mu.Lock()
				foreign = append(foreign, s)
				mu.Unlock()
			}
		}
	})
	do(t, ctx,
		chromedp.Navigate(e.ts.URL+"/login?next=/%09/evil.example"),
		chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), "an"),
		chromedp.SendKeys(chromedp.ID("password"), e.pw["an"]),
	)
	// Clicking starts a navigation; it ends either on our search page or at
	// a request for another host (which has no page here).
	if _, err := chromedp.Run(ctx, chromedp.Click(chromedp.ID("login"))); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(foreign)
		mu.Unlock()
		if n > 0 {
			break
		}
		href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("q") ? location.href : ""`))
		if err == nil && href != "" {
			u, _ := url.Parse(href)
			if u.Host != origin.Host || u.Path != "/" {
				t.Fatalf("after login with next=/%%09/evil.example the browser is at %s", href)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	href, _ := chromedp.Run(ctx, chromedp.Location())
	t.Fatalf("after login with next=/%%09/evil.example the browser did not reach the search page of its origin: at %q, other hosts asked for %v", href, foreign)
}
