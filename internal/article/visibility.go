package article

import (
	"slices"
	"sort"
)

// Restricted reports whether m comes from a rule that notifies only
// sensitive audiences (say [police]): such a match is invisible to readers
// outside those audiences everywhere (UI, API, search, office mail, digest).
// A rule with no audiences, or with at least one audience not in sensitive,
// is not restricted.
func (m Match) Restricted(sensitive []string) bool {
	if len(m.Audiences) == 0 {
		return false
	}
	for _, a := range m.Audiences {
		if !slices.Contains(sensitive, a) {
			return false
		}
	}
	return true
}

// HasRestricted reports whether any match of a is Restricted.
func (a Alert) HasRestricted(sensitive []string) bool {
	return slices.ContainsFunc(a.Matches, func(m Match) bool { return m.Restricted(sensitive) })
}

// WithoutRestricted returns a copy of a without its restricted matches, as a
// reader outside the sensitive audiences may see it: Topics keep only the
// topics some remaining match gives (topics no match gave, e.g. set by hand,
// stay), and Severity is the highest remaining. An alert with no restricted
// match is returned unchanged.
func (a Alert) WithoutRestricted(sensitive []string) Alert {
	if !a.HasRestricted(sensitive) {
		return a
	}
	var keep []Match
	hidden := map[string]bool{}
	shown := map[string]bool{}
	for _, m := range a.Matches {
		if m.Restricted(sensitive) {
			hidden[m.Topic] = true
			continue
		}
		keep = append(keep, m)
		shown[m.Topic] = true
	}
	out := a
	out.Matches = keep
	out.Topics = nil
	for _, t := range a.Topics {
		if !hidden[t] || shown[t] {
			out.Topics = append(out.Topics, t)
		}
	}
	for _, m := range keep {
		if !slices.Contains(out.Topics, m.Topic) {
			out.Topics = append(out.Topics, m.Topic)
		}
	}
	sort.Strings(out.Topics)
	out.Severity = ""
	for _, m := range keep {
		if SeverityRank(m.Severity) > SeverityRank(out.Severity) {
			out.Severity = m.Severity
		}
	}
	if out.Severity == "" && len(keep) == 0 {
		out.Severity = "info"
	}
	return out
}
