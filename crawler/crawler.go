// Package crawler discovers articles of the configured sources (RSS/Atom
// feeds, sitemaps, listing pages), fetches them politely through Colly
// (robots.txt with Crawl-delay, per-host delay, Retry-After, bounded
// retries), re-fetches incrementally with conditional GET, extracts Vietnamese
// news and portal pages, and publishes one article.Article per revision.
// In: sources.yaml, HTTP. Out: articles (Publisher), saved copies
// (SnapshotStore), crawl state (kv.Store), source health.
package crawler

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
)

// Publisher is all the crawler needs from the bus. A nil error means the
// article is durable on the ARTICLES stream (Nats-Msg-Id = a.MsgID()); only
// then does the crawler record the revision in its state.
type Publisher interface {
	Publish(ctx context.Context, a article.Article) error
}

// PublisherFunc adapts a function to Publisher.
type PublisherFunc func(context.Context, article.Article) error

// Publish implements Publisher.
func (f PublisherFunc) Publish(ctx context.Context, a article.Article) error { return f(ctx, a) }

// AreaFilter decides whether an article concerns the monitored area. The
// crawler asks it for sources with require_area; articles it rejects are
// not published (the lead wires the rule engine's gazetteer).
type AreaFilter interface {
	ConcernsArea(a article.Article) bool
}

// Config holds process-wide crawler settings. A zero value means the default.
type Config struct {
	UserAgent     string        // product token first, e.g. "diembao/1.0"
	ContactURL    string        // appended to the User-Agent as "(+URL)"
	Timeout       time.Duration // whole request, body included (20s)
	MaxBody       int64         // decompressed body limit in bytes (10 MiB)
	Parallel      int           // article pages fetched at once, all sources (4)
	PerHost       int           // requests in flight per host (1)
	MaxRedirects  int           // (5)
	MaxRetries    int           // retries after the first attempt (3)
	RetryBase     time.Duration // first backoff (1s), doubled per attempt
	MaxRetryAfter time.Duration // longer Retry-After: give up this pass (10m)
	MaxCrawlDelay time.Duration // cap on robots.txt Crawl-delay (10m)
	RobotsTTL     time.Duration // robots.txt cache lifetime (1h)
	MaxPerPass    int           // article URLs handled per source pass (200)
	MaxSitemaps   int           // children followed per sitemap index (3)
	// Revisit: a page already crawled is fetched again (conditionally) when
	// discovery lists it and its last fetch is older than this (6h).
	Revisit time.Duration
	// WatchAfter: re-fetches scheduled by Watch (1h and 24h).
	WatchAfter []time.Duration
	WatchTick  time.Duration // how often Run looks for due re-fetches (1m)
	// StaleAfter: a source with no new article for this many of its
	// intervals is stale (6); Notice, if set, is told once.
	StaleAfter int
	Notice     Noticer
	// NoPoliteness turns off per-host delays (benchmarks on loopback only).
	NoPoliteness bool
	// Area filters require_area sources; nil keeps every article.
	Area AreaFilter
	// Location for dates without a zone (Asia/Ho_Chi_Minh).
	Location *time.Location
	// Now is the clock (time.Now).
	Now func() time.Time
	// RootCAs verifies HTTPS servers (nil: the system roots); tests set a test CA.
	RootCAs *x509.CertPool

	// dialGuard replaces the private-address check in tests.
	dialGuard func(address string) error
}

// DefaultStaleAfter is Config.StaleAfter's default, in intervals of the
// source; the stale-source notice counts with it too.
const DefaultStaleAfter = 6

func (c *Config) setDefaults() {
	if c.UserAgent == "" {
		c.UserAgent = "diembao/1.0"
	}
	if !strings.Contains(strings.ToLower(c.UserAgent), "diembao") {
		c.UserAgent = "diembao " + c.UserAgent
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt := func(d *int, v int) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Timeout, 20*time.Second)
	if c.MaxBody <= 0 {
		c.MaxBody = 10 << 20
	}
	defInt(&c.Parallel, 4)
	defInt(&c.PerHost, 1)
	defInt(&c.MaxRedirects, 5)
	if c.MaxRetries < 0 {
		c.MaxRetries = 0
	} else if c.MaxRetries == 0 {
		c.MaxRetries = 3
	}
	def(&c.RetryBase, time.Second)
	def(&c.MaxRetryAfter, 10*time.Minute)
	def(&c.MaxCrawlDelay, 10*time.Minute)
	def(&c.RobotsTTL, time.Hour)
	defInt(&c.MaxPerPass, 200)
	defInt(&c.MaxSitemaps, 3)
	defInt(&c.StaleAfter, DefaultStaleAfter)
	def(&c.Revisit, 6*time.Hour)
	if len(c.WatchAfter) == 0 {
		c.WatchAfter = []time.Duration{time.Hour, 24 * time.Hour}
	}
	def(&c.WatchTick, time.Minute)
	if c.Location == nil {
		c.Location = article.Vietnam()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

func (c Config) now() time.Time { return c.Now() }

// Crawler crawls a fixed list of sources. Its methods are safe for
// concurrent use.
type Crawler struct {
	cfg     Config
	sources map[string]Source
	order   []string
	pub     Publisher
	state   kv.Store
	snaps   SnapshotStore
	log     *slog.Logger
	f       *fetcher
	loc     *time.Location

	// mu guards health and, since SetSources, sources and order too.
	mu           sync.Mutex
	health       map[string]*SourceHealth
	healthLoaded map[string]bool // health read back from the state store
	changed      chan struct{}   // SetSources signals Run (capacity 1)
}

// New checks its collaborators and sources and returns a Crawler. snaps may
// be nil (no saved copies); pub and state may not.
func New(cfg Config, sources []Source, pub Publisher, state kv.Store, snaps SnapshotStore, log *slog.Logger) (*Crawler, error) {
	if pub == nil {
		return nil, errors.New("crawler: nil Publisher")
	}
	if state == nil {
		return nil, errors.New("crawler: nil state store")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.setDefaults()
	c := &Crawler{
		cfg: cfg, pub: pub, state: state, snaps: snaps, loc: cfg.Location,
		log:     log.With("component", "crawler"),
		sources: map[string]Source{}, health: map[string]*SourceHealth{}, healthLoaded: map[string]bool{},
		changed: make(chan struct{}, 1),
	}
	for i, s := range sources {
		if _, err := s.check(); err != nil {
			return nil, fmt.Errorf("crawler: source %d: %w", i, err)
		}
		if _, dup := c.sources[s.ID]; dup {
			return nil, fmt.Errorf("crawler: duplicate source id %q", s.ID)
		}
		if s.RequireArea && cfg.Area == nil {
			c.log.Debug("source requires the area but no area filter is wired: keeping every article", "source", s.ID)
		}
		c.sources[s.ID] = s
		c.order = append(c.order, s.ID)
		c.health[s.ID] = &SourceHealth{Source: s.ID, Name: s.Name}
	}
	c.f = newFetcher(cfg, c.log)
	return c, nil
}

// Stats counts what one pass over a source did.
type Stats struct {
	Found       int `json:"found"`        // article URLs discovery listed
	Skipped     int `json:"skipped"`      // seen recently, not fetched
	Fetched     int `json:"fetched"`      // article pages requested
	NotModified int `json:"not_modified"` // 304
	Unchanged   int `json:"unchanged"`    // fetched, same content hash
	Published   int `json:"published"`    // new revisions published
	Removed     int `json:"removed"`      // 404/410 recorded as removed revisions
	Filtered    int `json:"filtered"`     // rejected by the area filter
	ExtractFail int `json:"extract_failures"`
	FetchFail   int `json:"fetch_failures"`
	Backlog     int `json:"backlog"` // due but left for later passes (MaxPerPass)
}

func (s *Stats) add(o Stats) {
	s.Found += o.Found
	s.Skipped += o.Skipped
	s.Fetched += o.Fetched
	s.NotModified += o.NotModified
	s.Unchanged += o.Unchanged
	s.Published += o.Published
	s.Removed += o.Removed
	s.Filtered += o.Filtered
	s.ExtractFail += o.ExtractFail
	s.FetchFail += o.FetchFail
	s.Backlog += o.Backlog
}

// SourceHealth is what `sources check` and the UI show about a source.
type SourceHealth struct {
	Source      string    `json:"source"`
	Name        string    `json:"name"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"` // last pass whose discovery worked
	LastError   string    `json:"last_error,omitempty"`
	ItemsFound  int       `json:"items_found"` // in the last pass
	// NewestItem is the newest publication date discovery saw (feeds and
	// news sitemaps); a feed whose newest item grows old has gone stale.
	NewestItem      time.Time `json:"newest_item,omitzero"`
	Published       int       `json:"published"` // since start
	ExtractFailures int       `json:"extract_failures"`
	FetchFailures   int       `json:"fetch_failures"`
	Passes          int       `json:"passes"`
	// FailedPasses counts consecutive failed passes: discovery failed, or
	// every page fetched failed. A good pass resets it.
	FailedPasses   int         `json:"failed_passes"`
	LastNewArticle time.Time   `json:"last_new_article,omitzero"` // last pass that published a new revision
	Published24h   int         `json:"published_24h"`             // new revisions in the last 24 hours
	Recent         []PassCount `json:"recent,omitempty"`          // the passes behind Published24h
	// Days are the passes per day (the last 400), for uptime over a period.
	Days      []DayPasses `json:"days,omitempty"`
	Backlog   int         `json:"backlog"` // due links left for later passes
	Interval  string      `json:"interval,omitempty"`
	FirstPass time.Time   `json:"first_pass,omitzero"`
	// Stale: no new article for Config.StaleAfter intervals (since the
	// last new article, or since the first pass when there was none).
	Stale      bool      `json:"stale,omitempty"`
	StaleSince time.Time `json:"stale_since,omitzero"`
	// Disabled: the source was taken out of the list by SetSources while
	// this process ran; its health is kept (uptime over a period).
	Disabled bool `json:"disabled,omitempty"`
}

// Health returns every source's health, in sources.yaml order, then the
// sources SetSources took out (Disabled set) by id.
func (c *Crawler) Health() []SourceHealth {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]SourceHealth, 0, len(c.health))
	snap := func(id string, disabled bool) {
		h := *c.health[id]
		h.Recent = append([]PassCount(nil), h.Recent...)
		h.Days = append([]DayPasses(nil), h.Days...)
		h.Disabled = disabled
		out = append(out, h)
	}
	for _, id := range c.order {
		snap(id, false)
	}
	var gone []string
	for id := range c.health {
		if _, ok := c.sources[id]; !ok {
			gone = append(gone, id)
		}
	}
	sort.Strings(gone)
	for _, id := range gone {
		snap(id, true)
	}
	return out
}

// Run crawls every source on its interval until ctx is done, and performs
// the re-fetches Watch scheduled. On cancel it starts no new request, lets
// requests in flight finish, and returns nil. SetSources takes effect while
// Run runs: a new source starts its schedule at once, a removed one stops,
// a changed one restarts with its new settings.
func (c *Crawler) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	running := map[string]*sourceLoop{}
	stopping := map[string]<-chan struct{}{} // done of the last loop stopped per id
	reconcile := func() {
		want, order := c.sourceSet()
		for id, l := range running {
			if s, ok := want[id]; !ok || !reflect.DeepEqual(s, l.src) {
				l.cancel()
				delete(running, id)
				stopping[id] = l.done
			}
		}
		for _, id := range order {
			if _, ok := running[id]; !ok {
				// A replaced or re-enabled source starts after its old loop ended.
				running[id] = c.startLoop(ctx, &wg, want[id], stopping[id])
			}
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for sleep(ctx, c.cfg.WatchTick) {
			if err := c.RunWatches(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("watch re-fetches failed", "err", err)
			}
		}
	}()
	for {
		reconcile()
		select {
		case <-c.changed:
		case <-ctx.Done():
			wg.Wait()
			return nil
		}
	}
}

// sourceLoop is one source's schedule inside Run.
type sourceLoop struct {
	src    Source
	cancel context.CancelFunc
	done   chan struct{}
}

// startLoop crawls src every interval until its context ends; it first
// waits for after (the loop it replaces) so one source never has two passes.
func (c *Crawler) startLoop(ctx context.Context, wg *sync.WaitGroup, src Source, after <-chan struct{}) *sourceLoop {
	lctx, cancel := context.WithCancel(ctx)
	l := &sourceLoop{src: src, cancel: cancel, done: make(chan struct{})}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(l.done)
		if after != nil {
			select {
			case <-after:
			case <-lctx.Done():
				return
			}
		}
		for {
			st, err := c.CrawlOnce(lctx, src.ID)
			if lctx.Err() != nil {
				return
			}
			if err != nil {
				c.log.Warn("crawl pass failed", "source", src.ID, "err", err)
			} else {
				c.log.Info("crawl pass", "source", src.ID, "found", st.Found, "published", st.Published,
					"not_modified", st.NotModified, "fetch_failures", st.FetchFail, "extract_failures", st.ExtractFail)
			}
			if !sleep(lctx, src.Interval.D()) {
				return
			}
		}
	}()
	return l
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// CrawlOnce makes one pass over a source: discovery, then every listed
// article page that is new or due for a revisit. Errors of single pages are
// counted in Stats and the source's health; the error is non-nil only when
// discovery found nothing because every discovery URL failed.
func (c *Crawler) CrawlOnce(ctx context.Context, sourceID string) (Stats, error) {
	src, ok := c.source(sourceID)
	if !ok {
		return Stats{}, fmt.Errorf("crawler: unknown source %q", sourceID)
	}
	start := c.cfg.now()
	found, errs := c.discover(ctx, src)
	items, skipped, backlog := c.due(ctx, found)
	st := Stats{Found: len(found), Skipped: skipped, Backlog: backlog}
	var discErr error
	if len(errs) > 0 && len(found) == 0 {
		discErr = fmt.Errorf("source %s: %w", src.ID, joinUnique(errs))
	}
	for _, e := range errs {
		if ctx.Err() == nil {
			c.log.Debug("discovery error", "source", src.ID, "err", e)
		}
	}

	// PerHost workers per source: with politeness on they wait for the host
	// anyway, so they must not hold the process-wide request slots (those
	// are taken only around the request itself, in the fetcher).
	work := make(chan item)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(c.cfg.PerHost, max(len(items), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				one := c.crawlURL(ctx, src, it, false)
				mu.Lock()
				st.add(one)
				mu.Unlock()
			}
		}()
	}
feed:
	for _, it := range items {
		select {
		case work <- it:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()

	c.recordPass(ctx, src, start, st, found, errs, discErr)
	if discErr == nil && ctx.Err() != nil {
		discErr = ctx.Err()
	}
	return st, discErr
}

// crawlURL fetches one article URL (conditionally when it was seen before)
// and publishes a revision when its content changed. force skips the
// revisit check (Watch). The URL's crawl state is saved here and only
// here, after visit has decided whether this outcome is worth remembering.
func (c *Crawler) crawlURL(ctx context.Context, src Source, it item, force bool) Stats {
	log := c.log.With("source", src.ID, "url", it.URL)
	us, seen, err := getJSON[urlState](ctx, c.state, urlKey(it.URL))
	if err != nil {
		log.Warn("crawl state unavailable", "err", err)
		return Stats{FetchFail: 1}
	}
	now := c.cfg.now()
	if seen && !force && now.Sub(us.LastFetch) < c.cfg.Revisit {
		return Stats{Skipped: 1}
	}
	st, save := c.visit(ctx, log, src, it, &us, seen, now)
	if save {
		if err := putJSON(ctx, c.state, urlKey(it.URL), us); err != nil {
			log.Warn("save crawl state", "err", err)
		}
	}
	return st
}

// visit fetches the URL, conditionally when the last answer was 200, and
// updates us with what the fetch taught. It returns the counts and whether
// us should be saved: not after an error a retry may cure (network, 5xx,
// a failed publish), so the next pass tries again.
func (c *Crawler) visit(ctx context.Context, log *slog.Logger, src Source, it item, us *urlState, seen bool, now time.Time) (st Stats, save bool) {
	hdr := http.Header{}
	if seen && us.LastStatus == http.StatusOK {
		if us.ETag != "" {
			hdr.Set("If-None-Match", us.ETag)
		}
		if us.LastModified != "" {
			hdr.Set("If-Modified-Since", us.LastModified)
		}
	}
	st.Fetched++
	res, err := c.f.get(ctx, it.URL, hdr, src)
	if err != nil {
		if ctx.Err() == nil {
			log.Info("fetch failed", "err", err)
		}
		st.FetchFail++
		if errors.Is(err, ErrRobots) {
			// Remember it so the next pass does not ask again before Revisit.
			us.URL, us.Source, us.LastFetch, us.LastStatus = it.URL, src.ID, now, 0
			return st, true
		}
		return st, false
	}
	us.URL, us.Source, us.LastFetch = it.URL, src.ID, res.Fetched
	switch {
	case res.Status == http.StatusNotModified:
		st.NotModified++
		return st, true
	case res.Status == http.StatusNotFound || res.Status == http.StatusGone:
		us.LastStatus = res.Status
		if us.ArticleID == "" {
			st.FetchFail++
			return st, true
		}
		n, err := c.recordRemoved(ctx, src, us.ArticleID, res)
		if err != nil {
			log.Warn("record removal", "err", err)
			st.FetchFail++
			return st, false
		}
		st.Removed += n
		return st, true
	case res.Status < 200 || res.Status > 299:
		log.Info("unexpected status", "status", res.Status)
		st.FetchFail++
		return st, false
	}
	page, save := c.takePage(ctx, log, src, it, res, us)
	st.add(page)
	return st, save
}

// takePage extracts the article from a 2xx answer and publishes it when
// its content changed. A page that is not text, not an article or not
// about the area is remembered with its status (so it is not fetched again
// before Revisit); only a failed publish leaves the state unsaved.
func (c *Crawler) takePage(ctx context.Context, log *slog.Logger, src Source, it item, res *response, us *urlState) (st Stats, save bool) {
	us.LastStatus = res.Status
	ctype := res.Header.Get("Content-Type")
	if err := sniffBody(res.Body, ctype); err != nil {
		log.Info("page refused: not text", "reason", err.Error(), "content_type", ctype)
		st.ExtractFail++
		return st, true
	}
	env := extractEnv{loc: c.loc, now: res.Fetched, hint: it.Hint, fastDate: true}
	a, err := extract(res.FinalURL, res.Body, res.Header, src, env)
	switch {
	case errors.Is(err, ErrNotArticle):
		st.Skipped++
		return st, true
	case err != nil:
		log.Info("extraction failed", "err", err)
		st.ExtractFail++
		return st, true
	}
	if err := checkExtractedText(a.Title, a.Body); err != nil {
		log.Info("page refused: not text", "reason", err.Error(), "content_type", ctype)
		st.ExtractFail++
		return st, true
	}
	// This answer's validators are remembered only for an article that was
	// taken (published, unchanged or filtered by area).
	us.ETag, us.LastModified = res.Header.Get("ETag"), res.Header.Get("Last-Modified")
	if src.RequireArea && c.cfg.Area != nil && !c.cfg.Area.ConcernsArea(a) {
		st.Filtered++
		return st, true
	}
	published, err := c.publishRevision(ctx, a, res)
	if err != nil {
		log.Warn("publish failed", "err", err)
		st.FetchFail++
		return st, false
	}
	if published {
		st.Published++
		log.Debug("article published", "article_id", a.ID)
	} else {
		st.Unchanged++
	}
	us.ArticleID = a.ID
	return st, true
}

// publishRevision compares a with the article's last revision and, when the
// content changed, saves the snapshot, publishes and records the revision.
func (c *Crawler) publishRevision(ctx context.Context, a article.Article, res *response) (bool, error) {
	as, ok, err := getJSON[articleState](ctx, c.state, articleKey(a.ID))
	if err != nil {
		return false, err
	}
	now := c.cfg.now()
	if ok && as.ContentHash == a.ContentHash {
		as.LastSeen = now
		return false, putJSON(ctx, c.state, articleKey(a.ID), as)
	}
	a.Revision = as.Revision + 1
	if err := c.saveSnapshot(ctx, &a, res); err != nil {
		return false, err
	}
	if err := c.pub.Publish(ctx, a); err != nil {
		return false, fmt.Errorf("publish %s: %w", a.ID, err)
	}
	as = articleState{URL: a.URL, Canonical: a.CanonicalURL, Source: a.Source, Title: a.Title,
		Published: a.Published, PubFrom: a.PublishedFrom, ContentHash: a.ContentHash,
		Revision: a.Revision, Removed: a.Removed, LastSeen: now}
	return true, putJSON(ctx, c.state, articleKey(a.ID), as)
}

func (c *Crawler) saveSnapshot(ctx context.Context, a *article.Article, res *response) error {
	if c.snaps == nil {
		return nil
	}
	s, err := newSnapshot(*a, res)
	if err != nil {
		return err
	}
	key := SnapshotKey(a.ID, a.Revision)
	if err := c.snaps.PutSnapshot(ctx, key, s); err != nil {
		return fmt.Errorf("snapshot %s: %w", key, err)
	}
	a.Snapshot = key
	return nil
}

// recordRemoved publishes a removed revision of an article whose page now
// answers 404/410 (once).
func (c *Crawler) recordRemoved(ctx context.Context, src Source, id string, res *response) (int, error) {
	as, ok, err := getJSON[articleState](ctx, c.state, articleKey(id))
	if err != nil || !ok || as.Removed {
		return 0, err
	}
	a := article.Article{
		V: article.Version, ID: id, URL: as.URL, CanonicalURL: as.Canonical, Source: src.ID,
		SourceKind: src.Kind, Title: as.Title, Published: as.Published.In(c.loc), PublishedFrom: as.PubFrom,
		Fetched: res.Fetched.In(c.loc), Removed: true,
	}
	a.ContentHash = article.ContentHash(a)
	published, err := c.publishRevision(ctx, a, res)
	if err != nil || !published {
		return 0, err
	}
	return 1, nil
}

// Watch schedules re-fetches of a (matched) article's page after each of
// Config.WatchAfter (1h and 24h), so that edits and removals become
// revisions. Run performs them; RunWatches does so on demand.
func (c *Crawler) Watch(ctx context.Context, pageURL string) error {
	id, as, err := c.lookupArticle(ctx, pageURL)
	if err != nil {
		return err
	}
	src := as.Source
	if src == "" {
		s, ok := c.sourceFor(pageURL)
		if !ok {
			return fmt.Errorf("watch %s: %w: no source for this URL", pageURL, errkind.Permanent)
		}
		src = s.ID
	}
	u := firstNonEmpty(as.URL, pageURL)
	now := c.cfg.now()
	w := watchState{URL: u, Source: src}
	for _, d := range c.cfg.WatchAfter {
		w.Due = append(w.Due, now.Add(d))
	}
	return putJSON(ctx, c.state, watchKey(id), w)
}

func (c *Crawler) lookupArticle(ctx context.Context, pageURL string) (string, articleState, error) {
	id := article.ID(CanonicalURL(pageURL))
	as, ok, err := getJSON[articleState](ctx, c.state, articleKey(id))
	if err != nil || ok {
		return id, as, err
	}
	if us, ok, err := getJSON[urlState](ctx, c.state, urlKey(pageURL)); err != nil {
		return "", as, err
	} else if ok && us.ArticleID != "" {
		as, _, err := getJSON[articleState](ctx, c.state, articleKey(us.ArticleID))
		return us.ArticleID, as, err
	}
	return id, as, nil
}

// RunWatches performs the re-fetches Watch scheduled that are due now.
func (c *Crawler) RunWatches(ctx context.Context) error {
	keys, err := c.state.Keys(ctx, "w.")
	if err != nil {
		return fmt.Errorf("watch list: %w", err)
	}
	now := c.cfg.now()
	for _, k := range keys {
		if ctx.Err() != nil {
			return nil
		}
		w, ok, err := getJSON[watchState](ctx, c.state, k)
		if err != nil || !ok {
			continue
		}
		sort.Slice(w.Due, func(i, j int) bool { return w.Due[i].Before(w.Due[j]) })
		if len(w.Due) == 0 || w.Due[0].After(now) {
			continue
		}
		src, ok := c.source(w.Source)
		if !ok {
			_ = c.state.Delete(ctx, k)
			continue
		}
		st := c.crawlURL(ctx, src, item{URL: w.URL}, true)
		if st.FetchFail > 0 && ctx.Err() == nil {
			continue // try again next tick
		}
		for len(w.Due) > 0 && !w.Due[0].After(now) {
			w.Due = w.Due[1:]
		}
		if len(w.Due) == 0 {
			err = c.state.Delete(ctx, k)
		} else {
			err = putJSON(ctx, c.state, k, w)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sourceFor finds the configured source whose discovery hosts include u's host.
func (c *Crawler) sourceFor(u string) (Source, bool) {
	pu, err := url.Parse(u)
	if err != nil {
		return Source{}, false
	}
	host := strings.TrimPrefix(strings.ToLower(pu.Hostname()), "www.")
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range c.order {
		for _, h := range c.sources[id].hosts() {
			if h == host {
				return c.sources[id], true
			}
		}
	}
	return Source{}, false
}

// Check fetches one URL and extracts it, publishing nothing and writing no
// state: `diembao sources check --url`. robots.txt is obeyed. The source
// whose hosts include the URL's host lends its selectors and kind.
func (c *Crawler) Check(ctx context.Context, pageURL string, allowPrivate bool) (article.Article, error) {
	src, ok := c.sourceFor(pageURL)
	if !ok {
		src = Source{ID: "check", Name: "check", Kind: article.KindPress}
	}
	src.AllowPrivate = allowPrivate
	src.Delay = 0
	res, err := c.f.get(ctx, pageURL, nil, src)
	if err != nil {
		return article.Article{}, err
	}
	if res.Status < 200 || res.Status > 299 {
		return article.Article{}, fmt.Errorf("fetch %s: status %d", pageURL, res.Status)
	}
	return extractText(res, src, extractEnv{loc: c.loc, now: res.Fetched, fastDate: true})
}

// extractText is extract behind the text checks (sniffBody before,
// checkExtractedText after): what `sources check` shows is what a pass
// would publish.
func extractText(res *response, src Source, env extractEnv) (article.Article, error) {
	if err := sniffBody(res.Body, res.Header.Get("Content-Type")); err != nil {
		return article.Article{}, fmt.Errorf("extract %s: %w: %w", res.FinalURL, errkind.Permanent, err)
	}
	a, err := extract(res.FinalURL, res.Body, res.Header, src, env)
	if err != nil {
		return a, err
	}
	if err := checkExtractedText(a.Title, a.Body); err != nil {
		return article.Article{}, fmt.Errorf("extract %s: %w: %w", res.FinalURL, errkind.Permanent, err)
	}
	return a, nil
}

// SourceCheck is the result of CheckSource.
type SourceCheck struct {
	Source string            `json:"source"`
	Found  int               `json:"found"`
	Errors []string          `json:"errors,omitempty"`
	Sample []article.Article `json:"sample,omitempty"`
}

// CheckSource runs discovery for a source and extracts up to n of the
// newest items, publishing nothing and writing no state.
func (c *Crawler) CheckSource(ctx context.Context, sourceID string, n int) (SourceCheck, error) {
	src, ok := c.source(sourceID)
	if !ok {
		return SourceCheck{}, fmt.Errorf("crawler: unknown source %q", sourceID)
	}
	items, errs := c.discover(ctx, src)
	out := SourceCheck{Source: src.ID, Found: len(items)}
	for _, e := range errs {
		out.Errors = append(out.Errors, e.Error())
	}
	for i := 0; i < len(items) && i < n && ctx.Err() == nil; i++ {
		res, err := c.f.get(ctx, items[i].URL, nil, src)
		if err == nil && (res.Status < 200 || res.Status > 299) {
			err = fmt.Errorf("fetch %s: status %d", items[i].URL, res.Status)
		}
		if err == nil {
			var a article.Article
			a, err = extractText(res, src, extractEnv{loc: c.loc, now: res.Fetched, hint: items[i].Hint, fastDate: true})
			if err == nil {
				out.Sample = append(out.Sample, a)
			}
		}
		if err != nil {
			out.Errors = append(out.Errors, err.Error())
		}
	}
	if len(items) == 0 && len(errs) > 0 {
		return out, fmt.Errorf("source %s: %w", src.ID, joinUnique(errs))
	}
	return out, nil
}

// joinUnique joins errors, dropping repeated messages (one robots.txt failure
// is reported once, not once per feed of the host).
func joinUnique(errs []error) error {
	seen := map[string]bool{}
	var out []error
	for _, e := range errs {
		if m := e.Error(); !seen[m] {
			seen[m] = true
			out = append(out, e)
		}
	}
	return errors.Join(out...)
}
