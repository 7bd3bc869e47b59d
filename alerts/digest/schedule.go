package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/kv"
)

// SchedulerConfig configures the weekly send.
type SchedulerConfig struct {
	Schedule  string              // "Mon 07:00" (default)
	Audiences map[string][]string // audience → emails
	From      string
	Location  *time.Location
	Now       func() time.Time
}

// Scheduler sends the previous week's digest at the scheduled time each
// week, catches up after downtime, and never sends one week twice (a mark in
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
	if cfg.Schedule == "" {
		cfg.Schedule = "Mon 07:00"
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
	day, hh, mm, err := ParseSchedule(cfg.Schedule)
	if err != nil {
		return nil, err
	}
	return &Scheduler{cfg: cfg, b: b, kv: st, out: out, log: log.With("component", "digest"), day: day, hh: hh, mm: mm}, nil
}

// ParseSchedule parses "Mon 07:00".
func ParseSchedule(s string) (time.Weekday, int, int, error) {
	days := map[string]time.Weekday{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
	f := strings.Fields(strings.ToLower(s))
	var hh, mm int
	if len(f) != 2 {
		return 0, 0, 0, fmt.Errorf("digest: schedule %q: want e.g. \"Mon 07:00\"", s)
	}
	d, ok := days[f[0][:min(3, len(f[0]))]]
	if _, err := fmt.Sscanf(f[1], "%d:%d", &hh, &mm); !ok || err != nil || hh > 23 || mm > 59 || hh < 0 || mm < 0 {
		return 0, 0, 0, fmt.Errorf("digest: schedule %q: want e.g. \"Mon 07:00\"", s)
	}
	return d, hh, mm, nil
}

// Due returns the week whose digest is due at now: the week before the
// latest scheduled time at or before now.
func (s *Scheduler) Due(now time.Time) string {
	t := now.In(s.cfg.Location)
	slot := time.Date(t.Year(), t.Month(), t.Day(), s.hh, s.mm, 0, 0, s.cfg.Location)
	for slot.Weekday() != s.day || slot.After(t) {
		slot = slot.AddDate(0, 0, -1)
	}
	// the week that ended before the slot's own week began
	mon := slot.AddDate(0, 0, -((int(slot.Weekday()) + 6) % 7))
	return WeekOf(mon.AddDate(0, 0, -1), s.cfg.Location)
}

// Tick sends the due week's digest unless it was sent; it returns the week
// it sent, or "".
func (s *Scheduler) Tick(ctx context.Context) (string, error) {
	week := s.Due(s.cfg.Now())
	key := "digest.sent." + strings.ReplaceAll(week, "-", "_")
	if _, err := s.kv.Get(ctx, key); err == nil {
		return "", nil
	} else if !errors.Is(err, kv.ErrNotFound) {
		return "", err
	}
	if err := s.Send(ctx, week); err != nil {
		return "", err
	}
	if _, err := s.kv.Create(ctx, key, []byte(s.cfg.Now().UTC().Format(time.RFC3339))); err != nil && !errors.Is(err, kv.ErrExists) {
		return "", fmt.Errorf("mark digest %s: %w", week, err)
	}
	s.log.Info("digest sent", "week", week)
	return week, nil
}

// Send builds a week's digest and puts one mail per audience (HTML, text,
// PDF attached) on the outbox. The mail ids are fixed per week and
// audience, so sending again is dropped as a duplicate downstream.
func (s *Scheduler) Send(ctx context.Context, week string) error {
	d, err := s.b.Build(ctx, week)
	if err != nil {
		return err
	}
	ms, err := Mails(d, s.cfg.Location, s.cfg.From, s.cfg.Audiences, 0)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := s.out.Enqueue(ctx, m); err != nil {
			return fmt.Errorf("enqueue digest %s for %s: %w", week, m.Audience, err)
		}
	}
	return nil
}

// Mails renders d into one mail per audience. resend > 0 gives new ids for
// an explicit resend (diembao digest --send of a week already sent).
func Mails(d Digest, loc *time.Location, from string, audiences map[string][]string, resend int) ([]alerts.Mail, error) {
	html, err := HTML(d, loc)
	if err != nil {
		return nil, err
	}
	pdf, err := PDF(d, loc)
	if err != nil {
		return nil, err
	}
	var out []alerts.Mail
	names := make([]string, 0, len(audiences))
	for a := range audiences {
		names = append(names, a)
	}
	sortStrings(names)
	for _, aud := range names {
		id := hashID("digest", d.Week, aud, fmt.Sprint(resend))
		out = append(out, alerts.Mail{
			ID: id, MessageID: alerts.MessageIDFor(id), Kind: "digest", Audience: aud,
			From: from, To: audiences[aud], Subject: "[diembao] " + title(d),
			Text: Text(d, loc), HTML: html, Created: d.To,
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
