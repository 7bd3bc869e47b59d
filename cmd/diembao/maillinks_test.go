package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/web"
	"github.com/diembao/diembao/internal/webdata"
)

// Every link in every alert mail (office, police; one alert or a group)
// opens the page of the alert it names on a running web server.
func TestMailLinksOpenTheirAlert(t *testing.T) {
	ctx := context.Background()
	st := kv.NewMemory()
	store, err := alerts.NewStore(st)
	if err != nil {
		t.Fatal(err)
	}
	acc := web.NewAccounts(kv.NewMemory())
	pw := web.GeneratePassword()
	for _, u := range []struct{ name, role string }{{"an", web.RoleAnalyst}, {"ca", web.RolePolice}} {
		if err := acc.Add(ctx, u.name, u.role, pw); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := web.New(web.Config{SensitiveAudiences: []string{"police"}}, web.Deps{Accounts: acc, Alerts: webdata.AlertsFrom(store)}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	var mu sync.Mutex
	var mails []alerts.Mail
	out := alerts.OutboxFunc(func(_ context.Context, m alerts.Mail) error {
		mu.Lock()
		defer mu.Unlock()
		mails = append(mails, m)
		return nil
	})
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	yes := true
	n, err := alerts.NewNotifier(alerts.Config{
		Audiences: map[string]config.Audience{"office": {Emails: []string{"vp@example.org"}}, "police": {Emails: []string{"ca@example.org"}, Sensitive: true}},
		Routes: []config.Route{
			{Match: config.RouteMatch{Topics: []string{"border", "laos"}, Area: &yes}, Audiences: []string{"office", "police"}},
			{Match: config.RouteMatch{Topics: []string{"religion"}, Area: &yes}, Audiences: []string{"office"}},
		},
		GroupWait: time.Second, BaseURL: ts.URL + "/", Now: func() time.Time { return now },
	}, st, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(i int, topic string) article.Alert {
		aid := article.ID(fmt.Sprintf("https://baothanhhoa.vn/%d.htm", i))
		return article.Alert{V: 1, ID: article.AlertID(aid, []string{topic + ".core"}), ArticleID: aid, URL: fmt.Sprintf("https://baothanhhoa.vn/%d.htm", i),
			Title: fmt.Sprintf("Bài %d về %s ở Thường Xuân", i, topic), Snippet: "Tuần tra biên giới.", Source: "baothanhhoa", Area: true,
			Topics: []string{topic}, Severity: "high", ContentHash: fmt.Sprint(i), Created: now,
			Matches: []article.Match{{Rule: topic + ".core", Topic: topic, Severity: "high", Terms: []article.Term{{Text: "biên giới"}}}}}
	}
	byID := map[string]article.Alert{}
	// A group (three alerts), then a single alert.
	for _, batch := range [][]article.Alert{{mk(1, "border"), mk(2, "laos"), mk(3, "religion")}, {mk(4, "border")}} {
		for _, a := range batch {
			byID[a.ID] = a
			if err := n.Handle(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		now = now.Add(2 * time.Second)
		if _, err := n.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(mails) != 4 {
		t.Fatalf("%d mails, want 4 (office and police, group and single)", len(mails))
	}
	linkRE := regexp.MustCompile(regexp.QuoteMeta(ts.URL) + `[^\s"<>]*`)
	alertPath := regexp.MustCompile(`^/alerts/([A-Za-z0-9_-]+)$`)
	for _, m := range mails {
		links := linkRE.FindAllString(m.HTML+"\n"+m.Text, -1)
		named := map[string]bool{}
		for _, l := range links {
			path := strings.TrimPrefix(l, ts.URL)
			sub := alertPath.FindStringSubmatch(path)
			if sub == nil {
				t.Errorf("%s mail links to %s, not to an alert's page", m.Audience, l)
				continue
			}
			named[sub[1]] = true
			user := "an"
			if m.Audience == "police" {
				user = "ca"
			}
			req, _ := http.NewRequest(http.MethodGet, l, nil)
			req.SetBasicAuth(user, pw)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			a := byID[sub[1]]
			if resp.StatusCode != 200 || !strings.Contains(string(body), "<h1>"+a.Title+"</h1>") || !strings.Contains(string(body), "/alerts/"+a.ID+"/ack") {
				t.Errorf("%s mail link %s: status %d, not the page of %q", m.Audience, l, resp.StatusCode, a.Title)
			}
		}
		for _, id := range m.AlertIDs {
			if !named[id] {
				t.Errorf("%s mail carries alert %s without a link to it", m.Audience, id)
			}
		}
	}
}
