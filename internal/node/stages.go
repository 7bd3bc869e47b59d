package node

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/portal"
	"github.com/diembao/diembao/internal/stages"
)

// startIndex consumes ARTICLES into the index in batches, keeps every
// revision in a KV bucket for the article page, and answers search
// requests from serve roles in other processes.
func (n *Node) startIndex(ctx context.Context, g *stages.Group) error {
	revs, err := n.kv(ctx, BucketRevisions)
	if err != nil {
		return err
	}
	handler := func(ctx context.Context, msgs []bus.Decoded[article.Article]) []error {
		in := make([]indexer.Incoming, len(msgs))
		for i, m := range msgs {
			in[i] = indexer.Incoming{Article: m.Value, Seq: m.Msg.Seq, Raw: m.Msg.Data}
		}
		t0 := time.Now()
		errs := n.idx.IndexBatch(ctx, revs, in)
		done := 0
		for _, err := range errs {
			if err == nil {
				done++
			}
		}
		if done > 0 {
			n.metrics.indexed.Add(float64(done))
			n.metrics.indexSeconds.Observe(time.Since(t0).Seconds())
		}
		return errs
	}
	g.Go("index", func() error {
		return n.bus.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamArticles, Durable: "indexer", Batch: 1000,
			MaxWait: 300 * time.Millisecond, MaxAttempts: 20, AckWait: 30 * time.Second},
			bus.JSONBatch("article", handler))
	})
	return serveIndexRequests(ctx, n.bus, n.idx)
}

func (n *Node) startMatch(ctx context.Context, g *stages.Group) error {
	alerted, err := n.kv(ctx, bucketAlerted)
	if err != nil {
		return err
	}
	match := alerts.MatcherFunc(func(a article.Article) (bool, []article.Match) {
		m := n.rules.Current().Verdict(a)
		return m.Area, m.Matches
	})
	pub := alerts.AlertPublisherFunc(func(ctx context.Context, al article.Alert) error {
		return n.bus.PublishJSON(ctx, bus.SubjectAlerts+"."+bus.Token(alerts.TopTopic(al.Matches)), al.ID, al)
	})
	m, err := alerts.NewRaiser(match, alerted, pub, time.Now, n.log)
	if err != nil {
		return err
	}
	g.Go("match", func() error {
		return n.bus.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamArticles, Durable: "matcher", Batch: 64,
			MaxWait: 300 * time.Millisecond, MaxAttempts: 20, AckWait: 30 * time.Second},
			bus.JSON("article", func(ctx context.Context, a article.Article, _ bus.Msg) error {
				err := m.Handle(ctx, a)
				if err == nil {
					n.metrics.matched.Inc()
				}
				return err
			}))
	})
	return nil
}

// Outbox publishes mails on b's OUTBOX work queue, one subject per
// audience, with the mail's id as Nats-Msg-Id.
func Outbox(b *bus.Bus) alerts.Outbox {
	return alerts.OutboxFunc(func(ctx context.Context, m alerts.Mail) error {
		return b.PublishJSON(ctx, bus.SubjectOutbox+"."+bus.Token(m.Audience), m.MsgID(), m)
	})
}

func (n *Node) mailer() (alerts.Mailer, error) {
	if n.cfg.SMTP.Host == "" {
		dir := filepath.Join(n.cfg.DataDir, "mail")
		n.log.Warn("no SMTP host configured: mails are written as .eml files", "dir", dir)
		return alerts.NewDirMailer(dir)
	}
	return alerts.NewSMTPMailer(smtpConfig(n.cfg.SMTP))
}

func (n *Node) startNotify(ctx context.Context, g *stages.Group) error {
	st, err := n.kv(ctx, BucketAlerts)
	if err != nil {
		return err
	}
	acfg := alertsConfig(n.cfg)
	acfg.Topics = PackTopics(n.rules)
	acfg.Sources = n.names.Names
	notif, err := alerts.NewNotifier(acfg, st, Outbox(n.bus), n.log)
	if err != nil {
		return err
	}
	mailer, err := n.mailer()
	if err != nil {
		return err
	}
	sender, err := alerts.NewSender(acfg, st, mailer, n.log)
	if err != nil {
		return err
	}
	g.Go("notifier", func() error {
		return n.bus.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamAlerts, Durable: "notifier", Batch: 64,
			MaxWait: 300 * time.Millisecond, MaxAttempts: 20, AckWait: 30 * time.Second},
			bus.JSON("alert", func(ctx context.Context, al article.Alert, _ bus.Msg) error { return notif.Handle(ctx, al) }))
	})
	g.Go("notifier-flush", func() error { return notif.Run(ctx) })
	g.Go("mailer", func() error {
		// The sender counts SMTP attempts itself and dead-letters the mail
		// after alerts.max_attempts; the bus only has to keep redelivering.
		return n.bus.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamOutbox, Durable: "mailer", Batch: 1,
			MaxWait: 300 * time.Millisecond, MaxAttempts: 1000, MaxBackoff: 30 * time.Second, AckWait: 90 * time.Second},
			bus.JSON("mail", func(ctx context.Context, mail alerts.Mail, _ bus.Msg) error {
				t0 := time.Now()
				err := sender.Handle(ctx, mail)
				if err == nil {
					n.metrics.mailed.Inc()
					n.metrics.mailSeconds.Observe(time.Since(t0).Seconds())
				} else {
					n.metrics.mailErrors.Inc()
				}
				return err
			}))
	})
	if err := n.startReminder(ctx, g); err != nil { // the year report reminder (reminder.go)
		return err
	}
	return n.startDigest(ctx, g) // the weekly digest scheduler (digest.go)
}

func (n *Node) startCrawl(front *stages.Group) error {
	frontCtx := front.Context()
	cfg := n.cfg
	sources, err := LoadSources(cfg.Sources) // the default path is optional: the embedded list of real outlets
	if err != nil {
		return fmt.Errorf("%w: crawl: %w", cli.ErrUsage, err) // bad input: exit 2
	}
	srcStore, sources, err := n.effectiveSources(frontCtx, sources) // seed + UI edits (sources.go)
	if err != nil {
		return err
	}
	// Crawl state of a page unseen for half a year is forgotten: the bucket
	// must not grow without bound. A page found again is fetched afresh; its
	// alerts are not repeated (the matcher keeps its own state).
	state, err := n.bus.KVWithTTL(frontCtx, bucketCrawl, 180*24*time.Hour)
	if err != nil {
		return err
	}
	health, err := n.kv(frontCtx, BucketHealth)
	if err != nil {
		return err
	}
	pub := crawler.PublisherFunc(func(ctx context.Context, a article.Article) error {
		// The rule engine runs once per revision, here; every later stage
		// reads the verdict from the message.
		a.Matched = n.rules.Current().Match(a).Matched()
		if err := n.bus.PublishJSON(ctx, bus.SubjectArticles+"."+bus.Token(a.Source), a.MsgID(), a); err != nil {
			return err
		}
		n.metrics.crawled.Inc()
		return nil
	})
	cc := crawlerConfig(cfg, n.rules)
	cc.Notice = staleNoticer(cfg, Outbox(n.bus)) // stale.go
	c, err := crawler.New(cc, sources, pub, state, crawler.Snapshots{Blobs: bus.Blobs{B: n.bus}}, n.log)
	if err != nil {
		return fmt.Errorf("crawl: %w", err)
	}
	front.Go("crawler", func() error { return c.Run(frontCtx) })
	front.Go("crawl-sources", func() error { return srcStore.Feed(frontCtx, c, n.log) })
	front.Go("crawl-health", func() error { return crawler.PublishHealth(frontCtx, c, health) })
	// Matched articles are fetched again after 1 h and 24 h to record edits
	// and removals.
	front.Go("crawl-watch", func() error {
		return n.bus.Consume(frontCtx, bus.ConsumerSpec{Stream: bus.StreamAlerts, Durable: "crawl-watch", Batch: 64,
			MaxWait: time.Second}, bus.JSON("alert", func(ctx context.Context, al article.Alert, _ bus.Msg) error {
			if portal.IsFinding(al) {
				return nil // an own-portal finding names no crawled article
			}
			return c.Watch(ctx, al.URL)
		}))
	})
	return nil
}
