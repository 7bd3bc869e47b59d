// Package report builds the press-monitoring report of a period (the year
// report due 10 December, or any range): articles about the area by month,
// topic, source and commune, the stories most carried, alerts and their
// acknowledgement times, cases, own-portal duties, sources, and a narrative
// in Vietnamese. Every article figure comes from the index's counts
// (indexer.Stats), so it reconciles with search.
// In: a Counter, optional alert, case, portal and source providers, Params.
// Out: Report, rendered as PDF/DOCX (internal/officedoc), XLSX, SVG/PNG charts.
package report

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/alerts/digest"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
)

// Counter is what the report needs from the index.
type Counter interface {
	Stats(ctx context.Context, q indexer.Query) (indexer.Stats, error)
}

// AlertSource gives the alert records received in [from, to).
type AlertSource interface {
	Alerts(ctx context.Context, from, to time.Time) ([]alerts.Record, error)
}

// CaseStats gives the figures of the cases handled in [from, to). cmd wires
// the case store in; nil means "no cases yet".
type CaseStats interface {
	CaseStats(ctx context.Context, from, to time.Time) (Cases, error)
}

// Cases are the case figures of the period.
type Cases struct {
	Total     int
	ByVerdict map[string]int // false, misleading, true, unproven, "" (not yet decided)
	ByStatus  map[string]int // received … closed
	// MedianResponse and P90Response are the times from intake to the
	// office's response (status responded); zero when none responded.
	MedianResponse, P90Response time.Duration
	// Lines are one per case for the table: claim, where, verdict, what was done.
	Lines []CaseLine
}

// CaseLine is one case in the report's table.
type CaseLine struct {
	ID, Claim, Where, Verdict, Outcome string
}

// PortalDuties gives the own-portal duty compliance of the period; nil
// means no portals are watched yet.
type PortalDuties interface {
	DutyRows(ctx context.Context, from, to time.Time) ([]DutyRow, error)
}

// DutyRow is one duty of one portal for one period.
type DutyRow struct {
	Portal, Duty, Period string
	Status               string // published | missing | late
	URL                  string
}

// SourceHealth gives each source's uptime in [from, to) as a fraction of
// successful fetches (0..1); nil means unknown.
type SourceHealth interface {
	Uptime(ctx context.Context, from, to time.Time) (map[string]float64, error)
}

// Place is a gazetteer entry as the report names it.
type Place struct {
	ID, Name string
	// Communes are the communes of today it stands for (itself for one of
	// the nine; what an old commune became).
	Communes []string
	Current  bool // one of today's communes
}

// Deps are the report's data providers; only Counter is required.
type Deps struct {
	Counter   Counter
	Alerts    AlertSource
	Cases     CaseStats
	Portals   PortalDuties
	Health    SourceHealth
	Gazetteer []Place
	// TopicNames, SourceNames and AudienceNames give display names; missing
	// ids show as is.
	TopicNames    map[string]string
	SourceNames   map[string]string
	AudienceNames map[string]string
}

// Params choose the period and the scope.
type Params struct {
	From, To time.Time // days, inclusive; in Loc
	Topic    string    // "" all topics
	// All counts every indexed article, not only those about the area.
	All bool
	Loc *time.Location
}

// Year returns the Params of a calendar year.
func Year(y int, loc *time.Location) Params {
	return Params{From: time.Date(y, 1, 1, 0, 0, 0, 0, loc), To: time.Date(y, 12, 31, 0, 0, 0, 0, loc), Loc: loc}
}

// Row is a labelled count with an optional note.
type Row struct {
	ID, Label string
	N         int
	Note      string
}

// Story is a story most carried: its first title and the outlets that ran it.
type Story struct {
	Title, URL, Source string
	Published          time.Time
	Outlets            int
	Sources            []string
}

// Report is the content of one report.
type Report struct {
	Params    Params
	Generated time.Time
	Total     int
	Months    []string            // "2026-01" … every month of the period
	Topics    []Row               // by topic (an article counts under each of its topics)
	Sources   []Row               // by source, with uptime in Note
	Communes  []Row               // today's communes, old names in Note
	OldNames  []Row               // old commune names as found
	MonthRows [][]int             // per month: total, then one per Topics entry
	Severity  []Row               // articles by highest severity
	Alerts    AlertFigures        // nil providers leave it empty
	Stories   []Story             // most carried, at most 10
	Cases     *Cases              // nil: no cases yet
	Duties    []DutyRow           // nil: no portals watched
	Narrative []string            // paragraphs in Vietnamese, editable
	TopicName func(string) string `json:"-"`
}

// AlertFigures are the alerts of the period.
type AlertFigures struct {
	Known      bool
	Total      int
	BySeverity []Row
	ByAudience []Row
	Acked      int
	// MedianAck and P90Ack are the times from receipt to acknowledgement.
	MedianAck, P90Ack time.Duration
}

// Build gathers the report of p.
func Build(ctx context.Context, d Deps, p Params) (Report, error) {
	if d.Counter == nil {
		return Report{}, errors.New("report: nil Counter")
	}
	p, err := checkParams(p)
	if err != nil {
		return Report{}, err
	}
	st, err := d.Counter.Stats(ctx, indexQuery(p))
	if err != nil {
		return Report{}, fmt.Errorf("report: count: %w", err)
	}
	r := Report{Params: p, Total: int(st.Total), TopicName: func(id string) string { return nameOr(d.TopicNames, id) }}
	r.Months = months(p)
	for _, fc := range st.Sorted(indexer.DimTopic) {
		r.Topics = append(r.Topics, Row{ID: fc.Term, Label: nameOr(d.TopicNames, fc.Term), N: fc.Count})
	}
	if r.Sources, err = sourceRows(ctx, d, p, st); err != nil {
		return Report{}, err
	}
	r.Communes, r.OldNames = placeRows(d.Gazetteer, st)
	r.MonthRows = monthRows(st, r.Months, r.Topics)
	for _, s := range []string{"critical", "high", "medium", "low", "info"} {
		if n := st.By[indexer.DimSeverity][s]; n > 0 {
			r.Severity = append(r.Severity, Row{ID: s, Label: alerts.SeverityName(s), N: n})
		}
	}
	if err := r.addProviders(ctx, d, p); err != nil {
		return Report{}, err
	}
	r.Narrative = narrative(r)
	return r, nil
}

// checkParams returns p with Loc defaulted to Vietnam's, or an error when
// the period lacks an end, ends before it starts or is longer than three
// years.
func checkParams(p Params) (Params, error) {
	if p.Loc == nil {
		p.Loc = article.Vietnam()
	}
	if p.From.IsZero() || p.To.IsZero() || p.To.Before(p.From) {
		return p, errors.New("report: the period needs a start and an end, the end not before the start")
	}
	if p.To.Sub(p.From) > 3*366*24*time.Hour {
		return p, errors.New("report: a period of more than three years")
	}
	return p, nil
}

// indexQuery is the index query of p's scope: the period, the area unless
// p.All, and p.Topic if set.
func indexQuery(p Params) indexer.Query {
	q := indexer.Query{From: p.From, To: p.To}
	if !p.All {
		yes := true
		q.Area = &yes
	}
	if p.Topic != "" {
		q.Topics = []string{p.Topic}
	}
	return q
}

// nameOr returns m's name for id, or id when m has none.
func nameOr(m map[string]string, id string) string {
	if n := m[id]; n != "" {
		return n
	}
	return id
}

// months returns every month of p's period, "2026-01", in order.
func months(p Params) []string {
	var out []string
	for m := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, p.Loc); !m.After(p.To); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// sourceRows returns the article counts by source, most first, with the
// source's uptime over the period in Note when d.Health knows it.
func sourceRows(ctx context.Context, d Deps, p Params, st indexer.Stats) ([]Row, error) {
	var uptime map[string]float64
	if d.Health != nil {
		var err error
		if uptime, err = d.Health.Uptime(ctx, p.From, p.To.AddDate(0, 0, 1)); err != nil {
			return nil, fmt.Errorf("report: sources: %w", err)
		}
	}
	var out []Row
	for _, fc := range st.Sorted(indexer.DimSource) {
		row := Row{ID: fc.Term, Label: nameOr(d.SourceNames, fc.Term), N: fc.Count}
		if u, ok := uptime[fc.Term]; ok {
			row.Note = percent(u * 100)
		}
		out = append(out, row)
	}
	return out, nil
}

// placeRows returns the counts by today's commune, each noting the old
// names that count for it, and the old names as found (most first), each
// noting the communes it became.
func placeRows(gaz []Place, st indexer.Stats) (communes, oldNames []Row) {
	placeName := map[string]string{}
	olds := map[string][]string{}
	for _, pl := range gaz {
		placeName[pl.ID] = pl.Name
	}
	for _, pl := range gaz {
		if !pl.Current {
			for _, c := range pl.Communes {
				olds[c] = append(olds[c], pl.Name)
			}
		}
	}
	for _, fc := range st.Sorted(indexer.DimCommune) {
		row := Row{ID: fc.Term, Label: nameOr(placeName, fc.Term), N: fc.Count}
		if o := olds[fc.Term]; len(o) > 0 {
			row.Note = "gồm địa danh cũ: " + strings.Join(slices.Compact(slices.Sorted(slices.Values(o))), ", ")
		}
		communes = append(communes, row)
	}
	for _, pl := range gaz {
		if pl.Current || len(pl.Communes) == 0 {
			continue
		}
		if n := st.By[indexer.DimPlace][pl.ID]; n > 0 {
			var now []string
			for _, c := range pl.Communes {
				now = append(now, nameOr(placeName, c))
			}
			oldNames = append(oldNames, Row{ID: pl.ID, Label: pl.Name, N: n, Note: "nay là " + strings.Join(now, ", ")})
		}
	}
	sort.SliceStable(oldNames, func(i, j int) bool { return oldNames[i].N > oldNames[j].N })
	return communes, oldNames
}

// monthRows returns one row per month: its total, then its count for each
// of topics, in order.
func monthRows(st indexer.Stats, months []string, topics []Row) [][]int {
	var out [][]int
	for _, m := range months {
		row := []int{st.By[indexer.DimMonth][m]}
		for _, t := range topics {
			row = append(row, st.MonthTopic[m][t.ID])
		}
		out = append(out, row)
	}
	return out
}

// addProviders fills the alert figures and stories (of p.Topic only, if
// set), the cases and the portal duties of p's period from the providers
// d has, in that order; it stops at the first error.
func (r *Report) addProviders(ctx context.Context, d Deps, p Params) error {
	end := p.To.AddDate(0, 0, 1)
	if d.Alerts != nil {
		recs, err := d.Alerts.Alerts(ctx, p.From, end)
		if err != nil {
			return fmt.Errorf("report: alerts: %w", err)
		}
		if p.Topic != "" {
			recs = slices.DeleteFunc(recs, func(rc alerts.Record) bool { return !slices.Contains(rc.Alert.Topics, p.Topic) })
		}
		r.Alerts = alertFigures(recs, d.AudienceNames)
		r.Stories = namedOutlets(mostCarried(recs, 10), d.SourceNames)
	}
	if d.Cases != nil {
		c, err := d.Cases.CaseStats(ctx, p.From, end)
		if err != nil {
			return fmt.Errorf("report: cases: %w", err)
		}
		r.Cases = &c
	}
	if d.Portals != nil {
		var err error
		if r.Duties, err = d.Portals.DutyRows(ctx, p.From, end); err != nil {
			return fmt.Errorf("report: portal duties: %w", err)
		}
	}
	return nil
}

func alertFigures(recs []alerts.Record, audienceNames map[string]string) AlertFigures {
	f := AlertFigures{Known: true, Total: len(recs)}
	sev, aud := map[string]int{}, map[string]int{}
	var waits []time.Duration
	for _, rc := range recs {
		sev[rc.Alert.Severity]++
		for _, a := range rc.Audiences {
			aud[a]++
		}
		if rc.Acked {
			f.Acked++
			if !rc.AckedAt.IsZero() && !rc.AckedAt.Before(rc.Received) {
				waits = append(waits, rc.AckedAt.Sub(rc.Received))
			}
		}
	}
	for _, s := range []string{"critical", "high", "medium", "low", "info"} {
		if sev[s] > 0 {
			f.BySeverity = append(f.BySeverity, Row{ID: s, Label: alerts.SeverityName(s), N: sev[s]})
		}
	}
	for a, n := range aud {
		f.ByAudience = append(f.ByAudience, Row{ID: a, Label: nameOr(audienceNames, a), N: n})
	}
	sort.Slice(f.ByAudience, func(i, j int) bool { return f.ByAudience[i].ID < f.ByAudience[j].ID })
	f.MedianAck, f.P90Ack = Percentile(waits, 50), Percentile(waits, 90)
	return f
}

// Percentile returns the p-th percentile (nearest rank) of ds, 0 for none.
func Percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	k := (p*len(s) + 99) / 100 // nearest rank, 1-based
	return s[max(k, 1)-1]
}

// mostCarried clusters the alerted articles into stories as the digest does
// (digest.Cluster: SimHash of the text, equal titles) and returns the n
// carried by the most outlets.
func mostCarried(recs []alerts.Record, n int) []Story {
	var items []digest.Item
	seen := map[string]bool{}
	for _, rc := range recs {
		a := rc.Alert
		if seen[a.ArticleID] {
			continue
		}
		seen[a.ArticleID] = true
		items = append(items, digest.Item{ID: a.ArticleID, URL: a.URL, Title: a.Title, Lead: a.Lead, Body: a.Snippet, Source: a.Source, Published: a.Published, PublishedFrom: a.PublishedFrom})
	}
	var out []Story
	for _, s := range digest.Cluster(items) {
		srcs := []string{s.Source}
		for _, o := range s.AlsoCarried {
			srcs = append(srcs, o.Source)
		}
		slices.Sort(srcs)
		srcs = slices.Compact(srcs)
		out = append(out, Story{Title: s.Title, URL: s.URL, Source: s.Source, Published: s.Published, Outlets: len(srcs), Sources: srcs})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Outlets > out[j].Outlets })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// namedOutlets returns stories with each story's Sources given by their
// display names (ids without one stay as they are), sorted.
func namedOutlets(stories []Story, names map[string]string) []Story {
	for i, s := range stories {
		named := make([]string, len(s.Sources))
		for j, id := range s.Sources {
			named[j] = nameOr(names, id)
		}
		slices.Sort(named)
		stories[i].Sources = named
	}
	return stories
}

// Title is the report's heading, e.g. "Kết quả theo dõi thông tin báo chí
// năm 2026" or "… từ ngày 01/03/2026 đến ngày 31/05/2026".
func (r Report) Title() string {
	p := r.Params
	s := "Kết quả theo dõi thông tin báo chí"
	if p.Topic != "" {
		s += " về chủ đề " + r.TopicName(p.Topic)
	}
	if p.From.Month() == 1 && p.From.Day() == 1 && p.To.Month() == 12 && p.To.Day() == 31 && p.From.Year() == p.To.Year() {
		return fmt.Sprintf("%s năm %d", s, p.From.Year())
	}
	return fmt.Sprintf("%s từ ngày %s đến ngày %s", s, p.From.Format("02/01/2006"), p.To.Format("02/01/2006"))
}

// MonthLabel writes "2026-03" as "Tháng 3/2026".
func MonthLabel(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return fmt.Sprintf("Tháng %d/%d", int(t.Month()), t.Year())
}

// num writes n with Vietnamese thousands separators: 12.345.
func num(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + num(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

// percent writes p with one decimal and a Vietnamese decimal comma: 98,7%.
func percent(p float64) string {
	return strings.Replace(fmt.Sprintf("%.1f%%", p), ".", ",", 1)
}

// dur writes a duration in Vietnamese: "2 giờ 5 phút", "3 ngày 4 giờ".
func dur(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	d = d.Round(time.Minute)
	days, h, m := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%d ngày %d giờ", days, h)
	case h > 0:
		return fmt.Sprintf("%d giờ %d phút", h, m)
	}
	return fmt.Sprintf("%d phút", max(m, 1))
}

// narrative is the overview of section I in Vietnamese, one paragraph per
// fact group. The difficulties and proposals are not in it: the document
// leaves them to the office under their own heading (section VI).
func narrative(r Report) []string {
	var out []string
	scope := "liên quan đến địa bàn"
	if r.Params.All {
		scope = "được thu thập"
	}
	s := fmt.Sprintf("Trong kỳ báo cáo, hệ thống đã ghi nhận %s bài viết %s", num(r.Total), scope)
	if len(r.Sources) > 0 {
		s += fmt.Sprintf(" trên %s nguồn tin", num(len(r.Sources)))
	}
	s += "."
	if len(r.Topics) > 0 {
		var parts []string
		for _, t := range r.Topics[:min(len(r.Topics), 5)] {
			parts = append(parts, fmt.Sprintf("%s %s bài", t.Label, num(t.N)))
		}
		s += " Theo chủ đề (một bài có thể thuộc nhiều chủ đề): " + strings.Join(parts, "; ") + "."
	}
	out = append(out, s)
	if len(r.Communes) > 0 {
		top := r.Communes[0]
		out = append(out, fmt.Sprintf("Địa bàn được nhắc đến nhiều nhất là %s với %s bài; %s xã có bài viết phản ánh.", top.Label, num(top.N), num(len(r.Communes))))
	}
	if r.Alerts.Known {
		a := r.Alerts
		s := fmt.Sprintf("Hệ thống đã phát %s cảnh báo, trong đó %s cảnh báo đã được xác nhận", num(a.Total), num(a.Acked))
		if a.MedianAck > 0 {
			s += fmt.Sprintf("; thời gian xác nhận trung vị là %s, 90%% cảnh báo được xác nhận trong %s", dur(a.MedianAck), dur(a.P90Ack))
		}
		out = append(out, s+".")
	}
	if len(r.Stories) > 0 && r.Stories[0].Outlets > 1 {
		out = append(out, fmt.Sprintf("Tin được nhiều báo đăng lại nhất: \"%s\" (%s cơ quan báo chí).", r.Stories[0].Title, num(r.Stories[0].Outlets)))
	}
	if r.Cases == nil {
		out = append(out, "Chưa có vụ việc thông tin sai sự thật nào được ghi nhận trên hệ thống.")
	} else {
		out = append(out, fmt.Sprintf("Đã tiếp nhận và xử lý %s vụ việc thông tin sai sự thật, xuyên tạc.", num(r.Cases.Total)))
	}
	return out
}
