package savedsearch

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/kv"
)

var ict = time.FixedZone("ICT", 7*3600)

func TestStoreTokens(t *testing.T) {
	ctx := context.Background()
	st, _ := NewStore(kv.NewMemory())
	if _, err := st.Add(ctx, Search{Owner: "an", Name: ""}); err == nil {
		t.Error("a search without a name was saved")
	}
	s, err := st.Add(ctx, Search{Owner: "an", Name: "Biên giới", Query: "biên giới", Topics: []string{"border"}, Notify: NotifyImmediate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Add(ctx, Search{Owner: "an.x", Name: "Khác", Query: "x"}); err != nil {
		t.Fatal(err)
	}
	if l, _ := st.List(ctx, "an"); len(l) != 1 || l[0].ID != s.ID {
		t.Errorf("an's searches: %+v (owners must not share a prefix)", l)
	}
	if got, err := st.ByFeedToken(ctx, s.FeedToken); err != nil || got.ID != s.ID {
		t.Fatalf("feed token: %v %+v", err, got)
	}
	r, err := st.RotateFeed(ctx, "an", s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ByFeedToken(ctx, s.FeedToken); !errors.Is(err, ErrNotFound) {
		t.Errorf("the old feed token still works: %v", err)
	}
	if got, err := st.ByFeedToken(ctx, r.FeedToken); err != nil || got.ID != s.ID {
		t.Errorf("new feed token: %v", err)
	}
	tok, err := st.UnsubscribeToken(ctx, "an", s.ID)
	if err != nil {
		t.Fatal(err)
	}
	forged := tok[:len(tok)-1] + "A" // a last character it does not have
	if tok[len(tok)-1] == 'A' {
		forged = tok[:len(tok)-1] + "B"
	}
	if _, err := st.Unsubscribe(ctx, "an", s.ID, forged); !errors.Is(err, ErrNotFound) {
		t.Errorf("a forged token unsubscribed: %v", err)
	}
	if _, err := st.Unsubscribe(ctx, "an.x", s.ID, tok); !errors.Is(err, ErrNotFound) {
		t.Errorf("a token for another owner unsubscribed: %v", err)
	}
	got, err := st.Unsubscribe(ctx, "an", s.ID, tok)
	if err != nil || got.Notify != NotifyNone {
		t.Errorf("unsubscribe: %v %+v", err, got)
	}
	st2, _ := NewStore(st.kv) // the secret is kept in the store
	if tok2, _ := st2.UnsubscribeToken(ctx, "an", s.ID); tok2 != tok {
		t.Error("the unsubscribe secret changed")
	}
	if err := st.Delete(ctx, "an", s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ByFeedToken(ctx, r.FeedToken); !errors.Is(err, ErrNotFound) {
		t.Error("a deleted search's feed still opens")
	}
}

type fakeFinder struct {
	mu   sync.Mutex
	hits []Hit
}

func (f *fakeFinder) Find(context.Context, Search) ([]Hit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Hit(nil), f.hits...), nil
}

func (f *fakeFinder) add(h Hit) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hits = append([]Hit{h}, f.hits...)
}

func TestNotifierImmediateAndDaily(t *testing.T) {
	ctx := context.Background()
	st, _ := NewStore(kv.NewMemory())
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, ict)
	st.now = func() time.Time { return now }
	find := &fakeFinder{hits: []Hit{{ID: "old1", Title: "Bài cũ", Published: now.Add(-time.Hour)}}}
	var sent []Message
	mail := MailerFunc(func(_ context.Context, m Message) error { sent = append(sent, m); return nil })
	emails := RecipientsFunc(func(_ context.Context, u string) (string, error) {
		if u == "noemail" {
			return "", nil
		}
		return u + "@example.org", nil
	})
	n, err := NewNotifier(NotifierConfig{BaseURL: "http://ui/", Location: ict, Now: func() time.Time { return now }}, st, find, mail, emails, nil)
	if err != nil {
		t.Fatal(err)
	}
	imm, _ := st.Add(ctx, Search{Owner: "an", Name: "Biên giới", Query: "biên giới", Notify: NotifyImmediate})
	daily, _ := st.Add(ctx, Search{Owner: "lan", Name: "Tôn giáo", Query: "tôn giáo", Notify: NotifyDaily})
	if _, err := st.Add(ctx, Search{Owner: "noemail", Name: "X", Query: "x", Notify: NotifyImmediate}); err != nil {
		t.Fatal(err)
	}
	if err := n.Tick(ctx); err != nil || len(sent) != 0 {
		t.Fatalf("first tick (baseline) sent %d mails, err %v", len(sent), err)
	}
	find.add(Hit{ID: "new1", Title: "Tuần tra <biên giới>", URL: "https://baothanhhoa.vn/new1.htm", Source: "baothanhhoa", Published: now})
	if err := n.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || sent[0].To != "an@example.org" {
		t.Fatalf("after one new article: %d mails %+v", len(sent), sent)
	}
	m := sent[0]
	tok, _ := st.UnsubscribeToken(ctx, "an", imm.ID)
	unsub := UnsubscribeURL("http://ui", "an", imm.ID, tok)
	if m.Headers["List-Unsubscribe"] != "<"+unsub+">" || m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Errorf("headers %v", m.Headers)
	}
	if !strings.Contains(m.Text, unsub) || !strings.Contains(m.HTML, "http://ui/articles/new1") || strings.Contains(m.HTML, "<biên") || strings.Contains(m.Text, "Bài cũ") {
		t.Errorf("mail body:\n%s\n%s", m.Text, m.HTML)
	}
	if err := n.Tick(ctx); err != nil || len(sent) != 1 {
		t.Errorf("a second tick with nothing new sent %d mails", len(sent)-1)
	}
	// Daily: nothing before 07:00 the next day, then one summary.
	now = time.Date(2026, 11, 21, 6, 59, 0, 0, ict)
	if err := n.Tick(ctx); err != nil || len(sent) != 1 {
		t.Fatalf("daily mail before 07:00: %d", len(sent))
	}
	now = time.Date(2026, 11, 21, 7, 0, 30, 0, ict)
	if err := n.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 2 || sent[1].To != "lan@example.org" || !strings.Contains(sent[1].Subject, "Tổng hợp ngày: 1 bài") {
		t.Fatalf("daily summary: %+v", sent[1:])
	}
	if err := n.Tick(ctx); err != nil || len(sent) != 2 {
		t.Errorf("daily summary sent twice")
	}
	// Unsubscribed: no more mail.
	if _, err := st.Unsubscribe(ctx, "an", imm.ID, tok); err != nil {
		t.Fatal(err)
	}
	find.add(Hit{ID: "new2", Title: "Bài mới nữa", Published: now})
	if err := n.Tick(ctx); err != nil || len(sent) != 2 {
		t.Errorf("mail after unsubscribe: %d", len(sent))
	}
	_ = daily
}
