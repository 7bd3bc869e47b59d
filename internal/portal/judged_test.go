package portal

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestLatestJudged: the current period counts once it is published or
// due; before that the previous period is the one judged.
func TestLatestJudged(t *testing.T) {
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	prev := DutyStatus{Portal: "p", Duty: "budget", Period: "2025", Due: time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC), Status: StatusLate}
	curOpen := DutyStatus{Portal: "p", Duty: "budget", Period: "2026", Due: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), Status: StatusMissing}
	curDone := curOpen
	curDone.Status = StatusPublished
	other := DutyStatus{Portal: "p", Duty: "plan", Period: "2026", Due: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), Status: StatusMissing, Overdue: true}

	got := LatestJudged([]DutyStatus{curOpen, prev, other}, now)
	if len(got) != 2 || got[0].Period != "2025" || got[1].Duty != "plan" {
		t.Errorf("not yet due: %+v, want 2025's budget row then plan", got)
	}
	if got := LatestJudged([]DutyStatus{prev, curDone}, now); len(got) != 1 || got[0].Period != "2026" {
		t.Errorf("published early: %+v, want 2026", got)
	}
	if got := LatestJudged([]DutyStatus{prev, curOpen}, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)); got[0].Period != "2026" {
		t.Errorf("past due: %+v, want 2026", got)
	}

	var b bytes.Buffer
	if err := WriteDuties(&b, []DutyStatus{other}, true, time.UTC); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"published":null`) || !strings.Contains(b.String(), `"status":"missing"`) {
		t.Errorf("json line %s", b.String())
	}
	b.Reset()
	WriteDuties(&b, []DutyStatus{other}, false, time.UTC)
	if !strings.Contains(b.String(), "missing (overdue)\tdue 2026-01-31\t—") {
		t.Errorf("text line %q", b.String())
	}
}
