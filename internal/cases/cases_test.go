package cases

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

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type memBlobs struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (b *memBlobs) Put(_ context.Context, k string, d []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[k] = append([]byte(nil), d...)
	return nil
}

func (b *memBlobs) Get(_ context.Context, k string) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.m[k]
	if !ok {
		return nil, ErrNotFound
	}
	return d, nil
}

// fakeFetcher serves pages by URL and counts fetches; a host "10.x" is
// refused as the crawler's guard does.
type fakeFetcher struct {
	mu    sync.Mutex
	pages map[string]article.Article
	calls int
}

func (f *fakeFetcher) Fetch(_ context.Context, u string) (Fetched, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if strings.Contains(u, "://10.") {
		return Fetched{}, fmt.Errorf("%w: private or loopback address refused", ErrBadInput)
	}
	a, ok := f.pages[u]
	if !ok {
		return Fetched{}, fmt.Errorf("%w: %s: status 404", ErrBadInput, u)
	}
	return Fetched{Article: a, Raw: []byte("<html><body>" + a.Body + "</body></html>"), ContentType: "text/html"}, nil
}

type fakeLookup struct{ arts map[string]article.Article }

func (l fakeLookup) Article(_ context.Context, id string) (article.Article, error) {
	a, ok := l.arts[id]
	if !ok {
		return a, ErrNotFound
	}
	return a, nil
}

func (l fakeLookup) Alert(_ context.Context, id string) (article.Alert, []string, error) {
	if id != "al1" {
		return article.Alert{}, nil, ErrNotFound
	}
	a := l.arts["a1"]
	return article.Alert{ID: "al1", ArticleID: a.ID, URL: a.URL, Title: a.Title, Source: a.Source,
		Severity: "critical", Topics: []string{"border", "disinfo"}}, []string{"office", "police"}, nil
}

// notices keeps the notices as the outbox delivers them: once per ID; fail,
// while set, refuses them.
type notices struct {
	mu   sync.Mutex
	got  []Notice
	fail error
}

func (n *notices) Notify(_ context.Context, x Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail != nil {
		return n.fail
	}
	if !slices.ContainsFunc(n.got, func(g Notice) bool { return g.ID == x.ID }) {
		n.got = append(n.got, x)
	}
	return nil
}

const claimBody = "Trên mạng xã hội lan truyền thông tin cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn, người dân không được qua lại. " +
	"Bài đăng kèm hình ảnh cổng cửa khẩu đóng kín và lời bình luận cho rằng biên giới đã bị phong tỏa, kêu gọi người dân tích trữ hàng hóa. " +
	"Chỉ sau một ngày, bài viết đã có hàng nghìn lượt chia sẻ trên nhiều trang mạng khác nhau."

type fixture struct {
	svc    *Service
	clock  *fakeClock
	fetch  *fakeFetcher
	notes  *notices
	blobs  *memBlobs
	store  kv.Store
	origin article.Article
}

func newFixture(t *testing.T, store kv.Store) *fixture {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)} // 08:00 in Thường Xuân
	origin := article.Article{ID: "a1", URL: "https://baomau.vn/cua-khau-1.htm", Source: "baomau", Title: "Cửa khẩu Khẹo bị đóng cửa?",
		Body: claimBody, Published: clock.t.Add(-3 * time.Hour)}
	f := &fixture{clock: clock, fetch: &fakeFetcher{pages: map[string]article.Article{
		"https://mxh.example/post/1": {ID: "p1", URL: "https://mxh.example/post/1", Source: "", Title: "Bài đăng", Body: claimBody},
	}}, notes: &notices{}, blobs: &memBlobs{m: map[string][]byte{}}, store: store, origin: origin}
	svc, err := New(config.Cases{Owners: map[string]string{"lan": "lan@example.org"}}, Deps{
		Store: store, Fetcher: f.fetch, Blobs: f.blobs, Lookup: fakeLookup{arts: map[string]article.Article{"a1": origin}},
		Notifier: f.notes, Now: clock.Now, BaseURL: "http://ui.test",
		Emails: func(a string) []string { return map[string][]string{"office": {"vanphong@example.org"}}[a] },
		Route:  func([]string, string) []string { return []string{"office"} },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	return f
}

func TestCheckMove(t *testing.T) {
	tests := []struct {
		name, from, to, verdict, note string
		want                          error
	}{
		{"one step", StatusReceived, StatusVerifying, "", "", nil},
		{"verified needs verdict", StatusVerifying, StatusVerified, "", "", ErrInvalidMove},
		{"verified with verdict", StatusVerifying, StatusVerified, VerdictFalse, "", nil},
		{"skip without reason", StatusReceived, StatusVerified, VerdictFalse, "", ErrInvalidMove},
		{"skip with reason", StatusReceived, StatusVerified, VerdictFalse, "đã rõ", nil},
		{"back refused", StatusResponded, StatusVerifying, VerdictFalse, "x", ErrInvalidMove},
		{"same status", StatusVerifying, StatusVerifying, "", "x", ErrInvalidMove},
		{"reopen without reason", StatusClosed, StatusVerifying, "", "", ErrInvalidMove},
		{"reopen", StatusClosed, StatusVerifying, "", "có bài mới", nil},
		{"reopen too far", StatusClosed, StatusResponded, VerdictFalse, "x", ErrInvalidMove},
		{"unknown status", StatusReceived, "done", "", "", ErrBadInput},
		{"unknown verdict", StatusVerifying, StatusVerified, "fake", "", ErrBadInput},
		{"close early with reason", StatusReceived, StatusClosed, "", "không phải vụ việc", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckMove(tt.from, tt.to, tt.verdict, tt.note)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("CheckMove(%s→%s, %q, %q) = %v, want %v", tt.from, tt.to, tt.verdict, tt.note, err, tt.want)
			}
		})
	}
}

func TestWorkflowHistoryAndDue(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, kv.NewMemory())
	c, existing, err := f.svc.Open(ctx, Intake{By: "lan", AlertID: "al1", Claim: "Cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn"})
	if err != nil || existing {
		t.Fatalf("open: %v existing=%v", err, existing)
	}
	if c.ID != "VV-2026-001" || c.Status != StatusReceived || c.Severity != "critical" || len(c.Items) != 1 || c.Items[0].Kind != KindOrigin || c.Items[0].AlertID != "al1" {
		t.Fatalf("opened case = %+v", c)
	}
	if want := c.Opened.Add(12 * time.Hour); c.Due == nil || !c.Due.Equal(want) {
		t.Fatalf("due = %v, want %v (critical verify deadline)", c.Due, want)
	}
	if c.Rule == "" || !strings.Contains(c.Rule, "cửa khẩu") {
		t.Errorf("drafted rule = %q", c.Rule)
	}
	steps := []struct{ to, verdict, note string }{
		{StatusVerifying, "", "bắt đầu xác minh"},
		{StatusVerified, VerdictFalse, "đồn biên phòng xác nhận"},
		{StatusResponded, "", "đã gửi công văn"},
		{StatusReported, "", "đã báo cáo tỉnh"},
		{StatusClosed, "", "xong"},
	}
	for _, st := range steps {
		f.clock.Add(time.Hour)
		if c, err = f.svc.Move(ctx, c.ID, "lan", st.to, st.verdict, st.note); err != nil {
			t.Fatalf("move to %s: %v", st.to, err)
		}
	}
	if c.Verdict != VerdictFalse || c.Due != nil {
		t.Errorf("closed case verdict %q due %v", c.Verdict, c.Due)
	}
	moves := 0
	for _, e := range c.History {
		if e.Action == "move" {
			moves++
			if e.By != "lan" || e.At.IsZero() || e.Note == "" {
				t.Errorf("history entry without who/when/note: %+v", e)
			}
		}
	}
	if moves != 5 || c.History[0].Action != "open" {
		t.Errorf("history = %+v", c.History)
	}
	// A refused move changes nothing.
	before := len(c.History)
	if _, err := f.svc.Move(ctx, c.ID, "lan", StatusResponded, "", "x"); !errors.Is(err, ErrInvalidMove) {
		t.Fatalf("closed → responded: %v, want ErrInvalidMove", err)
	}
	if got, _ := f.svc.Get(ctx, c.ID); len(got.History) != before {
		t.Errorf("a refused move wrote history")
	}
	// Reopen: verdict cleared, due again.
	c, err = f.svc.Move(ctx, c.ID, "lan", StatusVerifying, "", "bài mới xuất hiện")
	if err != nil || c.Verdict != "" || c.Due == nil {
		t.Fatalf("reopen: %v %+v", err, c)
	}
}

func TestOverdueSortedFirstAndMailedOncePerDay(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, kv.NewMemory())
	late, _, err := f.svc.Open(ctx, Intake{By: "lan", Owner: "lan", ArticleID: "a1", Claim: "Tin sai 1", Severity: "critical"})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(13 * time.Hour) // past the 12h verify deadline of critical
	fresh, _, err := f.svc.Open(ctx, Intake{By: "lan", Text: "bài đăng dán vào", Claim: "Tin sai 2", Severity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	list, cnt, err := f.svc.List(ctx, Filter{})
	if err != nil || len(list) != 2 || list[0].ID != late.ID || !list[0].Overdue(f.clock.Now()) || cnt.Overdue != 1 {
		t.Fatalf("list = %v, counts %+v, err %v", ids(list), cnt, err)
	}
	if only, _, _ := f.svc.List(ctx, Filter{Overdue: true}); len(only) != 1 || only[0].ID != late.ID {
		t.Errorf("overdue filter = %v", ids(only))
	}
	if fresh.Overdue(f.clock.Now()) {
		t.Fatal("fresh case overdue")
	}
	for range 3 {
		if _, err := f.svc.Reminders(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.notes.got) != 1 {
		t.Fatalf("reminders sent %d times on one day, want 1", len(f.notes.got))
	}
	n := f.notes.got[0]
	if !strings.Contains(strings.Join(n.To, ","), "lan@example.org") || !strings.Contains(strings.Join(n.To, ","), "vanphong@example.org") ||
		!strings.Contains(n.Text, late.ID) {
		t.Errorf("reminder = %+v", n)
	}
	f.clock.Add(24 * time.Hour) // the next day: the critical case again, the low one is not yet due
	if _, err := f.svc.Reminders(ctx); err != nil || len(f.notes.got) != 2 {
		t.Fatalf("next day: %d notices in all, want 2 (%v)", len(f.notes.got), err)
	}
	if f.notes.got[1].ID == f.notes.got[0].ID {
		t.Errorf("the next day's reminder reuses the mail id %s", f.notes.got[0].ID)
	}
}

func ids(cs []Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestIntakeRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, kv.NewMemory())
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	tests := []struct {
		name string
		in   Intake
		want error
	}{
		{"no claim", Intake{By: "lan", URL: "https://mxh.example/post/1"}, ErrBadInput},
		{"two sources", Intake{By: "lan", Claim: "x", URL: "https://mxh.example/post/1", ArticleID: "a1"}, ErrBadInput},
		{"no source", Intake{By: "lan", Claim: "x"}, ErrBadInput},
		{"private URL", Intake{By: "lan", Claim: "x", URL: "http://10.0.0.1/admin"}, ErrBadInput},
		{"not http", Intake{By: "lan", Claim: "x", URL: "file:///etc/passwd"}, ErrBadInput},
		{"unknown article", Intake{By: "lan", Claim: "x", ArticleID: "nope"}, ErrBadInput},
		{"oversize upload", Intake{By: "lan", Claim: "x", Text: "t", File: &Upload{Name: "big.png", Data: append(png, make([]byte, 6<<20)...)}}, ErrTooLarge},
		{"html upload", Intake{By: "lan", Claim: "x", Text: "t", File: &Upload{Name: "a.png", Data: []byte("<html><script>alert(1)</script></html>")}}, ErrUnsupportedType},
		{"zip upload", Intake{By: "lan", Claim: "x", File: &Upload{Name: "a.jpg", Data: []byte("PK\x03\x04rest-of-zip")}}, ErrUnsupportedType},
		{"bad severity", Intake{By: "lan", Claim: "x", Text: "t", Severity: "urgent"}, ErrBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := f.svc.Open(ctx, tt.in); !errors.Is(err, tt.want) {
				t.Fatalf("Open = %v, want %v", err, tt.want)
			}
		})
	}
	if list, _, _ := f.svc.List(ctx, Filter{}); len(list) != 0 {
		t.Errorf("refused intakes created cases: %v", ids(list))
	}
	// A good upload is stored with its hash and sniffed type.
	c, _, err := f.svc.Open(ctx, Intake{By: "lan", Claim: "Ảnh chụp bài đăng", Text: "nội dung", File: &Upload{Name: "../../etc/anh.png", Data: png}})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Evidence) != 1 || c.Evidence[0].ContentType != "image/png" || c.Evidence[0].Name != "anh.png" || len(c.Evidence[0].SHA256) != 64 {
		t.Fatalf("evidence = %+v", c.Evidence)
	}
	if _, data, err := f.svc.Blob(ctx, c, c.Evidence[0].SHA256); err != nil || len(data) != len(png) {
		t.Fatalf("blob: %v", err)
	}
}

func TestDuplicateURLAttachesToOpenCase(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, kv.NewMemory())
	c1, ex, err := f.svc.Open(ctx, Intake{By: "lan", URL: "https://mxh.example/post/1", Claim: "Cửa khẩu Khẹo đóng cửa"})
	if err != nil || ex {
		t.Fatal(err, ex)
	}
	if len(c1.Evidence) != 1 || c1.Items[0].Evidence != c1.Evidence[0].SHA256 {
		t.Fatalf("saved copy not kept: %+v", c1)
	}
	c2, ex, err := f.svc.Open(ctx, Intake{By: "minh", URL: "HTTPS://MXH.example/post/1#top", Claim: "khác"})
	if err != nil || !ex || c2.ID != c1.ID {
		t.Fatalf("second intake: %v existing=%v id=%s want %s", err, ex, c2.ID, c1.ID)
	}
	if f.fetch.calls != 1 {
		t.Errorf("URL fetched %d times, want once", f.fetch.calls)
	}
	if last := c2.History[len(c2.History)-1]; last.Action != "intake" || last.By != "minh" {
		t.Errorf("duplicate intake not in history: %+v", last)
	}
	if _, err := f.svc.AddItem(ctx, c1.ID, Intake{By: "lan", URL: "https://mxh.example/post/1"}); !errors.Is(err, ErrBadInput) {
		t.Errorf("adding the same URL again: %v", err)
	}
	// Once closed, the same URL opens a new case.
	if _, err := f.svc.Move(ctx, c1.ID, "lan", StatusClosed, "", "không phải tin sai"); err != nil {
		t.Fatal(err)
	}
	c3, ex, err := f.svc.Open(ctx, Intake{By: "lan", URL: "https://mxh.example/post/1", Claim: "lại xuất hiện"})
	if err != nil || ex || c3.ID == c1.ID {
		t.Fatalf("after close: %v existing=%v id=%s", err, ex, c3.ID)
	}
}

func TestSpreadAttachesReprintsAndRuleHits(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, kv.NewMemory())
	c, _, err := f.svc.Open(ctx, Intake{By: "lan", Owner: "lan", ArticleID: "a1", Claim: "Cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn"})
	if err != nil {
		t.Fatal(err)
	}
	reprint := article.Article{ID: "r1", URL: "https://baokhac.vn/r1.htm", Source: "baokhac", Title: "Đóng cửa khẩu?",
		Lead: "Theo bạn đọc.", Body: claimBody, Published: f.clock.Now()}
	other := article.Article{ID: "o1", URL: "https://baokhac.vn/o1.htm", Source: "baokhac", Title: "Mùa lúa mới",
		Body: "Nông dân xã Xuân Dương thu hoạch lúa mùa, năng suất cao hơn năm trước nhờ giống mới và thời tiết thuận lợi.", Published: f.clock.Now()}
	repeat := article.Article{ID: "p2", URL: "https://baokhac.vn/p2.htm", Source: "baokhac", Title: "Bình luận",
		Body: "Có ý kiến nói cửa khẩu phụ Khẹo sắp đóng cửa, nhưng thực tế khác hẳn.", Published: f.clock.Now()}
	for _, a := range []article.Article{reprint, other, repeat, reprint} {
		if _, err := f.svc.Attach(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	c, _ = f.svc.Get(ctx, c.ID)
	kinds := map[string]string{}
	for _, it := range c.Items {
		kinds[it.ArticleID] = it.Kind
	}
	if kinds["r1"] != KindReprint || kinds["p2"] != KindRepeat || kinds["o1"] != "" || len(c.Items) != 3 {
		t.Fatalf("items = %v (rule %q)", kinds, c.Rule)
	}
	if len(f.notes.got) != 2 || f.notes.got[0].To[0] != "lan@example.org" {
		t.Errorf("owner notices = %+v", f.notes.got)
	}
	// A bad rule is refused with the rule language's message.
	if _, err := f.svc.Edit(ctx, c.ID, "lan", Patch{Rule: ptr(`"cửa khẩu" AND (`)}); !errors.Is(err, ErrBadInput) {
		t.Errorf("bad rule: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestBacktestCaseRule(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, kv.NewMemory())
	arts := []article.Article{
		{ID: "x1", URL: "u1", Body: "cửa khẩu phụ Khẹo bị đóng cửa", Published: f.clock.Now()},
		{ID: "x2", URL: "u2", Body: "mùa lúa", Published: f.clock.Now()},
	}
	f.svc.d.Archive = archiveFunc(func(_ context.Context, _ time.Time, fn func(article.Article) error) error {
		for _, a := range arts {
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	})
	rep, err := f.svc.Backtest(ctx, "VV-2026-001", `"cửa khẩu" AND "đóng cửa"`, f.clock.Now().AddDate(0, 0, -30))
	if err != nil || rep.Scanned != 2 || rep.Alerted != 1 || rep.Examples[0].ArticleID != "x1" {
		t.Fatalf("backtest = %+v, %v", rep, err)
	}
}

type archiveFunc func(ctx context.Context, since time.Time, fn func(article.Article) error) error

func (f archiveFunc) ArticlesSince(ctx context.Context, since time.Time, fn func(article.Article) error) error {
	return f(ctx, since, fn)
}

// TestHistorySurvivesRestartOnTheBus keeps cases in a JetStream KV bucket,
// restarts the embedded server, and finds the case and its history intact;
// two services (two roles) moving the same case concurrently both land.
func TestHistorySurvivesRestartOnTheBus(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b, err := bus.Open(ctx, bus.Config{StoreDir: dir, Sync: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := b.KV(ctx, "cases")
	if err != nil {
		t.Fatal(err)
	}
	f1 := newFixture(t, st)
	f2 := newFixture(t, st)
	c, _, err := f1.svc.Open(ctx, Intake{By: "lan", Text: "bài đăng", Claim: "Tin sai"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i, svc := range []*Service{f1.svc, f2.svc, f1.svc, f2.svc} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := svc.AddNote(ctx, c.ID, "user", fmt.Sprintf("ghi chú %d", i)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	b.Close()

	b2, err := bus.Open(ctx, bus.Config{StoreDir: dir, Sync: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	st2, err := b2.KV(ctx, "cases")
	if err != nil {
		t.Fatal(err)
	}
	f3 := newFixture(t, st2)
	got, err := f3.svc.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Notes) != 4 || len(got.History) != 5 {
		t.Fatalf("after restart: %d notes, %d history entries; want 4 and 5", len(got.Notes), len(got.History))
	}
	js, _ := json.Marshal(got)
	for _, k := range []string{`"id"`, `"claim"`, `"status"`, `"verdict"`, `"owner"`, `"due"`, `"items"`, `"article_id"`, `"first_seen"`, `"kind"`, `"history"`, `"from"`, `"to"`, `"note"`, `"at"`, `"by"`} {
		if !strings.Contains(string(js), k) {
			t.Errorf("case JSON lacks %s", k)
		}
	}
	// The next id continues the year's sequence.
	c2, _, err := f3.svc.Open(ctx, Intake{By: "lan", Text: "bài khác", Claim: "Tin sai khác"})
	if err != nil || c2.ID != "VV-2026-002" {
		t.Fatalf("second case id %q, %v", c2.ID, err)
	}
}

// TestIntakeOfHiddenCaseRefused: an intake whose URL, or whose fetched
// article, belongs to an open case its sender may not see is refused
// without naming the case, and the case's history is untouched.
func TestIntakeOfHiddenCaseRefused(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, kv.NewMemory())
	f.fetch.pages["https://m.mxh.example/post/1"] = f.fetch.pages["https://mxh.example/post/1"]
	c1, _, err := f.svc.Open(ctx, Intake{By: "quantri", URL: "https://mxh.example/post/1", Claim: "Tin mật"})
	if err != nil {
		t.Fatal(err)
	}
	hide := func(c Case) bool { return c.ID != c1.ID }
	for _, u := range []string{"https://mxh.example/post/1", "https://m.mxh.example/post/1"} {
		_, ex, err := f.svc.Open(ctx, Intake{By: "an", URL: u, Claim: "khác", Visible: hide})
		if !errors.Is(err, ErrBadInput) || ex || strings.Contains(err.Error(), c1.ID) {
			t.Errorf("%s: err %v existing %v, want ErrBadInput not naming %s", u, err, ex, c1.ID)
		}
	}
	got, err := f.svc.Get(ctx, c1.ID)
	if err != nil || len(got.History) != 1 || len(got.Items) != 1 {
		t.Fatalf("hidden case changed: %v history %d items %d", err, len(got.History), len(got.Items))
	}
	// Someone who sees it gets it back as before.
	if c2, ex, err := f.svc.Open(ctx, Intake{By: "lan", URL: "https://m.mxh.example/post/1", Claim: "khác", Visible: func(Case) bool { return true }}); err != nil || !ex || c2.ID != c1.ID {
		t.Fatalf("visible intake: %v %v %s", err, ex, c2.ID)
	}
}

// TestEditWithStaleBaseRefused: of two edits made from the same form
// (same Base), run at once, exactly one is saved; the other is refused with
// ErrStale naming who changed the case, and loses nothing of the first.
func TestEditWithStaleBaseRefused(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, kv.NewMemory())
	c, _, err := f.svc.Open(ctx, Intake{By: "lan", URL: "https://mxh.example/post/1", Claim: "Cửa khẩu Khẹo đóng cửa"})
	if err != nil {
		t.Fatal(err)
	}
	base := c.EditCount()
	texts := []string{"Văn bản của Lan", "Văn bản của Minh"}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, who := range []string{"lan", "minh"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.svc.Edit(ctx, c.ID, who, Patch{ClarText: &texts[i], Base: &base})
		}()
	}
	wg.Wait()
	won := slices.IndexFunc(errs, func(e error) bool { return e == nil })
	lost := 1 - won
	if won < 0 || !errors.Is(errs[lost], ErrStale) || !CallerFault(errs[lost]) {
		t.Fatalf("errors %v, want one nil and one ErrStale", errs)
	}
	if winner := []string{"lan", "minh"}[won]; !strings.Contains(errs[lost].Error(), winner) {
		t.Errorf("refusal %q does not name %s", errs[lost], winner)
	}
	got, _ := f.svc.Get(ctx, c.ID)
	if got.Clarification.Text != texts[won] || got.EditCount() != base+1 {
		t.Errorf("text %q edits %d, want %q and %d", got.Clarification.Text, got.EditCount(), texts[won], base+1)
	}
	// A form without a base edits as before; one with the current base too.
	n := got.EditCount()
	if _, err := f.svc.Edit(ctx, c.ID, "minh", Patch{ClarText: &texts[lost], Base: &n}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Edit(ctx, c.ID, "minh", Patch{ClarText: &texts[won]}); err != nil {
		t.Fatal(err)
	}
}

// TestPoliceOnlyCaseNotMailedToOffice: the overdue reminder and the
// new-item notice of a case routed to police alone go to its owner and
// the police addresses, never to the office's (whose analysts may not see
// the case); a case routed to the office still mails the office.
func TestPoliceOnlyCaseNotMailedToOffice(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, kv.NewMemory())
	f.svc.d.Emails = func(a string) []string {
		return map[string][]string{"office": {"vanphong@example.org"}, "police": {"congan@example.org"}}[a]
	}
	c, _, err := f.svc.Open(ctx, Intake{By: "quantri", Owner: "quantri", Text: "bài đăng dán vào", Claim: "Tin mật", Severity: "critical"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.update(ctx, c.ID, func(c *Case) error { c.Audiences = []string{"police"}; return nil }); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(13 * time.Hour)
	if n, err := f.svc.Reminders(ctx); err != nil || n != 1 {
		t.Fatalf("reminders: %d %v", n, err)
	}
	if err := f.svc.notifyOwner(ctx, Case{ID: c.ID, Owner: "quantri", Audiences: []string{"police"}}, Item{Kind: KindReprint}); err != nil {
		t.Fatal(err)
	}
	if len(f.notes.got) != 2 {
		t.Fatalf("%d notices, want 2", len(f.notes.got))
	}
	for _, n := range f.notes.got {
		to := strings.Join(n.To, ",")
		if strings.Contains(to, "vanphong@") || !strings.Contains(to, "congan@") {
			t.Errorf("notice %s of a police-only case to %s, want police, not the office", n.ID, to)
		}
	}
	// A case the office sees still reminds the office.
	if err := f.svc.notifyOwner(ctx, Case{ID: "VV-1", Owner: "quantri", Audiences: []string{"office", "police"}}, Item{Kind: KindReprint}); err != nil {
		t.Fatal(err)
	}
	if to := f.notes.got[2].To; !slices.Contains(to, "vanphong@example.org") {
		t.Errorf("office case notice to %v", to)
	}
}

// TestSpreadNoticeSurvivesAFailedQueue: when the owner's notice cannot be
// queued after the reprint is attached, Attach fails (the bus redelivers
// the article) and the redelivery sends the notice, attaching nothing more.
func TestSpreadNoticeSurvivesAFailedQueue(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, kv.NewMemory())
	c, _, err := f.svc.Open(ctx, Intake{By: "lan", Owner: "lan", ArticleID: "a1", Claim: "Cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn"})
	if err != nil {
		t.Fatal(err)
	}
	reprint := article.Article{ID: "r1", URL: "https://baokhac.vn/r1.htm", Source: "baokhac", Title: "Đóng cửa khẩu?",
		Body: claimBody, Published: f.clock.Now()}
	f.notes.fail = errors.New("outbox unavailable")
	if _, err := f.svc.Attach(ctx, reprint); err == nil {
		t.Fatal("Attach succeeded though the notice was not queued")
	}
	if c, _ = f.svc.Get(ctx, c.ID); !c.HasArticle("r1") || len(f.notes.got) != 0 {
		t.Fatalf("after the failure: attached %v, %d notices", c.HasArticle("r1"), len(f.notes.got))
	}
	f.notes.fail = nil
	joined, err := f.svc.Attach(ctx, reprint) // the redelivery
	if err != nil || !slices.Equal(joined, []string{c.ID}) {
		t.Fatalf("redelivery: %v, joined %v", err, joined)
	}
	if len(f.notes.got) != 1 || f.notes.got[0].ID != "case-"+c.ID+"-item-r1" {
		t.Errorf("notices after the redelivery: %+v", f.notes.got)
	}
	if c, _ = f.svc.Get(ctx, c.ID); len(c.Items) != 2 {
		t.Errorf("items after the redelivery: %d, want the origin and the reprint", len(c.Items))
	}
}
