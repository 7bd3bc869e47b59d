package main

import (
	"fmt"
	"time"

	"github.com/diembao/diembao/alerts/digest"
)

// digestFileName is where `digest` without --out writes: ban-tin-2026-W47.html.
func digestFileName(week string) string { return "ban-tin-" + week + ".html" }

// checkDigestEnded refuses --send for a week or range that has not ended at
// now, unless --force: a digest mailed early misses the rest of its week.
func checkDigestEnded(o digestOpts, loc *time.Location, now time.Time) error {
	if !o.send || o.force {
		return nil
	}
	end := o.to
	if o.week != "" {
		_, to, err := digest.WeekRange(o.week, loc)
		if err != nil {
			return err
		}
		end = to
	}
	if now.Before(end) {
		return fmt.Errorf("--send: the period ends %s, not yet; add --force to send it now", end.In(loc).Format("2006-01-02 15:04"))
	}
	return nil
}
