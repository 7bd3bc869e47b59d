package digest

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/officedoc"
)

// laxArchive returns what it holds whatever the range asked, and fails on
// demand.
type laxArchive struct {
	items           []Item
	recs            []alerts.Record
	itemErr, recErr error
}

func (a laxArchive) Articles(context.Context, time.Time, time.Time) ([]Item, error) {
	return a.items, a.itemErr
}

func (a laxArchive) Alerts(context.Context, time.Time, time.Time) ([]alerts.Record, error) {
	return a.recs, a.recErr
}

// figuresArchive holds week 47 of 2026 (16–22/11 in ICT): six relevant
// articles that are not reprints of each other, and what a lax archive may
// add (a repeated id, an irrelevant article, articles just outside the week).
func figuresArchive() laxArchive {
	at := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, ict) }
	it := func(id, title, src string, p time.Time, area bool, topics ...string) Item {
		return Item{ID: id, Title: title, Body: title, Source: src, Published: p, Area: area, Topics: topics}
	}
	return laxArchive{
		items: []Item{
			it("b1", "Lễ hội cồng chiêng của đồng bào Thái", "s1", at(17, 8, 0), true, "ethnic"),
			// 23:30 UTC on the 16th is the 17th in ICT.
			it("b2", "Sửa đường liên xã sau mưa lũ", "s2", time.Date(2026, 11, 16, 23, 30, 0, 0, time.UTC), true),
			it("b3", "Tuần tra mốc quốc giới số 300", "s1", at(19, 10, 0), true, "zeta", "border"),
			it("b4", "Hội nghị về chuyển đổi số cấp xã", "s2", at(20, 9, 0), false, "alpha"),
			it("b5", "Dạy chữ Thái cho học sinh bán trú", "s1", at(17, 15, 0), true, "ethnic"),
			it("b6", "Phiên chợ vùng cao ngày cuối tuần", "s3", at(21, 7, 0), true, "ethnic"),
			it("b1", "Bài khác cùng id", "s9", at(18, 8, 0), true, "ethnic"),
			it("c1", "Không liên quan", "s9", at(18, 9, 0), false),
			it("c2", "Tuần sau", "s9", at(23, 0, 0), true, "border"),
			it("c3", "Tuần trước", "s9", at(15, 23, 59), true, "border"),
		},
		recs: []alerts.Record{
			{Alert: article.Alert{ID: "z", Title: "Z", Severity: "high", Topics: []string{"border"}}, Received: at(18, 10, 0), Audiences: []string{"office"}},
			{Alert: article.Alert{ID: "a", Title: "A", Severity: "low"}, Received: at(18, 10, 0), Acked: true, AckedBy: "lan"},
			{Alert: article.Alert{ID: "m", Title: "M", Source: "s1", Severity: "medium"}, Received: at(17, 9, 0)},
		},
	}
}

// TestBuildFigures pins what build makes of an archive: only the week's
// relevant articles, each once; stories listed under their first topic
// (the built-in order, then others by name, then the area), by local day;
// counts by topic, source and day; the alerts by time, then id.
func TestBuildFigures(t *testing.T) {
	b, err := NewBuilder(figuresArchive(), ict, "UBND")
	if err != nil {
		t.Fatal(err)
	}
	d, err := b.Build(context.Background(), "2026-W47")
	if err != nil {
		t.Fatal(err)
	}
	if d.Week != "2026-W47" || d.Issuer != "UBND" || d.Articles != 6 || d.Stories != 6 ||
		!d.From.Equal(time.Date(2026, 11, 16, 0, 0, 0, 0, ict)) || !d.To.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, ict)) {
		t.Errorf("head: week %s issuer %s articles %d stories %d from %v to %v", d.Week, d.Issuer, d.Articles, d.Stories, d.From, d.To)
	}
	name := alerts.TopicName
	wantCounts := []Count{{Label: name("border"), N: 1}, {Label: name("ethnic"), N: 3}, {Label: name("alpha"), N: 1},
		{Label: name("zeta"), Also: 1}, {Label: "Tin liên quan địa bàn", N: 1}}
	if !reflect.DeepEqual(d.ByTopic, wantCounts) {
		t.Errorf("by topic %+v\nwant %+v", d.ByTopic, wantCounts)
	}
	day := func(n int) time.Time { return time.Date(2026, 11, n, 0, 0, 0, 0, ict) }
	type groupDays struct {
		topic string
		count int
		days  map[int][]string // day of November → story ids, in order
	}
	want := []groupDays{
		{"border", 1, map[int][]string{19: {"b3"}}},
		{"ethnic", 3, map[int][]string{17: {"b1", "b5"}, 21: {"b6"}}},
		{"alpha", 1, map[int][]string{20: {"b4"}}},
		{"area", 1, map[int][]string{17: {"b2"}}},
	}
	if len(d.Topics) != len(want) {
		t.Fatalf("%d topic groups, want %d: %+v", len(d.Topics), len(want), d.Topics)
	}
	for i, g := range d.Topics {
		w := want[i]
		if g.Topic != w.topic || g.Count != w.count || g.Name != topicName(nil, w.topic) || len(g.Days) != len(w.days) {
			t.Errorf("group %d = %s (%s) count %d, %d days; want %s count %d, %d days", i, g.Topic, g.Name, g.Count, len(g.Days), w.topic, w.count, len(w.days))
			continue
		}
		for j, dd := range g.Days {
			var ids []string
			for _, s := range dd.Stories {
				ids = append(ids, s.ID)
			}
			if j > 0 && !g.Days[j-1].Date.Before(dd.Date) {
				t.Errorf("%s: days out of order", g.Topic)
			}
			if wantIDs, ok := w.days[dd.Date.Day()]; !ok || !dd.Date.Equal(day(dd.Date.Day())) || !reflect.DeepEqual(ids, wantIDs) {
				t.Errorf("%s: day %v stories %v, want %v", g.Topic, dd.Date, ids, wantIDs)
			}
		}
	}
	if s := d.Topics[0].Days[0].Stories[0]; !reflect.DeepEqual(s.AlsoUnder, []string{name("zeta")}) {
		t.Errorf("b3 also under %v", s.AlsoUnder)
	}
	if s := d.Topics[1].Days[0].Stories[0]; s.AlsoUnder != nil {
		t.Errorf("b1 also under %v, want none", s.AlsoUnder)
	}
	wantSources := []Count{{Label: "s1", N: 3}, {Label: "s2", N: 2}, {Label: "s3", N: 1}}
	if !reflect.DeepEqual(d.BySource, wantSources) {
		t.Errorf("by source %+v, want %+v", d.BySource, wantSources)
	}
	wantDays := []Count{{Label: "T2 16/11"}, {Label: "T3 17/11", N: 3}, {Label: "T4 18/11"}, {Label: "T5 19/11", N: 1},
		{Label: "T6 20/11", N: 1}, {Label: "T7 21/11", N: 1}, {Label: "CN 22/11"}}
	if !reflect.DeepEqual(d.ByDay, wantDays) {
		t.Errorf("by day %+v, want %+v", d.ByDay, wantDays)
	}
	var ids []string
	for _, a := range d.Alerts {
		ids = append(ids, a.ID)
	}
	if !reflect.DeepEqual(ids, []string{"m", "a", "z"}) {
		t.Errorf("alerts in order %v, want m, a, z (by time, then id)", ids)
	}
	wantZ := AlertLine{ID: "z", Title: "Z", Severity: "high", Topics: []string{"border"}, Received: time.Date(2026, 11, 18, 10, 0, 0, 0, ict), Audiences: []string{"office"}}
	if !reflect.DeepEqual(d.Alerts[2], wantZ) || !d.Alerts[1].Acked || d.Alerts[1].AckedBy != "lan" || d.Alerts[0].Source != "s1" {
		t.Errorf("alert lines %+v", d.Alerts)
	}
}

// TestBuildPackOrder: with the rule pack's topics, groups and counts follow
// the pack's order and names; topics outside it follow by id, then the area.
// A story is listed under the pack's first topic of its own (b3 under zeta,
// so border has a count but no section).
func TestBuildPackOrder(t *testing.T) {
	b, err := NewBuilder(figuresArchive(), ict, "UBND")
	if err != nil {
		t.Fatal(err)
	}
	b.UseTopics(func() []alerts.Topic {
		return []alerts.Topic{{ID: "zeta", Name: "Zeta"}, {ID: "ethnic", Name: "Dân tộc"}}
	})
	d, err := b.Build(context.Background(), "2026-W47")
	if err != nil {
		t.Fatal(err)
	}
	var groups, labels []string
	for _, g := range d.Topics {
		groups = append(groups, g.Topic+"/"+g.Name)
	}
	for _, c := range d.ByTopic {
		labels = append(labels, c.Label)
	}
	if want := []string{"zeta/Zeta", "ethnic/Dân tộc", "alpha/" + alerts.TopicName("alpha"), "area/Tin liên quan địa bàn"}; !reflect.DeepEqual(groups, want) {
		t.Errorf("groups %v, want %v", groups, want)
	}
	if want := []string{"Zeta", "Dân tộc", alerts.TopicName("alpha"), alerts.TopicName("border"), "Tin liên quan địa bàn"}; !reflect.DeepEqual(labels, want) {
		t.Errorf("counts %v, want %v", labels, want)
	}
	if s := d.Topics[0].Days[0].Stories[0]; s.ID != "b3" || !reflect.DeepEqual(s.AlsoUnder, []string{alerts.TopicName("border")}) {
		t.Errorf("zeta's story %s also under %v", s.ID, s.AlsoUnder)
	}
}

// TestBuildArchiveErrors: a failing archive fails the build, the error
// naming the week and what was being read.
func TestBuildArchiveErrors(t *testing.T) {
	boom := errors.New("boom")
	for _, tt := range []struct {
		a    laxArchive
		want string
	}{
		{laxArchive{itemErr: boom}, "digest 2026-W47: articles: boom"},
		{laxArchive{recErr: boom}, "digest 2026-W47: alerts: boom"},
	} {
		b, err := NewBuilder(tt.a, ict, "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.Build(context.Background(), "2026-W47")
		if err == nil || err.Error() != tt.want || !errors.Is(err, boom) {
			t.Errorf("err = %v, want %q wrapping boom", err, tt.want)
		}
	}
}

// TestBuildNamesSources: with the sources' names, the digest counts and
// lists each source by its name (kept in the archived digest), a source
// without one by its id; the HTML, text and DOCX show the names.
func TestBuildNamesSources(t *testing.T) {
	b, err := NewBuilder(figuresArchive(), ict, "UBND")
	if err != nil {
		t.Fatal(err)
	}
	b.UseSources(func() map[string]string { return map[string]string{"s1": "Báo Thanh Hóa", "s2": "Báo Nhân Dân"} })
	d, err := b.Build(context.Background(), "2026-W47")
	if err != nil {
		t.Fatal(err)
	}
	want := []Count{{Label: "Báo Thanh Hóa", N: 3}, {Label: "Báo Nhân Dân", N: 2}, {Label: "s3", N: 1}}
	if !reflect.DeepEqual(d.BySource, want) {
		t.Errorf("by source %+v, want %+v", d.BySource, want)
	}
	if d.Alerts[0].SourceLabel() != "Báo Thanh Hóa" {
		t.Errorf("alert line %+v: want the source's name", d.Alerts[0])
	}
	html, err := HTML(d, ict)
	if err != nil {
		t.Fatal(err)
	}
	text := Text(d, ict)
	doc, err := DOCX(d, ict, officedoc.Issuer{Name: "UBND XÃ THƯỜNG XUÂN", Place: "Thường Xuân"})
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"html": html, "text": text, "docx": docxText(t, doc)} {
		if !strings.Contains(body, "Báo Thanh Hóa,") && !strings.Contains(body, "Báo Thanh Hóa ·") {
			t.Errorf("%s does not name s1:\n%s", name, body)
		}
		if strings.Contains(body, "s1,") || strings.Contains(body, "s1 ·") {
			t.Errorf("%s shows the id s1", name)
		}
	}
}
