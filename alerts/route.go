package alerts

import (
	"fmt"
	"slices"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
)

// Router is the routing tree of diembao.yaml, in the spirit of Alertmanager:
// routes are tried in order and the first that matches wins unless it has
// continue: true; a matching route with child routes hands the alert to its
// children and keeps it itself only when no child matches.
type Router struct {
	routes    []config.Route
	audiences map[string]config.Audience
}

// NewRouter checks the tree against the audiences and returns a Router.
func NewRouter(routes []config.Route, audiences map[string]config.Audience) (*Router, error) {
	if err := config.CheckRoutes(routes, audiences); err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	return &Router{routes: routes, audiences: audiences}, nil
}

// Route returns the audiences an alert goes to, without duplicates, in
// the order the tree names them. Audiences the alert itself names (from its
// rules) are added when they are configured. A non-sensitive audience gets
// the alert only when the alert without its restricted matches (rules that
// notify only sensitive audiences) still routes to it: a police-only rule
// never brings an alert to the office.
func (r *Router) Route(a article.Alert) []string {
	var sensitive []string
	for name, au := range r.audiences {
		if au.Sensitive {
			sensitive = append(sensitive, name)
		}
	}
	all := r.route(a)
	if !a.HasRestricted(sensitive) {
		return all
	}
	var open []string
	if pub := a.WithoutRestricted(sensitive); len(pub.Matches) > 0 {
		open = r.route(pub)
	}
	var out []string
	for _, n := range all {
		if slices.Contains(sensitive, n) || slices.Contains(open, n) {
			out = append(out, n)
		}
	}
	for _, n := range open {
		if !slices.Contains(out, n) && !slices.Contains(sensitive, n) {
			out = append(out, n)
		}
	}
	return out
}

func (r *Router) route(a article.Alert) []string {
	var out []string
	add := func(names []string) {
		for _, n := range names {
			if _, ok := r.audiences[n]; ok && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	walk(r.routes, a, add)
	add(a.Audiences)
	for _, m := range a.Matches {
		add(m.Audiences)
	}
	return out
}

// walk applies the routes at one level; it reports whether any matched.
func walk(rs []config.Route, a article.Alert, add func([]string)) bool {
	matched := false
	for _, rt := range rs {
		if !matches(rt.Match, a) {
			continue
		}
		matched = true
		if !walk(rt.Routes, a, add) {
			add(rt.Audiences)
		}
		if !rt.Continue {
			break
		}
	}
	return matched
}

// matches reports whether m selects a. Topic and severity are checked per
// matched rule: some rule must have a listed topic and at least the severity.
func matches(m config.RouteMatch, a article.Alert) bool {
	if m.Area != nil && *m.Area != a.Area {
		return false
	}
	if len(m.SourceKinds) > 0 && !slices.Contains(m.SourceKinds, a.SourceKind) {
		return false
	}
	if len(m.Sources) > 0 && !slices.Contains(m.Sources, a.Source) {
		return false
	}
	minRank := -1
	if m.Severity != "" {
		minRank = article.SeverityRank(m.Severity)
	}
	ok := func(topic, sev string) bool {
		return (len(m.Topics) == 0 || slices.Contains(m.Topics, topic)) && article.SeverityRank(sev) >= minRank
	}
	if len(a.Matches) > 0 {
		for _, x := range a.Matches {
			if ok(x.Topic, x.Severity) {
				return true
			}
		}
		return false
	}
	if len(a.Topics) == 0 {
		return len(m.Topics) == 0 && article.SeverityRank(a.Severity) >= minRank
	}
	for _, t := range a.Topics {
		if ok(t, a.Severity) {
			return true
		}
	}
	return false
}
