package article

import (
	"testing"
	"time"
)

// Vietnam is UTC+7 on every date an article carries (no daylight saving
// since 1975), whether or not the machine has the tz database.
func TestVietnam(t *testing.T) {
	loc := Vietnam()
	for _, d := range []time.Time{time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)} {
		if _, off := d.In(loc).Zone(); off != 7*3600 {
			t.Errorf("%s in %s: offset %d", d, loc, off)
		}
	}
	if got := time.Date(2026, 12, 5, 17, 30, 0, 0, time.UTC).In(loc).Format("2006-01-02 15:04"); got != "2026-12-06 00:30" {
		t.Errorf("calendar day: %s", got)
	}
}
