package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
)

// Police-only rules (a rule whose audiences are all sensitive, see
// article.Match.Restricted) are invisible to analysts everywhere: their
// matches are removed from articles and alerts, and a topic that only such
// rules give is removed from articles, search hits and facets, and cannot be
// filtered on. Police and administrators see everything.

// seesRestricted reports whether the request's user sees police-only rules.
func seesRestricted(r *http.Request) bool {
	a := authFrom(r.Context())
	return a != nil && a.user.Role != RoleAnalyst
}

// hiddenTopics returns the topics every loaded rule of which is restricted:
// an analyst never sees them. Nil for users who see everything, or when the
// rules cannot be listed (then only per-article matches are filtered).
func (s *Server) hiddenTopics(r *http.Request) map[string]bool {
	if seesRestricted(r) {
		return nil
	}
	return s.hiddenTopicsFor(r.Context(), RoleAnalyst)
}

// hiddenTopicsFor is hiddenTopics for a role.
func (s *Server) hiddenTopicsFor(ctx context.Context, role string) map[string]bool {
	if role != RoleAnalyst || s.deps.Rules == nil {
		return nil
	}
	list, err := s.deps.Rules.List(ctx)
	if err != nil {
		s.log.Warn("list rules for visibility", "err", err)
		return nil
	}
	return s.hiddenIn(list)
}

// hiddenIn returns the topics of list that only restricted rules have.
func (s *Server) hiddenIn(list []RuleInfo) map[string]bool {
	open := map[string]bool{}
	closed := map[string]bool{}
	for _, ru := range list {
		if (article.Match{Audiences: ru.Audiences}).Restricted(s.cfg.SensitiveAudiences) {
			closed[ru.Topic] = true
		} else {
			open[ru.Topic] = true
		}
	}
	var out map[string]bool
	for t := range closed {
		if !open[t] {
			if out == nil {
				out = map[string]bool{}
			}
			out[t] = true
		}
	}
	return out
}

// visibleAlert returns the alert as the request's user may see it.
func (s *Server) visibleAlert(r *http.Request, a AlertRecord) AlertRecord {
	if seesRestricted(r) {
		return a
	}
	a.Alert = a.Alert.WithoutRestricted(s.cfg.SensitiveAudiences)
	return a
}

// onlyRestricted reports whether every match of a is restricted (an alert
// raised by police-only rules alone).
func (s *Server) onlyRestricted(a AlertRecord) bool {
	return len(a.Matches) > 0 && !slices.ContainsFunc(a.Matches, func(m article.Match) bool {
		return !m.Restricted(s.cfg.SensitiveAudiences)
	})
}

// visibleArticle removes restricted matches and the topics only they (or
// only restricted rules) give.
func (s *Server) visibleArticle(r *http.Request, v ArticleView) ArticleView {
	if seesRestricted(r) {
		return v
	}
	hidden := s.hiddenTopics(r)
	if hidden == nil {
		hidden = map[string]bool{}
	}
	shown := map[string]bool{}
	var keep []article.Match
	for _, m := range v.Matches {
		if m.Restricted(s.cfg.SensitiveAudiences) {
			hidden[m.Topic] = true
			continue
		}
		keep = append(keep, m)
		shown[m.Topic] = true
	}
	if v.Matches != nil && keep == nil {
		keep = []article.Match{}
	}
	v.Matches = keep
	var topics []string
	for _, t := range v.Topics {
		if !hidden[t] || shown[t] {
			topics = append(topics, t)
		}
	}
	v.Topics = topics
	return v
}

// visibleQuery drops hidden topics from a query's topic filter; ok is false
// when every requested topic was hidden (the answer is then empty, as for a
// topic that does not exist).
func visibleQuery(q indexer.Query, hidden map[string]bool) (indexer.Query, bool) {
	if len(hidden) == 0 || len(q.Topics) == 0 {
		return q, true
	}
	var keep []string
	for _, t := range q.Topics {
		if !hidden[t] {
			keep = append(keep, t)
		}
	}
	q.Topics = keep
	return q, len(keep) > 0
}

// visibleResult removes hidden topics from hits and facets.
func visibleResult(res indexer.Result, hidden map[string]bool) indexer.Result {
	if len(hidden) == 0 {
		return res
	}
	for i := range res.Hits {
		res.Hits[i].Topics = slices.DeleteFunc(slices.Clone(res.Hits[i].Topics), func(t string) bool { return hidden[t] })
	}
	if fs, ok := res.Facets["topic"]; ok {
		res.Facets["topic"] = slices.DeleteFunc(slices.Clone(fs), func(f indexer.FacetCount) bool { return hidden[f.Term] })
	}
	return res
}

// search runs q as the request's user may see it.
func (s *Server) search(ctx context.Context, r *http.Request, q indexer.Query) (indexer.Result, error) {
	hidden := s.hiddenTopics(r)
	q, ok := visibleQuery(q, hidden)
	if !ok {
		return indexer.Result{}, nil
	}
	res, err := s.deps.Searcher.Search(ctx, q)
	if err != nil {
		return res, err
	}
	return visibleResult(res, hidden), nil
}
