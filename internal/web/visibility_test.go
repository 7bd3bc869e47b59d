package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
)

// restrictedRules has an open border rule and a police-only rule, the only
// rule of topic "laos".
type restrictedRules struct{ fakeRules }

func (restrictedRules) Try(_ context.Context, text string) (RuleResult, error) {
	var res RuleResult
	for _, w := range []struct {
		term, rule, topic string
		aud               []string
	}{{"biên giới", "border.core", "border", []string{"office", "police"}}, {"Sầm Tớ", "laos.mat", "laos", []string{"police"}}} {
		if i := strings.Index(text, w.term); i >= 0 {
			res.Matches = append(res.Matches, article.Match{Rule: w.rule, Version: 1, Topic: w.topic, Severity: "high",
				Audiences: w.aud, Terms: []article.Term{{Text: w.term, Start: i, End: i + len(w.term)}}})
			res.Topics = append(res.Topics, w.topic)
		}
	}
	return res, nil
}

func (restrictedRules) List(context.Context) ([]RuleInfo, error) {
	return []RuleInfo{
		{ID: "border.core", Version: 1, Topic: "border", Severity: "high", Query: `"biên giới"`, Audiences: []string{"office", "police"}},
		{ID: "laos.mat", Version: 1, Topic: "laos", Severity: "critical", Query: `"Sầm Tớ"`, Audiences: []string{"police"}},
	}, nil
}

func restrictedEnv(t *testing.T) *testEnv {
	e := newEnv(t, Config{}, func(d *Deps) { d.Rules = restrictedRules{} })
	arts := sampleArticles()
	secret := article.Match{Rule: "laos.mat", Version: 1, Topic: "laos", Severity: "critical", Audiences: []string{"police"},
		Terms: []article.Term{{Text: "Sầm Tớ", Start: 0, End: 8}}}
	open := article.Match{Rule: "border.core", Version: 1, Topic: "border", Severity: "high", Audiences: []string{"office", "police"},
		Terms: []article.Term{{Text: "biên giới", Start: 0, End: 11}}}
	mk := func(id string, ms ...article.Match) AlertRecord {
		a := AlertRecord{Alert: article.Alert{V: 1, ID: id, ArticleID: arts[1].ID, Title: "Tuần tra " + id, Source: "baothanhhoa",
			Area: true, Severity: "critical", Audiences: []string{"office", "police"}, Matches: ms}}
		for _, m := range ms {
			a.Topics = append(a.Topics, m.Topic)
		}
		return a
	}
	e.alerts.recs = []AlertRecord{mk("mixed", open, secret), mk("secretonly", secret)}
	return e
}

// Matches of a police-only rule are invisible to an analyst on every
// surface, and visible to the police.
func TestRestrictedRuleInvisibleToAnalyst(t *testing.T) {
	e := restrictedEnv(t)
	arts := sampleArticles()
	an, police := e.login("an"), e.login("congan")
	q := url.QueryEscape("tuần tra")
	surfaces := []struct{ name, path string }{
		{"api article", "/api/articles/" + arts[0].ID},
		{"article page", "/articles/" + arts[0].ID},
		{"api search", "/api/search?q=" + q},
		{"search page", "/?q=" + q},
		{"api alerts", "/api/alerts"},
		{"alerts page", "/alerts"},
		{"alert page", "/alerts/mixed"},
		{"api ack", ""},
	}
	leaks := []string{"laos.mat", `"laos"`, "Lào – Sầm Tớ", "t-laos", "secretonly", "Khẩn cấp", `"critical"`}
	for _, sf := range surfaces {
		var body string
		if sf.path == "" {
			body = postBasic(t, e, "an", "/api/alerts/mixed/ack")
		} else {
			resp, b := get(t, an, e.ts.URL+sf.path)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: status %d", sf.name, resp.StatusCode)
			}
			body = b
		}
		for _, l := range leaks {
			if strings.Contains(body, l) {
				t.Errorf("%s shows %q to an analyst", sf.name, l)
			}
		}
		if !strings.Contains(body, "border") && !strings.Contains(body, "Biên giới") {
			t.Errorf("%s lost the open rule's topic", sf.name)
		}
	}
	// Filtering on the hidden topic finds nothing, as for an unknown topic.
	if _, b := get(t, an, e.ts.URL+"/api/search?topic=laos"); !strings.Contains(b, `"total":0`) {
		t.Errorf("topic=laos for an analyst: %s", b)
	}
	if resp, _ := get(t, an, e.ts.URL+"/alerts/secretonly"); resp.StatusCode != 404 {
		t.Errorf("alert raised by the police-only rule alone: status %d for an analyst", resp.StatusCode)
	}
	// The police see all of it.
	for _, p := range []string{"/api/articles/" + arts[0].ID, "/api/alerts", "/api/search?topic=laos"} {
		if _, b := get(t, police, e.ts.URL+p); !strings.Contains(b, "laos") {
			t.Errorf("police do not see the police-only rule on %s: %s", p, b)
		}
	}
}

// postBasic POSTs to path as user with HTTP basic auth and returns the body.
func postBasic(t *testing.T, e *testEnv, user, path string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+path, nil)
	req.SetBasicAuth(user, e.pw[user])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
	}
	return string(b)
}

// severityExporter exports the hits of a fakeIndex search, an article
// "critical" when the police-only topic laos tagged it, else "high".
type severityExporter struct{ f *fakeIndex }

func (x severityExporter) Each(ctx context.Context, q indexer.Query, fn func(indexer.Doc) error) error {
	q.Size = 100
	res, err := x.f.Search(ctx, q)
	if err != nil {
		return err
	}
	for _, h := range res.Hits {
		sev := "high"
		if slices.Contains(h.Topics, "laos") {
			sev = "critical"
		}
		if err := fn(indexer.Doc{Article: article.Article{ID: h.ID, URL: h.URL, Title: h.Title, Source: h.Source}, Topics: h.Topics, Severity: sev}); err != nil {
			return err
		}
	}
	return nil
}

// A search export shows an analyst what the search page does: no topic only
// police-only rules give, no filtering on it, and no severity above what the
// open rules of the row's topics give. The police export all of it.
func TestRestrictedRuleInvisibleInExport(t *testing.T) {
	e := restrictedEnv(t)
	e.srv.deps.Exporter = severityExporter{e.index}
	an, police := e.login("an"), e.login("congan")
	q := url.QueryEscape("tuần tra")
	resp, body := get(t, an, e.ts.URL+"/search/export?format=json&q="+q)
	if resp.StatusCode != 200 || !strings.Contains(body, `"border"`) || !strings.Contains(body, `"high"`) {
		t.Fatalf("analyst export: %d %s", resp.StatusCode, body)
	}
	for _, l := range []string{`"laos"`, `"critical"`} {
		if strings.Contains(body, l) {
			t.Errorf("analyst export shows %s: %s", l, body)
		}
	}
	if _, body := get(t, an, e.ts.URL+"/search/export?format=json&topic=laos"); strings.TrimSpace(body) != "[]" {
		t.Errorf("analyst export of topic=laos: %s", body)
	}
	if _, body := get(t, police, e.ts.URL+"/search/export?format=json&topic=laos"); !strings.Contains(body, `"laos"`) || !strings.Contains(body, `"critical"`) {
		t.Errorf("police export of topic=laos: %s", body)
	}
}

// The alerts API reads since and limit with the search's parser: a bad one
// is a 400 that names the parameter and what it wants.
func TestAlertsAPIBadParams(t *testing.T) {
	e := restrictedEnv(t)
	an := e.login("an")
	for _, c := range []struct{ query, want string }{
		{"since=26-11-2026", `since \"26-11-2026\": want a date YYYY-MM-DD`},
		{"limit=0", `limit \"0\": want a number from 1 to 1000`},
		{"limit=x", `limit \"x\": want a number from 1 to 1000`},
	} {
		resp, body := get(t, an, e.ts.URL+"/api/alerts?"+c.query)
		if resp.StatusCode != 400 || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want 400 naming %s", c.query, resp.StatusCode, body, c.want)
		}
	}
	if resp, _ := get(t, an, e.ts.URL+"/api/alerts?since=2026-11-01&limit=5"); resp.StatusCode != 200 {
		t.Errorf("good since and limit: %d", resp.StatusCode)
	}
}
