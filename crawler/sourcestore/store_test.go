package sourcestore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/bus/bustest"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/poll"
)

const seedYAML = `sources:
  - id: baothanhhoa
    name: Báo Thanh Hóa
    feeds: [https://baothanhhoa.vn/rss/thoi-su.xml]
  - id: vnexpress
    name: VnExpress
    kind: press
    feeds: [https://vnexpress.net/rss/thoi-su.rss]
    require_area: true
`

// newStore opens a history bucket on an embedded JetStream and a store
// seeded with seedYAML.
func newStore(t testing.TB, allowPrivate bool) (*Store, *time.Time) {
	t.Helper()
	b := bustest.Open(t, "")
	bucket, err := b.KVHistory(context.Background(), "sources", History)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := crawler.ParseSources("seed", []byte(seedYAML))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	st, err := New(bucket, Config{Seed: seed, AllowPrivate: allowPrivate, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return st, &now
}

func ids(es []Entry) string {
	var out []string
	for _, e := range es {
		s := e.Source.ID
		if e.Disabled {
			s += "(off)"
		}
		out = append(out, s)
	}
	return strings.Join(out, ",")
}

func srcIDs(ss []crawler.Source) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return strings.Join(out, ",")
}

// TestOverlayHistoryDisableRestore walks one source through add, edit,
// disable and restore, and checks the effective list after each step.
func TestOverlayHistoryDisableRestore(t *testing.T) {
	ctx := context.Background()
	st, now := newStore(t, false)

	list, err := st.List(ctx)
	if err != nil || ids(list) != "baothanhhoa,vnexpress" || list[0].Edited || !list[0].Seeded {
		t.Fatalf("seed only: %s %+v %v", ids(list), list, err)
	}

	// A new source is added after the seed.
	add := crawler.Source{ID: "baomoi", Name: "Báo Mới", Feeds: []string{"https://baomoi.example/rss.xml"}} // NFD, as some keyboards type it
	r1, err := st.Save(ctx, Change{Source: add, New: true, By: "quantri", Note: "thêm nguồn"})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Source.Name != "Báo Mới" {
		t.Errorf("name not normalised: %q", r1.Source.Name)
	}
	if r1.Action != ActionAdd || r1.Rev == 0 || r1.Source.Interval.D() != crawler.DefaultInterval || r1.By != "quantri" || !r1.At.Equal(*now) {
		t.Fatalf("add revision %+v", r1)
	}
	if _, err := st.Save(ctx, Change{Source: add, New: true, By: "quantri"}); !isField(err, FieldID) {
		t.Fatalf("adding an existing id: %v", err)
	}

	// Editing a seeded source replaces it in place.
	seedEdit := list[1].Source
	seedEdit.RequireArea = false
	seedEdit.Feeds = append(seedEdit.Feeds, "https://vnexpress.net/rss/phap-luat.rss")
	*now = now.Add(time.Hour)
	r2, err := st.Save(ctx, Change{Source: seedEdit, BaseRev: 0, By: "quantri", Note: "thêm RSS pháp luật"})
	if err != nil {
		t.Fatal(err)
	}
	list, _ = st.List(ctx)
	if ids(list) != "baothanhhoa,vnexpress,baomoi" || !list[1].Edited || !list[1].Seeded || len(list[1].Source.Feeds) != 2 || list[1].Source.RequireArea {
		t.Fatalf("after edit: %s %+v", ids(list), list[1])
	}
	// A save based on an old revision is a conflict, not a silent overwrite.
	stale := seedEdit
	stale.Name = "VnExpress (cũ)"
	if _, err := st.Save(ctx, Change{Source: stale, BaseRev: 0, By: "khac"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale save: %v", err)
	}

	// Disabling keeps the source listed but out of the crawl.
	if _, err := st.SetDisabled(ctx, "vnexpress", true, "quantri", "trang lỗi"); err != nil {
		t.Fatal(err)
	}
	list, _ = st.List(ctx)
	eff, skipped, err := st.Effective(ctx)
	if err != nil || len(skipped) > 0 || ids(list) != "baothanhhoa,vnexpress(off),baomoi" || srcIDs(eff) != "baothanhhoa,baomoi" {
		t.Fatalf("after disable: list %s effective %s %v %v", ids(list), srcIDs(eff), skipped, err)
	}
	// An edit of a disabled source keeps it disabled.
	e, _ := st.Get(ctx, "vnexpress")
	e.Source.Name = "VnExpress Thời sự"
	if _, err := st.Save(ctx, Change{Source: e.Source, BaseRev: e.Rev, By: "quantri"}); err != nil {
		t.Fatal(err)
	}
	if e, _ = st.Get(ctx, "vnexpress"); !e.Disabled || e.Source.Name != "VnExpress Thời sự" {
		t.Fatalf("edit of a disabled source: %+v", e)
	}

	hist, err := st.History(ctx, "vnexpress")
	if err != nil || len(hist) != 3 {
		t.Fatalf("history %d %v", len(hist), err)
	}
	if hist[0].Action != ActionEdit || hist[1].Action != ActionDisable || hist[2].Rev != r2.Rev || hist[2].Note != "thêm RSS pháp luật" {
		t.Fatalf("history order: %+v", hist)
	}

	// Restore the first edit: enabled again, with its settings.
	if _, err := st.Restore(ctx, "vnexpress", r2.Rev, "quantri", ""); err != nil {
		t.Fatal(err)
	}
	e, _ = st.Get(ctx, "vnexpress")
	if e.Disabled || e.Source.Name != "VnExpress" || len(e.Source.Feeds) != 2 {
		t.Fatalf("after restore: %+v", e)
	}
	// Restore the seed (revision 0).
	r, err := st.Restore(ctx, "vnexpress", 0, "quantri", "về sources.yaml")
	if err != nil || r.Action != ActionRestore || r.RestoredFrom != 0 {
		t.Fatal(r, err)
	}
	if e, _ = st.Get(ctx, "vnexpress"); len(e.Source.Feeds) != 1 || !e.Source.RequireArea {
		t.Fatalf("after restoring the seed: %+v", e)
	}
	if _, err := st.Restore(ctx, "baomoi", 0, "quantri", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("restore seed of a UI-only source: %v", err)
	}
	if _, err := st.Restore(ctx, "vnexpress", 999999, "quantri", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("restore of an unknown revision: %v", err)
	}
	if _, err := st.Get(ctx, "khong-co"); !errors.Is(err, ErrNotFound) || !errkind.IsNotFound(err) {
		t.Fatalf("unknown id: %v", err)
	}
	if h, err := st.History(ctx, "baothanhhoa"); err != nil || len(h) != 0 {
		t.Fatalf("history of a seed-only source: %v %v", h, err)
	}
}

// TestHistoryDepth: the bucket keeps the newest History revisions.
func TestHistoryDepth(t *testing.T) {
	ctx := context.Background()
	st, _ := newStore(t, false)
	e, _ := st.Get(ctx, "baothanhhoa")
	for i := range History + 5 {
		e.Source.Name = "Báo Thanh Hóa " + strings.Repeat("I", i+1)
		r, err := st.Save(ctx, Change{Source: e.Source, BaseRev: e.Rev, By: "quantri"})
		if err != nil {
			t.Fatal(err)
		}
		e.Rev = r.Rev
	}
	h, err := st.History(ctx, "baothanhhoa")
	if err != nil || len(h) != History || h[0].Source.Name != e.Source.Name {
		t.Fatalf("kept %d revisions, newest %q: %v", len(h), h[0].Source.Name, err)
	}
}

func isField(err error, field string) bool {
	var v *ValidationError
	return errors.As(err, &v) && v.Fields[field] != ""
}

// TestValidationMessages: every faulty field is named at once, in
// Vietnamese, with the checks of sources.yaml.
func TestValidationMessages(t *testing.T) {
	ctx := context.Background()
	st, _ := newStore(t, false)
	bad := crawler.Source{
		ID: "Báo Mới", Kind: "blog",
		Feeds:     []string{"https://ok.example/rss", "ftp://x/feed"},
		Sitemaps:  []string{"sitemap.xml"},
		Listings:  []crawler.Listing{{URL: "https://ok.example/tin", Links: "("}, {URL: "https://ok.example/b", Links: ""}},
		Interval:  config.Duration(10 * time.Second),
		Selectors: crawler.Selectors{Title: "h1[", Date: "time::"},
	}
	_, err := st.Save(ctx, Change{Source: bad, New: true, By: "quantri"})
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("want a ValidationError, got %v", err)
	}
	want := map[string]string{
		FieldID: "chữ thường", FieldKind: "báo chí", FieldFeeds: "ftp://x/feed", FieldSitemaps: "sitemap.xml",
		FieldListings: "https://ok.example/tin", FieldInterval: "1 phút", FieldSelectorTitle: "h1[", FieldSelectorDate: "time::",
	}
	for f, frag := range want {
		if !strings.Contains(v.Fields[f], frag) {
			t.Errorf("field %s: %q, want it to mention %q", f, v.Fields[f], frag)
		}
	}
	if len(v.Fields) != len(want) {
		t.Errorf("fields %v", v.Fields)
	}
	if _, err := st.Save(ctx, Change{Source: crawler.Source{ID: "trong"}, New: true}); !isField(err, FieldFeeds) {
		t.Errorf("no discovery URL: %v", err)
	}
	// allow_private only where the server permits it.
	priv := crawler.Source{ID: "thu", Feeds: []string{"http://127.0.0.1:9/rss"}, AllowPrivate: true}
	if _, err := st.Save(ctx, Change{Source: priv, New: true}); !isField(err, FieldAllowPrivate) {
		t.Errorf("allow_private refused: %v", err)
	}
	st2, _ := newStore(t, true)
	if _, err := st2.Save(ctx, Change{Source: priv, New: true}); err != nil {
		t.Errorf("allow_private permitted: %v", err)
	}
	many := crawler.Source{ID: "nhieu", Name: strings.Repeat("ă", MaxName+1)}
	for i := range MaxURLs + 1 {
		many.Feeds = append(many.Feeds, fmt.Sprintf("https://nhieu.example/%d.rss", i))
	}
	if _, err := st.Save(ctx, Change{Source: many, New: true}); !isField(err, FieldFeeds) || !isField(err, FieldName) {
		t.Errorf("too many feeds, too long a name: %v", err)
	}
	if _, err := ParseDuration(FieldDelay, "2 giây"); !isField(err, FieldDelay) {
		t.Errorf("bad duration: %v", err)
	}
	if d, err := ParseDuration(FieldInterval, " 15m "); err != nil || d.D() != 15*time.Minute {
		t.Errorf("15m: %v %v", d, err)
	}
	// Nothing was stored by the refused saves.
	if list, _ := st.List(ctx); ids(list) != "baothanhhoa,vnexpress" {
		t.Errorf("list after refused saves: %s", ids(list))
	}
}

// TestFollow: a change saved through one store reaches a follower on the
// same bucket (another process in production) without polling delay.
func TestFollow(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, _ := newStore(t, false)
	var mu sync.Mutex
	var got []string
	done := make(chan error, 1)
	go func() {
		done <- st.Follow(ctx, time.Hour, func(srcs []crawler.Source) error {
			mu.Lock()
			got = append(got, srcIDs(srcs))
			mu.Unlock()
			return nil
		}, func(err error) { t.Errorf("follow: %v", err) })
	}()
	wait := func(want string) {
		t.Helper()
		poll.Until(t, 10*time.Second, "the follower to apply "+want, func() (bool, string) {
			mu.Lock()
			defer mu.Unlock()
			if len(got) == 0 {
				return false, "no applies"
			}
			last := got[len(got)-1]
			return last == want, fmt.Sprintf("%q after %d applies", last, len(got))
		})
	}
	wait("baothanhhoa,vnexpress")
	if _, err := st.Save(ctx, Change{Source: crawler.Source{ID: "baomoi", Feeds: []string{"https://baomoi.example/rss"}}, New: true, By: "a"}); err != nil {
		t.Fatal(err)
	}
	wait("baothanhhoa,vnexpress,baomoi")
	if _, err := st.SetDisabled(ctx, "baothanhhoa", true, "a", ""); err != nil {
		t.Fatal(err)
	}
	wait("vnexpress,baomoi")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
