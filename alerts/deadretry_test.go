package alerts

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/mailcatcher"
)

// TestDeadMailRetrySends: a mail refused until MaxAttempts becomes a dead
// letter (a permanent error, so the bus parks it); the retry from the
// dead-letter stream hands the same mail back, and the server then
// receives it exactly once.
func TestDeadMailRetrySends(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var refuse atomic.Bool
	refuse.Store(true)
	c := must(mailcatcher.New(mailcatcher.Config{Reject: func(string) error {
		if refuse.Load() {
			return mailcatcher.RejectTemporary
		}
		return nil
	}}, nil))(t)
	defer c.Close()
	cfg := testConfig(newClock())
	st := kv.NewMemory()
	s := must(NewSender(cfg, st, smtpMailer(t, c), nil))(t)
	q := newQueue()
	mail := Mail{ID: "deadretry", MessageID: MessageIDFor("deadretry"), Kind: "alert", Audience: "office",
		From: cfg.From, To: []string{"vanphong@example.org"}, Subject: "Cảnh báo", Text: "nội dung"}
	must(0, q.Enqueue(ctx, mail))(t)
	if err := q.drain(ctx, s.Handle, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if len(q.dead) != 1 {
		t.Fatalf("%d dead letters after %d refusals, want 1", len(q.dead), cfg.MaxAttempts)
	}
	ms := must(getJSON[mailState](ctx, st, "mail."+mail.ID))(t)
	if !ms.Dead || ms.Attempts != cfg.MaxAttempts {
		t.Fatalf("mail state %+v, want dead after %d attempts", ms, cfg.MaxAttempts)
	}
	if keys, _ := st.Keys(ctx, "dead."); len(keys) != 0 {
		t.Errorf("the sender keeps its own dead-letter marks %v: one dead-letter path only", keys)
	}

	// The server is fixed; the UI retries the dead letter: the bus puts the
	// same message back on the OUTBOX subject.
	refuse.Store(false)
	retried := q.dead[0]
	q.dead = nil
	q.msgs = append(q.msgs, retried)
	err := s.Handle(ctx, retried)
	if err != nil {
		t.Fatalf("retried dead letter: %v (permanent %v)", err, errkind.IsPermanent(err))
	}
	if n := c.Count(); n != 1 {
		t.Fatalf("server received the retried mail %d times, want 1", n)
	}
	// A redelivery of the retried message sends nothing again.
	if err := s.Handle(ctx, retried); err != nil {
		t.Fatal(err)
	}
	if n := c.Count(); n != 1 {
		t.Errorf("server received the mail %d times after a redelivery, want 1", n)
	}
}
