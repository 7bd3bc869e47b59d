package report

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"strings"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/kv"
)

// ReminderConfig configures the year-report reminder.
type ReminderConfig struct {
	// On is the day ("12-01", MM-DD) from which the reminder goes out, and
	// Due the day the report is due ("12-10"). Defaults: 1 and 10 December.
	On, Due string
	Loc     *time.Location
	BaseURL string // the UI address; the mail links to BaseURL/reports?year=YYYY
	From    string
	To      []string // the office's addresses
	Now     func() time.Time
}

// Reminder mails the office once a year that the year report is due.
type Reminder struct {
	cfg ReminderConfig
	st  kv.Store
	out alerts.Outbox
	log *slog.Logger
}

// NewReminder checks cfg; st keeps "report.reminder.YYYY" once a year's
// reminder is on out.
func NewReminder(cfg ReminderConfig, st kv.Store, out alerts.Outbox, log *slog.Logger) (*Reminder, error) {
	if st == nil || out == nil {
		return nil, errors.New("report: nil kv.Store or Outbox")
	}
	if cfg.On == "" {
		cfg.On = "12-01"
	}
	if cfg.Due == "" {
		cfg.Due = "12-10"
	}
	for _, d := range []string{cfg.On, cfg.Due} {
		if _, err := time.Parse("01-02", d); err != nil {
			return nil, fmt.Errorf("report reminder: day %q: want MM-DD, e.g. 12-01", d)
		}
	}
	if cfg.Loc == nil {
		cfg.Loc = article.Vietnam()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Reminder{cfg: cfg, st: st, out: out, log: log.With("component", "report_reminder")}, nil
}

func (r *Reminder) day(year int, mmdd string) time.Time {
	t, _ := time.Parse("01-02", mmdd)
	return time.Date(year, t.Month(), t.Day(), 0, 0, 0, 0, r.cfg.Loc)
}

// Tick sends this year's reminder when its day has come (and the due day
// has not passed) and it was not sent yet; it reports whether it sent. With
// no recipients it does nothing.
func (r *Reminder) Tick(ctx context.Context) (bool, error) {
	now := r.cfg.Now().In(r.cfg.Loc)
	y := now.Year()
	if len(r.cfg.To) == 0 || now.Before(r.day(y, r.cfg.On)) || !now.Before(r.day(y, r.cfg.Due).AddDate(0, 0, 1)) {
		return false, nil
	}
	key := fmt.Sprintf("report.reminder.%d", y)
	if _, err := r.st.Get(ctx, key); err == nil {
		return false, nil
	} else if !errors.Is(err, kv.ErrNotFound) {
		return false, fmt.Errorf("report reminder: %w", err)
	}
	link := fmt.Sprintf("%s/reports?year=%d", strings.TrimRight(r.cfg.BaseURL, "/"), y)
	due := r.day(y, r.cfg.Due).Format("02/01/2006")
	id := fmt.Sprintf("report-reminder-%d", y)
	m := alerts.Mail{ID: id, MessageID: "<" + id + "@diembao>", Kind: "reminder", Audience: "office", From: r.cfg.From, To: r.cfg.To,
		Subject: fmt.Sprintf("Nhắc việc: báo cáo kết quả theo dõi báo chí năm %d hạn %s", y, due),
		Text:    fmt.Sprintf("Báo cáo kết quả thực hiện nhiệm vụ theo dõi thông tin báo chí năm %d cần gửi trước ngày %s.\nLập báo cáo (Word, PDF, Excel) tại: %s\n", y, due, link),
		HTML: fmt.Sprintf("<p>Báo cáo kết quả thực hiện nhiệm vụ theo dõi thông tin báo chí năm %d cần gửi trước ngày <b>%s</b>.</p><p><a href=\"%s\">Lập báo cáo năm %d</a> (Word, PDF, Excel).</p>",
			y, due, html.EscapeString(link), y),
		Created: now.UTC()}
	if err := r.out.Enqueue(ctx, m); err != nil {
		return false, fmt.Errorf("report reminder: %w", err)
	}
	if _, err := r.st.Create(ctx, key, []byte(now.UTC().Format(time.RFC3339))); err != nil && !errors.Is(err, kv.ErrExists) {
		return false, fmt.Errorf("report reminder: %w", err)
	}
	r.log.Info("year report reminder sent", "year", y)
	return true, nil
}

// Run ticks every hour until ctx ends; errors are logged and retried.
func (r *Reminder) Run(ctx context.Context) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if _, err := r.Tick(ctx); err != nil {
			r.log.Warn("year report reminder", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
