package node

import (
	"context"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/config"
)

// staleAudience is the audience told when a source goes stale.
const staleAudience = "admin"

// staleNoticer mails the admin audience (audiences.admin in diembao.yaml)
// through the outbox when a source goes stale, once per episode, with a
// deterministic mail id (so a redelivery is not a second mail). Without
// that audience it returns nil: the crawler's warning in the log and the
// Sources page are the notice.
func staleNoticer(cfg config.Config, out alerts.Outbox) crawler.Noticer {
	aud, ok := cfg.Audiences[staleAudience]
	if !ok || len(aud.Emails) == 0 {
		return nil
	}
	return crawler.NoticerFunc(func(ctx context.Context, h crawler.SourceHealth) error {
		x := crawler.NewStaleNotice(h, cfg.Crawler.StaleAfter, cfg.Location(), cfg.HTTP.BaseURL)
		return out.Enqueue(ctx, alerts.Mail{ID: x.ID, MessageID: alerts.MessageIDFor(x.ID), Kind: "notice", Audience: staleAudience,
			From: cfg.SMTP.From, To: aud.Emails, Subject: x.Subject, Text: x.Text, Created: time.Now()})
	})
}
