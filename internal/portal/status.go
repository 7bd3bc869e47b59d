package portal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
)

// Duty statuses.
const (
	StatusPublished = "published"
	StatusMissing   = "missing"
	StatusLate      = "late"
)

// DutyStatus is one portal's duty in one period: the line `diembao portals
// check --json` prints and the row of the compliance table.
type DutyStatus struct {
	Portal     string    `json:"portal"`
	PortalName string    `json:"-"`
	Duty       string    `json:"duty"`
	DutyName   string    `json:"-"`
	Period     string    `json:"period"` // "2026", "2026-q1", "2026-01"
	Label      string    `json:"-"`      // "năm 2026"
	Due        time.Time `json:"due"`
	Status     string    `json:"status"` // published | missing | late
	URL        string    `json:"url"`
	Published  time.Time `json:"published,omitzero"` // the page's date, or when diembao first saw it
	// Overdue: missing and the due date has passed.
	Overdue bool `json:"-"`
}

// PortalStatus is what the Portals page shows about one portal.
type PortalStatus struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	URL       string            `json:"url"`
	LastCheck time.Time         `json:"last_check,omitzero"`
	LastOK    time.Time         `json:"last_ok,omitzero"`
	LastError string            `json:"last_error,omitempty"`
	Failures  int               `json:"failures"`
	DownSince time.Time         `json:"down_since,omitzero"`
	TLS       *crawler.TLSState `json:"tls,omitempty"`
	Duties    []DutyStatus      `json:"duties"`
}

// Reader reads what the watch recorded: duty compliance, portal status and
// findings. It fetches nothing, so any process sharing the kv.Store (the
// web role, the CLI, the year report) can use it.
type Reader struct {
	portals []config.Portal
	duties  map[string][]config.Duty
	st      kv.Store
	loc     *time.Location
}

// NewReader checks every portal's duties (queries compiled with the rules
// package) and returns a Reader over st.
func NewReader(portals []config.Portal, st kv.Store, loc *time.Location) (*Reader, error) {
	if st == nil {
		return nil, errors.New("portal: nil kv.Store")
	}
	if loc == nil {
		loc = article.Vietnam()
	}
	r := &Reader{portals: portals, duties: map[string][]config.Duty{}, st: st, loc: loc}
	for _, p := range portals {
		ds, err := CheckDuties(p)
		if err != nil {
			return nil, err
		}
		r.duties[p.ID] = ds
	}
	return r, nil
}

// Portals returns the configured portals.
func (r *Reader) Portals() []config.Portal { return slices.Clone(r.portals) }

func (r *Reader) portal(id string) (config.Portal, bool) {
	for _, p := range r.portals {
		if p.ID == id {
			return p, true
		}
	}
	return config.Portal{}, false
}

// pages reads a portal's page records.
func (r *Reader) pages(ctx context.Context, portalID string) ([]pageRecord, error) {
	keys, err := r.st.Keys(ctx, "page."+portalID+".")
	if err != nil {
		return nil, fmt.Errorf("portal %s: pages: %w", portalID, err)
	}
	var out []pageRecord
	for _, k := range keys {
		pr, _, err := getJSON[pageRecord](ctx, r.st, k)
		if err != nil {
			return nil, err
		}
		if pr.URL != "" {
			out = append(out, pr)
		}
	}
	return out, nil
}

// Compliance returns, for one portal (or every portal when portalID is
// ""), one row per duty and period whose due date falls in [from, to),
// ordered by portal, due date and duty. now decides Overdue.
func (r *Reader) Compliance(ctx context.Context, portalID string, from, to, now time.Time) ([]DutyStatus, error) {
	var out []DutyStatus
	for _, p := range r.portals {
		if portalID != "" && p.ID != portalID {
			continue
		}
		var drs []dutyRule
		for _, d := range r.duties[p.ID] {
			// Every period whose due date can fall in [from, to).
			per := PeriodAt(d.Every, from.AddDate(-2, 0, 0), r.loc)
			for per.Start.Before(to) {
				due, err := Due(d, per)
				if err != nil {
					return nil, err
				}
				if !due.Before(from) && due.Before(to) {
					drs = append(drs, dutyRule{duty: d, period: per, id: d.ID + "." + per.Key()})
				}
				per = PeriodAt(d.Every, per.End, r.loc)
			}
		}
		rows, err := r.evaluate(ctx, p, drs, now)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	if portalID != "" && len(out) == 0 {
		if _, ok := r.portal(portalID); !ok {
			return nil, fmt.Errorf("portal: unknown portal %q", portalID)
		}
	}
	return out, nil
}

// Current returns each duty's status in its current and previous period:
// what the Portals page and `portals check` show.
func (r *Reader) Current(ctx context.Context, portalID string, now time.Time) ([]DutyStatus, error) {
	var out []DutyStatus
	found := false
	for _, p := range r.portals {
		if portalID != "" && p.ID != portalID {
			continue
		}
		found = true
		rows, err := r.evaluate(ctx, p, currentRules(r.duties[p.ID], now, r.loc), now)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	if !found {
		return nil, fmt.Errorf("portal: unknown portal %q", portalID)
	}
	return out, nil
}

// currentRules are each duty in its previous and current period.
func currentRules(ds []config.Duty, now time.Time, loc *time.Location) []dutyRule {
	var drs []dutyRule
	for _, d := range ds {
		cur := PeriodAt(d.Every, now, loc)
		for _, per := range []Period{cur.Prev(), cur} {
			drs = append(drs, dutyRule{duty: d, period: per, id: d.ID + "." + per.Key()})
		}
	}
	return drs
}

// evaluate decides each (duty, period) from the portal's page records.
//
// A page is evidence for a duty in period P when its text matches the
// duty's query for P and, unless the query names the period ({year}…), its
// date is no earlier than a quarter of a period before P starts. The date
// is the page's own publication date; an undated page is dated when
// diembao first saw it (and counts as on time if it was there at the
// portal's first check). Watched pages (home, sections) are undated and
// count only for duties whose query does not name the period. The earliest evidence decides: on or before the
// due date, published; after it, late. No evidence: missing.
func (r *Reader) evaluate(ctx context.Context, p config.Portal, drs []dutyRule, now time.Time) ([]DutyStatus, error) {
	if len(drs) == 0 {
		return nil, nil
	}
	set, err := compileDuties(drs)
	if err != nil {
		return nil, fmt.Errorf("portal %s: duties: %w", p.ID, err)
	}
	pages, err := r.pages(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	ps, _, err := getJSON[portalState](ctx, r.st, "portal."+p.ID)
	if err != nil {
		return nil, err
	}
	byRule := map[string]dutyRule{}
	for _, dr := range drs {
		byRule[dr.id] = dr
	}
	type evidence struct {
		url    string
		date   time.Time
		onTime bool // undated, present at the first check
	}
	best := map[string]evidence{}
	for _, pg := range pages {
		if pg.Gone {
			continue
		}
		for _, id := range matchDuties(set, pg.Title, pg.Text) {
			dr, ok := byRule[id]
			if !ok || (pg.Watched && HasPlaceholder(dr.duty.Query)) {
				// A watched section lists many titles: it shows that a
				// section exists, not that a period's item was published.
				continue
			}
			date, onTime := pg.Published, false
			if date.IsZero() {
				date = pg.FirstSeen
				onTime = !ps.FirstCheck.IsZero() && !pg.FirstSeen.After(ps.FirstCheck.Add(24*time.Hour))
			}
			if !HasPlaceholder(dr.duty.Query) && !onTime && date.Before(dr.period.Start.Add(-dr.period.length()/4)) {
				continue
			}
			if onTime && pg.LastSeen.Before(dr.period.Start.Add(-dr.period.length()/4)) {
				continue
			}
			if e, ok := best[id]; !ok || date.Before(e.date) {
				best[id] = evidence{url: pg.URL, date: date, onTime: onTime}
			}
		}
	}
	out := make([]DutyStatus, 0, len(drs))
	for _, dr := range drs {
		due, err := Due(dr.duty, dr.period)
		if err != nil {
			return nil, err
		}
		row := DutyStatus{Portal: p.ID, PortalName: p.Name, Duty: dr.duty.ID, DutyName: NameFor(dr.duty.Name, dr.period),
			Period: dr.period.Key(), Label: dr.period.Label(), Due: due, Status: StatusMissing}
		if e, ok := best[dr.id]; ok {
			row.URL, row.Published = e.url, e.date
			row.Status = StatusPublished
			if !e.onTime && e.date.After(due) {
				row.Status = StatusLate
			}
		}
		row.Overdue = row.Status == StatusMissing && now.After(due)
		out = append(out, row)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Due.Equal(out[j].Due) {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].Duty < out[j].Duty
	})
	return out, nil
}

// Overview returns every portal's status with its current duties.
func (r *Reader) Overview(ctx context.Context, now time.Time) ([]PortalStatus, error) {
	var out []PortalStatus
	for _, p := range r.portals {
		ps, _, err := getJSON[portalState](ctx, r.st, "portal."+p.ID)
		if err != nil {
			return nil, err
		}
		rows, err := r.Current(ctx, p.ID, now)
		if err != nil {
			return nil, err
		}
		out = append(out, PortalStatus{ID: p.ID, Name: p.Name, URL: p.URL, LastCheck: ps.LastCheck, LastOK: ps.LastOK,
			LastError: ps.LastError, Failures: ps.Failures, DownSince: ps.DownSince, TLS: ps.TLS, Duties: rows})
	}
	return out, nil
}

// Findings returns the recorded findings, newest first, at most limit,
// without their diffs (Finding has them).
func (r *Reader) Findings(ctx context.Context, limit int) ([]Finding, error) {
	keys, err := r.st.Keys(ctx, "finding.")
	if err != nil {
		return nil, fmt.Errorf("portal findings: %w", err)
	}
	var out []Finding
	for _, k := range keys {
		f, _, err := getJSON[Finding](ctx, r.st, k)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Found.Equal(out[j].Found) {
			return out[i].Found.After(out[j].Found)
		}
		return out[i].AlertID < out[j].AlertID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// ErrNotFound: no finding has that alert id.
var ErrNotFound = errors.New("portal: finding not found")

// Finding returns the finding recorded for an alert id, or ErrNotFound.
func (r *Reader) Finding(ctx context.Context, alertID string) (Finding, error) {
	if strings.ContainsAny(alertID, ".*> ") || alertID == "" {
		return Finding{}, ErrNotFound
	}
	f, rev, err := getJSON[Finding](ctx, r.st, "finding."+alertID)
	if err != nil {
		return Finding{}, err
	}
	if rev == 0 {
		return Finding{}, ErrNotFound
	}
	diff, _, err := getJSON[[]DiffLine](ctx, r.st, "diff."+alertID)
	if err != nil {
		return Finding{}, err
	}
	f.Diff = diff
	return f, nil
}
