package alerts

import (
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
)

// TestMailNamesTopicsFromThePack: a mail names each topic as the loaded rule
// pack does, including a topic an operator added; without a pack the
// built-in names stay.
func TestMailNamesTopicsFromThePack(t *testing.T) {
	pack := Topics(func() []Topic {
		return []Topic{{ID: "border", Name: "Biên giới, chủ quyền"}, {ID: "forest", Name: "Bảo vệ rừng"}}
	})
	r := newRenderer("http://ui", time.FixedZone("ICT", 7*3600), pack, nil)
	a, b := mkAlert(1, "border"), mkAlert(2, "forest")
	subj, text, _, err := r.render("office", false, []article.Alert{b})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(subj, "Bảo vệ rừng") || !strings.Contains(text, "Bảo vệ rừng") {
		t.Errorf("added topic not named: subject %q\n%s", subj, text)
	}
	if subj, _, _, _ = r.render("office", false, []article.Alert{a, b}); !strings.Contains(subj, "Biên giới, chủ quyền") {
		t.Errorf("group subject %q: want the pack's name of border", subj)
	}
	_, text, _, err = r.render("police", true, []article.Alert{a, b})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"  Bảo vệ rừng: 1", "  Biên giới, chủ quyền: 1"} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("sensitive mail's count by topic lacks %q (the pack's name):\n%s", line, text)
		}
	}
	if pack.Name("religion") != TopicName("religion") || Topics(nil).Name("border") != TopicName("border") {
		t.Error("topics the pack does not list fall back to TopicName")
	}
	if i, ok := pack.Rank("forest"); !ok || i != 1 {
		t.Errorf("Rank(forest) = %d, %v", i, ok)
	}
}

// TestMailNamesSources: a mail names the source as the office knows it
// (sources.yaml's name:); a source without a name shows its id.
func TestMailNamesSources(t *testing.T) {
	names := article.SourceNames(func() map[string]string { return map[string]string{"baothanhhoa": "Báo Thanh Hóa"} })
	r := newRenderer("http://ui", time.FixedZone("ICT", 7*3600), nil, names)
	a, b := mkAlert(1, "border"), mkAlert(2, "border")
	b.Source = "tin-moi"
	_, text, html, err := r.render("office", false, []article.Alert{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Nguồn: Báo Thanh Hóa\n") || !strings.Contains(text, "Nguồn: tin-moi\n") || !strings.Contains(html, "Nguồn: Báo Thanh Hóa ·") {
		t.Errorf("sources not named:\n%s", text)
	}
}
