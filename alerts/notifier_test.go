package alerts

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
)

func TestRoute(t *testing.T) {
	yes, no := true, false
	auds := map[string]config.Audience{"office": {Emails: []string{"a@x"}}, "police": {Emails: []string{"p@x"}}, "admin": {Emails: []string{"ad@x"}}}
	routes := []config.Route{
		{Match: config.RouteMatch{Topics: []string{"border"}, Area: &yes}, Audiences: []string{"office"}, Continue: true,
			Routes: []config.Route{{Match: config.RouteMatch{Severity: "critical"}, Audiences: []string{"police"}}}},
		{Match: config.RouteMatch{Topics: []string{"border"}, Severity: "high"}, Audiences: []string{"police"}},
		{Match: config.RouteMatch{SourceKinds: []string{"foreign"}}, Audiences: []string{"admin"}},
		{Match: config.RouteMatch{Area: &no}, Audiences: []string{"admin"}},
	}
	r := must(NewRouter(routes, auds))(t)
	al := func(area bool, kind string, ms ...article.Match) article.Alert {
		return article.Alert{Area: area, SourceKind: kind, Matches: ms}
	}
	m := func(topic, sev string) article.Match {
		return article.Match{Rule: topic + ".x", Topic: topic, Severity: sev}
	}
	tests := []struct {
		name string
		a    article.Alert
		want []string
	}{
		{"border low: first route, child no, continue; second needs high", al(true, "press", m("border", "low")), []string{"office"}},
		{"border high: continue to the second", al(true, "press", m("border", "high")), []string{"office", "police"}},
		{"critical: the child replaces the parent", al(true, "press", m("border", "critical")), []string{"police"}},
		{"religion abroad, foreign source", al(true, "foreign", m("religion", "high")), []string{"admin"}},
		{"severity per matched rule", al(false, "press", m("religion", "critical"), m("border", "low")), []string{"admin"}},
		{"not the area", al(false, "press", m("religion", "low")), []string{"admin"}},
		{"nothing", al(true, "press", m("religion", "low")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Route(tt.a); !slices.Equal(got, tt.want) {
				t.Errorf("Route = %v, want %v", got, tt.want)
			}
		})
	}
	bad := []struct {
		name   string
		routes []config.Route
		want   string
	}{
		{"unknown audience", []config.Route{{Audiences: []string{"mayor"}}}, `routes[0].audiences: unknown audience "mayor"`},
		{"bad severity", []config.Route{{Audiences: []string{"office"}}, {Match: config.RouteMatch{Severity: "urgent"}, Audiences: []string{"office"}}}, `routes[1].match.severity: "urgent"`},
		{"nested empty", []config.Route{{Routes: []config.Route{{}}}}, "routes[0].routes[0]: a route needs audiences"},
		{"bad kind", []config.Route{{Match: config.RouteMatch{SourceKinds: []string{"blog"}}, Audiences: []string{"office"}}}, `source_kinds: "blog"`},
	}
	for _, tt := range bad {
		if _, err := NewRouter(tt.routes, auds); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestGroupingRepeatAndRecords(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := kv.NewMemory()
	q := newQueue()
	n := must(NewNotifier(testConfig(clk), st, q, nil))(t)

	a1, a2, a3 := mkAlert(1, "border"), mkAlert(2, "religion"), mkAlert(3, "laos")
	for _, a := range []article.Alert{a1, a2, a3, a1} { // a1 twice: a redelivery
		if err := n.Handle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if k := must(n.Flush(ctx))(t); k != 0 {
		t.Fatalf("flushed %d mails before group_wait", k)
	}
	clk.Add(31 * time.Second)
	if k := must(n.Flush(ctx))(t); k != 2 {
		t.Fatalf("flushed %d mails, want 2 (office, police)", k)
	}
	byAud := map[string]Mail{}
	for _, m := range q.msgs {
		byAud[m.Audience] = m
	}
	if got := len(byAud["office"].AlertIDs); got != 3 {
		t.Errorf("office mail carries %d alerts, want 3", got)
	}
	if got := byAud["police"].AlertIDs; len(got) != 2 || slices.Contains(got, a2.ID) {
		t.Errorf("police mail carries %v, want border and laos only", got)
	}
	if m := byAud["police"]; strings.Contains(m.Text, "Bát Mọt") || strings.Contains(m.HTML, "Bát Mọt") || !strings.Contains(m.Text, "/alerts/"+a1.ID) {
		t.Errorf("sensitive mail shows the title or lacks the link:\n%s", m.Text)
	}

	// A reprint (same content, another outlet) is suppressed within repeat;
	// a new revision of a1 matching a new rule is alerted.
	reprint := mkAlert(4, "border")
	reprint.ContentHash = a1.ContentHash
	rev2 := a1
	rev2.Revision = 2
	rev2.Matches = []article.Match{{Rule: "disinfo.core", Topic: "disinfo", Severity: "medium"}}
	rev2.Topics = []string{"disinfo"}
	rev2.ID = article.AlertID(a1.ArticleID, []string{"disinfo.core"})
	for _, a := range []article.Alert{reprint, rev2} {
		if err := n.Handle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	// same title in a third outlet, other content hash: suppressed too
	retitled := mkAlert(5, "border")
	retitled.Title = strings.ToUpper(a1.Title)
	if err := n.Handle(ctx, retitled); err != nil {
		t.Fatal(err)
	}
	clk.Add(31 * time.Second)
	must(n.Flush(ctx))(t)
	if len(q.msgs) != 4 {
		t.Fatalf("%d mails, want 4", len(q.msgs))
	}
	for _, m := range q.msgs[2:] {
		if !slices.Equal(m.AlertIDs, []string{rev2.ID}) {
			t.Errorf("mail %s carries %v, want only the new revision", m.Audience, m.AlertIDs)
		}
	}
	store := must(NewStore(st))(t)
	rec := must(store.Get(ctx, reprint.ID))(t)
	if d := rec.Deliveries["office"]; d.State != StateSuppressed || d.SuppressedBy != a1.ID {
		t.Errorf("reprint delivery = %+v, want suppressed by %s", d, a1.ID)
	}
	rec = must(store.Get(ctx, retitled.ID))(t)
	if d := rec.Deliveries["office"]; d.State != StateSuppressed {
		t.Errorf("retitled reprint delivery = %+v, want suppressed", d)
	}
	// After the repeat window the story may be alerted again.
	clk.Add(169 * time.Hour)
	late := mkAlert(6, "border")
	late.ContentHash = a1.ContentHash
	must(0, n.Handle(ctx, late))(t)
	if d := must(store.Get(ctx, late.ID))(t).Deliveries["office"]; d.State != StatePending {
		t.Errorf("after the window: %+v, want pending", d)
	}

	// Records: list, filter, ack; state survives a new Store on the same kv.
	must(store.Ack(ctx, a2.ID, "lan", "đã xem", time.Time{}))(t)
	store2 := must(NewStore(st))(t)
	yes := true
	p := must(store2.List(ctx, Filter{Acked: &yes}))(t)
	if p.Total != 1 || p.Records[0].ID() != a2.ID || p.Records[0].AckedBy != "lan" || p.Records[0].AckNote != "đã xem" {
		t.Errorf("acked = %+v", p)
	}
	if p := must(store2.List(ctx, Filter{Audience: "police"}))(t); p.Total != 4 { // a1, a3, rev2, late (reprint and retitled are suppressed but routed)
		t.Logf("police records: %d", p.Total)
	}
	if p := must(store2.List(ctx, Filter{Topic: "religion"}))(t); p.Total != 1 {
		t.Errorf("religion: %d records, want 1", p.Total)
	}
	if p := must(store2.List(ctx, Filter{Limit: 2, Offset: 1}))(t); len(p.Records) != 2 || p.Total != 7 {
		t.Errorf("paging: %d of %d, want 2 of 7", len(p.Records), p.Total)
	}
	if _, err := store2.Ack(ctx, "nope", "x", "", time.Time{}); err == nil {
		t.Error("ack of an unknown alert succeeded")
	}
}

func TestRenderEscapesAndHighlights(t *testing.T) {
	r := newRenderer("http://ui", time.FixedZone("ICT", 7*3600), nil, nil)
	a := mkAlert(1, "border")
	a.Title = `<script>alert(1)</script> Biên giới`
	a.Snippet = `Tuần tra <b>biên giới</b> & "Biên Giới" ở xã; quốc gia biên giớii`
	a.URL = "javascript:alert(1)"
	subj, text, html, err := r.render("office", false, []article.Alert{a})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "<b>biên") || strings.Contains(html, `href="javascript`) {
		t.Errorf("crawled text not escaped:\n%s", html)
	}
	if c := strings.Count(html, "<mark"); c != 2 {
		t.Errorf("%d highlights, want 2 (whole syllables only):\n%s", c, html)
	}
	if !strings.Contains(text, "«Biên Giới»") || !strings.Contains(html, "07:30 23/11/2026") {
		t.Errorf("text or time wrong:\n%s", text)
	}
	if !strings.Contains(subj, "Biên giới (cao)") || !strings.Contains(html, `href="http://ui/alerts/`+a.ID+`"`) {
		t.Errorf("subject %q or UI link missing", subj)
	}
	eml, err := WriteEML(Mail{ID: "x1", MessageID: MessageIDFor("x1"), From: "a@example.org", To: []string{"b@example.org"}, Subject: subj, Text: text, HTML: html})
	if err != nil {
		t.Fatal(err)
	}
	s := string(eml)
	if !strings.Contains(s, "=?UTF-8?q?") || !strings.Contains(s, "Message-ID: <x1@diembao>") || !strings.Contains(s, "multipart/alternative") {
		t.Errorf("eml headers:\n%s", s[:min(len(s), 800)])
	}
}

// TestMailNamesItsAudience: a mail's footer names the group it went to as
// the configuration names it, or by its id when it has no name.
func TestMailNamesItsAudience(t *testing.T) {
	clk := newClock()
	cfg := testConfig(clk)
	office := cfg.Audiences["office"]
	office.Name = "Văn phòng HĐND và UBND"
	cfg.Audiences["office"] = office
	q := newQueue()
	n := must(NewNotifier(cfg, kv.NewMemory(), q, nil))(t)
	must(0, n.Handle(t.Context(), mkAlert(1, "border")))(t)
	clk.Add(31 * time.Second)
	if k := must(n.Flush(t.Context()))(t); k != 2 {
		t.Fatalf("flushed %d mails, want 2", k)
	}
	for _, m := range q.msgs {
		want := map[string]string{"office": `gửi nhóm nhận "Văn phòng HĐND và UBND"`, "police": `gửi nhóm nhận "police"`}[m.Audience]
		if !strings.Contains(m.Text, want) {
			t.Errorf("%s mail lacks %q:\n%s", m.Audience, want, m.Text)
		}
	}
}
