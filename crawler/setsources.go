package crawler

import "fmt"

// ValidateSource applies the checks of sources.yaml to one source (the same
// code ParseSources runs) and returns it with its defaults filled in. On
// error, field names the offending key: "id", "kind", "feeds" (feeds and
// sitemaps), "listings", "interval" (interval and delay) or "selectors".
func ValidateSource(s Source) (out Source, field string, err error) {
	field, err = s.check()
	if err != nil {
		return Source{}, field, err
	}
	return s, "", nil
}

// SetSources replaces the crawled sources while the crawler runs (sources
// edited in the UI). The list is checked whole, as sources.yaml is: on
// error nothing changes. Run then starts the schedule of each new source at
// once, stops the sources no longer listed (their requests in flight are
// cancelled; nothing half-done is recorded) and restarts a source whose
// settings changed. An empty list stops all crawling (every source
// disabled). Health keeps its history per source id.
func (c *Crawler) SetSources(sources []Source) error {
	m := make(map[string]Source, len(sources))
	order := make([]string, 0, len(sources))
	for i, s := range sources {
		if _, err := s.check(); err != nil {
			return fmt.Errorf("crawler: source %d (%s): %w", i, s.ID, err)
		}
		if _, dup := m[s.ID]; dup {
			return fmt.Errorf("crawler: duplicate source id %q", s.ID)
		}
		m[s.ID] = s
		order = append(order, s.ID)
	}
	c.mu.Lock()
	c.sources, c.order = m, order
	for _, s := range sources {
		if h, ok := c.health[s.ID]; ok {
			h.Name = s.Name
		} else {
			c.health[s.ID] = &SourceHealth{Source: s.ID, Name: s.Name}
		}
	}
	c.mu.Unlock()
	select {
	case c.changed <- struct{}{}:
	default: // a signal is already pending; Run reads the newest list
	}
	return nil
}

// source looks a source up by id.
func (c *Crawler) source(id string) (Source, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sources[id]
	return s, ok
}

// sourceSet is a consistent copy of the sources and their order.
func (c *Crawler) sourceSet() (map[string]Source, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]Source, len(c.sources))
	for id, s := range c.sources {
		m[id] = s
	}
	return m, append([]string(nil), c.order...)
}
