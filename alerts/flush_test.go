package alerts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
)

// listKV fails the operations fail picks ("get" or "keys") and lists the
// phantom keys too, as if they were deleted between Keys and Get.
type listKV struct {
	kv.Store
	mu      sync.Mutex
	fail    func(op, key string) error
	phantom []string
}

func (l *listKV) setFail(fn func(op, key string) error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fail = fn
}

func (l *listKV) check(op, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail == nil {
		return nil
	}
	return l.fail(op, key)
}

func (l *listKV) Get(ctx context.Context, key string) (kv.Entry, error) {
	if err := l.check("get", key); err != nil {
		return kv.Entry{}, err
	}
	return l.Store.Get(ctx, key)
}

func (l *listKV) Keys(ctx context.Context, prefix string) ([]string, error) {
	if err := l.check("keys", prefix); err != nil {
		return nil, err
	}
	keys, err := l.Store.Keys(ctx, prefix)
	for _, k := range l.phantom {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys, err
}

func failKV(op, prefix string) func(string, string) error {
	return func(o, k string) error {
		if o == op && strings.HasPrefix(k, prefix) {
			return fmt.Errorf("injected %s %s", o, k)
		}
		return nil
	}
}

// TestFlushChunksOldestFirst: a group goes out once its oldest alert waited
// group_wait, in mails of at most MaxPerMail alerts, oldest first (ties by
// alert id); a group not yet due does not hold back the groups after it.
func TestFlushChunksOldestFirst(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	q := newQueue()
	cfg := testConfig(clk)
	cfg.MaxPerMail = 2
	cfg.Audiences["zeta"] = config.Audience{Emails: []string{"zeta@example.org"}}
	cfg.Routes[1].Audiences = []string{"zeta"} // ethnic, religion
	n := must(NewNotifier(cfg, kv.NewMemory(), q, nil))(t)

	var zeta []string
	for i := range 3 { // three at t0 (ties), then two later
		a := mkAlert(10+i, "religion")
		must(0, n.Handle(ctx, a))(t)
		zeta = append(zeta, a.ID)
	}
	slices.Sort(zeta)
	for i := range 2 {
		clk.Add(5 * time.Second)
		a := mkAlert(20+i, "religion")
		must(0, n.Handle(ctx, a))(t)
		zeta = append(zeta, a.ID)
	}
	clk.Add(10 * time.Second)
	border := mkAlert(30, "border") // office and police, not due for 30s
	must(0, n.Handle(ctx, border))(t)
	clk.Add(11 * time.Second) // zeta's oldest waited 31s, its newest 21s
	if k := must(n.Flush(ctx))(t); k != 3 {
		t.Fatalf("flushed %d mails, want 3 (zeta in chunks of 2)", k)
	}
	var got [][]string
	for _, m := range q.msgs {
		if m.Audience != "zeta" {
			t.Errorf("mail for %s before its group_wait", m.Audience)
		}
		got = append(got, m.AlertIDs)
	}
	want := [][]string{zeta[0:2], zeta[2:4], zeta[4:5]}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("chunks %v, want %v", got, want)
	}
	clk.Add(20 * time.Second)
	if k := must(n.Flush(ctx))(t); k != 2 {
		t.Fatalf("second flush: %d mails, want 2 (office, police)", k)
	}
	if k := must(n.Flush(ctx))(t); k != 0 {
		t.Fatalf("third flush: %d mails", k)
	}
}

// TestFlushSkipsVanishedAndOddKeys: keys deleted between listing and
// reading, and a pending key without an audience, are passed over.
func TestFlushSkipsVanishedAndOddKeys(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	q := newQueue()
	st := &listKV{Store: kv.NewMemory(), phantom: []string{"batch.office.gone", "pending.office.gone", "pending.odd"}}
	n := must(NewNotifier(testConfig(clk), st, q, nil))(t)
	a := mkAlert(1, "religion")
	must(0, n.Handle(ctx, a))(t)
	must(st.Store.Put(ctx, "pending.odd", []byte(`{"alert":"x","at":"2026-01-01T00:00:00Z"}`)))(t)
	clk.Add(31 * time.Second)
	if k, err := n.Flush(ctx); err != nil || k != 1 || len(q.msgs) != 1 || !slices.Equal(q.msgs[0].AlertIDs, []string{a.ID}) {
		t.Fatalf("flush: %d, %v, %+v", k, err, q.msgs)
	}
	if _, err := st.Store.Get(ctx, "pending.odd"); err != nil {
		t.Errorf("the odd pending key was touched: %v", err)
	}
}

// TestFlushListAndReadErrors: a failure to list or read stops the flush
// with the mails enqueued so far counted, and the next flush finishes.
func TestFlushListAndReadErrors(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	q := newQueue()
	var down bool
	out := OutboxFunc(func(ctx context.Context, m Mail) error {
		if down {
			return errors.New("outbox down")
		}
		return q.Enqueue(ctx, m)
	})
	st := &listKV{Store: kv.NewMemory()}
	n := must(NewNotifier(testConfig(clk), st, out, nil))(t)
	a1 := mkAlert(1, "religion")
	must(0, n.Handle(ctx, a1))(t)
	clk.Add(31 * time.Second)
	down = true // the batch is rendered and kept, the enqueue fails
	if _, err := n.Flush(ctx); err == nil || !strings.Contains(err.Error(), "outbox down") {
		t.Fatalf("enqueue error: %v", err)
	}
	down = false
	a2 := mkAlert(2, "religion")
	must(0, n.Handle(ctx, a2))(t)
	clk.Add(31 * time.Second)

	for _, c := range []struct {
		op, prefix, want string
		sent             int
	}{
		{"keys", "batch.", "list batches", 0},
		{"get", "batch.", "injected get batch.", 0},
		{"keys", "pending.", "list pending", 1}, // the left batch went out
		{"get", "pending.", "injected get pending.", 0},
	} {
		st.setFail(failKV(c.op, c.prefix))
		k, err := n.Flush(ctx)
		if err == nil || !strings.Contains(err.Error(), c.want) || k != c.sent {
			t.Errorf("%s %s: %d, %v; want %d, %q", c.op, c.prefix, k, err, c.sent, c.want)
		}
	}
	st.setFail(nil)
	if k := must(n.Flush(ctx))(t); k != 1 {
		t.Fatalf("last flush: %d mails, want 1", k)
	}
	if len(q.msgs) != 2 || !slices.Equal(q.msgs[0].AlertIDs, []string{a1.ID}) || !slices.Equal(q.msgs[1].AlertIDs, []string{a2.ID}) {
		t.Errorf("mails %+v", q.msgs)
	}
}
