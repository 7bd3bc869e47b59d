package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
)

// Sender delivers mails from the OUTBOX stream through a Mailer, at most
// once per recipient: it keeps per-mail delivery state in the kv.Store.
//
// A state that cannot be written after a send (a full disk, the bus away)
// is kept in memory until a later write succeeds, so that the redelivery
// the failed write asks for records the mail instead of sending it again.
// Only a crash in that window (state neither written nor remembered) can
// still send a mail twice.
type Sender struct {
	cfg    Config
	kv     kv.Store
	mailer Mailer
	log    *slog.Logger

	mu      sync.Mutex
	unsaved map[string]mailState // mail id → state newer than the kv.Store's
}

// NewSender returns a Sender keeping its state in st (the notifier's bucket).
func NewSender(cfg Config, st kv.Store, m Mailer, log *slog.Logger) (*Sender, error) {
	if st == nil {
		return nil, errors.New("alerts: nil kv.Store")
	}
	if m == nil {
		return nil, errors.New("alerts: nil Mailer")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	return &Sender{cfg: cfg, kv: st, mailer: m, log: log.With("component", "sender"), unsaved: map[string]mailState{}}, nil
}

type mailState struct {
	Delivered []string  `json:"delivered,omitempty"`
	Refused   []Refusal `json:"refused,omitempty"` // permanent refusals only
	Attempts  int       `json:"attempts"`
	Retry     int       `json:"retry"`
	Done      bool      `json:"done"`
	// Dead: the mail failed for good and went to the dead-letter stream.
	// Only a retry from there brings it back, with fresh attempts.
	Dead      bool   `json:"dead,omitempty"`
	LastError string `json:"last_error,omitempty"`
}

func (st *mailState) remaining(to []string) []string {
	var out []string
	for _, r := range to {
		if slices.Contains(st.Delivered, r) || slices.ContainsFunc(st.Refused, func(x Refusal) bool { return x.Addr == r }) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// Handle delivers m to the recipients that do not have it yet. A nil error
// means the SMTP server accepted it for every recipient it did not refuse
// for good: the caller may ack. A transient error asks for a redelivery
// with backoff; after MaxAttempts (or at once for a permanent failure) the
// error wraps errkind.Permanent, so the bus moves the mail to the
// dead-letter stream — the only dead-letter path. A retry from there hands
// the same mail back here, and it is sent with fresh attempts.
func (s *Sender) Handle(ctx context.Context, m Mail) error {
	if !validID(m.ID) {
		return fmt.Errorf("mail %q: %w: invalid id", m.ID, errkind.Permanent)
	}
	key := "mail." + m.ID
	st, err := getJSON[mailState](ctx, s.kv, key)
	if err != nil && !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	if u, ok := s.remembered(m.ID); ok { // sent after the stored state was written
		st = u
		if err := s.save(ctx, m.ID, st); err != nil {
			return err
		}
	}
	if st.Done { // a redelivery: the records may lag behind if we died after the mark
		s.log.Debug("mail already sent", "mail_id", m.ID)
		return s.recordSent(ctx, m, st)
	}
	if st.Dead || m.Retry > st.Retry {
		// A dead mail comes back only when someone retries its dead
		// letter: it gets fresh attempts (recipients that have it are
		// not sent it again).
		st.Dead, st.Attempts, st.Retry = false, 0, max(st.Retry+1, m.Retry)
		s.log.Info("dead mail retried", "mail_id", m.ID, "retry", st.Retry)
	}
	if rest := st.remaining(m.To); len(rest) > 0 {
		st.Attempts++ // saved before sending: a crash mid-send still counts
		if err := s.save(ctx, m.ID, st); err != nil {
			return err
		}
		sendErr := s.attempt(ctx, m, rest)
		permanent := settle(&st, rest, sendErr, ctx.Err() != nil)
		if len(st.remaining(m.To)) > 0 {
			return s.retryLater(ctx, m, st, sendErr, permanent)
		}
	}
	st.Done = true
	if err := s.save(ctx, m.ID, st); err != nil {
		return err
	}
	s.log.Info("mail sent", "mail_id", m.ID, "audience", m.Audience, "delivered", len(st.Delivered), "refused", len(st.Refused))
	return s.recordSent(ctx, m, st)
}

// attempt sends m to the recipients rest only.
func (s *Sender) attempt(ctx context.Context, m Mail, rest []string) error {
	try := m
	try.To = rest
	return s.mailer.Send(ctx, try)
}

// settle records in st what sending to rest achieved: everyone delivered,
// or per recipient delivered or refused for good (a temporary refusal
// stays remaining), or nobody. A failure while shutting down (stopping)
// does not count as an attempt. It reports whether the whole mail failed
// for good.
func settle(st *mailState, rest []string, sendErr error, stopping bool) (permanent bool) {
	var re *RecipientError
	switch {
	case sendErr == nil:
		st.Delivered = append(st.Delivered, rest...)
	case errors.As(sendErr, &re):
		for _, r := range rest {
			i := slices.IndexFunc(re.Refused, func(x Refusal) bool { return x.Addr == r })
			switch {
			case i < 0:
				st.Delivered = append(st.Delivered, r)
			case re.Refused[i].Permanent:
				st.Refused = append(st.Refused, re.Refused[i])
			}
		}
		st.LastError = sendErr.Error()
	default:
		st.LastError = sendErr.Error()
		if stopping {
			st.Attempts-- // shutting down is not the server's fault
		}
		return errkind.IsPermanent(sendErr)
	}
	return false
}

// retryLater handles a mail that still has recipients after an attempt:
// it is dead-lettered when the failure is permanent or the attempts are
// used up; otherwise its state is saved and the returned (transient)
// error asks the bus for a redelivery with backoff.
func (s *Sender) retryLater(ctx context.Context, m Mail, st mailState, cause error, permanent bool) error {
	if permanent || st.Attempts >= s.cfg.MaxAttempts {
		return s.dead(ctx, m, st, cause)
	}
	if err := s.save(ctx, m.ID, st); err != nil {
		return err
	}
	return fmt.Errorf("send mail %s (attempt %d): %w", m.ID, st.Attempts, cause)
}

// save writes the state of mail id. When the write fails, the state is
// remembered for the next delivery of the mail (Handle starts from it), so
// what a send achieved is not lost with the write; once a write succeeds
// it is forgotten.
func (s *Sender) save(ctx context.Context, id string, st mailState) error {
	err := putJSON(ctx, s.kv, "mail."+id, st)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.unsaved[id] = st
		return fmt.Errorf("save state of mail %s: %w", id, err)
	}
	delete(s.unsaved, id)
	return nil
}

// remembered returns the state of mail id that save could not write.
func (s *Sender) remembered(id string) (mailState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.unsaved[id]
	return st, ok
}

func (s *Sender) recordSent(ctx context.Context, m Mail, st mailState) error {
	state := StateSent
	if len(st.Delivered) == 0 {
		state = StateFailed
	}
	return s.updateRecords(ctx, m, func(d *Delivery) {
		d.State, d.Refused, d.Error = state, st.Refused, ""
		if state == StateFailed {
			d.Error = "mọi người nhận đều bị từ chối"
		}
	})
}

func (s *Sender) dead(ctx context.Context, m Mail, st mailState, cause error) error {
	st.Dead = true
	if err := s.save(ctx, m.ID, st); err != nil {
		return err
	}
	if err := s.updateRecords(ctx, m, func(d *Delivery) { d.State, d.Error = StateFailed, cause.Error() }); err != nil {
		return err
	}
	s.log.Warn("mail dead-lettered", "mail_id", m.ID, "attempts", st.Attempts, "err", cause)
	if errkind.IsPermanent(cause) {
		return fmt.Errorf("send mail %s: %w", m.ID, cause)
	}
	return fmt.Errorf("send mail %s: %w: %w", m.ID, errkind.Permanent, cause)
}

// updateRecords writes the mail's fate into its alerts' records. It is
// idempotent; an error asks for a redelivery, which writes them again
// without sending again.
func (s *Sender) updateRecords(ctx context.Context, m Mail, fn func(*Delivery)) error {
	now := s.cfg.Now()
	for _, id := range m.AlertIDs {
		_, err := updateJSON(ctx, s.kv, recordKey(id), func(r *Record) error {
			if r.Alert.ID == "" {
				return kv.ErrNotFound
			}
			if r.Deliveries == nil {
				r.Deliveries = map[string]Delivery{}
			}
			d := r.Deliveries[m.Audience]
			if d.MailID != "" && d.MailID != m.ID {
				return nil
			}
			d.MailID, d.MessageID, d.At = m.ID, m.MessageID, now
			fn(&d)
			r.Deliveries[m.Audience] = d
			return nil
		})
		if err != nil && !errors.Is(err, kv.ErrNotFound) {
			return fmt.Errorf("record mail %s in alert %s: %w", m.ID, id, err)
		}
	}
	return nil
}
