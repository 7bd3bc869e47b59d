package report

import (
	"time"

	"github.com/diembao/diembao/indexer"
	"testing"
	"testing/fstest"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/rules"
)

// TestTopicNamesFromThePack: the report names topics as the loaded pack does
// (as mails and the web UI do), a topic an operator added included; a topic
// the pack leaves unnamed takes the built-in name.
func TestTopicNamesFromThePack(t *testing.T) {
	pack := fstest.MapFS{"t.yaml": {Data: []byte(`topics:
  - {id: border, name: "Biên giới, chủ quyền"}
  - {id: religion}
  - {id: land, name: "Đất đai, tranh chấp"}
rules:
  - {id: b.core, version: 1, topic: border, severity: high, audiences: [office], query: '"mốc giới"'}
  - {id: r.core, version: 1, topic: religion, severity: medium, audiences: [office], query: '"tôn giáo"'}
  - {id: l.core, version: 1, topic: land, severity: medium, audiences: [office], query: '"tranh chấp đất đai"'}
`)}}
	set, err := rules.LoadFS(pack)
	if err != nil {
		t.Fatal(err)
	}
	got := DepsFromRules(set).TopicNames
	want := map[string]string{"border": "Biên giới, chủ quyền", "religion": alerts.TopicName("religion"), "land": "Đất đai, tranh chấp"}
	for id, name := range want {
		if got[id] != name {
			t.Errorf("topic %s named %q, want %q", id, got[id], name)
		}
	}
	if want["religion"] == "religion" {
		t.Fatal("religion has no built-in name; the fallback is not tested")
	}
}

type fixedRules struct{ set *rules.Set }

func (f fixedRules) Current() *rules.Set { return f.set }

// TestMakerSourceNamesAtEachReport: the Reports page names sources as they
// are named when the report is made (a source renamed on the Sources page
// since the server started reads with its new name).
func TestMakerSourceNamesAtEachReport(t *testing.T) {
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{"bth": "Báo Thanh Hóa"}
	c := &fixedCounter{st: indexer.Stats{Total: 5, By: map[string]map[string]int{indexer.DimSource: {"bth": 5}}}}
	m := Maker{Providers: Deps{Counter: c, SourceNames: map[string]string{"bth": "tên lúc khởi động"}}, Rules: fixedRules{set},
		Now: time.Now, Loc: ict, SourceNames: func() map[string]string { return names }}
	for _, want := range []string{"Báo Thanh Hóa", "Báo Thanh Hóa Online"} {
		names = map[string]string{"bth": want}
		r, err := m.Report(t.Context(), Year(2026, ict))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Sources) != 1 || r.Sources[0].Label != want {
			t.Errorf("sources %+v, want bth named %q", r.Sources, want)
		}
	}
}
