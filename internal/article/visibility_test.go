package article

import (
	"slices"
	"testing"
)

func TestWithoutRestricted(t *testing.T) {
	sens := []string{"police"}
	a := Alert{ID: "x", Topics: []string{"border", "laos"}, Severity: "critical", Matches: []Match{
		{Rule: "laos.secret", Topic: "laos", Severity: "critical", Audiences: []string{"police"}},
		{Rule: "border.core", Topic: "border", Severity: "medium", Audiences: []string{"office", "police"}},
		{Rule: "border.any", Topic: "border", Severity: "low"},
	}}
	if !a.Matches[0].Restricted(sens) || a.Matches[1].Restricted(sens) || a.Matches[2].Restricted(sens) {
		t.Fatal("Restricted: only the police-only rule is restricted")
	}
	got := a.WithoutRestricted(sens)
	if len(got.Matches) != 2 || slices.ContainsFunc(got.Matches, func(m Match) bool { return m.Rule == "laos.secret" }) {
		t.Errorf("matches %+v", got.Matches)
	}
	if !slices.Equal(got.Topics, []string{"border"}) || got.Severity != "medium" {
		t.Errorf("topics %v severity %q", got.Topics, got.Severity)
	}
	if len(a.Matches) != 3 || a.Severity != "critical" {
		t.Error("the original alert changed")
	}
	plain := Alert{Topics: []string{"border"}, Severity: "high", Matches: []Match{{Rule: "b", Topic: "border", Severity: "high"}}}
	if g := plain.WithoutRestricted(sens); g.Severity != "high" || len(g.Matches) != 1 {
		t.Errorf("unrestricted alert changed: %+v", g)
	}
	if (Match{Audiences: []string{"police"}}).Restricted(nil) {
		t.Error("nothing is restricted when no audience is sensitive")
	}
}
