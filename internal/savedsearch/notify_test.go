package savedsearch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/kv"
)

// faultKV fails the operations fail picks (op is "get", "put" or "delete").
type faultKV struct {
	kv.Store
	mu   sync.Mutex
	fail func(op, key string) error
}

func (f *faultKV) check(op, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail == nil {
		return nil
	}
	return f.fail(op, key)
}

func (f *faultKV) setFail(fn func(op, key string) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fn
}

func (f *faultKV) Get(ctx context.Context, key string) (kv.Entry, error) {
	if err := f.check("get", key); err != nil {
		return kv.Entry{}, err
	}
	return f.Store.Get(ctx, key)
}

func (f *faultKV) Put(ctx context.Context, key string, v []byte) (uint64, error) {
	if err := f.check("put", key); err != nil {
		return 0, err
	}
	return f.Store.Put(ctx, key, v)
}

func (f *faultKV) Delete(ctx context.Context, key string) error {
	if err := f.check("delete", key); err != nil {
		return err
	}
	return f.Store.Delete(ctx, key)
}

// failOn fails op on the key that starts with prefix.
func failOn(op, prefix string) func(string, string) error {
	return func(o, k string) error {
		if o == op && strings.HasPrefix(k, prefix) {
			return fmt.Errorf("injected %s %s", o, k)
		}
		return nil
	}
}

type notifyHarness struct {
	t                          *testing.T
	ctx                        context.Context
	kv                         *faultKV
	st                         *Store
	n                          *Notifier
	find                       *fakeFinder
	now                        time.Time
	sent                       []Message
	mailErr, emailErr, findErr error
	s                          Search
}

// newNotifyHarness saves one search with mode and runs the baseline tick.
func newNotifyHarness(t *testing.T, mode string) *notifyHarness {
	t.Helper()
	h := &notifyHarness{t: t, ctx: context.Background(), kv: &faultKV{Store: kv.NewMemory()}}
	h.now = time.Date(2026, 11, 20, 9, 0, 0, 0, ict)
	h.st, _ = NewStore(h.kv)
	h.st.now = func() time.Time { return h.now }
	h.find = &fakeFinder{hits: []Hit{{ID: "old1", Title: "Bài cũ", Published: h.now.Add(-time.Hour)}}}
	finder := FinderFunc(func(ctx context.Context, s Search) ([]Hit, error) {
		if h.findErr != nil {
			return nil, h.findErr
		}
		return h.find.Find(ctx, s)
	})
	mail := MailerFunc(func(_ context.Context, m Message) error {
		if h.mailErr != nil {
			return h.mailErr
		}
		h.sent = append(h.sent, m)
		return nil
	})
	emails := RecipientsFunc(func(_ context.Context, u string) (string, error) { return u + "@example.org", h.emailErr })
	var err error
	h.n, err = NewNotifier(NotifierConfig{BaseURL: "http://ui", Location: ict, Now: func() time.Time { return h.now }}, h.st, finder, mail, emails, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.s, err = h.st.Add(h.ctx, Search{Owner: "an", Name: "Biên giới", Query: "biên giới", Notify: mode})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.tick(); err != nil || len(h.sent) != 0 {
		t.Fatalf("baseline tick: %v, %d mails", err, len(h.sent))
	}
	return h
}

// tick runs tickOne on the search as it is stored now.
func (h *notifyHarness) tick() error {
	h.t.Helper()
	s, err := h.st.Get(h.ctx, h.s.Owner, h.s.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.n.tickOne(h.ctx, s)
}

func (h *notifyHarness) seen() seenSet {
	h.t.Helper()
	var v seenSet
	if err := h.n.load(h.ctx, "ssseen."+h.s.ID, &v); err != nil {
		h.t.Fatal(err)
	}
	return v
}

func (h *notifyHarness) pending() []string {
	h.t.Helper()
	var v pendingSet
	if err := h.n.load(h.ctx, "sspending."+h.s.ID, &v); err != nil {
		h.t.Fatal(err)
	}
	var ids []string
	for _, p := range v.Hits {
		ids = append(ids, p.ID)
	}
	return ids
}

func (h *notifyHarness) addHit(id string) {
	h.find.add(Hit{ID: id, Title: "Bài " + id, Published: h.now})
}

func TestTickOneLookupErrors(t *testing.T) {
	h := newNotifyHarness(t, NotifyImmediate)
	h.addHit("new1")
	h.emailErr = errors.New("accounts down")
	if err := h.tick(); err == nil || !strings.Contains(err.Error(), "address of an") {
		t.Errorf("recipient error: %v", err)
	}
	h.emailErr = nil
	h.findErr = errors.New("index down")
	if err := h.tick(); err == nil || !strings.Contains(err.Error(), "run search "+h.s.ID) {
		t.Errorf("finder error: %v", err)
	}
	h.findErr = nil
	h.kv.setFail(failOn("get", "ssseen."))
	if err := h.tick(); err == nil || !strings.Contains(err.Error(), "get ssseen.") {
		t.Errorf("seen load error: %v", err)
	}
	h.kv.setFail(failOn("get", "sspending."))
	if err := h.tick(); err == nil || !strings.Contains(err.Error(), "get sspending.") {
		t.Errorf("pending load error: %v", err)
	}
	if len(h.sent) != 0 {
		t.Fatalf("mail sent despite errors: %d", len(h.sent))
	}
	h.kv.setFail(nil)
	if err := h.tick(); err != nil || len(h.sent) != 1 || !strings.Contains(h.sent[0].Text, "Bài new1") {
		t.Fatalf("after the errors: %v, %+v", err, h.sent)
	}
}

func TestTickOneSeenIsCapped(t *testing.T) {
	h := newNotifyHarness(t, NotifyImmediate)
	for i := range maxSeen + 5 {
		h.addHit(fmt.Sprintf("a%04d", i))
	}
	if err := h.tick(); err != nil {
		t.Fatal(err)
	}
	s := h.seen()
	if len(s.IDs) != maxSeen {
		t.Fatalf("seen has %d ids, want %d", len(s.IDs), maxSeen)
	}
	// The ids are kept in the order they were added and the oldest entries
	// go first: "old1" (the baseline) and the first four of this batch.
	if s.IDs[0] != fmt.Sprintf("a%04d", maxSeen-1) || s.IDs[len(s.IDs)-1] != "a0000" {
		t.Errorf("seen kept %s..%s", s.IDs[0], s.IDs[len(s.IDs)-1])
	}
}

// TestTickOneImmediateFailures: a hit is kept pending before it is marked
// seen and before the mail, so a mail that cannot be queued loses nothing,
// even when newer hits push the hit out of the search's first page; a
// failure after the mail sends the same message again.
func TestTickOneImmediateFailures(t *testing.T) {
	h := newNotifyHarness(t, NotifyImmediate)
	h.addHit("new1")
	// Saving the pending list fails: nothing is marked seen or sent.
	h.kv.setFail(failOn("put", "sspending."))
	if err := h.tick(); err == nil || !strings.Contains(err.Error(), "put sspending.") {
		t.Fatalf("save pending error: %v", err)
	}
	if s := h.seen(); len(s.IDs) != 1 || len(h.sent) != 0 {
		t.Fatalf("after a failed pending save: seen %v, %d mails", s.IDs, len(h.sent))
	}
	h.kv.setFail(nil)
	h.mailErr = errors.New("outbox full")
	if err := h.tick(); err == nil || !strings.Contains(err.Error(), "send subscription mail") {
		t.Fatalf("send error: %v", err)
	}
	if p := h.pending(); len(p) != 1 || p[0] != "new1" {
		t.Errorf("new1 not kept pending after the failed mail: %+v", p)
	}
	// new1 drops out of the first page while the outbox is down; new2 comes.
	h.find.mu.Lock()
	h.find.hits = slices.DeleteFunc(h.find.hits, func(x Hit) bool { return x.ID == "new1" })
	h.find.mu.Unlock()
	h.addHit("new2")
	h.mailErr = nil
	if err := h.tick(); err != nil || len(h.sent) != 1 || !strings.Contains(h.sent[0].Text, "Bài new1") || !strings.Contains(h.sent[0].Text, "Bài new2") {
		t.Fatalf("after the outbox is back: %v, %+v", err, h.sent)
	}
	if len(h.pending()) != 0 {
		t.Errorf("pending after the mail: %+v", h.pending())
	}
	// The mail is queued but clearing fails: the next tick sends the same
	// message again (same ID, dropped downstream as a duplicate).
	h.addHit("new3")
	h.kv.setFail(failOn("delete", "sspending."))
	if err := h.tick(); err == nil || !strings.Contains(err.Error(), "clear pending") {
		t.Fatalf("clear pending error: %v", err)
	}
	h.kv.setFail(nil)
	if err := h.tick(); err != nil || len(h.sent) != 3 || h.sent[1].ID != h.sent[2].ID {
		t.Fatalf("retry mails: %v, %+v", err, h.sent)
	}
	if err := h.tick(); err != nil || len(h.sent) != 3 {
		t.Errorf("a tick with nothing new: %v, %d mails", err, len(h.sent))
	}
}

func TestTickOneDailyFailures(t *testing.T) {
	h := newNotifyHarness(t, NotifyDaily)
	h.addHit("new1")
	// Saving the pending list fails: nothing is marked seen.
	h.kv.setFail(failOn("put", "sspending."))
	if err := h.tick(); err == nil || !strings.Contains(err.Error(), "put sspending.") {
		t.Fatalf("save pending error: %v", err)
	}
	if s := h.seen(); len(s.IDs) != 1 || len(h.pending()) != 0 {
		t.Fatalf("after a failed pending save: seen %v pending %v", s.IDs, h.pending())
	}
	// Pending saved, marking fails: the next tick finds the article again
	// and does not list it twice.
	h.kv.setFail(failOn("put", "ssseen."))
	if err := h.tick(); err == nil || !strings.Contains(err.Error(), "put ssseen.") {
		t.Fatalf("mark seen error: %v", err)
	}
	h.kv.setFail(nil)
	if err := h.tick(); err != nil {
		t.Fatal(err)
	}
	if p := h.pending(); len(p) != 1 || p[0] != "new1" || len(h.seen().IDs) != 2 {
		t.Fatalf("pending %v seen %v", p, h.seen().IDs)
	}
	if len(h.sent) != 0 {
		t.Fatalf("daily mail before 07:00 the next day: %d", len(h.sent))
	}
	// Due: the mail fails and everything stays for the next tick.
	h.now = time.Date(2026, 11, 21, 7, 1, 0, 0, ict)
	h.mailErr = errors.New("outbox full")
	if err := h.tick(); err == nil || !strings.Contains(err.Error(), "send subscription mail") {
		t.Fatalf("send error: %v", err)
	}
	if len(h.pending()) != 1 {
		t.Fatal("pending cleared though the mail failed")
	}
	h.mailErr = nil
	h.kv.setFail(failOn("delete", "sspending."))
	if err := h.tick(); err == nil || !strings.Contains(err.Error(), "clear pending") {
		t.Fatalf("clear pending error: %v", err)
	}
	// The summary is durable, the search not updated: the retry sends the
	// same message (same ID) and then records the day.
	h.kv.setFail(nil)
	if err := h.tick(); err != nil {
		t.Fatal(err)
	}
	if len(h.sent) != 2 || h.sent[0].ID != h.sent[1].ID || !strings.Contains(h.sent[0].Subject, "Tổng hợp ngày: 1 bài") {
		t.Fatalf("summaries: %+v", h.sent)
	}
	cur, _ := h.st.Get(h.ctx, "an", h.s.ID)
	if !cur.LastDaily.Equal(h.now.UTC()) || len(h.pending()) != 0 {
		t.Errorf("after the summary: last daily %v, pending %v", cur.LastDaily, h.pending())
	}
	if err := h.tick(); err != nil || len(h.sent) != 2 {
		t.Errorf("summary sent twice: %v, %d", err, len(h.sent))
	}
}

func TestTickOneDailyEmptyAndSearchGone(t *testing.T) {
	h := newNotifyHarness(t, NotifyDaily)
	h.now = time.Date(2026, 11, 21, 7, 1, 0, 0, ict)
	// Due with nothing pending: no mail, but the day is recorded.
	if err := h.tick(); err != nil || len(h.sent) != 0 {
		t.Fatalf("empty summary: %v, %d mails", err, len(h.sent))
	}
	if cur, _ := h.st.Get(h.ctx, "an", h.s.ID); !cur.LastDaily.Equal(h.now.UTC()) {
		t.Errorf("last daily %v", cur.LastDaily)
	}
	// The next day the search cannot be read back after the summary.
	h.addHit("new1")
	if err := h.tick(); err != nil {
		t.Fatal(err)
	}
	h.now = h.now.Add(24 * time.Hour)
	s, _ := h.st.Get(h.ctx, "an", h.s.ID)
	h.kv.setFail(failOn("get", "ss."))
	err := h.n.tickOne(h.ctx, s)
	if err == nil || !strings.Contains(err.Error(), "search "+h.s.ID) || len(h.sent) != 1 {
		t.Fatalf("re-read error: %v, %d mails", err, len(h.sent))
	}
	h.kv.setFail(nil)
	var raw Search
	e, _ := h.kv.Store.Get(h.ctx, searchKey("an", h.s.ID))
	_ = json.Unmarshal(e.Value, &raw)
	if !raw.LastDaily.Equal(h.now.Add(-24 * time.Hour).UTC()) {
		t.Errorf("last daily moved though the search was not read: %v", raw.LastDaily)
	}
}

// TestMailNamesSources: a subscription mail names the source as the office
// knows it; the pending list keeps the id.
func TestMailNamesSources(t *testing.T) {
	h := newNotifyHarness(t, NotifyImmediate)
	h.n.cfg.SourceNames = func() map[string]string { return map[string]string{"btx": "Báo Thanh Hóa"} }
	h.find.add(Hit{ID: "new1", Title: "Bài new1", Source: "btx", Published: h.now})
	h.find.add(Hit{ID: "new2", Title: "Bài new2", Source: "khac", Published: h.now})
	if err := h.tick(); err != nil || len(h.sent) != 1 {
		t.Fatalf("tick: %v, %d mails", err, len(h.sent))
	}
	m := h.sent[0]
	if !strings.Contains(m.Text, "Báo Thanh Hóa ·") || !strings.Contains(m.HTML, "Báo Thanh Hóa ·") || !strings.Contains(m.Text, "khac ·") {
		t.Errorf("sources not named:\n%s", m.Text)
	}
}
