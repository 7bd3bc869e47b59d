package report

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/kv"
)

func TestReminderOncePerYear(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, ict)
	var mails []alerts.Mail
	out := alerts.OutboxFunc(func(_ context.Context, m alerts.Mail) error { mails = append(mails, m); return nil })
	st := kv.NewMemory()
	r, err := NewReminder(ReminderConfig{Loc: ict, BaseURL: "http://ui.example/", From: "diembao@x", To: []string{"vanphong@example.org"},
		Now: func() time.Time { return now }}, st, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	steps := []struct {
		at   time.Time
		sent bool
	}{
		{time.Date(2026, 11, 30, 23, 0, 0, 0, ict), false}, // before 1 December
		{time.Date(2026, 12, 1, 7, 0, 0, 0, ict), true},
		{time.Date(2026, 12, 1, 8, 0, 0, 0, ict), false},  // once
		{time.Date(2027, 12, 11, 8, 0, 0, 0, ict), false}, // a year whose due day passed
		{time.Date(2027, 12, 2, 8, 0, 0, 0, ict), true},   // the next year
	}
	for _, s := range steps {
		now = s.at
		sent, err := r.Tick(ctx)
		if err != nil || sent != s.sent {
			t.Errorf("at %s: sent %v, %v; want %v", s.at, sent, err, s.sent)
		}
	}
	if len(mails) != 2 || !strings.Contains(mails[0].Text, "http://ui.example/reports?year=2026") || !strings.Contains(mails[0].Subject, "10/12/2026") {
		t.Errorf("mails %+v", mails)
	}
	if _, err := NewReminder(ReminderConfig{On: "1 Dec"}, st, out, nil); err == nil {
		t.Error("bad day accepted")
	}
}
