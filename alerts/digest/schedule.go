package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
)

// SchedulerConfig configures the weekly send.
type SchedulerConfig struct {
	Schedule  string              // config.ParseDigestSchedule's grammar; "": config.DefaultDigestSchedule
	Audiences map[string][]string // audience → emails
	// Sensitive audiences' alerts stay out of the archive copy (Public).
	Sensitive []string
	From      string
	Location  *time.Location
	Now       func() time.Time
	// Since: slots before it are not caught up. Zero: the first time a
	// scheduler ticked on the kv.Store (kept there as digest.since).
	Since time.Time
	// Keeper, if set, stores each digest the scheduler sends for the UI
	// archive.
	Keeper Keeper
}

// Keeper stores a built digest and its rendered HTML (the Public copy) for
// the archive page. Deliver calls it before enqueueing the mails; a nil
// error means the digest is stored.
type Keeper interface {
	Keep(ctx context.Context, d Digest, html string) error
}

// KeeperFunc adapts a function to Keeper.
type KeeperFunc func(ctx context.Context, d Digest, html string) error

// Keep implements Keeper.
func (f KeeperFunc) Keep(ctx context.Context, d Digest, html string) error { return f(ctx, d, html) }

// Scheduler sends the previous week's digest at the scheduled time each
// week, catches up missed weeks after downtime, and never sends one week twice (a mark in
// the kv.Store, key digest.sent.<week>).
type Scheduler struct {
	cfg    SchedulerConfig
	b      *Builder
	kv     kv.Store
	out    alerts.Outbox
	log    *slog.Logger
	day    time.Weekday
	hh, mm int
}

// NewScheduler checks the schedule and returns a Scheduler.
func NewScheduler(cfg SchedulerConfig, b *Builder, st kv.Store, out alerts.Outbox, log *slog.Logger) (*Scheduler, error) {
	if b == nil || st == nil || out == nil {
		return nil, errors.New("digest: nil Builder, kv.Store or Outbox")
	}
	if cfg.Location == nil {
		cfg.Location = b.loc
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	day, hh, mm, err := config.ParseDigestSchedule(cfg.Schedule) // "": the default
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	return &Scheduler{cfg: cfg, b: b, kv: st, out: out, log: log.With("component", "digest"), day: day, hh: hh, mm: mm}, nil
}

// lastSlot returns the latest scheduled time at or before now.
func (s *Scheduler) lastSlot(now time.Time) time.Time {
	t := now.In(s.cfg.Location)
	slot := time.Date(t.Year(), t.Month(), t.Day(), s.hh, s.mm, 0, 0, s.cfg.Location)
	for slot.Weekday() != s.day || slot.After(t) {
		slot = slot.AddDate(0, 0, -1)
	}
	return slot
}

// weekOf returns the week a slot sends: the week that ended before the
// slot's own week began.
func (s *Scheduler) weekOf(slot time.Time) string {
	mon := slot.AddDate(0, 0, -((int(slot.Weekday()) + 6) % 7))
	return WeekOf(mon.AddDate(0, 0, -1), s.cfg.Location)
}

const sinceKey = "digest.since"

// since returns the time from which missed slots are caught up:
// SchedulerConfig.Since, or the first time any scheduler ticked on this
// store (kept in it), so a new installation does not mail last week's
// (empty) digest the moment it starts.
func (s *Scheduler) since(ctx context.Context, now time.Time) (time.Time, error) {
	if !s.cfg.Since.IsZero() {
		return s.cfg.Since, nil
	}
	for range 2 {
		e, err := s.kv.Get(ctx, sinceKey)
		if err == nil {
			t, err := time.Parse(time.RFC3339, string(e.Value))
			if err != nil {
				return time.Time{}, fmt.Errorf("digest: %s: %w", sinceKey, err)
			}
			return t, nil
		}
		if !errors.Is(err, kv.ErrNotFound) {
			return time.Time{}, fmt.Errorf("digest: read %s: %w", sinceKey, err)
		}
		if _, err := s.kv.Create(ctx, sinceKey, []byte(now.UTC().Format(time.RFC3339))); err == nil {
			return now, nil
		} else if !errors.Is(err, kv.ErrExists) {
			return time.Time{}, fmt.Errorf("digest: write %s: %w", sinceKey, err)
		}
	}
	return time.Time{}, fmt.Errorf("digest: %s: conflicting writers", sinceKey)
}

func sentKey(week string) string { return "digest.sent." + strings.ReplaceAll(week, "-", "_") }

// Sent reports whether the week's digest was sent, and when.
func (s *Scheduler) Sent(ctx context.Context, week string) (time.Time, bool, error) {
	e, err := s.kv.Get(ctx, sentKey(week))
	if errors.Is(err, kv.ErrNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("digest %s: read sent mark: %w", week, err)
	}
	t, _ := time.Parse(time.RFC3339, string(e.Value))
	return t, true, nil
}

// MarkSent records that the week's digest is on the outbox; the first mark
// stands.
func (s *Scheduler) MarkSent(ctx context.Context, week string) error {
	if _, err := s.kv.Create(ctx, sentKey(week), []byte(s.cfg.Now().UTC().Format(time.RFC3339))); err != nil && !errors.Is(err, kv.ErrExists) {
		return fmt.Errorf("mark digest %s: %w", week, err)
	}
	return nil
}

// maxCatchUp bounds how many missed weeks one tick sends after a downtime.
const maxCatchUp = 4

// Tick sends the due week's digest and, after a downtime, the weeks missed
// before it (up to maxCatchUp, oldest first, none whose slot passed before
// the scheduler first ran, none before a week already sent). It returns the
// latest week it sent, or "". A crash between enqueueing and marking sends
// again with the same mail ids, which the outbox and the sender drop as
// duplicates.
func (s *Scheduler) Tick(ctx context.Context) (string, error) {
	now := s.cfg.Now()
	since, err := s.since(ctx, now)
	if err != nil {
		return "", err
	}
	var due []string
	for slot := s.lastSlot(now); len(due) < maxCatchUp && !slot.Before(since.Truncate(time.Minute)); slot = slot.AddDate(0, 0, -7) {
		week := s.weekOf(slot)
		_, sent, err := s.Sent(ctx, week)
		if err != nil {
			return "", err
		}
		if sent {
			break // the weeks before it were dealt with then
		}
		due = append(due, week)
	}
	latest := ""
	for i := len(due) - 1; i >= 0; i-- {
		week := due[i]
		if err := s.Send(ctx, week); err != nil {
			return latest, err
		}
		if err := s.MarkSent(ctx, week); err != nil {
			return latest, err
		}
		s.log.Info("digest sent", "week", week, "catch_up", i > 0)
		latest = week
	}
	return latest, nil
}

// Send builds a week's digest and delivers it (Deliver with resend 0).
func (s *Scheduler) Send(ctx context.Context, week string) error {
	d, err := s.b.Build(ctx, week)
	if err != nil {
		return err
	}
	return s.Deliver(ctx, d, 0)
}

// Deliver stores d's Public copy with the Keeper (if any) and puts one mail
// per audience (HTML, text, PDF attached; only that audience's alerts) on
// the outbox. The mail ids are fixed per week, audience and resend, so
// delivering again is dropped as a duplicate downstream.
func (s *Scheduler) Deliver(ctx context.Context, d Digest, resend int) error {
	if s.cfg.Keeper != nil {
		html, err := HTML(Public(d, s.cfg.Sensitive), s.cfg.Location)
		if err != nil {
			return err
		}
		if err := s.cfg.Keeper.Keep(ctx, d, html); err != nil {
			return fmt.Errorf("keep digest %s: %w", d.Week, err)
		}
	}
	ms, err := Mails(d, s.cfg.Location, s.cfg.From, s.cfg.Audiences, resend)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := s.out.Enqueue(ctx, m); err != nil {
			return fmt.Errorf("enqueue digest %s for %s: %w", d.Week, m.Audience, err)
		}
	}
	return nil
}

// Mails renders d into one mail per audience, each listing only the alerts
// routed to that audience (ForAudience). resend > 0 gives new ids for an
// explicit resend (diembao digest --send of a week already sent).
func Mails(d Digest, loc *time.Location, from string, audiences map[string][]string, resend int) ([]alerts.Mail, error) {
	names := make([]string, 0, len(audiences))
	for a := range audiences {
		names = append(names, a)
	}
	sortStrings(names)
	var out []alerts.Mail
	for _, aud := range names {
		if len(audiences[aud]) == 0 {
			continue
		}
		ad := ForAudience(d, aud)
		html, err := HTML(ad, loc)
		if err != nil {
			return nil, err
		}
		pdf, err := PDF(ad, loc)
		if err != nil {
			return nil, err
		}
		id := article.HashID("digest", d.Week, aud, fmt.Sprint(resend))
		out = append(out, alerts.Mail{
			ID: id, MessageID: alerts.MessageIDFor(id), Kind: "digest", Audience: aud,
			From: from, To: append([]string(nil), audiences[aud]...), Subject: "[diembao] " + title(d),
			Text: Text(ad, loc), HTML: html, Created: d.To,
			Attachments: []alerts.Attachment{{Name: "ban-tin-" + d.Week + ".pdf", ContentType: "application/pdf", Data: pdf}},
		})
	}
	return out, nil
}

// Run ticks every minute until ctx is done.
func (s *Scheduler) Run(ctx context.Context) error {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("digest tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
