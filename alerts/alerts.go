// Package alerts turns matched articles into mails: it routes each alert to
// audiences, suppresses repeats and reprints, groups what arrives within
// group_wait into one mail per audience, renders it (Vietnamese, text + HTML)
// and delivers it through a durable outbox, never twice.
//
// In: article.Alert (from the ALERTS stream, through Notifier.Handle) and Mail
// (from the OUTBOX stream, through Sender.Handle). Out: Mail on the Outbox,
// messages accepted by an SMTP server (or .eml files), and alert records
// (Store) that the web UI lists and acknowledges.
//
// All state lives in one kv.Store, under these key prefixes:
//
//	alert.<alert id>                 Record (the alert, its routing, delivery per audience, ack)
//	pending.<audience>.<alert id>    waiting for its group to be flushed
//	batch.<audience>.<mail id>       a rendered group mail between flush and outbox
//	story.<audience>.<kind>.<hash>   repeat window marks (article, content hash, title)
//	mail.<mail id>                   delivery state of one mail (attempts, recipients done, dead)
//
// A mail that fails for good has one fate: Sender.Handle returns an error
// wrapping errkind.Permanent and the bus moves the OUTBOX message to the
// dead-letter stream (the UI's /deadletters lists and retries it there).
package alerts

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
)

// Outbox is where the Notifier puts rendered mails. The lead's implementation
// publishes m on the OUTBOX work-queue stream with Nats-Msg-Id = m.MsgID().
// A nil error means the mail is durable there.
type Outbox interface {
	Enqueue(ctx context.Context, m Mail) error
}

// OutboxFunc adapts a function to Outbox.
type OutboxFunc func(context.Context, Mail) error

// Enqueue implements Outbox.
func (f OutboxFunc) Enqueue(ctx context.Context, m Mail) error { return f(ctx, m) }

// Mailer delivers one mail to m.To. Sender calls it once per attempt.
// A nil error means the server accepted the message for every recipient in
// m.To. A *RecipientError means it accepted it for the others. Any other
// error means nothing was accepted; wrap errkind.Permanent when a retry
// cannot help.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// MailerFunc adapts a function to Mailer.
type MailerFunc func(context.Context, Mail) error

// Send implements Mailer.
func (f MailerFunc) Send(ctx context.Context, m Mail) error { return f(ctx, m) }

// Mail is one rendered message, as carried on the OUTBOX stream (JSON).
type Mail struct {
	// ID is deterministic (audience + the alert ids it carries, or the digest
	// week); the Message-ID is <ID@diembao>.
	ID        string   `json:"id"`
	MessageID string   `json:"message_id"` // with angle brackets
	Kind      string   `json:"kind"`       // "alert" or "digest"
	Audience  string   `json:"audience"`
	From      string   `json:"from"`
	To        []string `json:"to"`
	Subject   string   `json:"subject"` // UTF-8; encoded (RFC 2047) when written
	Text      string   `json:"text"`
	HTML      string   `json:"html"`
	// Attachments, e.g. the digest PDF.
	Attachments []Attachment `json:"attachments,omitempty"`
	AlertIDs    []string     `json:"alert_ids,omitempty"`
	Created     time.Time    `json:"created"`
	// Headers are extra header fields (e.g. List-Unsubscribe of a
	// subscription mail), written as given.
	Headers map[string]string `json:"headers,omitempty"`
	// Retry counts manual retries of a dead letter; it changes MsgID so the
	// stream's duplicate window does not drop the retried mail.
	Retry int `json:"retry,omitempty"`
}

// Attachment is a file attached to a Mail.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// MsgID is the Nats-Msg-Id to publish m with.
func (m Mail) MsgID() string {
	if m.Retry > 0 {
		return fmt.Sprintf("%s-retry-%d", m.ID, m.Retry)
	}
	return m.ID
}

// MessageIDFor returns the fixed Message-ID of a mail id.
func MessageIDFor(id string) string { return "<" + id + "@diembao>" }

// RecipientError reports recipients the server refused while it accepted the
// message for all the others.
type RecipientError struct {
	Refused []Refusal
}

// Refusal is one refused recipient.
type Refusal struct {
	Addr      string `json:"addr"`
	Permanent bool   `json:"permanent"` // 5xx: do not try again
	Reason    string `json:"reason"`
}

func (e *RecipientError) Error() string {
	parts := make([]string, len(e.Refused))
	for i, r := range e.Refused {
		parts[i] = r.Addr + ": " + r.Reason
	}
	return "recipients refused: " + strings.Join(parts, "; ")
}

// Config is what the alerts stages need from diembao.yaml.
type Config struct {
	Audiences map[string]config.Audience
	Routes    []config.Route
	// GroupWait: alerts for one audience arriving within it go out as one mail.
	GroupWait time.Duration
	// Repeat: a story already alerted to an audience is not alerted again within it.
	Repeat time.Duration
	// MaxAttempts: SMTP attempts before a mail becomes a dead letter (default 20).
	MaxAttempts int
	// MaxPerMail caps the alerts in one group mail (default 50).
	MaxPerMail int
	// BaseURL of the web UI, for links to /alerts/{id}.
	BaseURL string
	// From is the sender address.
	From string
	// Location for times in mails (default Asia/Ho_Chi_Minh).
	Location *time.Location
	// Tick is how often Run looks for due groups (default GroupWait/4, within 50ms..5s).
	Tick time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Topics names topics in mails from the loaded rule pack (nil: TopicName).
	Topics Topics
	// Sources names the sources in mails (nil: their ids).
	Sources article.SourceNames
}

func (c *Config) setDefaults() error {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = config.DefaultMaxAttempts
	}
	if c.MaxPerMail <= 0 {
		c.MaxPerMail = 50
	}
	if c.From == "" {
		c.From = config.DefaultFrom
	}
	if c.Location == nil {
		c.Location = article.Vietnam()
	}
	if c.Tick <= 0 {
		c.Tick = min(max(c.GroupWait/4, 50*time.Millisecond), 5*time.Second)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if err := config.CheckAlertWindows(c.GroupWait, c.Repeat); err != nil {
		return fmt.Errorf("alerts: %w", err)
	}
	if err := config.CheckAudiences(c.Audiences); err != nil {
		return fmt.Errorf("alerts: %w", err)
	}
	return nil
}

// groupMailID is the id of the mail carrying alertIDs to audience.
func groupMailID(audience string, alertIDs []string) string {
	ids := append([]string(nil), alertIDs...)
	sort.Strings(ids)
	return article.HashID(append([]string{"alert", audience}, ids...)...)
}

// The alert records' KV JSON helpers are internal/kv's: a corrupt record is
// an error (kv.ErrCorrupt), never silently replaced.
func updateJSON[T any](ctx context.Context, st kv.Store, key string, fn func(*T) error) (T, error) {
	return kv.UpdateJSON(ctx, st, key, fn)
}

func getJSON[T any](ctx context.Context, st kv.Store, key string) (T, error) {
	return kv.GetJSON[T](ctx, st, key)
}

func putJSON(ctx context.Context, st kv.Store, key string, v any) error {
	return kv.PutJSON(ctx, st, key, v)
}
