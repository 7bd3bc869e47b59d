package web

import (
	"context"
	"errors"
	"html"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/textnorm"
)

// queryError mimics indexer.QueryError.
type queryError struct{ msg string }

func (e *queryError) Error() string { return "bad query: " + e.msg }
func (e *queryError) Unwrap() error { return errkind.Invalid }

// fakeIndex searches articles in memory: every query word must occur (after
// folding diacritics) in title or body.
type fakeIndex struct {
	mu       sync.Mutex
	articles []article.Article
	topics   map[string][]string
	area     map[string]bool
	last     indexer.Query
}

func (f *fakeIndex) Search(_ context.Context, q indexer.Query) (indexer.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = q
	if strings.Count(q.Q, `"`)%2 == 1 {
		return indexer.Result{}, &queryError{"unbalanced quote"}
	}
	words := strings.Fields(textnorm.Fold(q.Q))
	res := indexer.Result{Facets: map[string][]indexer.FacetCount{}}
	srcCount, topCount := map[string]int{}, map[string]int{}
	for _, a := range f.articles {
		text := textnorm.Fold(a.Title + " " + a.Body)
		ok := true
		for _, w := range words {
			if !strings.Contains(text, w) {
				ok = false
			}
		}
		if len(q.Sources) > 0 && !slices.Contains(q.Sources, a.Source) {
			ok = false
		}
		if len(q.Topics) > 0 && !slices.ContainsFunc(f.topics[a.ID], func(t string) bool { return slices.Contains(q.Topics, t) }) {
			ok = false
		}
		if q.Area != nil && f.area[a.ID] != *q.Area {
			ok = false
		}
		if !ok {
			continue
		}
		srcCount[a.Source]++
		for _, t := range f.topics[a.ID] {
			topCount[t]++
		}
		// The snippet is the body start, escaped, with the first word marked.
		snip := html.EscapeString(a.Body)
		if len(words) > 0 {
			for _, orig := range strings.Fields(a.Body) {
				if strings.Contains(textnorm.Fold(orig), words[0]) {
					snip = strings.Replace(snip, html.EscapeString(orig), "<mark>"+html.EscapeString(orig)+"</mark>", 1)
					break
				}
			}
		}
		res.Hits = append(res.Hits, indexer.Hit{ID: a.ID, URL: a.URL, Title: a.Title, Source: a.Source,
			Published: a.Published, Snippet: snip, Topics: f.topics[a.ID], Area: f.area[a.ID], Score: 1})
	}
	res.Total = uint64(len(res.Hits))
	for k, n := range srcCount {
		res.Facets["source"] = append(res.Facets["source"], indexer.FacetCount{Term: k, Count: n})
	}
	for k, n := range topCount {
		res.Facets["topic"] = append(res.Facets["topic"], indexer.FacetCount{Term: k, Count: n})
	}
	for _, k := range []string{"source", "topic"} {
		sort.Slice(res.Facets[k], func(i, j int) bool { return res.Facets[k][i].Term < res.Facets[k][j].Term })
	}
	return res, nil
}

func (f *fakeIndex) Get(_ context.Context, id string) (ArticleView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var v ArticleView
	for _, a := range f.articles {
		if a.ID == id {
			v.Revisions = append(v.Revisions, a)
		}
	}
	if len(v.Revisions) == 0 {
		return v, ErrNotFound
	}
	v.Topics, v.Area = f.topics[id], f.area[id]
	return v, nil
}

type fakeAlerts struct {
	mu   sync.Mutex
	recs []AlertRecord
}

func (f *fakeAlerts) List(_ context.Context, flt AlertFilter) ([]AlertRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []AlertRecord
	for _, r := range f.recs {
		if flt.Unacked && r.Acked() {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func (f *fakeAlerts) Get(_ context.Context, id string) (AlertRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.recs {
		if r.ID == id {
			return r, nil
		}
	}
	return AlertRecord{}, ErrNotFound
}

func (f *fakeAlerts) Ack(_ context.Context, id, who, note string, when time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.recs {
		if r.ID == id {
			if !r.Acked() {
				f.recs[i].AckedBy, f.recs[i].AckNote, f.recs[i].AckedAt = who, note, when
			}
			return nil
		}
	}
	return ErrNotFound
}

type fakeRules struct{}

func (fakeRules) Try(_ context.Context, text string) (RuleResult, error) {
	var res RuleResult
	for _, w := range []struct{ term, rule, topic string }{{"biên giới", "border.core", "border"}, {"Sầm Tớ", "laos.samto", "laos"}} {
		if i := strings.Index(text, w.term); i >= 0 {
			res.Matches = append(res.Matches, article.Match{Rule: w.rule, Version: 1, Topic: w.topic, Severity: "high",
				Terms: []article.Term{{Text: w.term, Start: i, End: i + len(w.term)}}})
			res.Topics = append(res.Topics, w.topic)
		}
	}
	res.Area = strings.Contains(text, "Thường Xuân")
	return res, nil
}

func (fakeRules) List(context.Context) ([]RuleInfo, error) {
	return []RuleInfo{{ID: "border.core", Version: 1, Topic: "border", Severity: "high", Query: `"biên giới" OR "đồn biên phòng"`, NeedsArea: true, Audiences: []string{"office", "police"}}}, nil
}

func (fakeRules) LastError() error { return errors.New("rules/extra.yaml:3: unknown key \"topik\"") }

type fakeSnapshots map[string][]byte

func (f fakeSnapshots) Get(_ context.Context, key string) ([]byte, error) {
	if b, ok := f[key]; ok {
		return b, nil
	}
	return nil, ErrNotFound
}

type fakeSources []SourceStatus

func (f fakeSources) Health(context.Context) ([]SourceStatus, error) { return f, nil }

type fakeDigests map[string][]byte

func (f fakeDigests) List(context.Context) ([]DigestInfo, error) {
	var out []DigestInfo
	for id := range f {
		out = append(out, DigestInfo{ID: id, Articles: 3})
	}
	return out, nil
}

func (f fakeDigests) Get(_ context.Context, id string) ([]byte, error) {
	if b, ok := f[id]; ok {
		return b, nil
	}
	return nil, ErrNotFound
}

type fakeDead struct {
	mu      sync.Mutex
	letters []DeadLetter
}

func (f *fakeDead) List(context.Context) ([]DeadLetter, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.letters), nil
}

func (f *fakeDead) Retry(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, d := range f.letters {
		if d.ID == id {
			f.letters = slices.Delete(f.letters, i, i+1)
			return nil
		}
	}
	return ErrNotFound
}

var hcm = time.FixedZone("ICT", 7*3600)

// sampleArticles: ordinary, sensitive, a revision pair and a hostile one.
func sampleArticles() []article.Article {
	mk := func(url, src, title, body string, rev int, day int) article.Article {
		a := article.Article{V: 1, URL: url, CanonicalURL: url, Source: src, SourceKind: "press", Lang: "vi",
			Title: title, Body: body, Revision: rev, Published: time.Date(2026, 11, day, 8, 0, 0, 0, hcm),
			Fetched: time.Date(2026, 11, day, 9, rev, 0, 0, hcm)}
		a.ID = article.ID(url)
		a.ContentHash = article.ContentHash(a)
		return a
	}
	a1 := mk("https://baothanhhoa.vn/a-1.htm", "baothanhhoa", "Tuần tra biên giới tại Thường Xuân",
		"Đồn biên phòng Bát Mọt phối hợp tuần tra biên giới với lực lượng Lào ở Sầm Tớ.\nNgười dân ủng hộ.", 1, 20)
	a1.Snapshot = "snap-a1"
	a2 := mk("https://baothanhhoa.vn/a-1.htm", "baothanhhoa", "Tuần tra biên giới tại Thường Xuân",
		"Đồn biên phòng Bát Mọt phối hợp tuần tra biên giới với lực lượng Lào ở Sầm Tớ.\nĐoạn mới được thêm vào bài.", 2, 20)
	a2.Snapshot = "snap-a2"
	a3 := mk("https://vnexpress.net/mua-lua.html", "vnexpress", "Nông dân Thanh Hóa thu hoạch lúa",
		"Vụ mùa năm nay bội thu ở nhiều huyện.", 1, 21)
	return []article.Article{a1, a2, a3}
}

const xssTitle = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">Tin "độc" & <b>lạ</b>`

func hostileArticle() article.Article {
	u := "https://evil.example/x.htm"
	a := article.Article{V: 1, ID: article.ID(u), URL: "javascript:window.__xss=3", CanonicalURL: u, Source: "evil<script>",
		Title: xssTitle, Lead: `<style>body{display:none}</style>`,
		Body:      `tấn công <svg onload="window.__xss=4"></svg> <a href="javascript:window.__xss=5">bấm</a> biên giới </textarea><script>window.__xss=6</script>`,
		Revision:  1,
		Published: time.Date(2026, 11, 22, 8, 0, 0, 0, hcm), Snapshot: "snap-evil"}
	a.Authors = []string{`<img src=x onerror=window.__xss=7>`}
	return a
}

const hostileSnapshot = `<html><head><title>t</title><script>parent.__xss=8;window.__xss=8</script>
<style>body{background:url(https://evil.example/track.png)}</style><meta http-equiv="refresh" content="0;url=https://evil.example">
<base href="https://evil.example/"></head><body onload="window.__xss=9"><h1 onclick="x()">Bản lưu tấn công</h1>
<p style="background:url(https://evil.example/p.png)">Đoạn văn <a href="javascript:alert(1)">liên kết</a></p>
<img src="https://evil.example/i.png" alt="ảnh mồi" onerror="window.__xss=10"><iframe src="https://evil.example"></iframe>
<svg><script>window.__xss=11</script></svg><object data="x.swf"></object><form action="https://evil.example"><input name=a></form>
<noscript><img src="https://evil.example/n.png"></noscript><p>Kết thúc.</p></body></html>`

func sampleAlerts() []AlertRecord {
	arts := sampleArticles()
	mk := func(id, title string, aud []string, topics []string) AlertRecord {
		return AlertRecord{Alert: article.Alert{V: 1, ID: id, ArticleID: arts[1].ID, Revision: 2, URL: arts[1].URL,
			Title: title, Snippet: "…tuần tra biên giới…", Source: "baothanhhoa", Published: arts[1].Published,
			Area: true, Topics: topics, Severity: "high", Audiences: aud, Created: arts[1].Fetched,
			Matches: []article.Match{{Rule: "border.core", Version: 1, Topic: topics[0], Severity: "high",
				Terms: []article.Term{{Text: "biên giới", Start: 0, End: 11}}}}}}
	}
	return []AlertRecord{
		mk("alert0office", "Tuần tra biên giới tại Thường Xuân", []string{"office", "police"}, []string{"border"}),
		mk("alert1police", "Tin mật: Sầm Tớ", []string{"police"}, []string{"laos"}),
	}
}

// testEnv is a server with fakes and three users.
type testEnv struct {
	t        testing.TB
	srv      *Server
	ts       *httptest.Server
	accounts *Accounts
	index    *fakeIndex
	alerts   *fakeAlerts
	dead     *fakeDead
	pw       map[string]string
}

func newEnv(t testing.TB, cfg Config, opts ...func(*Deps)) *testEnv {
	t.Helper()
	acc := NewAccounts(kv.NewMemory())
	acc.cost = bcrypt.MinCost
	arts := append(sampleArticles(), hostileArticle())
	idx := &fakeIndex{articles: arts,
		topics: map[string][]string{arts[0].ID: {"border", "laos"}, arts[3].ID: {"border"}},
		area:   map[string]bool{arts[0].ID: true}}
	al := &fakeAlerts{recs: sampleAlerts()}
	dead := &fakeDead{letters: []DeadLetter{{ID: "dl1", Stream: "ARTICLES", Subject: "articles.baothanhhoa", Error: "index: mapping <b>conflict</b>", Deliveries: 5, Time: time.Date(2026, 11, 20, 10, 0, 0, 0, hcm)}}}
	if cfg.SensitiveAudiences == nil {
		cfg.SensitiveAudiences = []string{"police"}
	}
	deps := Deps{
		Accounts: acc, Searcher: idx, Articles: idx, Alerts: al, Rules: fakeRules{},
		Sources: fakeSources{{ID: "baothanhhoa", Name: "Báo Thanh Hóa", Kind: "press", Articles: 12},
			{ID: "evil", Name: "<script>x</script>", Kind: "press", Failures: 3, LastError: "fetch: 503 <i>oops</i>"}},
		Digests:     fakeDigests{"2026-W47": []byte("<h1>Bản tin tuần 47</h1><script>window.__xss=12</script>")},
		DeadLetters: dead,
		Snapshots:   fakeSnapshots{"snap-a1": []byte("<p>Bản cũ</p>"), "snap-a2": []byte("<html><body><p>Bản lưu phiên bản 2 – biên giới</p></body></html>"), "snap-evil": []byte(hostileSnapshot)},
	}
	for _, o := range opts {
		o(&deps)
	}
	srv, err := New(cfg, deps, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, srv: srv, accounts: acc, index: idx, alerts: al, dead: dead, pw: map[string]string{}}
	for _, u := range []struct{ name, role string }{{"an", RoleAnalyst}, {"congan", RolePolice}, {"quantri", RoleAdmin}} {
		pw := GeneratePassword()
		if err := acc.Add(context.Background(), u.name, u.role, pw); err != nil {
			t.Fatal(err)
		}
		e.pw[u.name] = pw
	}
	e.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

// client returns an HTTP client with a cookie jar that does not follow redirects.
func (e *testEnv) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login signs in user and returns the client holding the session.
func (e *testEnv) login(user string) *http.Client {
	e.t.Helper()
	c := e.client()
	resp, err := c.PostForm(e.ts.URL+"/login", url.Values{"user": {user}, "password": {e.pw[user]}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d", user, resp.StatusCode)
	}
	return c
}

// Topics: the fake rule set declares none, so pages offer the default pack's.
func (fakeRules) Topics(context.Context) ([]TopicInfo, error) { return nil, nil }
