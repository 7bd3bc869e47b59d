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
// discovery failed or every page it fetched failed. The health is updated
// under c.mu; it is saved to the crawl state, then the notice goes out,
// after c.mu is released.
func (c *Crawler) recordPass(ctx context.Context, src Source, start time.Time, st Stats, found []item, errs []error, discErr error) {
	c.mu.Lock()
	h, err := c.loadHealthLocked(ctx, src)
	if err != nil {
		c.mu.Unlock()
		if ctx.Err() == nil {
			c.log.Warn("source health not read back; this pass is not counted, so the saved days are not overwritten", "source", src.ID, "err", err)
		}
		return
	}
	h.addPass(src, start, st, found, errs, discErr, c.loc)
	now := c.cfg.now()
	h.pruneRecent(now)
	wasStale := h.Stale
	since := h.updateStale(now, src.Interval.D(), c.cfg.StaleAfter)
	snap := h.clone()
	c.mu.Unlock()

	if err := putJSON(ctx, c.state, healthKey(src.ID), snap); err != nil && ctx.Err() == nil {
		c.log.Warn("save source health", "source", src.ID, "err", err)
	}
	if snap.Stale && !wasStale {
		c.noticeStale(ctx, src.ID, since, snap)
	}
}

// loadHealthLocked returns the source's health, read back from the crawl
// state on its first pass in this process (keeping the configured name). It
// is called with c.mu held and releases it while reading. When the state
// cannot be read (not when it holds nothing), it returns the error and tries
// again on the next pass: counting on a fresh record would overwrite the
// saved days and counts at the next save.
func (c *Crawler) loadHealthLocked(ctx context.Context, src Source) (*SourceHealth, error) {
	h := c.health[src.ID]
	if c.healthLoaded[src.ID] {
		return h, nil
	}
	c.healthLoaded[src.ID] = true
	c.mu.Unlock()
	prev, ok, err := getJSON[SourceHealth](ctx, c.state, healthKey(src.ID))
	c.mu.Lock()
	if err != nil {
		c.healthLoaded[src.ID] = false
		return nil, err
	}
	if ok {
		name := h.Name
		*h = prev
		h.Source, h.Name = src.ID, name
	}
	return h, nil
}

// passFailed reports whether a pass failed: its discovery failed, or every
// page it fetched failed.
func passFailed(st Stats, discErr error) bool {
	return discErr != nil || (st.Fetched > 0 && st.FetchFail+st.ExtractFail >= st.Fetched)
}

// addPass counts one pass that started at start: its stats, the newest
// publication date it saw, its outcome, its day (in loc) and, when it
// published, its count for the last 24 hours.
func (h *SourceHealth) addPass(src Source, start time.Time, st Stats, found []item, errs []error, discErr error, loc *time.Location) {
	if h.FirstPass.IsZero() {
		h.FirstPass = start
	}
	h.Interval = src.Interval.D().String()
	h.LastAttempt = start
	h.Passes++
	h.ItemsFound = st.Found
	h.Backlog = st.Backlog
	h.noteNewest(found, start)
	h.Published += st.Published
	h.ExtractFailures += st.ExtractFail
	h.FetchFailures += st.FetchFail
	h.noteErrors(start, errs, discErr)
	failed := passFailed(st, discErr)
	if failed {
		h.FailedPasses++
	} else {
		h.FailedPasses = 0
	}
	h.Days = countDay(h.Days, start.In(loc), failed)
	if st.Published > 0 {
		h.LastNewArticle = start
		h.Recent = append(h.Recent, PassCount{At: start, N: st.Published})
	}
}

// noteNewest moves NewestItem to the newest publication date in found,
// not believing dates more than 48 hours after start.
func (h *SourceHealth) noteNewest(found []item, start time.Time) {
	for _, it := range found {
		if it.Hint.Published.After(h.NewestItem) && !it.Hint.Published.After(start.Add(48*time.Hour)) {
			h.NewestItem = it.Hint.Published
		}
	}
}

// noteErrors sets LastError: the discovery error, or else the pass's first
// page error ("" for none), and LastSuccess when discovery worked.
func (h *SourceHealth) noteErrors(start time.Time, errs []error, discErr error) {
	if discErr != nil {
		h.LastError = discErr.Error()
		return
	}
	h.LastSuccess = start
	h.LastError = ""
	if len(errs) > 0 {
		h.LastError = errs[0].Error()
	}
}

// pruneRecent drops the pass counts older than 24 hours and sums the rest
// into Published24h.
func (h *SourceHealth) pruneRecent(now time.Time) {
	keep := h.Recent[:0]
	h.Published24h = 0
	for _, p := range h.Recent {
		if now.Sub(p.At) < 24*time.Hour {
			keep = append(keep, p)
			h.Published24h += p.N
		}
	}
	h.Recent = keep
}

// updateStale sets Stale when the source has an interval and staleAfter of
// them have passed since its last new article (or its first pass, without
// one), with StaleSince the moment it went stale. It returns that reference
// time.
func (h *SourceHealth) updateStale(now time.Time, interval time.Duration, staleAfter int) (since time.Time) {
	since = h.LastNewArticle
	if since.IsZero() {
		since = h.FirstPass
	}
	wasStale := h.Stale
	limit := time.Duration(staleAfter) * interval
	h.Stale = interval > 0 && now.Sub(since) >= limit
	if h.Stale && !wasStale {
		h.StaleSince = now
	}
	if !h.Stale {
		h.StaleSince = time.Time{}
	}
	return since
}

// clone copies h with its own Recent and Days.
func (h *SourceHealth) clone() SourceHealth {
	snap := *h
	snap.Recent = append([]PassCount(nil), h.Recent...)
	snap.Days = append([]DayPasses(nil), h.Days...)
	return snap
}

// noticeStale logs that a source has just gone stale and tells the
// Noticer, if any; a failed notice is logged.
func (c *Crawler) noticeStale(ctx context.Context, id string, since time.Time, snap SourceHealth) {
	c.log.Warn("source stale: no new article", "source", id, "since", since, "intervals", c.cfg.StaleAfter)
	if c.cfg.Notice == nil {
		return
	}
	if err := c.cfg.Notice.SourceStale(ctx, snap); err != nil {
		c.log.Warn("stale-source notice failed", "source", id, "err", err)
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
