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

// DayPasses counts one day's passes (in the crawler's time zone) and how
// many of them failed: the source's uptime of that day is
// (Passes-Failed)/Passes.
type DayPasses struct {
	Day    string `json:"day"` // 2006-01-02
	Passes int    `json:"passes"`
	Failed int    `json:"failed"`
}

// keepDays bounds SourceHealth.Days: a year report and a margin.
const keepDays = 400

// countDay adds one pass to the day of at, dropping days past keepDays.
func countDay(days []DayPasses, at time.Time, failed bool) []DayPasses {
	day := at.Format(time.DateOnly)
	if n := len(days); n == 0 || days[n-1].Day != day {
		days = append(days, DayPasses{Day: day})
	}
	d := &days[len(days)-1]
	d.Passes++
	if failed {
		d.Failed++
	}
	if len(days) > keepDays {
		days = append(days[:0:0], days[len(days)-keepDays:]...)
	}
	return days
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
	failed := discErr != nil || (st.Fetched > 0 && st.FetchFail+st.ExtractFail >= st.Fetched)
	if failed {
		h.FailedPasses++
	} else {
		h.FailedPasses = 0
	}
	h.Days = countDay(h.Days, start.In(c.loc), failed)
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
	snap.Days = append([]DayPasses(nil), h.Days...)
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

// Uptime is the share of the source's passes in [from, to) that did not
// fail, counted by whole days of h.Days (in the crawler's time zone, as
// from and to should be); ok is false when no pass fell in the period.
func (h SourceHealth) Uptime(from, to time.Time) (share float64, ok bool) {
	first, last := from.Format(time.DateOnly), to.Format(time.DateOnly)
	passes, failed := 0, 0
	for _, d := range h.Days {
		if d.Day >= first && d.Day < last {
			passes += d.Passes
			failed += d.Failed
		}
	}
	if passes == 0 {
		return 0, false
	}
	return float64(passes-failed) / float64(passes), true
}
