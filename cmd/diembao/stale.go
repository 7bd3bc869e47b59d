package main

import (
	"context"
	"fmt"
	"strings"
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
	loc := cfg.Location()
	intervals := cfg.Crawler.StaleAfter
	if intervals == 0 {
		intervals = crawler.DefaultStaleAfter
	}
	return crawler.NoticerFunc(func(ctx context.Context, h crawler.SourceHealth) error {
		id := fmt.Sprintf("source-stale-%s-%d", h.Source, h.StaleSince.Unix())
		last := "chưa có bài mới nào kể từ khi bắt đầu theo dõi"
		if !h.LastNewArticle.IsZero() {
			last = "bài mới gần nhất lúc " + h.LastNewArticle.In(loc).Format("15:04 02/01/2006")
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Nguồn tin %q (%s) không cho bài mới trong %d chu kỳ thu (%s mỗi chu kỳ); %s.\n",
			h.Name, h.Source, intervals, h.Interval, last)
		fmt.Fprintf(&b, "Số lượt thu lỗi liên tiếp: %d.\n", h.FailedPasses)
		if h.LastError != "" {
			fmt.Fprintf(&b, "Lỗi gần nhất: %s\n", h.LastError)
		}
		fmt.Fprintf(&b, "\nXem tình trạng các nguồn: %s/sources\n", strings.TrimRight(cfg.HTTP.BaseURL, "/"))
		m := alerts.Mail{ID: id, MessageID: alerts.MessageIDFor(id), Kind: "notice", Audience: staleAudience,
			From: cfg.SMTP.From, To: aud.Emails, Subject: "[diembao] Nguồn tin không có bài mới: " + h.Name,
			Text: b.String(), Created: time.Now()}
		return out.Enqueue(ctx, m)
	})
}
