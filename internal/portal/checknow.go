package portal

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// CheckNow is `diembao portals check`: it checks each portal of ids now
// (Check: findings are raised as alerts, as the running watch raises them)
// and writes the duties of each as judged at that moment (LatestJudged,
// WriteDuties): JSON lines when asJSON, else one table aligned over every
// portal, days in loc. A portal that cannot be checked is reported on errw
// as one line, "diembao: portal ID: …", and the others are still checked;
// the number of new findings of a portal goes there too. failed reports
// whether any portal could not be checked; err is an error writing out.
func (w *Watcher) CheckNow(ctx context.Context, out, errw io.Writer, ids []string, asJSON bool, loc *time.Location) (failed bool, err error) {
	tw := tabwriter.NewWriter(out, 2, 8, 2, ' ', 0)
	dst := io.Writer(tw)
	if asJSON {
		dst = out
	}
	for _, id := range ids {
		rep, err := w.Check(ctx, id)
		if err != nil {
			fmt.Fprintf(errw, "diembao: portal %s: %v\n", id, err)
			failed = true
			continue
		}
		if len(rep.Alerts) > 0 {
			fmt.Fprintf(errw, "diembao: portal %s: %d new finding(s) raised as alerts\n", id, len(rep.Alerts))
		}
		now := w.cfg.Now()
		rows, err := w.Current(ctx, id, now)
		if err != nil {
			fmt.Fprintf(errw, "diembao: portal %s: %v\n", id, err)
			failed = true
			continue
		}
		if err := WriteDuties(dst, LatestJudged(rows, now), asJSON, loc); err != nil {
			return failed, err
		}
	}
	return failed, tw.Flush()
}
