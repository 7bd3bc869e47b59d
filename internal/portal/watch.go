// Package portal watches the locality's own electronic portals: the
// publications each owes (Decree 42/2022/NĐ-CP duties, each a query in the
// rule language with a due date and a period) and the signs of an attack or
// an outage: injected scripts, iframes and hidden links, new outbound hosts,
// spam vocabulary, a large change of the home page's text, TLS certificate
// errors or near expiry, removed pages and downtime.
//
// In: diembao.yaml's portals, pages fetched through the crawler's guarded
// fetch (robots.txt, politeness, private-address refusal). Out: alerts with
// topic "portal" (Publisher), saved copies (Copies), and state in a
// kv.Store that Reader turns into the compliance table, the Portals page
// and the diff shown on an alert page.
package portal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/rules"
)

// Fetcher is what the watch needs from the crawler (crawler.Crawler
// implements it).
type Fetcher interface {
	FetchPage(ctx context.Context, pageURL string, allowPrivate bool, delay time.Duration) (crawler.Page, error)
	ExtractPage(p crawler.Page, sourceID string) (article.Article, error)
	ProbeTLS(ctx context.Context, hostport string, allowPrivate bool) (crawler.TLSState, error)
}

// Publisher puts an alert on the ALERTS stream (subject alerts.portal,
// Nats-Msg-Id = the alert id). A nil error means it is durable there.
type Publisher interface {
	PublishAlert(ctx context.Context, a article.Alert) error
}

// PublisherFunc adapts a function to Publisher.
type PublisherFunc func(context.Context, article.Alert) error

// PublishAlert implements Publisher.
func (f PublisherFunc) PublishAlert(ctx context.Context, a article.Alert) error { return f(ctx, a) }

// Copies keeps saved copies of pages (the SNAPSHOTS stream). A nil error
// from PutSnapshot means the copy is durable.
type Copies interface {
	PutSnapshot(ctx context.Context, key string, s crawler.Snapshot) error
	GetSnapshot(ctx context.Context, key string) (crawler.Snapshot, error)
}

// Config tunes the watch; a zero value means the default.
type Config struct {
	Portals  []config.Portal
	Location *time.Location   // nil: article.Vietnam()
	Now      func() time.Time // time.Now
	// Delay between two requests to one portal unless the portal sets
	// its own (1s).
	Delay time.Duration
	// MaxLinks: linked pages fetched per check for duties (30).
	MaxLinks int
	// Refresh: a linked page is fetched again after this (7 days).
	Refresh time.Duration
	// ExpiryWarn: a certificate expiring within this is a finding (14 days).
	ExpiryWarn time.Duration
	// TextChange: the home page's visible words keep less than this
	// Jaccard similarity with the previous copy: a finding (0.5).
	TextChange float64
	// Tick: how often Run looks for portals due for a check (1m).
	Tick time.Duration
}

func (c *Config) setDefaults() {
	if c.Location == nil {
		c.Location = article.Vietnam()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Delay <= 0 {
		c.Delay = time.Second
	}
	if c.MaxLinks <= 0 {
		c.MaxLinks = 30
	}
	if c.Refresh <= 0 {
		c.Refresh = 7 * 24 * time.Hour
	}
	if c.ExpiryWarn <= 0 {
		c.ExpiryWarn = 14 * 24 * time.Hour
	}
	if c.TextChange <= 0 {
		c.TextChange = 0.5
	}
	if c.Tick <= 0 {
		c.Tick = time.Minute
	}
}

// Watcher checks the configured portals.
type Watcher struct {
	*Reader
	cfg    Config
	f      Fetcher
	copies Copies
	pub    Publisher
	spam   *rules.Set
	log    *slog.Logger
}

// New checks its collaborators and the portals' duties and returns a Watcher.
func New(cfg Config, f Fetcher, copies Copies, st kv.Store, pub Publisher, log *slog.Logger) (*Watcher, error) {
	if f == nil || copies == nil || pub == nil {
		return nil, errors.New("portal: nil Fetcher, Copies or Publisher")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.setDefaults()
	r, err := NewReader(cfg.Portals, st, cfg.Location)
	if err != nil {
		return nil, err
	}
	spam, err := loadSpam()
	if err != nil {
		return nil, err
	}
	return &Watcher{Reader: r, cfg: cfg, f: f, copies: copies, pub: pub, spam: spam, log: log.With("component", "portals")}, nil
}

// Run checks each portal on its interval until ctx is done. A failed check
// is logged and retried at the next interval.
func (w *Watcher) Run(ctx context.Context) error {
	next := map[string]time.Time{}
	t := time.NewTicker(w.cfg.Tick)
	defer t.Stop()
	for {
		for _, p := range w.portals {
			now := w.cfg.Now()
			if now.Before(next[p.ID]) {
				continue
			}
			iv := p.Interval.D()
			if iv <= 0 {
				iv = time.Hour
			}
			next[p.ID] = now.Add(iv)
			if _, err := w.Check(ctx, p.ID); err != nil && ctx.Err() == nil {
				w.log.Warn("portal check failed", "portal", p.ID, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Report is what one check did.
type Report struct {
	Portal  string   `json:"portal"`
	Fetched int      `json:"fetched"`
	Failed  int      `json:"failed"`
	Alerts  []string `json:"alerts"` // ids of the alerts published
}

// pending is a finding waiting to be published.
type pending struct {
	finding Finding
	owner   string // what the finding is about, for the alert's ArticleID
	title   string
	matches []article.Match
	after   func() error // state change once published
}

// Check makes one pass over a portal: TLS, the watched pages (change
// watch), their same-host links (duty evidence), downtime, and the duties
// whose due date passed while missing. Alerts are published before the
// state that prevents their repetition is written, so a crash in between
// republishes the same alert ids, which the stream and the notifier drop.
func (w *Watcher) Check(ctx context.Context, portalID string) (Report, error) {
	p, ok := w.portal(portalID)
	if !ok {
		return Report{}, fmt.Errorf("portal: unknown portal %q", portalID)
	}
	now := w.cfg.Now()
	rep := Report{Portal: p.ID, Alerts: []string{}}
	ps, _, err := getJSON[portalState](ctx, w.st, "portal."+p.ID)
	if err != nil {
		return rep, err
	}
	if ps.FirstCheck.IsZero() {
		ps.FirstCheck = now
	}
	before, err := w.evaluate(ctx, p, currentRules(w.duties[p.ID], now, w.loc), now)
	if err != nil {
		return rep, err
	}
	var out []pending

	// TLS.
	if hp, ok := crawler.HostPort(p.URL); ok {
		if f := w.checkTLS(ctx, p, hp, &ps, now); f != nil {
			out = append(out, *f)
		}
	}

	// Watched pages.
	delay := w.cfg.Delay
	if p.Delay > 0 {
		delay = p.Delay.D()
	}
	pass, err := w.fetchWatched(ctx, p, delay, &ps, now, &rep)
	if err != nil {
		return rep, err
	}
	out = append(out, pass.found...)

	// Downtime, judged on the home page (the first watched page).
	if f := w.judgeDown(p, pass, &ps, now); f != nil {
		out = append(out, *f)
	}

	// Linked pages, for duties.
	if pass.homeOK {
		n, err := w.crawlLinks(ctx, p, pass.candidates, delay, now)
		if err != nil {
			return rep, err
		}
		rep.Fetched += n
	}

	// Duties whose due date passed while missing.
	after, err := w.evaluate(ctx, p, currentRules(w.duties[p.ID], now, w.loc), now)
	if err != nil {
		return rep, err
	}
	out = w.dutyNotices(p, before, after, pass.removed, out, &ps, now)

	if err := w.publishAndRecord(ctx, p, out, pass.homeOK, &ps, &rep, now); err != nil {
		return rep, err
	}
	w.log.Info("portal checked", "portal", p.ID, "fetched", rep.Fetched, "failed", rep.Failed, "alerts", len(rep.Alerts))
	return rep, nil
}

// watchedPass is what one pass over a portal's watched pages found.
type watchedPass struct {
	homeOK     bool     // the home page (the first watched page) answered
	homeErr    string   // why it did not, when it did not
	removed    []string // watched pages that answered 404 or 410 after having been there
	candidates []string // their same-host links, for duty evidence
	found      []pending
}

// fetchWatched fetches the portal's watched pages in order and hands each
// that answered to watchPage, counting rep.Fetched and rep.Failed. A
// failed home page ends the pass (the portal is down: the other pages are
// spared). A refused home page (robots.txt, the private-address guard)
// records the refusal in ps, writes ps and returns an error: the portal
// cannot be watched as configured, which is not downtime. New outbound
// hosts are findings only once ps is seeded.
func (w *Watcher) fetchWatched(ctx context.Context, p config.Portal, delay time.Duration, ps *portalState, now time.Time, rep *Report) (watchedPass, error) {
	var pass watchedPass
	firstHosts := !ps.Seeded
	for i, u := range p.WatchedPages() {
		pg, ferr := w.f.FetchPage(ctx, u, p.AllowPrivate, delay)
		if ctx.Err() != nil {
			return pass, ctx.Err()
		}
		if i == 0 && ferr != nil && crawler.IsRefused(ferr) {
			ps.LastError = ferr.Error()
			ps.LastCheck = now
			if err := putJSON(ctx, w.st, "portal."+p.ID, *ps); err != nil {
				return pass, err
			}
			return pass, fmt.Errorf("portal %s: %w", p.ID, ferr)
		}
		if failed, why := pageFailed(pg, ferr); failed {
			rep.Failed++
			if i == 0 {
				pass.homeErr = why
			}
			w.log.Info("portal page failed", "portal", p.ID, "url", u, "err", why)
			if i == 0 {
				break // the portal is down: spare it the other pages
			}
			continue
		}
		rep.Fetched++
		if i == 0 {
			pass.homeOK = true
		}
		f, cands, gone, err := w.watchPage(ctx, p, u, pg, i == 0, ps, firstHosts, now)
		if err != nil {
			return pass, err
		}
		if f != nil {
			pass.found = append(pass.found, *f)
		}
		if gone {
			pass.removed = append(pass.removed, u)
		}
		pass.candidates = append(pass.candidates, cands...)
	}
	return pass, nil
}

// judgeDown updates ps's downtime record from the home page's answer and
// returns a downtime finding once Down consecutive checks failed (default
// 3), once per outage; nil otherwise.
func (w *Watcher) judgeDown(p config.Portal, pass watchedPass, ps *portalState, now time.Time) *pending {
	if pass.homeOK {
		ps.Failures, ps.DownSince, ps.DownAlerted, ps.LastOK, ps.LastError = 0, time.Time{}, false, now, ""
		return nil
	}
	ps.Failures++
	ps.LastError = pass.homeErr
	if ps.DownSince.IsZero() {
		ps.DownSince = now
	}
	down := p.Down
	if down <= 0 {
		down = 3
	}
	if ps.Failures < down || ps.DownAlerted {
		return nil
	}
	f := Finding{Portal: p.ID, PortalName: p.Name, URL: p.WatchedPages()[0], Kinds: []string{KindDown}, Severity: "high", Found: now,
		Details: []string{fmt.Sprintf("Cổng không truy cập được từ %s (%d lần kiểm tra liên tiếp thất bại): %s",
			ps.DownSince.In(w.loc).Format("15:04 02/01/2006"), ps.Failures, pass.homeErr)}}
	return &pending{finding: f, owner: "down|" + p.ID + "|" + ps.DownSince.UTC().Format(time.RFC3339),
		title:   fmt.Sprintf("%s: không truy cập được (từ %s)", p.Name, ps.DownSince.In(w.loc).Format("15:04 02/01/2006")),
		matches: []article.Match{match(KindDown, "high", pass.homeErr)},
		after:   func() error { ps.DownAlerted = true; return nil }}
}

// dutyNotices returns out plus a finding for each duty row of after that
// is overdue and not yet in ps.Notices. A duty that went missing because
// its page was removed in this check (before and after are the same rows,
// evaluated before and after the pass) is told in that page's removal
// finding in out instead, which it extends in place. Each notice is added
// to ps.Notices once its finding is published.
func (w *Watcher) dutyNotices(p config.Portal, before, after []DutyStatus, removed []string, out []pending, ps *portalState, now time.Time) []pending {
	for i, row := range after {
		key := row.Duty + "|" + row.Period
		if !row.Overdue || slices.Contains(ps.Notices, key) {
			continue
		}
		if i < len(before) && before[i].Status != StatusMissing && slices.Contains(removed, before[i].URL) {
			for j := range out {
				if out[j].finding.URL == before[i].URL && slices.Contains(out[j].finding.Kinds, KindRemoved) {
					out[j].finding.Details = append(out[j].finding.Details,
						fmt.Sprintf("Nghĩa vụ “%s” (%s, hạn %s) không còn được đáp ứng.", row.DutyName, row.Label, row.Due.In(w.loc).Format("02/01/2006")))
					k := key
					prev := out[j].after
					out[j].after = func() error {
						ps.Notices = append(ps.Notices, k)
						if prev != nil {
							return prev()
						}
						return nil
					}
				}
			}
			continue
		}
		k := key
		f := Finding{Portal: p.ID, PortalName: p.Name, URL: p.URL, Kinds: []string{KindDuty}, Severity: "medium", Found: now,
			Details: []string{fmt.Sprintf("Chưa thấy đăng “%s” (%s); hạn %s.", row.DutyName, row.Label, row.Due.In(w.loc).Format("02/01/2006"))}}
		out = append(out, pending{finding: f, owner: "duty|" + p.ID + "|" + key,
			title:   fmt.Sprintf("%s: quá hạn chưa đăng “%s”", p.Name, row.DutyName),
			matches: []article.Match{match(KindDuty, "medium", row.DutyName)},
			after:   func() error { ps.Notices = append(ps.Notices, k); return nil }})
	}
	return out
}

// publishAndRecord publishes each finding of out in order, adding its
// alert id to rep.Alerts and then applying its state change, and writes
// ps (last check, seeded once the home page answered, at most the 500
// latest notices). It prunes old findings if any alert was published. It
// stops at the first error, leaving the state unwritten.
func (w *Watcher) publishAndRecord(ctx context.Context, p config.Portal, out []pending, homeOK bool, ps *portalState, rep *Report, now time.Time) error {
	for _, pd := range out {
		id, err := w.publish(ctx, p, pd, now)
		if err != nil {
			return err
		}
		rep.Alerts = append(rep.Alerts, id)
		if pd.after != nil {
			if err := pd.after(); err != nil {
				return err
			}
		}
	}
	ps.LastCheck = now
	if homeOK {
		ps.Seeded = true
	}
	if len(ps.Notices) > 500 {
		ps.Notices = ps.Notices[len(ps.Notices)-500:]
	}
	if err := putJSON(ctx, w.st, "portal."+p.ID, *ps); err != nil {
		return err
	}
	if len(rep.Alerts) > 0 {
		return w.prune(ctx)
	}
	return nil
}

// pageFailed reports whether a watched page's answer is a failure and why:
// no answer, a server error or 429, or a 2xx whose body is empty (a
// crashed CMS): such an answer counts towards downtime and is neither
// compared with the last copy nor taken as duty evidence.
func pageFailed(pg crawler.Page, err error) (bool, string) {
	switch {
	case err != nil || pg.Status >= 500 || pg.Status == http.StatusTooManyRequests:
		return true, errText(err, pg.Status)
	case pg.Status >= 200 && pg.Status <= 299 && len(bytes.TrimSpace(pg.Body)) == 0:
		return true, "HTTP " + strconv.Itoa(pg.Status) + ", trang rỗng"
	}
	return false, ""
}

func errText(err error, status int) string {
	if err != nil {
		return err.Error()
	}
	return "HTTP " + strconv.Itoa(status)
}

func match(kind, severity string, terms ...string) article.Match {
	m := article.Match{Rule: "portal." + kind, Version: 1, Topic: Topic, Severity: severity, Terms: []article.Term{}}
	for _, t := range terms {
		if t != "" {
			m.Terms = append(m.Terms, article.Term{Text: clipText(t, 200)})
		}
	}
	return m
}

// checkTLS probes the portal's certificate: a verification error or an
// expiry within ExpiryWarn is a finding, once per certificate and kind.
func (w *Watcher) checkTLS(ctx context.Context, p config.Portal, hostport string, ps *portalState, now time.Time) *pending {
	st, err := w.f.ProbeTLS(ctx, hostport, p.AllowPrivate)
	if err != nil {
		w.log.Info("tls probe failed", "portal", p.ID, "err", err)
		return nil // downtime is judged on the home page
	}
	ps.TLS = &st
	var kind, detail, sev string
	switch {
	case st.VerifyError != "":
		kind, sev = KindTLSError, "high"
		detail = "Chứng thư số TLS không hợp lệ: " + st.VerifyError
	case st.NotAfter.Sub(now) < w.cfg.ExpiryWarn:
		kind, sev = KindTLSSoon, "medium"
		days := int(st.NotAfter.Sub(now).Hours() / 24)
		detail = fmt.Sprintf("Chứng thư số TLS hết hạn lúc %s (còn %d ngày).", st.NotAfter.In(w.loc).Format("15:04 02/01/2006"), days)
		if !st.NotAfter.After(now) {
			detail = fmt.Sprintf("Chứng thư số TLS đã hết hạn lúc %s.", st.NotAfter.In(w.loc).Format("15:04 02/01/2006"))
		}
	default:
		return nil
	}
	key := kind + ":" + st.Fingerprint
	if slices.Contains(ps.TLSAlerted, key) {
		return nil
	}
	f := Finding{Portal: p.ID, PortalName: p.Name, URL: p.URL, Kinds: []string{kind}, Severity: sev, Found: now,
		Details: []string{detail, "Chủ thể: " + st.Subject, "Tổ chức cấp: " + st.Issuer}}
	return &pending{finding: f, owner: "tls|" + p.ID + "|" + key,
		title:   fmt.Sprintf("%s: %s", p.Name, map[string]string{KindTLSError: "chứng thư số TLS lỗi", KindTLSSoon: "chứng thư số TLS sắp hết hạn"}[kind]),
		matches: []article.Match{match(kind, sev, st.NotAfter.In(w.loc).Format("02/01/2006"))},
		after:   func() error { ps.TLSAlerted = append(ps.TLSAlerted, key); return nil }}
}

// watchPage compares a fetched watched page with its last copy, saves the
// new copy, records it as duty evidence and returns its links. gone reports
// a page that answered 404 or 410 after having been there.
func (w *Watcher) watchPage(ctx context.Context, p config.Portal, u string, pg crawler.Page, home bool, ps *portalState, firstHosts bool, now time.Time) (*pending, []string, bool, error) {
	pid := pageID(u)
	wkey := "watch." + p.ID + "." + pid
	prev, _, err := getJSON[watchState](ctx, w.st, wkey)
	if err != nil {
		return nil, nil, false, err
	}
	if pg.Status == http.StatusNotFound || pg.Status == http.StatusGone {
		f, err := w.removedPage(ctx, p, u, pg, prev, wkey, now)
		return f, nil, f != nil, err
	}
	if pg.Status < 200 || pg.Status > 299 {
		return nil, nil, false, nil
	}
	host := hostOf(p.URL)
	body := utf8Body(pg.Body, pg.Header)
	feat, err := analyse(body, firstNonEmpty(pg.FinalURL, u), host, w.spam)
	if err != nil {
		w.log.Info("portal page unparsable", "portal", p.ID, "url", u, "err", err)
		return nil, nil, false, nil
	}
	cands := links(body, firstNonEmpty(pg.FinalURL, u), host)
	if err := w.recordPage(ctx, p, u, pg, true, now); err != nil {
		return nil, nil, false, err
	}
	next, err := w.saveCopy(ctx, p, u, pg, prev, feat, now)
	if err != nil {
		return nil, nil, false, err
	}
	// Findings: against the previous copy; on the first copy, only what is
	// suspicious in itself (hidden links, spam).
	c := w.compare(prev.Features, feat, home)
	if hosts := noteHosts(ps, feat.Hosts); len(hosts) > 0 && !firstHosts {
		c.add(KindNewHost, "low", "Liên kết tới tên miền chưa từng thấy: "+strings.Join(hosts, ", ")+".", hosts...)
	}
	save := func() error { return putJSON(ctx, w.st, wkey, next) }
	if len(c.kinds) == 0 {
		return nil, cands, false, save()
	}
	if len(c.ms) == 1 && c.kinds[0] == KindNewHost {
		c.sev = "low"
	}
	f := Finding{Portal: p.ID, PortalName: p.Name, URL: u, Kinds: c.kinds, Severity: c.sev, Found: now, Details: c.details,
		Old: prev.Snapshot, New: next.Snapshot, OldFetched: prev.Fetched, NewFetched: now}
	f.Diff = diffLines(w.oldLines(ctx, prev.Snapshot, next.Snapshot), htmlLines(body))
	return &pending{finding: f, owner: "change|" + u + "|" + next.SHA,
		title:   fmt.Sprintf("%s: trang %s có thay đổi đáng ngờ (%s)", p.Name, pathOf(u), now.In(w.loc).Format("15:04 02/01/2006")),
		matches: c.ms, after: save}, cands, false, nil
}

// removedPage handles a watched page that answered 404 or 410: it marks
// its duty evidence gone and, if the last copy was there (2xx), returns a
// removal finding whose publication records the new status under wkey.
// A page never there, or already reported, gives nil.
func (w *Watcher) removedPage(ctx context.Context, p config.Portal, u string, pg crawler.Page, prev watchState, wkey string, now time.Time) (*pending, error) {
	if err := w.markGone(ctx, p, u, now); err != nil {
		return nil, err
	}
	if prev.Status < 200 || prev.Status > 299 {
		return nil, nil // never there, or already reported
	}
	next := prev
	next.Status, next.Fetched = pg.Status, now
	f := Finding{Portal: p.ID, PortalName: p.Name, URL: u, Kinds: []string{KindRemoved}, Severity: "medium", Found: now,
		Old: prev.Snapshot, OldFetched: prev.Fetched,
		Details: []string{fmt.Sprintf("Trang %s trả về HTTP %d (trước đó có nội dung, lưu lúc %s).", u, pg.Status, prev.Fetched.In(w.loc).Format("15:04 02/01/2006"))}}
	return &pending{finding: f, owner: "removed|" + u + "|" + prev.SHA,
		title:   fmt.Sprintf("%s: trang bị gỡ %s", p.Name, pathOf(u)),
		matches: []article.Match{match(KindRemoved, "medium", pathOf(u))},
		after:   func() error { return putJSON(ctx, w.st, wkey, next) }}, nil
}

// saveCopy returns the page's next watch state (not yet written). When the
// page's bytes differ from the last copy, it saves a new revision in
// Copies first; an error there means nothing changed.
func (w *Watcher) saveCopy(ctx context.Context, p config.Portal, u string, pg crawler.Page, prev watchState, feat Features, now time.Time) (watchState, error) {
	pid := pageID(u)
	snap, err := crawler.NewPageSnapshot("portal-"+pid, prev.Revision+1, pg)
	if err != nil {
		return watchState{}, err
	}
	next := watchState{URL: u, Revision: prev.Revision, Snapshot: prev.Snapshot, SHA: prev.SHA, Status: pg.Status, Fetched: now, Features: &feat}
	if snap.SHA256 != prev.SHA {
		next.Revision++
		next.Snapshot = crawler.SnapshotKey("portal-"+pid, next.Revision)
		next.SHA = snap.SHA256
		if err := w.copies.PutSnapshot(ctx, next.Snapshot, snap); err != nil {
			return watchState{}, fmt.Errorf("portal %s: save copy of %s: %w", p.ID, u, err)
		}
	}
	return next, nil
}

// changes collects the kinds of a page finding with their details and
// matches; sev is "high" once any high-severity kind is added.
type changes struct {
	kinds, details []string
	ms             []article.Match
	sev            string
}

func (c *changes) add(kind, sev, detail string, terms ...string) {
	c.kinds = append(c.kinds, kind)
	c.ms = append(c.ms, match(kind, sev, terms...))
	c.details = append(c.details, detail)
	if sev == "high" {
		c.sev = "high"
	}
}

// compare returns what is suspicious in feat: new hidden links and new spam
// terms (two new visible ones at least, or any strong one) always; new
// scripts, new iframes and, on the home page, a text kept below TextChange
// similarity only when there is a previous copy's features (prev non-nil).
// Outbound hosts are left to the caller.
func (w *Watcher) compare(prev *Features, feat Features, home bool) changes {
	c := changes{sev: "medium"}
	base := Features{}
	if prev != nil {
		base = *prev
	}
	if h := added(base.Hidden, feat.Hidden); len(h) > 0 {
		c.add(KindHidden, "high", fmt.Sprintf("%d liên kết ẩn mới (display:none, ngoài màn hình, chữ cỡ 0…).", len(h)), h...)
	}
	newStrong := added(base.Spam, feat.Spam)
	newVisible := added(base.SpamVisible, feat.SpamVisible)
	if len(newStrong) > 0 || len(newVisible) >= 2 {
		terms := append(slices.Clone(newStrong), newVisible...)
		slices.Sort(terms)
		terms = slices.Compact(terms)
		c.add(KindSpam, "high", "Từ ngữ quảng cáo cờ bạc, cho vay, thuốc: "+strings.Join(terms, ", ")+".", terms...)
	}
	if prev == nil {
		return c
	}
	if s := added(base.Scripts, feat.Scripts); len(s) > 0 {
		c.add(KindScript, "high", fmt.Sprintf("%d mã script mới.", len(s)), s...)
	}
	if s := added(base.Iframes, feat.Iframes); len(s) > 0 {
		c.add(KindIframe, "high", fmt.Sprintf("%d khung iframe mới.", len(s)), s...)
	}
	if home {
		if sim := similarity(base.Words, feat.Words); sim < w.cfg.TextChange {
			c.add(KindDeface, "high", fmt.Sprintf("Nội dung chữ của trang chủ thay đổi %.0f%% so với bản lưu trước.", 100*(1-sim)), fmt.Sprintf("%.0f%%", 100*(1-sim)))
		}
	}
	return c
}

// noteHosts adds to ps.Hosts (sorted, the 2000 last kept) the hosts it
// lacks and returns those, in the order of hosts.
func noteHosts(ps *portalState, hosts []string) []string {
	var fresh []string
	for _, h := range hosts {
		if _, ok := slices.BinarySearch(ps.Hosts, h); !ok {
			fresh = append(fresh, h)
		}
	}
	ps.Hosts = append(ps.Hosts, fresh...)
	slices.Sort(ps.Hosts)
	ps.Hosts = slices.Compact(ps.Hosts)
	if len(ps.Hosts) > 2000 {
		ps.Hosts = ps.Hosts[len(ps.Hosts)-2000:]
	}
	return fresh
}

// oldLines returns the lines of the saved copy old for a diff against a
// page saved as cur, or nil when there is no older copy or it cannot be
// read.
func (w *Watcher) oldLines(ctx context.Context, old, cur string) []string {
	if old == "" || old == cur {
		return nil
	}
	s, err := w.copies.GetSnapshot(ctx, old)
	if err != nil {
		return nil
	}
	raw, err := s.Raw(0)
	if err != nil {
		return nil
	}
	return htmlLines(utf8Body(raw, s.Header))
}

// crawlLinks fetches linked same-host pages not seen lately, as duty
// evidence, at most MaxLinks per check. It returns how many it fetched.
func (w *Watcher) crawlLinks(ctx context.Context, p config.Portal, cands []string, delay time.Duration, now time.Time) (int, error) {
	watched := p.WatchedPages()
	n := 0
	seen := map[string]bool{}
	for _, u := range cands {
		if n >= w.cfg.MaxLinks || ctx.Err() != nil {
			break
		}
		if seen[u] || slices.Contains(watched, u) {
			continue
		}
		seen[u] = true
		pr, _, err := getJSON[pageRecord](ctx, w.st, "page."+p.ID+"."+pageID(u))
		if err != nil {
			return n, err
		}
		if pr.URL != "" && now.Sub(pr.LastSeen) < w.cfg.Refresh {
			continue
		}
		pg, err := w.f.FetchPage(ctx, u, p.AllowPrivate, delay)
		n++
		switch {
		case err != nil:
			if crawler.IsRefused(err) {
				continue
			}
			w.log.Debug("portal link failed", "portal", p.ID, "url", u, "err", err)
		case pg.Status == http.StatusNotFound || pg.Status == http.StatusGone:
			if pr.URL != "" {
				if err := w.markGone(ctx, p, u, now); err != nil {
					return n, err
				}
			}
		case pg.Status >= 200 && pg.Status <= 299:
			if err := w.recordPage(ctx, p, u, pg, false, now); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// recordPage keeps a fetched page's text and date as duty evidence.
func (w *Watcher) recordPage(ctx context.Context, p config.Portal, u string, pg crawler.Page, watched bool, now time.Time) error {
	key := "page." + p.ID + "." + pageID(u)
	pr, _, err := getJSON[pageRecord](ctx, w.st, key)
	if err != nil {
		return err
	}
	a, err := w.f.ExtractPage(pg, p.ID)
	if err != nil {
		w.log.Debug("portal page not extractable", "portal", p.ID, "url", u, "err", err)
		a = article.Article{}
	}
	if pr.URL == "" || pr.Gone {
		pr.FirstSeen = now
	}
	pr.URL, pr.Title, pr.LastSeen, pr.Gone, pr.Watched = u, a.Title, now, false, watched
	text := strings.TrimSpace(a.Lead + "\n" + a.Body)
	if watched || text == "" {
		// A section or home page: its whole visible text counts (footers
		// carry the spokesperson and contacts).
		if f, err := analyseText(utf8Body(pg.Body, pg.Header)); err == nil {
			text = f
		}
	}
	pr.Text = clipText(text, maxPageText)
	if !watched && a.PublishedFrom != "" && !a.Published.IsZero() {
		pr.Published = a.Published
	} else {
		pr.Published = time.Time{}
	}
	return putJSON(ctx, w.st, key, pr)
}

// markGone records that a page answered 404 or 410.
func (w *Watcher) markGone(ctx context.Context, p config.Portal, u string, now time.Time) error {
	key := "page." + p.ID + "." + pageID(u)
	pr, _, err := getJSON[pageRecord](ctx, w.st, key)
	if err != nil || pr.URL == "" {
		return err
	}
	pr.Gone, pr.LastSeen = true, now
	return putJSON(ctx, w.st, key, pr)
}

// publish records the finding (for the alert and Portals pages) and
// publishes its alert. The alert id is deterministic: the same finding
// found again gives the same id.
func (w *Watcher) publish(ctx context.Context, p config.Portal, pd pending, now time.Time) (string, error) {
	owner := "portal-" + pageID(pd.owner)
	var rids []string
	for _, m := range pd.matches {
		rids = append(rids, m.Rule)
	}
	sort.Strings(rids)
	id := article.AlertID(owner, rids)
	f := pd.finding
	f.AlertID = id
	if len(f.Diff) > 0 {
		if err := putJSON(ctx, w.st, "diff."+id, f.Diff); err != nil {
			return "", err
		}
		f.Diff = nil
	}
	if err := putJSON(ctx, w.st, "finding."+id, f); err != nil {
		return "", err
	}
	al := article.Alert{V: article.Version, ID: id, ArticleID: owner, URL: f.URL, Title: pd.title,
		Snippet: clipText(strings.Join(f.Details, " "), 600), Source: p.ID, SourceKind: article.KindPortal,
		Published: now.UTC(), Topics: []string{Topic}, Severity: f.Severity, Matches: pd.matches, Created: now.UTC()}
	if err := w.pub.PublishAlert(ctx, al); err != nil {
		return "", fmt.Errorf("portal %s: publish alert: %w", p.ID, err)
	}
	w.log.Info("portal finding", "portal", p.ID, "alert_id", id, "kinds", f.Kinds, "url", f.URL)
	return id, nil
}

// maxFindings is how many findings are kept for the Portals and alert
// pages (the alerts themselves stay in the alert store).
const maxFindings = 500

// prune forgets the oldest findings beyond maxFindings.
func (w *Watcher) prune(ctx context.Context) error {
	fs, err := w.Findings(ctx, 0)
	if err != nil || len(fs) <= maxFindings {
		return err
	}
	for _, f := range fs[maxFindings:] {
		for _, k := range []string{"finding." + f.AlertID, "diff." + f.AlertID} {
			if err := w.st.Delete(ctx, k); err != nil && !errors.Is(err, kv.ErrNotFound) {
				return fmt.Errorf("portal: prune %s: %w", k, err)
			}
		}
	}
	return nil
}

// IsFinding reports whether an alert was raised by the portal watch (it
// names no crawled article: the crawler's re-fetch watch skips it).
func IsFinding(a article.Alert) bool {
	return a.SourceKind == article.KindPortal && len(a.Topics) == 1 && a.Topics[0] == Topic && strings.HasPrefix(a.ArticleID, "portal-")
}

func hostOf(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return strings.ToLower(pu.Hostname())
}

func pathOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexByte(u, '/'); i >= 0 {
		return u[i:]
	}
	return "/"
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
