package article

// SourceNames gives the display names of sources by id: sources.yaml's
// name: (with the edits made in the web UI) and own portals' names. Mails,
// digests, documents and pages call it for every source they show, so it
// should answer from memory.
type SourceNames func() map[string]string

// Name returns the name of source id, or id when it has none (or no
// SourceNames was given).
func (sn SourceNames) Name(id string) string {
	if sn != nil {
		if n := sn()[id]; n != "" {
			return n
		}
	}
	return id
}
