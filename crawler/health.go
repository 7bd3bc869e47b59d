package crawler

import (
	"context"
	"time"
)

// Noticer is told, once per episode, that a source has gone stale: it
// produced no new article for Config.StaleAfter of its intervals. The lead
// wires it to a mail for the admin audience. An error is logged; the notice
// is not repeated until the source recovers and goes stale again.
type Noticer interface {
	SourceStale(ctx context.Context, h SourceHealth) error
}

// NoticerFunc adapts a function to Noticer.
type NoticerFunc func(context.Context, SourceHealth) error

// SourceStale implements Noticer.
func (f NoticerFunc) SourceStale(ctx context.Context, h SourceHealth) error { return f(ctx, h) }

// PassCount is the number of new revisions one pass published.
type PassCount struct {
	At time.Time `json:"at"`
	N  int       `json:"n"`
}

// healthKey is where a source's health survives restarts, in the crawl state.
func healthKey(id string) string { return "h." + id }

// recordPass updates the source's health after a pass and tells the
// Noticer when the source has just gone stale. A pass failed when its
// discovery failed or every page it fetched failed.
func (c *Crawler) recordPass(ctx context.Context, src Source, start time.Time, st Stats, found []item, errs []error, discErr error) {
	c.mu.Lock()
	h := c.health[src.ID]
	if !c.healthLoaded[src.ID] {
		c.healthLoaded[src.ID] = true
		c.mu.Unlock()
		prev, ok, _ := getJSON[SourceHealth](ctx, c.state, healthKey(src.ID))
		c.mu.Lock()
		if ok {
			name := h.Name
			*h = prev
			h.Source, h.Name = src.ID, name
		}
	}
	if h.FirstPass.IsZero() {
		h.FirstPass = start
	}
	h.Interval = src.Interval.D().String()
	h.LastAttempt = start
	h.Passes++
	h.ItemsFound = st.Found
	h.Backlog = st.Backlog
	for _, it := range found {
		if it.Hint.Published.After(h.NewestItem) && !it.Hint.Published.After(start.Add(48*time.Hour)) {
			h.NewestItem = it.Hint.Published
		}
	}
	h.Published += st.Published
	h.ExtractFailures += st.ExtractFail
	h.FetchFailures += st.FetchFail
	if discErr == nil {
		h.LastSuccess = start
		h.LastError = ""
		if len(errs) > 0 {
			h.LastError = errs[0].Error()
		}
	} else {
		h.LastError = discErr.Error()
	}
	if discErr != nil || (st.Fetched > 0 && st.FetchFail+st.ExtractFail >= st.Fetched) {
		h.FailedPasses++
	} else {
		h.FailedPasses = 0
	}
	if st.Published > 0 {
		h.LastNewArticle = start
		h.Recent = append(h.Recent, PassCount{At: start, N: st.Published})
	}
	now := c.cfg.now()
	keep := h.Recent[:0]
	h.Published24h = 0
	for _, p := range h.Recent {
		if now.Sub(p.At) < 24*time.Hour {
			keep = append(keep, p)
			h.Published24h += p.N
		}
	}
	h.Recent = keep
	since := h.LastNewArticle
	if since.IsZero() {
		since = h.FirstPass
	}
	wasStale := h.Stale
	limit := time.Duration(c.cfg.StaleAfter) * src.Interval.D()
	h.Stale = src.Interval.D() > 0 && now.Sub(since) >= limit
	if h.Stale && !wasStale {
		h.StaleSince = now
	}
	if !h.Stale {
		h.StaleSince = time.Time{}
	}
	snap := *h
	snap.Recent = append([]PassCount(nil), h.Recent...)
	c.mu.Unlock()

	if err := putJSON(ctx, c.state, healthKey(src.ID), snap); err != nil && ctx.Err() == nil {
		c.log.Warn("save source health", "source", src.ID, "err", err)
	}
	if snap.Stale && !wasStale {
		c.log.Warn("source stale: no new article", "source", src.ID, "since", since, "intervals", c.cfg.StaleAfter)
		if c.cfg.Notice != nil {
			if err := c.cfg.Notice.SourceStale(ctx, snap); err != nil {
				c.log.Warn("stale-source notice failed", "source", src.ID, "err", err)
			}
		}
	}
}
