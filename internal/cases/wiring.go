package cases

// Adapters from the other packages' stores to the Service's Deps, so that
// the wiring in internal/node only names them.

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
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
)

// FetcherFrom fetches handed-in URLs once with c (a one-shot crawler, for its
// guarded fetch), at most 45 s each. Every failure is the URL's (a private
// address, robots.txt, 404, a host that does not answer), so it is reported
// to the analyst, in Vietnamese, as ErrBadInput.
func FetcherFrom(c *crawler.Crawler) Fetcher { return caseFetcher{c} }

type caseFetcher struct{ c *crawler.Crawler }

func (f caseFetcher) Fetch(ctx context.Context, u string) (Fetched, error) {
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
		return Fetched{}, fmt.Errorf("%w: không tải được %s: %s (%v)", ErrBadInput, u, why, err)
	}
	return Fetched{Article: h.Article, Raw: h.Raw, ContentType: h.ContentType}, nil
}

// BlobsIn keeps evidence in b (the bus's SNAPSHOTS records), keyed by the
// SHA-256; a key b cannot give is ErrNotFound.
func BlobsIn(b Blobs) Blobs { return caseBlobs{b} }

type caseBlobs struct{ b Blobs }

func (c caseBlobs) Put(ctx context.Context, key string, data []byte) error {
	return c.b.Put(ctx, key, data)
}

func (c caseBlobs) Get(ctx context.Context, key string) ([]byte, error) {
	data, err := c.b.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("%w: evidence %s: %w", ErrNotFound, key, err)
	}
	return data, nil
}

// LookupIn finds articles (the latest revision kept in revs, key
// "<id>.<revision>") and alerts (in the alert store) for intakes.
func LookupIn(revs kv.Store, store *alerts.Store) Lookup {
	return caseLookup{revs: revs, alerts: store}
}

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
		return article.Article{}, fmt.Errorf("%w: article %s", ErrNotFound, id)
	}
	return best, nil
}

func (l caseLookup) Alert(ctx context.Context, id string) (article.Alert, []string, error) {
	r, err := l.alerts.Get(ctx, id)
	if errors.Is(err, alerts.ErrNotFound) {
		return article.Alert{}, nil, fmt.Errorf("%w: alert %s", ErrNotFound, id)
	}
	if err != nil {
		return article.Alert{}, nil, err
	}
	return r.Alert, r.Audiences, nil
}

// NotifierTo puts case notices on the outbox, from the address from, where
// the mailer sends them like alert mails (fixed Message-ID, retries, dead
// letters).
func NotifierTo(out alerts.Outbox, from string) Notifier { return caseNotifier{out: out, from: from} }

type caseNotifier struct {
	out  alerts.Outbox
	from string
}

func (n caseNotifier) Notify(ctx context.Context, x Notice) error {
	var body strings.Builder
	for _, p := range strings.Split(x.Text, "\n") {
		body.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
	}
	to := append([]string(nil), x.To...)
	sort.Strings(to)
	return n.out.Enqueue(ctx, alerts.Mail{ID: x.ID, MessageID: alerts.MessageIDFor(x.ID), Kind: "case", Audience: "case",
		From: n.from, To: to, Subject: x.Subject, Text: x.Text, HTML: body.String(), Created: time.Now()})
}

// RunReminders queues the daily overdue reminders (Reminders) every five
// minutes until ctx ends; failures are logged and tried again.
func (s *Service) RunReminders(ctx context.Context, log *slog.Logger) error {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		if k, err := s.Reminders(ctx); err != nil {
			log.Warn("case reminders", "err", err)
		} else if k > 0 {
			log.Info("overdue case reminders queued", "count", k)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
