package report

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
)

// fixedCounter answers Stats with st and keeps the last query.
type fixedCounter struct {
	st  indexer.Stats
	q   indexer.Query
	err error
}

func (c *fixedCounter) Stats(_ context.Context, q indexer.Query) (indexer.Stats, error) {
	c.q = q
	return c.st, c.err
}

type fixedUptime map[string]float64

func (u fixedUptime) Uptime(context.Context, time.Time, time.Time) (map[string]float64, error) {
	return u, nil
}

type fixedCases Cases

func (c fixedCases) CaseStats(context.Context, time.Time, time.Time) (Cases, error) {
	return Cases(c), nil
}

type fixedDuties []DutyRow

func (d fixedDuties) DutyRows(context.Context, time.Time, time.Time) ([]DutyRow, error) {
	return d, nil
}

// failing fails every provider call with its error.
type failing struct{ err error }

func (f failing) Alerts(context.Context, time.Time, time.Time) ([]alerts.Record, error) {
	return nil, f.err
}
func (f failing) CaseStats(context.Context, time.Time, time.Time) (Cases, error) {
	return Cases{}, f.err
}
func (f failing) DutyRows(context.Context, time.Time, time.Time) ([]DutyRow, error) {
	return nil, f.err
}
func (f failing) Uptime(context.Context, time.Time, time.Time) (map[string]float64, error) {
	return nil, f.err
}

func TestBuildRejectsBadParams(t *testing.T) {
	c := &fixedCounter{}
	day := func(m, d int) time.Time { return time.Date(2026, time.Month(m), d, 0, 0, 0, 0, ict) }
	tests := []struct {
		name string
		d    Deps
		p    Params
		want string
	}{
		{"nil counter", Deps{}, Year(2026, ict), "nil Counter"},
		{"no start", Deps{Counter: c}, Params{To: day(1, 1)}, "needs a start and an end"},
		{"end before start", Deps{Counter: c}, Params{From: day(2, 1), To: day(1, 1)}, "needs a start and an end"},
		{"too long", Deps{Counter: c}, Params{From: day(1, 1), To: day(1, 1).AddDate(3, 1, 0)}, "more than three years"},
		{"count fails", Deps{Counter: &fixedCounter{err: errors.New("boom")}}, Year(2026, ict), "report: count: boom"},
		{"uptime fails", Deps{Counter: c, Health: failing{errors.New("boom")}}, Year(2026, ict), "report: sources: boom"},
		{"alerts fail", Deps{Counter: c, Alerts: failing{errors.New("boom")}}, Year(2026, ict), "report: alerts: boom"},
		{"cases fail", Deps{Counter: c, Cases: failing{errors.New("boom")}}, Year(2026, ict), "report: cases: boom"},
		{"duties fail", Deps{Counter: c, Portals: failing{errors.New("boom")}}, Year(2026, ict), "report: portal duties: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Build(t.Context(), tt.d, tt.p); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Build error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestBuildScopeAndProviders checks what the index test leaves out: a
// topic scope (the query and the alerts filtered), all articles, source
// uptime and names, old commune names, cases and portal duties.
func TestBuildScopeAndProviders(t *testing.T) {
	c := &fixedCounter{st: indexer.Stats{Total: 7, By: map[string]map[string]int{
		indexer.DimTopic:    {"border": 7},
		indexer.DimSource:   {"bth": 5, "vne": 2},
		indexer.DimCommune:  {"luan-thanh": 4},
		indexer.DimPlace:    {"xuan-cao": 3, "luan-thanh": 1},
		indexer.DimMonth:    {"2026-03": 7},
		indexer.DimSeverity: {"high": 2, "low": 1},
	}, MonthTopic: map[string]map[string]int{"2026-03": {"border": 7}}}}
	recs := alertList{
		{Alert: article.Alert{ID: "a1", Severity: "high", Topics: []string{"border"}}},
		{Alert: article.Alert{ID: "a2", Severity: "low", Topics: []string{"laos"}}},
	}
	p := Params{From: time.Date(2026, 2, 15, 0, 0, 0, 0, ict), To: time.Date(2026, 4, 10, 0, 0, 0, 0, ict), Topic: "border", Loc: ict}
	r, err := Build(t.Context(), Deps{Counter: c, Alerts: recs, Gazetteer: gazetteer,
		Health: fixedUptime{"bth": 0.987}, Cases: fixedCases{Total: 2}, Portals: fixedDuties{{Portal: "p", Duty: "d", Status: "missing"}},
		SourceNames: map[string]string{"bth": "Báo Thanh Hóa"}}, p)
	if err != nil {
		t.Fatal(err)
	}
	if c.q.Area == nil || !*c.q.Area || !slices.Equal(c.q.Topics, []string{"border"}) {
		t.Errorf("query %+v: want the area and the topic", c.q)
	}
	if !slices.Equal(r.Months, []string{"2026-02", "2026-03", "2026-04"}) || len(r.MonthRows) != 3 || !slices.Equal(r.MonthRows[1], []int{7, 7}) {
		t.Errorf("months %v rows %v", r.Months, r.MonthRows)
	}
	if len(r.Sources) != 2 || r.Sources[0].Label != "Báo Thanh Hóa" || r.Sources[0].Note != "98,7%" || r.Sources[1].Label != "vne" || r.Sources[1].Note != "" {
		t.Errorf("sources %+v", r.Sources)
	}
	if len(r.OldNames) != 1 || r.OldNames[0].ID != "xuan-cao" || r.OldNames[0].N != 3 || r.OldNames[0].Note != "nay là Luận Thành" {
		t.Errorf("old names %+v", r.OldNames)
	}
	if len(r.Severity) != 2 || r.Severity[0].ID != "high" || r.Severity[1].ID != "low" {
		t.Errorf("severity %+v", r.Severity)
	}
	if r.Alerts.Total != 1 {
		t.Errorf("alerts %+v: want only the border alert", r.Alerts)
	}
	if r.Cases == nil || r.Cases.Total != 2 || len(r.Duties) != 1 {
		t.Errorf("cases %+v duties %+v", r.Cases, r.Duties)
	}
	if r.TopicName("border") != "border" || len(r.Narrative) == 0 {
		t.Errorf("topic name %q, narrative %v", r.TopicName("border"), r.Narrative)
	}
	for _, para := range r.Narrative {
		if strings.Contains(para, "Khó khăn") {
			t.Errorf("narrative %q repeats the difficulties placeholder of section VI", para)
		}
	}

	p.Topic, p.All = "", true
	if _, err := Build(t.Context(), Deps{Counter: c}, p); err != nil {
		t.Fatal(err)
	}
	if c.q.Area != nil || c.q.Topics != nil {
		t.Errorf("query %+v: want neither area nor topic", c.q)
	}
}

// TestNamedOutlets: a story's outlets are listed by display name, sorted,
// an id without a name as it is.
func TestNamedOutlets(t *testing.T) {
	got := namedOutlets([]Story{{Outlets: 3, Sources: []string{"bth", "nd", "qdnd"}}},
		map[string]string{"bth": "Báo Thanh Hóa", "nd": "Báo Nhân Dân"})
	if want := []string{"Báo Nhân Dân", "Báo Thanh Hóa", "qdnd"}; !slices.Equal(got[0].Sources, want) {
		t.Errorf("outlets %q, want %q", got[0].Sources, want)
	}
}
