package report

// Providers over the other packages' stores, the renderer by file
// extension, and Maker (the web UI's Reports), so that the wiring in
// internal/node only names them.

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/cases"
	"github.com/diembao/diembao/internal/officedoc"
	"github.com/diembao/diembao/internal/portal"
	"github.com/diembao/diembao/rules"
)

// AlertsIn gives the records of store received in [from, to).
func AlertsIn(store *alerts.Store) AlertSource { return alertRange{store} }

type alertRange struct{ store *alerts.Store }

func (a alertRange) Alerts(ctx context.Context, from, to time.Time) ([]alerts.Record, error) {
	p, err := a.store.List(ctx, alerts.Filter{Since: from, Limit: 1 << 30})
	if err != nil {
		return nil, err
	}
	var out []alerts.Record
	for _, r := range p.Records {
		if r.Received.Before(to) {
			out = append(out, r)
		}
	}
	return out, nil
}

// CasesFrom counts the cases of svc opened in the period.
func CasesFrom(svc *cases.Service) CaseStats { return caseStats{svc} }

type caseStats struct{ svc *cases.Service }

func (c caseStats) CaseStats(ctx context.Context, from, to time.Time) (Cases, error) {
	list, _, err := c.svc.List(ctx, cases.Filter{})
	if err != nil {
		return Cases{}, err
	}
	out := Cases{ByVerdict: map[string]int{}, ByStatus: map[string]int{}}
	var waits []time.Duration
	slices.SortFunc(list, func(a, b cases.Case) int { return a.Opened.Compare(b.Opened) })
	for _, k := range list {
		if k.Opened.Before(from) || !k.Opened.Before(to) {
			continue
		}
		out.Total++
		out.ByVerdict[k.Verdict]++
		out.ByStatus[k.Status]++
		if at, ok := respondedAt(k); ok {
			waits = append(waits, at.Sub(k.Opened))
		}
		var outcome []string
		for _, o := range k.Outcome {
			outcome = append(outcome, cases.OutcomeName(o))
		}
		verdict := "Chưa kết luận"
		if k.Verdict != "" {
			verdict = cases.VerdictName(k.Verdict)
		}
		out.Lines = append(out.Lines, CaseLine{ID: k.ID, Claim: k.Claim, Where: strings.Join(k.Communes, ", "),
			Verdict: verdict, Outcome: strings.Join(outcome, "; ")})
	}
	out.MedianResponse = Percentile(waits, 50)
	out.P90Response = Percentile(waits, 90)
	return out, nil
}

// respondedAt is when the case first reached the status "responded".
func respondedAt(k cases.Case) (time.Time, bool) {
	for _, e := range k.History {
		if e.Action == "move" && e.To == cases.StatusResponded {
			return e.At, true
		}
	}
	return time.Time{}, false
}

// DutiesFrom gives the duty rows of every portal r watches, judged at now()
// (time.Now if nil).
func DutiesFrom(r *portal.Reader, now func() time.Time) PortalDuties {
	if now == nil {
		now = time.Now
	}
	return portalDuties{r: r, now: now}
}

type portalDuties struct {
	r   *portal.Reader
	now func() time.Time
}

func (p portalDuties) DutyRows(ctx context.Context, from, to time.Time) ([]DutyRow, error) {
	list, err := p.r.Compliance(ctx, "", from, to, p.now())
	if err != nil {
		return nil, err
	}
	rows := make([]DutyRow, 0, len(list))
	for _, d := range list {
		rows = append(rows, DutyRow{Portal: d.PortalName, Duty: d.DutyName, Period: d.Label, Status: d.Status, URL: d.URL})
	}
	return rows, nil
}

// DepsFromRules fills the gazetteer and the topic names from the rule set
// (the providers are the caller's; nil means none yet). A topic is named as
// the pack names it, as mails and the web UI do; a topic the pack leaves
// unnamed takes the built-in name (alerts.TopicName).
func DepsFromRules(set *rules.Set) Deps {
	d := Deps{TopicNames: map[string]string{}}
	for _, t := range set.Topics() {
		d.TopicNames[t.ID] = t.Name
		if t.Name == "" {
			d.TopicNames[t.ID] = alerts.TopicName(t.ID)
		}
	}
	for _, pl := range set.Places() {
		cs := set.Communes([]string{pl.ID})
		if len(cs) == 0 || len(pl.Names) == 0 {
			continue
		}
		d.Gazetteer = append(d.Gazetteer, Place{ID: pl.ID, Name: pl.Names[0], Communes: cs, Current: len(cs) == 1 && cs[0] == pl.ID})
	}
	return d
}

// Render writes r in the format of a file extension (.pdf, .docx, .xlsx),
// dated date, issued by is.
func Render(r Report, is officedoc.Issuer, ext string, date time.Time) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	switch ext {
	case ".pdf":
		err = WritePDF(&buf, r, is, date)
	case ".docx":
		err = WriteDOCX(&buf, r, is, date)
	case ".xlsx":
		err = WriteXLSX(&buf, r)
	default:
		err = fmt.Errorf("format %q: want .pdf, .docx or .xlsx", ext)
	}
	return buf.Bytes(), err
}

// RuleSource gives the rule set in force (rules.Reloader).
type RuleSource interface {
	Current() *rules.Set
}

// Maker builds and renders reports for the web UI: Providers gives the
// counter, the providers and the source names, Rules the gazetteer and
// topic names at each call, and reports are dated Now() in Loc.
type Maker struct {
	Providers Deps
	Rules     RuleSource
	Issuer    officedoc.Issuer
	Now       func() time.Time
	Loc       *time.Location
	// SourceNames, when set, gives the sources' names at each report (with
	// the Sources page's edits) in place of Providers.SourceNames.
	SourceNames func() map[string]string
}

// Report gathers the report of p.
func (m Maker) Report(ctx context.Context, p Params) (Report, error) {
	d := m.Providers.WithRules(m.Rules.Current())
	if m.SourceNames != nil {
		d.SourceNames = m.SourceNames()
	}
	return Build(ctx, d, p)
}

// Render writes r as "pdf", "docx" or "xlsx".
func (m Maker) Render(r Report, format string) ([]byte, error) {
	return Render(r, m.Issuer, "."+format, m.Now().In(m.Loc))
}

// WithRules returns d's counter, providers and source names with the
// gazetteer and topic names of set.
func (d Deps) WithRules(set *rules.Set) Deps {
	out := DepsFromRules(set)
	out.Counter, out.Alerts, out.Cases, out.Portals, out.Health = d.Counter, d.Alerts, d.Cases, d.Portals, d.Health
	out.SourceNames, out.AudienceNames = d.SourceNames, d.AudienceNames
	return out
}
