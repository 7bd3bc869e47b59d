package crawler

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
)

// passLog keeps the messages (with their "err") of the crawler's log.
type passLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *passLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *passLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *passLog) WithGroup(string) slog.Handler            { return l }
func (l *passLog) Handle(_ context.Context, r slog.Record) error {
	s := r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" {
			s += ": " + a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	l.msgs = append(l.msgs, s)
	l.mu.Unlock()
	return nil
}

func (l *passLog) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.msgs {
		if strings.HasPrefix(m, prefix) {
			n++
		}
	}
	return n
}

// putFailKV fails every Put while fail is set.
type putFailKV struct {
	kv.Store
	mu   sync.Mutex
	fail bool
}

func (p *putFailKV) Put(ctx context.Context, k string, v []byte) (uint64, error) {
	p.mu.Lock()
	fail := p.fail
	p.mu.Unlock()
	if fail {
		return 0, errors.New("disk full")
	}
	return p.Store.Put(ctx, k, v)
}

type passHarness struct {
	t       *testing.T
	c       *Crawler
	src     Source
	clk     *clock
	st      *putFailKV
	log     *passLog
	mu      sync.Mutex
	notices []SourceHealth
}

func newPassHarness(t *testing.T, st *putFailKV, name string) *passHarness {
	t.Helper()
	h := &passHarness{t: t, st: st, log: &passLog{}, clk: &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}}
	cfg := testConfig()
	cfg.Now, cfg.StaleAfter, cfg.Location = h.clk.Now, 3, time.UTC
	cfg.Notice = NoticerFunc(func(_ context.Context, sh SourceHealth) error {
		h.mu.Lock()
		h.notices = append(h.notices, sh)
		h.mu.Unlock()
		return errors.New("smtp down")
	})
	h.src = Source{ID: "mau", Name: name, Feeds: []string{"http://127.0.0.1/rss.xml"}, Interval: config.Duration(10 * time.Minute)}
	c, err := New(cfg, []Source{h.src}, &recorder{}, st, nil, slog.New(h.log))
	if err != nil {
		t.Fatal(err)
	}
	h.c = c
	return h
}

// pass records a pass that started now and returns the health after it.
func (h *passHarness) pass(st Stats, found []item, errs []error, discErr error) SourceHealth {
	h.t.Helper()
	h.c.recordPass(context.Background(), h.src, h.clk.Now(), st, found, errs, discErr)
	return h.c.Health()[0]
}

func (h *passHarness) noticeCount() int { h.mu.Lock(); defer h.mu.Unlock(); return len(h.notices) }

// TestRecordPassCounts: what one pass sets, adds and resets.
func TestRecordPassCounts(t *testing.T) {
	h := newPassHarness(t, &putFailKV{Store: kv.NewMemory()}, "Báo Mẫu")
	t0 := h.clk.Now()
	found := []item{
		{URL: "a", Hint: hint{Published: t0.Add(-time.Hour)}},
		{URL: "b", Hint: hint{Published: t0.Add(47 * time.Hour)}},
		{URL: "c", Hint: hint{Published: t0.Add(49 * time.Hour)}}, // a date too far ahead is not believed
	}
	s := h.pass(Stats{Found: 5, Backlog: 2, Fetched: 2, Published: 1, ExtractFail: 1}, found,
		[]error{errors.New("page a: 500"), errors.New("page b: 500")}, nil)
	if s.FirstPass != t0 || s.LastAttempt != t0 || s.LastSuccess != t0 || s.Passes != 1 || s.ItemsFound != 5 || s.Backlog != 2 ||
		s.Interval != "10m0s" || !s.NewestItem.Equal(t0.Add(47*time.Hour)) || s.Published != 1 || s.ExtractFailures != 1 ||
		s.FailedPasses != 0 || s.LastError != "page a: 500" || s.LastNewArticle != t0 || s.Published24h != 1 || len(s.Recent) != 1 ||
		!slices.Equal(s.Days, []DayPasses{{Day: "2026-11-20", Passes: 1}}) || s.Stale {
		t.Fatalf("after a good pass with page errors: %+v", s)
	}
	h.clk.Add(10 * time.Minute)
	// Every page fetched failed: a failed pass, though discovery worked.
	s = h.pass(Stats{Fetched: 2, FetchFail: 1, ExtractFail: 1}, nil, nil, nil)
	if s.FailedPasses != 1 || s.LastError != "" || s.LastSuccess != h.clk.Now() || s.FetchFailures != 1 || s.ExtractFailures != 2 ||
		s.FirstPass != t0 || s.Passes != 2 || s.ItemsFound != 0 || !s.NewestItem.Equal(t0.Add(47*time.Hour)) {
		t.Fatalf("after a pass whose pages all failed: %+v", s)
	}
	h.clk.Add(time.Minute)
	s = h.pass(Stats{}, nil, []error{errors.New("ignored")}, errors.New("feed: 503"))
	if s.FailedPasses != 2 || s.LastError != "feed: 503" || s.LastSuccess != t0.Add(10*time.Minute) ||
		!slices.Equal(s.Days, []DayPasses{{Day: "2026-11-20", Passes: 3, Failed: 2}}) {
		t.Fatalf("after a failed discovery: %+v", s)
	}
	h.clk.Add(time.Minute)
	if s = h.pass(Stats{Fetched: 1}, nil, nil, nil); s.FailedPasses != 0 {
		t.Errorf("a good pass did not reset the failed passes: %d", s.FailedPasses)
	}
}

// TestRecordPassStaleEpisodes: a source goes stale StaleAfter intervals
// after its last new article, is noticed once per episode (a failed
// notice is logged), and recovers with a new article; the 24-hour count
// forgets older passes.
func TestRecordPassStaleEpisodes(t *testing.T) {
	h := newPassHarness(t, &putFailKV{Store: kv.NewMemory()}, "Báo Mẫu")
	t0 := h.clk.Now()
	h.pass(Stats{Published: 2}, nil, nil, nil)
	h.clk.Add(29 * time.Minute)
	if s := h.pass(Stats{}, nil, nil, nil); s.Stale || h.noticeCount() != 0 {
		t.Fatalf("stale before 3 intervals: %+v", s)
	}
	h.clk.Add(time.Minute)
	s := h.pass(Stats{}, nil, nil, nil)
	if !s.Stale || s.StaleSince != h.clk.Now() || h.noticeCount() != 1 || h.log.count("source stale: no new article") != 1 ||
		h.log.count("stale-source notice failed: smtp down") != 1 {
		t.Fatalf("at 3 intervals: %+v, %d notices, log %v", s, h.noticeCount(), h.log.msgs)
	}
	if n := h.notices[0]; !n.Stale || n.StaleSince != h.clk.Now() || n.Passes != 3 {
		t.Errorf("the notice carries %+v", n)
	}
	since := h.clk.Now()
	h.clk.Add(10 * time.Minute)
	if s := h.pass(Stats{}, nil, nil, nil); !s.Stale || s.StaleSince != since || h.noticeCount() != 1 {
		t.Fatalf("still stale: %+v, %d notices", s, h.noticeCount())
	}
	h.clk.Add(10 * time.Minute) // t0+50m
	if s := h.pass(Stats{Published: 1}, nil, nil, nil); s.Stale || !s.StaleSince.IsZero() || s.Published24h != 3 || len(s.Recent) != 2 {
		t.Fatalf("after a new article: %+v", s)
	}
	h.clk.t = t0.Add(24*time.Hour + 5*time.Minute) // the first pass is out of the last 24 hours
	s = h.pass(Stats{}, nil, nil, nil)
	if s.Published24h != 1 || len(s.Recent) != 1 || s.Recent[0].At != t0.Add(50*time.Minute) || s.Published != 3 {
		t.Errorf("a day later: %+v", s)
	}
	if !s.Stale || h.noticeCount() != 2 {
		t.Errorf("a new episode: stale %v, %d notices", s.Stale, h.noticeCount())
	}
}

// TestRecordPassNoIntervalNeverStale: a source without an interval is
// never stale.
func TestRecordPassNoIntervalNeverStale(t *testing.T) {
	h := newPassHarness(t, &putFailKV{Store: kv.NewMemory()}, "Báo Mẫu")
	h.src.Interval = 0
	h.pass(Stats{}, nil, nil, nil)
	h.clk.Add(1000 * time.Hour)
	if s := h.pass(Stats{}, nil, nil, nil); s.Stale || h.noticeCount() != 0 || s.Interval != "0s" {
		t.Errorf("%+v", s)
	}
}

// TestRecordPassSavesAndRestores: health is saved after every pass (a
// failed save is logged, except on shutdown) and read back once after a
// restart, keeping the configured name.
func TestRecordPassSavesAndRestores(t *testing.T) {
	st := &putFailKV{Store: kv.NewMemory()}
	h := newPassHarness(t, st, "Báo Mẫu")
	h.pass(Stats{Published: 1}, nil, nil, nil)
	st.mu.Lock()
	st.fail = true
	st.mu.Unlock()
	h.clk.Add(time.Minute)
	h.pass(Stats{}, nil, nil, errors.New("feed: 503"))
	if n := h.log.count("save source health: "); n != 1 || !strings.HasSuffix(h.log.msgs[len(h.log.msgs)-1], "disk full") {
		t.Errorf("%d failed saves logged, want 1: %v", n, h.log.msgs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h.c.recordPass(ctx, h.src, h.clk.Now(), Stats{}, nil, nil, nil)
	if n := h.log.count("save source health"); n != 1 {
		t.Errorf("a failed save on shutdown was logged (%d)", n)
	}
	st.mu.Lock()
	st.fail = false
	st.mu.Unlock()
	saved, ok, err := getJSON[SourceHealth](context.Background(), st, healthKey("mau"))
	if err != nil || !ok || saved.Passes != 1 || saved.Published != 1 {
		t.Fatalf("saved %+v %v %v: want the first pass only", saved, ok, err)
	}

	h2 := newPassHarness(t, st, "Báo Mẫu mới")
	h2.clk.t = h.clk.Now()
	s := h2.pass(Stats{}, nil, nil, nil)
	if s.Name != "Báo Mẫu mới" || s.Source != "mau" || s.Passes != 2 || s.Published != 1 || s.FirstPass != saved.FirstPass {
		t.Fatalf("after a restart: %+v", s)
	}
	// Read once: a later change in the store is not read again.
	if err := putJSON(context.Background(), st, healthKey("mau"), SourceHealth{Source: "mau", Passes: 100}); err != nil {
		t.Fatal(err)
	}
	if s := h2.pass(Stats{}, nil, nil, nil); s.Passes != 3 {
		t.Errorf("health read again: %d passes", s.Passes)
	}
	if saved, _, _ := getJSON[SourceHealth](context.Background(), st, healthKey("mau")); saved.Passes != 3 || saved.Name != "Báo Mẫu mới" {
		t.Errorf("saved after the restart: %+v", saved)
	}
}

// getFailKV fails every Get while fail is set.
type getFailKV struct {
	kv.Store
	mu   sync.Mutex
	fail bool
}

func (g *getFailKV) Get(ctx context.Context, k string) (kv.Entry, error) {
	g.mu.Lock()
	fail := g.fail
	g.mu.Unlock()
	if fail {
		return kv.Entry{}, errors.New("bus timeout")
	}
	return g.Store.Get(ctx, k)
}

// TestRecordPassUnreadHealthNotOverwritten: when the saved health cannot be
// read back after a restart, the pass is not counted and nothing is saved
// (a fresh record would overwrite the saved days); the next pass that can
// read it counts on top of it.
func TestRecordPassUnreadHealthNotOverwritten(t *testing.T) {
	mem := kv.NewMemory()
	if err := putJSON(context.Background(), mem, healthKey("mau"), SourceHealth{Source: "mau", Passes: 5, Published: 40}); err != nil {
		t.Fatal(err)
	}
	g := &getFailKV{Store: mem, fail: true}
	h := newPassHarness(t, &putFailKV{Store: g}, "Báo Mẫu")
	h.pass(Stats{Published: 1}, nil, nil, nil)
	if saved, _, _ := getJSON[SourceHealth](context.Background(), mem, healthKey("mau")); saved.Passes != 5 || saved.Published != 40 {
		t.Fatalf("saved health overwritten after a failed read: %+v", saved)
	}
	if n := h.log.count("source health not read back"); n != 1 {
		t.Errorf("%d warnings, want 1: %v", n, h.log.msgs)
	}
	g.mu.Lock()
	g.fail = false
	g.mu.Unlock()
	if s := h.pass(Stats{Published: 2}, nil, nil, nil); s.Passes != 6 || s.Published != 42 {
		t.Errorf("after the store answers again: %+v, want 6 passes and 42 published", s)
	}
}
