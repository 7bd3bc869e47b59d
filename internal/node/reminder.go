package node

import (
	"context"
	"fmt"

	"github.com/diembao/diembao/internal/report"
	"github.com/diembao/diembao/internal/stages"
)

// startReminder runs the year report reminder in the notify role: once a
// year, from reports.reminder (default 1 December), a mail to the office
// audience that the report is due (default 10 December), linking to
// /reports?year=YYYY. State in the digests KV bucket.
func (n *Node) startReminder(ctx context.Context, g *stages.Group) error {
	rc := n.cfg.Reports
	if rc.Reminder == "off" {
		return nil
	}
	aud := rc.Audience
	if aud == "" {
		aud = "office"
	}
	st, err := n.kv(ctx, BucketDigests)
	if err != nil {
		return err
	}
	r, err := report.NewReminder(report.ReminderConfig{On: rc.Reminder, Due: rc.Due, Loc: n.cfg.Location(), BaseURL: n.cfg.HTTP.BaseURL,
		From: n.cfg.SMTP.From, To: n.cfg.Audiences[aud].Emails}, st, Outbox(n.bus), n.log)
	if err != nil {
		return fmt.Errorf("reports.reminder: %w", err)
	}
	g.Go("report-reminder", func() error { return r.Run(ctx) })
	return nil
}
