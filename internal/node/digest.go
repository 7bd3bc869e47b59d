package node

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/alerts/digest"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/report"
	"github.com/diembao/diembao/internal/stages"
)

// DigestDeps is what building and sending a digest needs.
type DigestDeps struct {
	Index   indexer.Reader
	Alerts  kv.Store // bucket "alerts"
	Digests kv.Store // bucket "digests": archive and sent marks
	Outbox  alerts.Outbox
	Now     func() time.Time    // nil: time.Now
	Topics  alerts.Topics       // the rule pack's names and order (nil: built-in)
	Sources article.SourceNames // the sources' display names (nil: ids)
}

// DigestScheduler wires the digest Builder and Scheduler from the
// configuration (timezone, digest.schedule, digest.audiences, digest.issuer).
func DigestScheduler(cfg config.Config, deps DigestDeps, log *slog.Logger) (*digest.Builder, *digest.Scheduler, error) {
	store, err := alerts.NewStore(deps.Alerts)
	if err != nil {
		return nil, nil, err
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	loc := cfg.Location()
	b, err := digest.NewBuilder(report.DigestArchive(deps.Index, store), loc, cfg.Digest.Issuer)
	if err != nil {
		return nil, nil, err
	}
	b.UseTopics(deps.Topics)
	b.UseSources(deps.Sources)
	b.HideRestricted(SensitiveAudiences(cfg)) // police-only rules: only in the police copy
	s, err := digest.NewScheduler(digest.SchedulerConfig{
		Schedule:  cfg.Digest.Schedule,
		Audiences: DigestAudiences(cfg),
		Sensitive: SensitiveAudiences(cfg),
		From:      cfg.SMTP.From,
		Location:  loc,
		Now:       deps.Now,
		Keeper:    digest.Shelf{St: deps.Digests, Now: deps.Now},
	}, b, deps.Digests, deps.Outbox, log)
	if err != nil {
		return nil, nil, err
	}
	return b, s, nil
}

// DigestAudiences maps each audience of digest.audiences to its emails.
func DigestAudiences(cfg config.Config) map[string][]string {
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
func (n *Node) startDigest(ctx context.Context, g *stages.Group) error {
	alertKV, err := n.kv(ctx, BucketAlerts)
	if err != nil {
		return err
	}
	digests, err := n.kv(ctx, BucketDigests)
	if err != nil {
		return err
	}
	var idx indexer.Reader = RemoteIndex{Bus: n.bus}
	if n.idx != nil {
		idx = n.idx
	}
	_, s, err := DigestScheduler(n.cfg, DigestDeps{Index: idx, Alerts: alertKV, Digests: digests, Outbox: Outbox(n.bus), Topics: PackTopics(n.rules), Sources: n.names.Names}, n.log)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	g.Go("digest", func() error { return s.Run(ctx) })
	return nil
}
