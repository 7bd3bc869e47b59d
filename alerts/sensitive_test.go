package alerts

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/kv"
)

// A sensitive audience's mail carries counts by severity and topic and links
// only: no title, source, snippet (whole or cut), terms, rule ids or URL.
func TestSensitiveMailCountsAndLinksOnly(t *testing.T) {
	r := newRenderer("http://ui", time.FixedZone("ICT", 7*3600), nil, nil)
	a1, a2, a3 := mkAlert(1, "border"), mkAlert(2, "laos"), mkAlert(3, "border", "laos")
	a2.Severity, a2.Matches[0].Severity = "critical", "critical"
	subj, text, html, err := r.render("police", true, []article.Alert{a1, a2, a3})
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{subj, text, html} {
		for _, leak := range []string{"Bát Mọt", "Tuần tra", "tuần tra", "Bộ đội", "Sầm Tớ,", "baothanhhoa", "biên giới", "border.core", "bai-1.htm", "…"} {
			if strings.Contains(part, leak) {
				t.Errorf("sensitive mail carries %q:\n%s", leak, part)
			}
		}
	}
	for _, want := range []string{"Khẩn cấp: 1", "Cao: 2", "Biên giới: 2", "Lào – Sầm Tớ: 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks the count %q:\n%s", want, text)
		}
	}
	links := regexp.MustCompile(`href="([^"]+)"`).FindAllStringSubmatch(html, -1)
	var got []string
	for _, l := range links {
		got = append(got, l[1])
	}
	want := []string{"http://ui/alerts/" + a2.ID, "http://ui/alerts/" + a1.ID, "http://ui/alerts/" + a3.ID}
	if !slices.Equal(got, want) {
		t.Errorf("links %v, want %v (critical first, each alert's own page)", got, want)
	}
	for _, l := range want {
		if !strings.Contains(text, l) {
			t.Errorf("text lacks %s", l)
		}
	}
}

// A rule whose audiences are all sensitive never brings an alert to the
// office, and its matches (rule id, terms, topic, severity) stay out of the
// office mail of an alert that also matched an open rule.
func TestRestrictedRuleStaysOutOfOfficeMail(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	q := newQueue()
	n := must(NewNotifier(testConfig(clk), kv.NewMemory(), q, nil))(t)

	secret := mkAlert(1, "laos") // police-only rule alone
	secret.Matches[0].Rule, secret.Matches[0].Audiences = "laos.mat", []string{"police"}
	secret.Matches[0].Terms = []article.Term{{Text: "chuyên án", Start: 0, End: 10}}
	secret.Snippet = "Không có gì."
	mixed := mkAlert(2, "border", "laos") // open border rule + police-only laos rule
	mixed.Matches[1].Rule, mixed.Matches[1].Audiences = "laos.mat", []string{"police"}
	mixed.Matches[1].Severity, mixed.Severity = "critical", "critical"
	mixed.Matches[1].Terms = []article.Term{{Text: "chuyên án", Start: 0, End: 10}}
	mixed.Snippet = "Bộ đội biên phòng tuần tra biên giới."
	for _, a := range []article.Alert{secret, mixed} {
		must(0, n.Handle(ctx, a))(t)
	}
	clk.Add(31 * time.Second)
	must(n.Flush(ctx))(t)
	byAud := map[string]Mail{}
	for _, m := range q.msgs {
		byAud[m.Audience] = m
	}
	office, police := byAud["office"], byAud["police"]
	if !slices.Equal(office.AlertIDs, []string{mixed.ID}) {
		t.Fatalf("office mail carries %v, want only the mixed alert %s", office.AlertIDs, mixed.ID)
	}
	for _, leak := range []string{"laos.mat", "chuyên án", "Lào – Sầm Tớ", "khẩn cấp"} {
		if strings.Contains(office.Text+office.HTML+office.Subject, leak) {
			t.Errorf("office mail carries %q of the police-only rule:\n%s", leak, office.Text)
		}
	}
	if !strings.Contains(office.Text, "border.core") || !strings.Contains(office.Subject, "(cao)") {
		t.Errorf("office mail lacks the open rule or its severity:\n%s\n%s", office.Subject, office.Text)
	}
	if len(police.AlertIDs) != 2 || !strings.Contains(police.Text, "Khẩn cấp: 1") {
		t.Errorf("police mail carries %v:\n%s", police.AlertIDs, police.Text)
	}
}

func TestMailHeadersWritten(t *testing.T) {
	eml, err := WriteEML(Mail{ID: "s1", MessageID: MessageIDFor("s1"), From: "a@example.org", To: []string{"b@example.org"},
		Subject: "x", Text: "y", Headers: map[string]string{"List-Unsubscribe": "<http://ui/unsubscribe?t=1>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"List-Unsubscribe: <http://ui/unsubscribe?t=1>", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"} {
		if !strings.Contains(string(eml), want) {
			t.Errorf("eml lacks %q", want)
		}
	}
	if _, err := WriteEML(Mail{ID: "s2", From: "a@example.org", To: []string{"b@example.org"}, Headers: map[string]string{"X-A": "1\r\nBcc: c@example.org"}}); err == nil {
		t.Error("a header with CRLF was written")
	}
}
