package alerts

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/mailcatcher"
)

// refusingKV refuses every write while full is set, as a JetStream bucket
// on a full disk does; reads still work.
type refusingKV struct {
	kv.Store
	full atomic.Bool
}

var errDiskFull = errors.New("no space left on device")

func (r *refusingKV) Put(ctx context.Context, k string, v []byte) (uint64, error) {
	if r.full.Load() {
		return 0, errDiskFull
	}
	return r.Store.Put(ctx, k, v)
}

func (r *refusingKV) Update(ctx context.Context, k string, v []byte, rev uint64) (uint64, error) {
	if r.full.Load() {
		return 0, errDiskFull
	}
	return r.Store.Update(ctx, k, v, rev)
}

func (r *refusingKV) Create(ctx context.Context, k string, v []byte) (uint64, error) {
	if r.full.Load() {
		return 0, errDiskFull
	}
	return r.Store.Create(ctx, k, v)
}

// fillingMailer fills the disk the moment the server has accepted a mail.
type fillingMailer struct {
	Mailer
	store *refusingKV
}

func (m fillingMailer) Send(ctx context.Context, ml Mail) error {
	err := m.Mailer.Send(ctx, ml)
	if err == nil {
		m.store.full.Store(true)
	}
	return err
}

// TestDiskFullAfterSendNotSentTwice: the disk fills between the server's
// 250 and the write that records the mail as sent. The failed write asks
// for a redelivery; once space returns, the redelivery records the mail
// (its alerts' records say sent) without sending it again.
func TestDiskFullAfterSendNotSentTwice(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := must(mailcatcher.New(mailcatcher.Config{}, nil))(t)
	defer c.Close()
	clk := newClock()
	cfg := testConfig(clk)
	st := &refusingKV{Store: kv.NewMemory()}
	q := newQueue()
	n := must(NewNotifier(cfg, st, q, nil))(t)
	s := must(NewSender(cfg, st, fillingMailer{Mailer: smtpMailer(t, c), store: st}, nil))(t)
	a := mkAlert(1, topicsOf(0)...)
	must(0, n.Handle(ctx, a))(t)
	clk.Add(time.Minute)
	must(n.Flush(ctx))(t)
	if len(q.msgs) == 0 {
		t.Fatal("no mail queued")
	}
	m := q.msgs[0]
	if err := s.Handle(ctx, m); !errors.Is(err, errDiskFull) {
		t.Fatalf("Handle on a full disk: %v, want the write's error (a redelivery)", err)
	}
	if err := s.Handle(ctx, m); !errors.Is(err, errDiskFull) { // still full: still no resend
		t.Fatalf("second Handle on a full disk: %v", err)
	}
	st.full.Store(false)
	if err := s.Handle(ctx, m); err != nil {
		t.Fatalf("Handle after space returned: %v", err)
	}
	if got := len(c.Messages()); got != 1 {
		t.Fatalf("the SMTP server received %d messages, want 1", got)
	}
	rec, err := getJSON[Record](ctx, st, recordKey(a.ID))
	if err != nil {
		t.Fatal(err)
	}
	sent := false
	for _, d := range rec.Deliveries {
		sent = sent || (d.MailID == m.ID && d.State == StateSent)
	}
	if !sent {
		t.Errorf("the alert's record does not say mail %s sent: %+v", m.ID, rec.Deliveries)
	}
	// A restart after that reads the stored state: nothing is sent again.
	s2 := must(NewSender(cfg, st, smtpMailer(t, c), nil))(t)
	if err := s2.Handle(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got := len(c.Messages()); got != 1 {
		t.Fatalf("after a restart the SMTP server received %d messages, want 1", got)
	}
}
