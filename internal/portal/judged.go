package portal

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// LatestJudged keeps, per portal and duty, the current period's row when it
// is published, late or due, and the previous period's otherwise. rows
// hold each duty's previous and current period (Reader.Current).
func LatestJudged(rows []DutyStatus, now time.Time) []DutyStatus {
	type key struct{ portal, duty string }
	best := map[key]DutyStatus{}
	var order []key
	for _, r := range rows {
		k := key{r.Portal, r.Duty}
		old, ok := best[k]
		if !ok {
			order = append(order, k)
			best[k] = r
			continue
		}
		cur, prev := r, old
		if old.Due.After(r.Due) {
			cur, prev = old, r
		}
		if cur.Status != StatusMissing || now.After(cur.Due) {
			best[k] = cur
		} else {
			best[k] = prev
		}
	}
	out := make([]DutyStatus, 0, len(order))
	for _, k := range order {
		out = append(out, best[k])
	}
	return out
}

// dutyLine is one line of `portals check --json` (DESIGN.md).
type dutyLine struct {
	Portal    string     `json:"portal"`
	Duty      string     `json:"duty"`
	Period    string     `json:"period"`
	Status    string     `json:"status"` // published | missing | late
	URL       string     `json:"url"`
	Published *time.Time `json:"published"` // null when missing
	Due       time.Time  `json:"due"`
}

// WriteDuties prints rows, one JSON object a line ({"portal", "duty",
// "period", "status", "url", "published", "due"}) or one tab-separated line
// each (for a tabwriter), days in loc.
func WriteDuties(w io.Writer, rows []DutyStatus, asJSON bool, loc *time.Location) error {
	for _, r := range rows {
		if asJSON {
			line := dutyLine{Portal: r.Portal, Duty: r.Duty, Period: r.Period, Status: r.Status, URL: r.URL, Due: r.Due}
			if !r.Published.IsZero() {
				line.Published = &r.Published
			}
			if err := json.NewEncoder(w).Encode(line); err != nil {
				return err
			}
			continue
		}
		pub := "—"
		if !r.Published.IsZero() {
			pub = r.Published.In(loc).Format("2006-01-02")
		}
		status := r.Status
		if r.Overdue {
			status += " (overdue)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\tdue %s\t%s\t%s\n", r.Portal, r.Duty, r.Period, status,
			r.Due.In(loc).Format("2006-01-02"), pub, r.URL)
	}
	return nil
}
