package article

import (
	"encoding/json"
	"testing"
	"time"
)

func TestIDsAreDeterministic(t *testing.T) {
	if ID("https://a.vn/x-1.htm") != ID("https://a.vn/x-1.htm") || ID("https://a.vn/x-1.htm") == ID("https://a.vn/x-2.htm") {
		t.Fatal("ID must depend on the canonical URL only")
	}
	if AlertID("a", []string{"r1", "r2"}) != AlertID("a", []string{"r2", "r1"}) {
		t.Error("AlertID must not depend on rule order")
	}
	if AlertID("a", []string{"r1"}) == AlertID("a", []string{"r1", "r2"}) || AlertID("a", []string{"r1"}) == AlertID("b", []string{"r1"}) {
		t.Error("AlertID must change with the article and the new rules")
	}
}

func TestContentHashCoversTheTextOnly(t *testing.T) {
	a := Article{Title: "Biên giới", Lead: "Sa pô", Body: "Nội dung", Fetched: time.Unix(1, 0)}
	h := ContentHash(a)
	b := a
	b.Fetched = time.Unix(2, 0)
	b.Revision = 7
	if ContentHash(b) != h {
		t.Error("fetch time and revision must not change the content hash")
	}
	for _, mod := range []func(*Article){
		func(x *Article) { x.Title += "!" },
		func(x *Article) { x.Lead += "!" },
		func(x *Article) { x.Body += "!" },
		func(x *Article) { x.Removed = true },
		// Moving text between fields is a different revision.
		func(x *Article) { x.Title, x.Lead = "Biên giớiSa pô", "" },
	} {
		c := a
		mod(&c)
		if ContentHash(c) == h {
			t.Errorf("edit %+v kept the content hash", c)
		}
	}
	if a.MsgID() == "" || (Article{ID: "x", ContentHash: "1"}).MsgID() == (Article{ID: "x", ContentHash: "2"}).MsgID() {
		t.Error("MsgID must change with the content hash")
	}
}

func TestWireFormat(t *testing.T) {
	a := Article{V: Version, ID: "id", Published: time.Date(2026, 11, 26, 14, 30, 0, 0, time.FixedZone("ICT", 7*3600))}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["v"] != float64(1) || m["published"] != "2026-11-26T14:30:00+07:00" {
		t.Errorf("wire form %s", b)
	}
	if _, ok := m["modified"]; ok {
		t.Errorf("zero modified time must be omitted: %s", b)
	}
	if SeverityRank("critical") <= SeverityRank("high") || SeverityRank("nope") != -1 {
		t.Error("severity order")
	}
}
