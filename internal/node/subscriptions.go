package node

import (
	"context"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/savedsearch"
	"github.com/diembao/diembao/internal/stages"
	"github.com/diembao/diembao/internal/web"
)

// startSubscriptions runs the saved-search notifier in the serve role: it
// asks the web server's FindFor (the index, as each owner may see it) every
// minute and puts the owners' mails on the OUTBOX, which the notify role's
// sender delivers like any other mail (ids are deterministic, so two serve
// processes do not double a mail).
func (n *Node) startSubscriptions(ctx context.Context, g *stages.Group, srv *web.Server, deps web.Deps) error {
	if deps.Saved == nil {
		return nil
	}
	cfg := n.cfg
	ob := Outbox(n.bus)
	mail := savedsearch.MailerFunc(func(ctx context.Context, m savedsearch.Message) error {
		return ob.Enqueue(ctx, alerts.Mail{ID: m.ID, MessageID: alerts.MessageIDFor(m.ID), Kind: "subscription",
			Audience: "subscriptions", From: cfg.SMTP.From, To: []string{m.To}, Subject: m.Subject, Text: m.Text,
			HTML: m.HTML, Headers: m.Headers, Created: m.Created})
	})
	notif, err := savedsearch.NewNotifier(savedsearch.NotifierConfig{BaseURL: cfg.HTTP.BaseURL, Location: cfg.Location(), SourceNames: n.names.Names},
		deps.Saved, srv.Finder(100), mail, deps.Accounts, n.log)
	if err != nil {
		return err
	}
	g.Go("subscriptions", func() error { return notif.Run(ctx) })
	return nil
}
