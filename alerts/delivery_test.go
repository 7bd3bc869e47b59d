package alerts

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/mailcatcher"
)

func smtpMailer(t *testing.T, c *mailcatcher.Catcher) *SMTPMailer {
	t.Helper()
	return must(NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: c.Port(), TLS: "none", Timeout: 5 * time.Second}))(t)
}

// received counts deliveries per (Message-ID, recipient) and fails on a double.
func received(t *testing.T, msgs []mailcatcher.Message) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for _, m := range msgs {
		for _, r := range m.To {
			k := m.MessageID + " " + r
			seen[k]++
			if seen[k] > 1 {
				t.Errorf("%s received twice", k)
			}
		}
	}
	return seen
}

// checkAllSent checks that every routed, unsuppressed alert was accepted
// for its audience, in a mail the catcher received.
func checkAllSent(t *testing.T, st kv.Store, ids []string, got map[string]int) {
	t.Helper()
	store := must(NewStore(st))(t)
	for _, id := range ids {
		r, err := store.Get(context.Background(), id)
		if err != nil {
			t.Errorf("alert %s: %v", id, err)
			continue
		}
		for _, aud := range r.Audiences {
			d := r.Deliveries[aud]
			if d.State != StateSent {
				t.Errorf("alert %s for %s: %+v, want sent", id, aud, d)
				continue
			}
			found := false
			for k := range got {
				if strings.HasPrefix(k, d.MessageID+" ") {
					found = true
				}
			}
			if !found {
				t.Errorf("alert %s for %s: %s not received", id, aud, d.MessageID)
			}
		}
	}
}

func topicsOf(i int) []string {
	return [][]string{{"border"}, {"religion"}, {"laos", "border"}, {"ethnic"}, {"disinfo"}}[i%5]
}

func TestOutageThenDelivery(t *testing.T) {
	outage := 300 * time.Millisecond
	if v := os.Getenv("DIEMBAO_TEST_SMTP_OUTAGE"); v != "" {
		outage = must(time.ParseDuration(v))(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), outage+60*time.Second)
	defer cancel()
	c := must(mailcatcher.New(mailcatcher.Config{}, nil))(t)
	addr := c.Addr()
	mailer := smtpMailer(t, c)
	if err := c.Close(); err != nil { // the server is down
		t.Fatal(err)
	}
	clk := newClock()
	cfg := testConfig(clk)
	cfg.MaxAttempts = 1 << 20 // the bus backs off; here we retry every 20ms
	st, q := kv.NewMemory(), newQueue()
	n := must(NewNotifier(cfg, st, q, nil))(t)
	s := must(NewSender(cfg, st, mailer, nil))(t)
	var ids []string
	for i := range 20 {
		a := mkAlert(100+i, topicsOf(i)...)
		ids = append(ids, a.ID)
		must(0, n.Handle(ctx, a))(t)
		clk.Add(2 * time.Second) // 20 alerts over 40 s: two groups per audience
		must(n.Flush(ctx))(t)
	}
	clk.Add(time.Minute)
	must(n.Flush(ctx))(t)
	var up *mailcatcher.Catcher
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-time.After(outage):
		case <-ctx.Done():
			return
		}
		up = must(mailcatcher.New(mailcatcher.Config{Addr: addr}, nil))(t)
	}()
	if err := q.drain(ctx, s.Handle, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	defer up.Close()
	got := received(t, up.Messages())
	checkAllSent(t, st, ids, got)
	if len(q.dead) > 0 {
		t.Errorf("%d dead letters", len(q.dead))
	}
}

func TestRecipientRejected(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var tempLeft atomic.Int32
	tempLeft.Store(2)
	c := must(mailcatcher.New(mailcatcher.Config{Reject: func(rcpt string) error {
		switch {
		case strings.HasPrefix(rcpt, "lanhdao@"):
			return mailcatcher.RejectPermanent
		case strings.HasPrefix(rcpt, "thuky@") && tempLeft.Add(-1) >= 0:
			return mailcatcher.RejectTemporary
		}
		return nil
	}}, nil))(t)
	defer c.Close()
	clk := newClock()
	cfg := testConfig(clk)
	cfg.Audiences["office"] = config.Audience{Emails: []string{"vanphong@example.org", "lanhdao@example.org", "thuky@example.org"}}
	st, q := kv.NewMemory(), newQueue()
	n := must(NewNotifier(cfg, st, q, nil))(t)
	s := must(NewSender(cfg, st, smtpMailer(t, c), nil))(t)
	a := mkAlert(1, "religion")
	must(0, n.Handle(ctx, a))(t)
	clk.Add(time.Minute)
	must(n.Flush(ctx))(t)
	if err := q.drain(ctx, s.Handle, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	got := received(t, c.Messages())
	r := must(must(NewStore(st))(t).Get(ctx, a.ID))(t)
	d := r.Deliveries["office"]
	if d.State != StateSent || len(d.Refused) != 1 || d.Refused[0].Addr != "lanhdao@example.org" {
		t.Errorf("delivery = %+v, want sent with lanhdao refused", d)
	}
	for _, rc := range []string{"vanphong@example.org", "thuky@example.org"} {
		if got[d.MessageID+" "+rc] != 1 {
			t.Errorf("%s received %d times, want 1 (%v)", rc, got[d.MessageID+" "+rc], got)
		}
	}
	if got[d.MessageID+" lanhdao@example.org"] != 0 {
		t.Error("the refused recipient received it")
	}
}

func TestBurstGroupedNoneLost(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := must(mailcatcher.New(mailcatcher.Config{}, nil))(t)
	defer c.Close()
	clk := newClock()
	cfg := testConfig(clk)
	st, q := kv.NewMemory(), newQueue()
	n := must(NewNotifier(cfg, st, q, nil))(t)
	s := must(NewSender(cfg, st, smtpMailer(t, c), nil))(t)
	var ids []string
	want := map[string]int{}
	for i := range 500 {
		a := mkAlert(1000+i, topicsOf(i)...)
		ids = append(ids, a.ID)
		must(0, n.Handle(ctx, a))(t)
		want["office"]++
		if i%5 != 1 && i%5 != 3 {
			want["police"]++
		}
	}
	clk.Add(time.Minute)
	must(n.Flush(ctx))(t)
	inMails := map[string]int{}
	mails := map[string]int{}
	for _, m := range q.msgs {
		mails[m.Audience]++
		for _, id := range m.AlertIDs {
			inMails[m.Audience+" "+id]++
		}
	}
	if mails["office"] != 10 || mails["police"] != 6 {
		t.Errorf("mails = %v, want office 10 and police 6 (50 alerts per mail)", mails)
	}
	for k, v := range inMails {
		if v != 1 {
			t.Errorf("%s in %d mails", k, v)
		}
	}
	if len(inMails) != want["office"]+want["police"] {
		t.Errorf("%d alert-audience pairs in mails, want %d", len(inMails), want["office"]+want["police"])
	}
	if err := q.drain(ctx, s.Handle, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	got := received(t, c.Messages())
	checkAllSent(t, st, ids, got)
}

// countingMailer remembers the last mail the server accepted.
type countingMailer struct {
	Mailer
	crashed  *crashKV
	accepted atomic.Value // string: mail id
}

func (m *countingMailer) Send(ctx context.Context, ml Mail) error {
	if m.crashed.budget.Load() < 0 {
		return errCrash // the process is gone
	}
	err := m.Mailer.Send(ctx, ml)
	if err == nil {
		m.accepted.Store(ml.ID)
	}
	return err
}

// TestRestartMidSending crashes the notify role at every kv write in turn
// (a write that fails = the process died there), restarts it on the same
// state and outbox, and checks that every alert is delivered once.
func TestRestartMidSending(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	c := must(mailcatcher.New(mailcatcher.Config{}, nil))(t)
	defer c.Close()
	var budgets []int64
	for b := int64(0); b <= 180; b += 3 {
		budgets = append(budgets, b)
	}
	windows := 0
	for bi, budget := range budgets {
		clk := newClock()
		cfg := testConfig(clk)
		mem := kv.NewMemory()
		ckv := &crashKV{Store: mem, failed: &atomic.Value{}}
		ckv.budget.Store(budget)
		q := newQueue()
		base := 10000 * (bi + 1)
		var alerts []article.Alert
		for i := range 12 {
			alerts = append(alerts, mkAlert(base+i, topicsOf(i)...))
		}
		// Phase 1: until the crash.
		cm := &countingMailer{Mailer: smtpMailer(t, c), crashed: ckv}
		n1 := must(NewNotifier(cfg, ckv, q, nil))(t)
		s1 := must(NewSender(cfg, ckv, cm, nil))(t)
		for i, a := range alerts {
			_ = n1.Handle(ctx, a)
			if i == 5 {
				clk.Add(time.Minute)
				_, _ = n1.Flush(ctx)
			}
		}
		clk.Add(time.Minute)
		_, _ = n1.Flush(ctx)
		q.mu.Lock()
		pass := append([]Mail(nil), q.msgs...)
		q.mu.Unlock()
		for _, m := range pass { // one delivery attempt each, no acks recorded after the crash
			if err := s1.Handle(ctx, m); err == nil && ckv.budget.Load() >= 0 {
				q.ack(m.ID)
			}
		}
		// The one window no design closes: the server accepted a mail and
		// the process died before writing that down.
		window := false
		if f, _ := ckv.failed.Load().(string); f != "" {
			if id, _ := cm.accepted.Load().(string); id != "" && f == "mail."+id {
				window = true
				windows++
			}
		}
		// Phase 2: restart on the same state; the bus redelivers every alert.
		n2 := must(NewNotifier(cfg, mem, q, nil))(t)
		s2 := must(NewSender(cfg, mem, smtpMailer(t, c), nil))(t)
		for _, a := range alerts {
			must(0, n2.Handle(ctx, a))(t)
		}
		clk.Add(time.Minute)
		must(n2.Flush(ctx))(t)
		if err := q.drain(ctx, s2.Handle, time.Millisecond); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range alerts {
			ids = append(ids, a.ID)
		}
		f, _ := ckv.failed.Load().(string)
		t.Logf("budget %d: crashed at %q", budget, f)
		if window {
			t.Logf("budget %d: crashed between SMTP acceptance and its mark; one resend allowed", budget)
			continue
		}
		t.Run(fmt.Sprintf("crash_after_%d_writes", budget), func(t *testing.T) {
			got := received(t, filterByRun(c.Messages(), mem))
			checkAllSent(t, mem, ids, got)
		})
	}
	if windows > 2 {
		t.Errorf("%d runs hit the acceptance window", windows)
	}
}

// filterByRun keeps the messages whose Message-ID belongs to a mail of this run.
func filterByRun(msgs []mailcatcher.Message, st kv.Store) []mailcatcher.Message {
	keys, _ := st.Keys(context.Background(), "mail.")
	ours := map[string]bool{}
	for _, k := range keys {
		ours[MessageIDFor(strings.TrimPrefix(k, "mail."))] = true
	}
	var out []mailcatcher.Message
	for _, m := range msgs {
		if ours[m.MessageID] {
			out = append(out, m)
		}
	}
	return out
}
