package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/cases"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/officedoc"
)

// bucketCases holds the cases (vụ việc), their history and their indexes.
const bucketCases = "cases"

// newCaseService wires the case workflow to the bus: cases in a KV bucket,
// evidence on the SNAPSHOTS stream, handed-in URLs fetched through the
// crawler's guarded fetch, notices through the OUTBOX, rule backtests on the
// ARTICLES stream. Any role, and the `case` command, may build one: all
// state is on the bus.
func newCaseService(ctx context.Context, a *app, b *bus.Bus, log *slog.Logger) (*cases.Service, error) {
	st, err := b.KV(ctx, bucketCases)
	if err != nil {
		return nil, err
	}
	revs, err := b.KV(ctx, bucketRevisions)
	if err != nil {
		return nil, err
	}
	alertKV, err := b.KV(ctx, bucketAlerts)
	if err != nil {
		return nil, err
	}
	store, err := alerts.NewStore(alertKV)
	if err != nil {
		return nil, err
	}
	router, err := alerts.NewRouter(a.cfg.Routes, a.cfg.Audiences)
	if err != nil {
		return nil, err
	}
	sources, err := sourcesFromConfig(a.cfg.Sources)
	if err != nil {
		log.Warn("cases: sources unreadable; handed-in URLs are fetched without source settings", "err", err)
		sources = nil
	}
	if eff, err := effectiveSources(ctx, b, sources); err != nil {
		log.Warn("cases: sources edited in the UI unreadable; handed-in URLs use sources.yaml's settings", "err", err)
	} else {
		sources = eff
	}
	ccfg := oneShotFetch(a.cfg, 0) // an analyst waits for the answer
	pub := crawler.PublisherFunc(func(context.Context, article.Article) error {
		return errors.New("a case intake publishes nothing")
	})
	c, err := crawler.New(ccfg, sources, pub, kv.NewMemory(), nil, log)
	if err != nil {
		return nil, fmt.Errorf("cases: %w", err)
	}
	cfg := a.cfg
	return cases.New(cfg.Cases, cases.Deps{
		Store:    st,
		Fetcher:  caseFetcher{c},
		Blobs:    caseBlobs{b},
		Lookup:   caseLookup{revs: revs, alerts: store},
		Notifier: caseNotifier{out: outbox{b}, from: cfg.SMTP.From},
		Archive:  busArchive{b},
		Route: func(topics []string, severity string) []string {
			return router.Route(article.Alert{Topics: topics, Severity: severity, Area: true})
		},
		Emails:   func(aud string) []string { return cfg.Audiences[aud].Emails },
		Log:      log,
		BaseURL:  cfg.HTTP.BaseURL,
		Location: cfg.Location(),
		Issuer:   officedoc.IssuerFrom(cfg.Office),
	})
}

// caseFetcher fetches handed-in URLs once; every failure is the URL's (a
// private address, robots.txt, 404, a host that does not answer), so it is
// reported to the analyst as bad input.
type caseFetcher struct{ c *crawler.Crawler }

func (f caseFetcher) Fetch(ctx context.Context, u string) (cases.Fetched, error) {
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	h, err := f.c.FetchOnce(ctx, u)
	if err != nil {
		why := err.Error()
		switch {
		case errors.Is(err, crawler.ErrPrivateAddress):
			why = "địa chỉ nội bộ hoặc riêng (private/loopback) bị từ chối như khi thu thập"
		case errors.Is(err, crawler.ErrRobots):
			why = "robots.txt của trang không cho phép"
		case errors.Is(err, crawler.ErrTooLarge):
			why = "trang quá lớn"
		case errors.Is(err, errkind.Permanent) && h.Status != 0:
			why = "trang trả mã " + strconv.Itoa(h.Status)
		}
		return cases.Fetched{}, fmt.Errorf("%w: không tải được %s: %s (%v)", cases.ErrBadInput, u, why, err)
	}
	return cases.Fetched{Article: h.Article, Raw: h.Raw, ContentType: h.ContentType}, nil
}

// caseBlobs keeps evidence on the SNAPSHOTS stream (no age limit, one
// message per subject, compressed), keyed by the SHA-256.
type caseBlobs struct{ b *bus.Bus }

func (c caseBlobs) Put(ctx context.Context, key string, data []byte) error {
	_, err := c.b.Publish(ctx, bus.SubjectSnapshots+"."+key, "snap-"+key, data, nil)
	return err
}

func (c caseBlobs) Get(ctx context.Context, key string) ([]byte, error) {
	m, err := c.b.LastBySubject(ctx, bus.StreamSnapshots, bus.SubjectSnapshots+"."+key)
	if err != nil {
		return nil, fmt.Errorf("%w: evidence %s: %w", cases.ErrNotFound, key, err)
	}
	return m.Data, nil
}

// caseLookup finds articles (latest kept revision) and alerts for intakes.
type caseLookup struct {
	revs   kv.Store
	alerts *alerts.Store
}

func (l caseLookup) Article(ctx context.Context, id string) (article.Article, error) {
	keys, err := l.revs.Keys(ctx, id+".")
	if err != nil {
		return article.Article{}, err
	}
	best, bestRev := article.Article{}, -1
	for _, k := range keys {
		n, err := strconv.Atoi(strings.TrimPrefix(k, id+"."))
		if err != nil || n <= bestRev {
			continue
		}
		e, err := l.revs.Get(ctx, k)
		if err != nil {
			continue
		}
		var a article.Article
		if json.Unmarshal(e.Value, &a) == nil {
			best, bestRev = a, n
		}
	}
	if bestRev < 0 {
		return article.Article{}, fmt.Errorf("%w: article %s", cases.ErrNotFound, id)
	}
	return best, nil
}

func (l caseLookup) Alert(ctx context.Context, id string) (article.Alert, []string, error) {
	r, err := l.alerts.Get(ctx, id)
	if errors.Is(err, alerts.ErrNotFound) {
		return article.Alert{}, nil, fmt.Errorf("%w: alert %s", cases.ErrNotFound, id)
	}
	if err != nil {
		return article.Alert{}, nil, err
	}
	return r.Alert, r.Audiences, nil
}

// caseNotifier puts case notices on the OUTBOX, where the mailer sends them
// like alert mails (fixed Message-ID, retries, dead letters).
type caseNotifier struct {
	out  outbox
	from string
}

func (n caseNotifier) Notify(ctx context.Context, x cases.Notice) error {
	var body strings.Builder
	for _, p := range strings.Split(x.Text, "\n") {
		body.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
	}
	to := append([]string(nil), x.To...)
	sort.Strings(to)
	return n.out.Enqueue(ctx, alerts.Mail{ID: x.ID, MessageID: alerts.MessageIDFor(x.ID), Kind: "case", Audience: "case",
		From: n.from, To: to, Subject: x.Subject, Text: x.Text, HTML: body.String(), Created: time.Now()})
}

// startCases runs the case stages of this process's roles: with match, the
// spread detector (a durable consumer on ARTICLES that attaches repeats of
// open cases' claims and tells their owners); with notify, the daily
// overdue reminders.
func (n *node) startCases(ctx context.Context, start startFunc, wg *sync.WaitGroup) error {
	if !n.roles.match && !n.roles.notify {
		return nil
	}
	svc, err := newCaseService(ctx, n.a, n.bus, n.log)
	if err != nil {
		return err
	}
	if n.roles.match {
		start(wg, "case-spread", func() error {
			return n.bus.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamArticles, Durable: "cases", Batch: 64,
				MaxWait: 300 * time.Millisecond, MaxAttempts: 20, AckWait: 60 * time.Second},
				bus.Each(func(ctx context.Context, m bus.Msg) error {
					var a article.Article
					if err := json.Unmarshal(m.Data, &a); err != nil || a.ID == "" {
						return fmt.Errorf("cases: undecodable article at seq %d: %w", m.Seq, errkind.Permanent)
					}
					_, err := svc.Attach(ctx, a)
					return err
				}))
		})
	}
	if n.roles.notify {
		start(wg, "case-reminders", func() error {
			t := time.NewTicker(5 * time.Minute)
			defer t.Stop()
			for {
				if k, err := svc.Reminders(ctx); err != nil {
					n.log.Warn("case reminders", "err", err)
				} else if k > 0 {
					n.log.Info("overdue case reminders queued", "count", k)
				}
				select {
				case <-ctx.Done():
					return nil
				case <-t.C:
				}
			}
		})
	}
	return nil
}

// demoClaimPost is the (fictional) social-network post of the demo's
// false-report story: the sample site's article 240116 reports it as false.
const demoClaimPost = "Cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn, biên giới đã bị phong tỏa, người dân không được qua lại. " +
	"Bà con tích trữ hàng hóa ngay! (bài đăng trên mạng xã hội, không tải được: nội dung dán tay)"

// seedDemoCase opens, once, the demo's case on its false-report story: the
// pasted post; the crawl then attaches the sample site's article on it (the
// case rule) and the case page shows the spread. Failures are logged only:
// the demo runs without its case.
func seedDemoCase(ctx context.Context, n *node) {
	svc, err := newCaseService(ctx, n.a, n.bus, n.log)
	if err == nil {
		var list []cases.Case
		if list, _, err = svc.List(ctx, cases.Filter{}); err == nil && len(list) == 0 {
			_, _, err = svc.Open(ctx, cases.Intake{By: "demo", Owner: "demo", Severity: "high",
				Claim: "Cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn, người dân không được qua lại", Text: demoClaimPost,
				Topics: []string{"border", "disinfo"}, Communes: []string{"Bát Mọt", "Yên Nhân (cũ)"}})
		}
	}
	if err != nil {
		n.log.Warn("demo: the sample case was not opened", "err", err)
	}
}

// busArchive reads the ARTICLES stream of an open bus for rule and
// case-rule backtests: the latest revision of every article published since
// a time, removed articles left out. streamArchive opens a bus for it.
type busArchive struct{ b *bus.Bus }

func (s busArchive) ArticlesSince(ctx context.Context, since time.Time, fn func(article.Article) error) error {
	latest := map[string]article.Article{}
	var order []string
	err := s.b.ReadAll(ctx, bus.StreamArticles, func(m bus.Msg, _ uint64) error {
		var a article.Article
		if json.Unmarshal(m.Data, &a) != nil || a.ID == "" {
			return nil // undecodable messages are the consumers' business
		}
		when := a.Published
		if when.IsZero() {
			when = a.Fetched
		}
		if when.Before(since) {
			return nil
		}
		prev, seen := latest[a.ID]
		if !seen {
			order = append(order, a.ID)
		}
		if !seen || a.Revision >= prev.Revision {
			latest[a.ID] = a
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read archive: %w", err)
	}
	for _, id := range order {
		if a := latest[id]; !a.Removed {
			if err := fn(a); err != nil {
				return err
			}
		}
	}
	return nil
}
