package web

import (
	"context"
	"net/http"
)

// builtinTopics are the default pack's topics, offered when no rule set is
// wired or it lists none.
var builtinTopics = []string{"border", "ethnic", "religion", "laos", "disinfo"}

// topicNames are the names of the default pack's topics (and of the own-
// portal findings), for a rule set that names none of its own.
var topicNames = map[string]string{
	"border":   "Biên giới",
	"ethnic":   "Dân tộc thiểu số",
	"religion": "Tôn giáo",
	"laos":     "Lào – Sầm Tớ",
	"disinfo":  "Thông tin sai lệch",
	"portal":   "Cổng TTĐT",
}

// declaredTopics returns the rule set's topics in its order, or nil when
// no rule set is wired or it cannot list them (logged).
func (s *Server) declaredTopics(ctx context.Context) []TopicInfo {
	if s.deps.Rules == nil {
		return nil
	}
	ts, err := s.deps.Rules.Topics(ctx)
	if err != nil {
		s.log.Warn("list topics", "err", err)
		return nil
	}
	return ts
}

// topicLabel returns the name a page shows for topic id: the rule pack's
// name (the one mails and the digest show), else the default pack's, else
// the id itself.
func (s *Server) topicLabel(ctx context.Context, id string) string {
	for _, t := range s.declaredTopics(ctx) {
		if t.ID == id && t.Name != "" {
			return t.Name
		}
	}
	if n, ok := topicNames[id]; ok {
		return n
	}
	return id
}

// topicChoices returns the topics a filter form offers the request's user:
// the rule set's declared topics in the pack's order (the default pack's
// when none are declared), less the topics only restricted rules have when
// the user may not see those; active marks the chosen ones.
func (s *Server) topicChoices(r *http.Request, active func(id string) bool) []facetView {
	ts := s.declaredTopics(r.Context())
	if len(ts) == 0 {
		for _, id := range builtinTopics {
			ts = append(ts, TopicInfo{ID: id})
		}
	}
	hidden := s.hiddenTopics(r)
	var out []facetView
	for _, t := range ts {
		if hidden[t.ID] {
			continue
		}
		label := t.Name
		if label == "" {
			label = s.topicLabel(r.Context(), t.ID)
		}
		out = append(out, facetView{Term: t.ID, Label: label, Active: active(t.ID)})
	}
	return out
}
