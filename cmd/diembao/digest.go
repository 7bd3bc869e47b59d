package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/alerts/digest"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/report"
	"github.com/diembao/diembao/internal/stages"
)

// digestDeps is what building and sending a digest needs.
type digestDeps struct {
	idx     indexer.Reader
	alerts  kv.Store // bucket "alerts"
	digests kv.Store // bucket "digests": archive and sent marks
	outbox  alerts.Outbox
	now     func() time.Time
	topics  alerts.Topics // the rule pack's names and order (nil: built-in)
}

// digestScheduler wires the digest Builder and Scheduler from the
// configuration (timezone, digest.schedule, digest.audiences, digest.issuer).
func digestScheduler(cfg config.Config, deps digestDeps, log *slog.Logger) (*digest.Builder, *digest.Scheduler, error) {
	store, err := alerts.NewStore(deps.alerts)
	if err != nil {
		return nil, nil, err
	}
	if deps.now == nil {
		deps.now = time.Now
	}
	loc := cfg.Location()
	b, err := digest.NewBuilder(report.DigestArchive(deps.idx, store), loc, cfg.Digest.Issuer)
	if err != nil {
		return nil, nil, err
	}
	b.UseTopics(deps.topics)
	b.HideRestricted(sensitiveAudiences(cfg)) // police-only rules: only in the police copy
	s, err := digest.NewScheduler(digest.SchedulerConfig{
		Schedule:  cfg.Digest.Schedule,
		Audiences: digestAudiences(cfg),
		Sensitive: sensitiveAudiences(cfg),
		From:      cfg.SMTP.From,
		Location:  loc,
		Now:       deps.now,
		Keeper:    digest.Shelf{St: deps.digests, Now: deps.now},
	}, b, deps.digests, deps.outbox, log)
	if err != nil {
		return nil, nil, err
	}
	return b, s, nil
}

// digestAudiences maps each audience of digest.audiences to its emails.
func digestAudiences(cfg config.Config) map[string][]string {
	out := map[string][]string{}
	for _, a := range cfg.Digest.Audiences {
		if emails := cfg.Audiences[a].Emails; len(emails) > 0 {
			out[a] = append([]string(nil), emails...)
		}
	}
	return out
}

// startDigest runs the weekly digest scheduler of the notify role: every
// digest.schedule (default Monday 07:00 in the configured time zone) it
// builds the previous week's digest, keeps it in the "digests" bucket for the
// UI and puts the mails on the OUTBOX; it catches up after downtime and
// never sends one week twice (marks in the "digests" bucket).
func (n *node) startDigest(ctx context.Context, g *stages.Group) error {
	alertKV, err := n.kv(ctx, bucketAlerts)
	if err != nil {
		return err
	}
	digests, err := n.kv(ctx, bucketDigests)
	if err != nil {
		return err
	}
	var idx indexer.Reader = remoteIndex{n.bus}
	if n.idx != nil {
		idx = n.idx
	}
	_, s, err := digestScheduler(n.a.cfg, digestDeps{idx: idx, alerts: alertKV, digests: digests, outbox: outbox{n.bus}, topics: packTopics(n.rules)}, n.log)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	g.Go("digest", func() error { return s.Run(ctx) })
	return nil
}
