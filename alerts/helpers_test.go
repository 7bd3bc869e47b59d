package alerts

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
)

// clock is a fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// queue is an in-memory work queue like the OUTBOX stream: Enqueue drops a
// message whose MsgID it has seen (Nats-Msg-Id), a message stays until its
// handler returns nil or a permanent error.
type queue struct {
	mu   sync.Mutex
	seen map[string]bool
	msgs []Mail
	dead []Mail
}

func newQueue() *queue { return &queue{seen: map[string]bool{}} }

func (q *queue) Enqueue(_ context.Context, m Mail) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.seen[m.MsgID()] {
		return nil
	}
	q.seen[m.MsgID()] = true
	q.msgs = append(q.msgs, m)
	return nil
}

// ack removes the message with this mail id, as a bus ack would.
func (q *queue) ack(id string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, m := range q.msgs {
		if m.ID == id {
			q.msgs = append(q.msgs[:i:i], q.msgs[i+1:]...)
			return
		}
	}
}

func (q *queue) Len() int { q.mu.Lock(); defer q.mu.Unlock(); return len(q.msgs) }

// drain hands every message to h until the queue is empty or ctx ends; a
// failed message goes to the back of the queue after backoff.
func (q *queue) drain(ctx context.Context, h func(context.Context, Mail) error, backoff time.Duration) error {
	for {
		q.mu.Lock()
		if len(q.msgs) == 0 {
			q.mu.Unlock()
			return nil
		}
		m := q.msgs[0]
		q.mu.Unlock()
		err := h(ctx, m)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		q.mu.Lock()
		switch {
		case err == nil:
			q.msgs = q.msgs[1:]
		case errkind.IsPermanent(err):
			q.msgs = q.msgs[1:]
			q.dead = append(q.dead, m)
		default:
			q.msgs = append(q.msgs[1:], m)
		}
		q.mu.Unlock()
		if err != nil && !errkind.IsPermanent(err) {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(backoff):
			}
		}
	}
}

// crashKV fails every write after budget writes, like a process that died.
type crashKV struct {
	kv.Store
	budget atomic.Int64
	failed *atomic.Value // string: the key of the first failed write
}

var errCrash = errors.New("crashed")

func (c *crashKV) spend(key string) error {
	if c.budget.Add(-1) < 0 {
		if c.failed != nil {
			c.failed.CompareAndSwap(nil, key)
		}
		return errCrash
	}
	return nil
}

func (c *crashKV) Put(ctx context.Context, k string, v []byte) (uint64, error) {
	if err := c.spend(k); err != nil {
		return 0, err
	}
	return c.Store.Put(ctx, k, v)
}

func (c *crashKV) Create(ctx context.Context, k string, v []byte) (uint64, error) {
	if err := c.spend(k); err != nil {
		return 0, err
	}
	return c.Store.Create(ctx, k, v)
}

func (c *crashKV) Update(ctx context.Context, k string, v []byte, rev uint64) (uint64, error) {
	if err := c.spend(k); err != nil {
		return 0, err
	}
	return c.Store.Update(ctx, k, v, rev)
}

func (c *crashKV) Delete(ctx context.Context, k string) error {
	if err := c.spend(k); err != nil {
		return err
	}
	return c.Store.Delete(ctx, k)
}

func testConfig(clk *clock) Config {
	t := true
	return Config{
		Audiences: map[string]config.Audience{
			"office": {Emails: []string{"vanphong@example.org", "lanhdao@example.org"}},
			"police": {Emails: []string{"congan@example.org"}, Sensitive: true},
		},
		Routes: []config.Route{
			{Match: config.RouteMatch{Topics: []string{"border", "laos", "disinfo"}, Area: &t}, Audiences: []string{"office", "police"}},
			{Match: config.RouteMatch{Topics: []string{"ethnic", "religion"}, Area: &t}, Audiences: []string{"office"}},
		},
		GroupWait:   30 * time.Second,
		Repeat:      168 * time.Hour,
		MaxAttempts: 5,
		BaseURL:     "http://127.0.0.1:8080/",
		From:        "diembao@example.org",
		Now:         clk.Now,
	}
}

// mkAlert builds an alert for article n matching rules (rule ids "<topic>.core").
func mkAlert(n int, topics ...string) article.Alert {
	aid := article.ID(fmt.Sprintf("https://baothanhhoa.vn/bai-%d.htm", n))
	var ms []article.Match
	var rules []string
	for _, t := range topics {
		r := t + ".core"
		rules = append(rules, r)
		ms = append(ms, article.Match{Rule: r, Version: 1, Topic: t, Severity: "high",
			Terms: []article.Term{{Text: "biên giới", Start: 0, End: 12}}})
	}
	return article.Alert{
		V: 1, ID: article.AlertID(aid, rules), ArticleID: aid, Revision: 1,
		URL:     fmt.Sprintf("https://baothanhhoa.vn/bai-%d.htm", n),
		Title:   fmt.Sprintf("Tuần tra biên giới tại xã Bát Mọt, bài số %d", n),
		Snippet: "Bộ đội biên phòng tuần tra biên giới Việt – Lào, giáp huyện Sầm Tớ.",
		Source:  "baothanhhoa", SourceKind: "press", Area: true, Topics: topics, Severity: "high",
		Matches: ms, ContentHash: fmt.Sprintf("hash%d", n),
		Published: time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC),
	}
}

func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
