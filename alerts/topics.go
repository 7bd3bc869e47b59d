package alerts

// Topic is one topic of the loaded rule pack (topics.yaml): its id and the
// Vietnamese name mails and digests show.
type Topic struct {
	ID   string
	Name string
}

// Topics lists the rule pack's topics in the pack's order. cmd passes the
// current rule set's list (it changes when rules are reloaded), so a topic an
// operator adds is named right; nil falls back to TopicName.
type Topics func() []Topic

// Name returns the pack's name of topic id, else TopicName(id).
func (ts Topics) Name(id string) string {
	if ts != nil {
		for _, t := range ts() {
			if t.ID == id && t.Name != "" {
				return t.Name
			}
		}
	}
	return TopicName(id)
}

// Rank returns the position of id in the pack's order, and false when the
// pack does not list it (or no pack was given).
func (ts Topics) Rank(id string) (int, bool) {
	if ts == nil {
		return 0, false
	}
	for i, t := range ts() {
		if t.ID == id {
			return i, true
		}
	}
	return 0, false
}
