package report

import (
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
