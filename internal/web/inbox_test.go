package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
)

// placeRules finds two commune names besides fakeRules' matches.
type placeRules struct{ fakeRules }

func (placeRules) Try(ctx context.Context, text string) (RuleResult, error) {
	res, _ := fakeRules{}.Try(ctx, text)
	for _, p := range []string{"Bát Mọt", "Yên Nhân"} {
		if strings.Contains(text, p) {
			res.Places = append(res.Places, p)
		}
	}
	return res, nil
}

// inboxAlerts: ten alerts of mixed severity, topic, commune, source and
// state; the only critical one is the oldest (it used to sit at the bottom).
func inboxAlerts() []AlertRecord {
	base := time.Date(2026, 11, 20, 8, 0, 0, 0, hcm)
	spec := []struct {
		sev, topic, place, src string
		acked                  bool
	}{
		{"critical", "border", "Bát Mọt", "baothanhhoa", false},
		{"low", "religion", "Yên Nhân", "vnexpress", false},
		{"high", "border", "Bát Mọt", "baothanhhoa", true},
		{"medium", "ethnic", "Yên Nhân", "thuongxuan", false},
		{"high", "laos", "Bát Mọt", "vnexpress", false},
		{"info", "religion", "", "thuongxuan", false},
		{"medium", "border", "Yên Nhân", "baothanhhoa", true},
		{"high", "disinfo", "", "vnexpress", false},
		{"low", "ethnic", "Bát Mọt", "baothanhhoa", false},
		{"medium", "laos", "", "thuongxuan", false},
	}
	var out []AlertRecord
	for i, s := range spec {
		title := fmt.Sprintf("Tin số %d về %s", i, s.topic)
		if s.place != "" {
			title += " ở xã " + s.place
		}
		r := AlertRecord{Alert: article.Alert{V: 1, ID: fmt.Sprintf("in%02d", i), ArticleID: fmt.Sprintf("art%02d", i),
			Title: title, Snippet: "…đoạn trích…", Source: s.src, Area: s.place != "", Topics: []string{s.topic},
			Severity: s.sev, Audiences: []string{"office"}, Created: base.Add(time.Duration(i) * time.Hour),
			Matches: []article.Match{{Rule: s.topic + ".core", Topic: s.topic, Severity: s.sev}}}}
		if s.acked {
			r.AckedBy, r.AckedAt = "lan", base.Add(20*time.Hour)
		}
		out = append(out, r)
	}
	return out
}

func inboxEnv(t *testing.T) *testEnv {
	e := newEnv(t, Config{}, func(d *Deps) { d.Rules = placeRules{} })
	e.alerts.recs = inboxAlerts()
	return e
}

var inboxIDRE = regexp.MustCompile(`id="alert-(in\d\d)"`)

func inboxOrder(body string) []string {
	var ids []string
	for _, m := range inboxIDRE.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func TestInboxOrderFiltersCounts(t *testing.T) {
	e := inboxEnv(t)
	c := e.login("an")
	_, body := get(t, c, e.ts.URL+"/alerts")
	got := strings.Join(inboxOrder(body), " ")
	// unacknowledged by severity then newest; then acknowledged by severity
	want := "in00 in07 in04 in09 in03 in08 in01 in05 in02 in06"
	if got != want {
		t.Errorf("order %s, want %s", got, want)
	}
	if !strings.Contains(body, `id="nav-unacked"`) || !regexp.MustCompile(`id="nav-unacked"[^>]*>8<`).MatchString(body) {
		t.Errorf("navigation lacks the unacknowledged count 8")
	}
	tests := []struct {
		query string
		want  string
	}{
		{"severity=high", "in07 in04 in02"},
		{"severity=high&severity=critical", "in00 in07 in04 in02"},
		{"topic=border", "in00 in02 in06"},
		{"commune=" + url.QueryEscape("Bát Mọt"), "in00 in04 in08 in02"},
		{"commune=" + url.QueryEscape("bat mot"), "in00 in04 in08 in02"},
		{"source=vnexpress&state=unacked", "in07 in04 in01"},
		{"state=acked", "in02 in06"},
		{"unacked=1&topic=border", "in00"},
	}
	for _, tt := range tests {
		_, b := get(t, c, e.ts.URL+"/alerts?"+tt.query)
		if got := strings.Join(inboxOrder(b), " "); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.query, got, tt.want)
		}
	}
	// Counts: each dimension counts over what the other filters select.
	_, b := get(t, c, e.ts.URL+"/alerts?topic=border")
	for _, want := range []string{
		`data-term="border">Biên giới</a> <span class="n">3</span>`,  // topic counts ignore the topic filter
		`data-term="laos">Lào – Sầm Tớ</a> <span class="n">2</span>`, // …
		`data-term="critical">Khẩn cấp</a> <span class="n">1</span>`, // severity counts within border
		`data-term="unacked">Chưa xác nhận</a> <span class="n">1</span>`,
		`data-term="acked">Đã xác nhận</a> <span class="n">2</span>`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("topic=border page lacks %s", want)
		}
	}
}

func TestInboxBulkAck(t *testing.T) {
	e := inboxEnv(t)
	c := e.login("an")
	csrf := csrfOf(t, c, e.ts.URL+"/alerts")
	post := func(form url.Values) *http.Response {
		resp, err := c.PostForm(e.ts.URL+"/alerts/ack", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := post(url.Values{"id": {"in00", "in01"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("bulk ack without CSRF: %d", r.StatusCode)
	}
	r := post(url.Values{"csrf": {csrf}, "id": {"in00", "in01", "in02", "nope", "../x"}, "note": {"đã báo lãnh đạo"}, "back": {"/alerts?topic=border"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/alerts?topic=border&acked=2" {
		t.Errorf("bulk ack: %d → %s", r.StatusCode, r.Header.Get("Location"))
	}
	for _, id := range []string{"in00", "in01"} {
		a, _ := e.alerts.Get(context.Background(), id)
		if a.AckedBy != "an" || a.AckNote != "đã báo lãnh đạo" {
			t.Errorf("%s: %+v", id, a)
		}
	}
	if a, _ := e.alerts.Get(context.Background(), "in02"); a.AckedBy != "lan" {
		t.Errorf("an acknowledged alert was acknowledged again: %+v", a)
	}
	_, body := get(t, c, e.ts.URL+"/alerts?acked=2")
	if !regexp.MustCompile(`id="nav-unacked"[^>]*>6<`).MatchString(body) || !strings.Contains(body, "Đã xác nhận 2 cảnh báo") {
		t.Errorf("after bulk ack: count or notice wrong")
	}
	if strings.Count(body, `name="note"`) != 1 {
		t.Errorf("%d note boxes, want one for the whole inbox", strings.Count(body, `name="note"`))
	}
}
