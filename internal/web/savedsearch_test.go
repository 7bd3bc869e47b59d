package web

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/savedsearch"
)

func savedEnv(t *testing.T) (*testEnv, *savedsearch.Store) {
	st, err := savedsearch.NewStore(kv.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, Config{BaseURL: "http://ui.example"}, func(d *Deps) { d.Saved = st })
	return e, st
}

func postSaved(t *testing.T, c *http.Client, u string, v url.Values) *http.Response {
	t.Helper()
	resp, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestSavedSearchFeedUnsubscribe(t *testing.T) {
	e, st := savedEnv(t)
	ctx := context.Background()
	an := e.login("an")
	_, page := get(t, an, e.ts.URL+"/?q=bien+gioi&range=30d")
	for _, want := range []string{`id="presets"`, `30 ngày</a>`, `<svg`, `<rect`, `id="save-search"`, `name="range" value="30d"`} {
		if !strings.Contains(page, want) {
			t.Errorf("search page lacks %s", want)
		}
	}
	csrf := csrfOf(t, an, e.ts.URL+"/searches")
	form := url.Values{"q": {"bien gioi"}, "topic": {"border"}, "range": {"30d"}, "name": {"Biên giới 30 ngày"}, "notify": {"immediate"}}
	if r := postSaved(t, an, e.ts.URL+"/searches", form); r.StatusCode != http.StatusForbidden {
		t.Errorf("save without CSRF: %d", r.StatusCode)
	}
	form.Set("csrf", csrf)
	r := postSaved(t, an, e.ts.URL+"/searches", form)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/searches?saved=") {
		t.Fatalf("save: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	list, _ := st.List(ctx, "an")
	if len(list) != 1 || list[0].Query != "bien gioi" || list[0].Range != "30d" || list[0].Notify != "immediate" || list[0].Topics[0] != "border" {
		t.Fatalf("stored %+v", list)
	}
	s := list[0]
	_, body := get(t, an, e.ts.URL+"/searches")
	if !strings.Contains(body, "Biên giới 30 ngày") || !strings.Contains(body, "http://ui.example/feeds/"+s.FeedToken) || !strings.Contains(body, `id="no-email"`) {
		t.Errorf("/searches lacks the search, its feed address or the no-address warning")
	}

	// The feed, without login.
	anon := e.client()
	resp, feed := get(t, anon, e.ts.URL+"/feeds/"+s.FeedToken)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var f struct {
		Entries []struct {
			Title string `xml:"title"`
			Links []struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(feed), &f); err != nil {
		t.Fatalf("feed is not XML: %v\n%s", err, feed)
	}
	if len(f.Entries) == 0 || !strings.Contains(f.Entries[0].Title, "biên giới") || !strings.HasPrefix(f.Entries[0].Links[0].Href, "http://ui.example/articles/") {
		t.Errorf("feed entries %+v", f.Entries)
	}
	if q := e.index.last; !slicesEq(q.Topics, []string{"border"}) || q.From.IsZero() || q.Sort != "date" {
		t.Errorf("feed query %+v: want the saved filters, the 30-day window, newest first", q)
	}
	if resp, _ := get(t, anon, e.ts.URL+"/feeds/AAAAAAAAAAAAAAAAAAAAAAAAAA"); resp.StatusCode != 404 {
		t.Errorf("unknown feed token: %d", resp.StatusCode)
	}
	// Revoke: a new address, the old one dies.
	r = postSaved(t, an, e.ts.URL+"/searches/"+s.ID+"/feed", url.Values{"csrf": {csrf}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("rotate: %d", r.StatusCode)
	}
	if resp, _ := get(t, anon, e.ts.URL+"/feeds/"+s.FeedToken); resp.StatusCode != 404 {
		t.Errorf("revoked feed: %d", resp.StatusCode)
	}
	s2, _ := st.Get(ctx, "an", s.ID)
	if resp, _ := get(t, anon, e.ts.URL+"/feeds/"+s2.FeedToken); resp.StatusCode != 200 {
		t.Errorf("new feed: %d", resp.StatusCode)
	}

	// Someone else cannot touch it.
	ca := e.login("congan")
	if r := postSaved(t, ca, e.ts.URL+"/searches/"+s.ID+"/delete", url.Values{"csrf": {csrfOf(t, ca, e.ts.URL+"/searches")}}); r.StatusCode != 404 {
		t.Errorf("another user's delete: %d", r.StatusCode)
	}

	// Unsubscribe: GET asks, changes nothing; a forged token fails; the
	// one-click POST (no cookie, RFC 8058 body) turns the mails off.
	tok, _ := st.UnsubscribeToken(ctx, "an", s.ID)
	link := savedsearch.UnsubscribeURL(e.ts.URL, "an", s.ID, tok)
	resp, body = get(t, anon, link)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="unsub"`) {
		t.Errorf("unsubscribe page: %d", resp.StatusCode)
	}
	if cur, _ := st.Get(ctx, "an", s.ID); cur.Notify != "immediate" {
		t.Error("GET unsubscribed")
	}
	// Change the first character to one it is not: a fixed "x" equals the
	// real token whenever that token starts with "x".
	forged := "x" + tok[1:]
	if tok[0] == 'x' {
		forged = "y" + tok[1:]
	}
	if resp, _ := get(t, anon, strings.Replace(link, "t="+tok, "t="+forged, 1)); resp.StatusCode != 404 {
		t.Errorf("forged token: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, link, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	oc, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	oc.Body.Close()
	if cur, _ := st.Get(ctx, "an", s.ID); oc.StatusCode != 200 || cur.Notify != "" {
		t.Errorf("one-click unsubscribe: %d, notify %q", oc.StatusCode, cur.Notify)
	}

	// The account's address.
	if r := postSaved(t, an, e.ts.URL+"/account", url.Values{"csrf": {csrf}, "email": {"x@y@z"}}); r.StatusCode != 400 {
		t.Errorf("bad address: %d", r.StatusCode)
	}
	if r := postSaved(t, an, e.ts.URL+"/account", url.Values{"csrf": {csrf}, "email": {"an@example.org"}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("address: %d", r.StatusCode)
	}
	if addr, _ := e.accounts.Email(ctx, "an"); addr != "an@example.org" {
		t.Errorf("address stored %q", addr)
	}
	_, body = get(t, an, e.ts.URL+"/searches")
	if strings.Contains(body, `id="no-email"`) || !regexp.MustCompile(`an@example\.org`).MatchString(body) {
		t.Error("/searches still says there is no address")
	}
	// Delete.
	if r := postSaved(t, an, e.ts.URL+"/searches/"+s.ID+"/delete", url.Values{"csrf": {csrf}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("delete: %d", r.StatusCode)
	}
	if l, _ := st.List(ctx, "an"); len(l) != 0 {
		t.Errorf("after delete: %+v", l)
	}
}

func slicesEq(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }
