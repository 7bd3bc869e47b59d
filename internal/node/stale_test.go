package node

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/config"
)

// TestStaleNoticeMailsAdmins: a stale source becomes one mail to the admin
// audience on the outbox, with a deterministic id; without that audience
// there is no mail (the log and the Sources page remain).
func TestStaleNoticeMailsAdmins(t *testing.T) {
	cfg := config.Default()
	delete(cfg.Audiences, "admin")
	if staleNoticer(cfg, alerts.OutboxFunc(func(context.Context, alerts.Mail) error { return nil })) != nil {
		t.Fatal("a noticer without an admin audience")
	}
	cfg.Audiences["admin"] = config.Audience{Emails: []string{"quantri@example.org"}}
	var got []alerts.Mail
	n := staleNoticer(cfg, alerts.OutboxFunc(func(_ context.Context, m alerts.Mail) error { got = append(got, m); return nil }))
	h := crawler.SourceHealth{Source: "baothanhhoa", Name: "Báo Thanh Hóa", Interval: "10m0s", FailedPasses: 7,
		LastError: "fetch: status 500", Stale: true, StaleSince: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	for range 2 {
		if err := n.SourceStale(context.Background(), h); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 2 || got[0].ID != got[1].ID || got[0].To[0] != "quantri@example.org" || got[0].Audience != "admin" {
		t.Fatalf("mails %+v", got)
	}
	for _, want := range []string{"Báo Thanh Hóa", "6 chu kỳ", "lỗi liên tiếp: 7", "status 500", "/sources"} {
		if !strings.Contains(got[0].Text, want) {
			t.Errorf("mail text lacks %q:\n%s", want, got[0].Text)
		}
	}
}
