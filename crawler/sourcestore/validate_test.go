package sourcestore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/bus/bustest"
	"github.com/diembao/diembao/internal/config"
)

// TestValidateRejections: each way validate refuses a source names the
// field at fault (and only the fields at fault) with a message that says
// what is wrong with it.
func TestValidateRejections(t *testing.T) {
	st, _ := newStore(t, false)
	const feed = "https://ok.example/rss"
	ok := func(s crawler.Source) crawler.Source {
		if s.ID == "" {
			s.ID = "nguon"
		}
		if s.Feeds == nil {
			s.Feeds = []string{feed}
		}
		return s
	}
	urls := func(n int, f string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf(f, i)
		}
		return out
	}
	cases := []struct {
		name string
		src  crawler.Source
		keep bool              // the stored source already has allow_private
		want map[string]string // field: fragment of its message
	}{
		{"bad id", ok(crawler.Source{ID: "Báo Mới"}),
			false, map[string]string{FieldID: "chữ thường không dấu"}},
		{"no discovery URL", crawler.Source{ID: "trong"},
			false, map[string]string{FieldFeeds: "Cần ít nhất một RSS/Atom"}},
		{"bad kind", ok(crawler.Source{Kind: "blog"}),
			false, map[string]string{FieldKind: "báo chí, cổng thông tin"}},
		{"bad feed URL", ok(crawler.Source{Feeds: []string{feed, "ftp://x/feed"}}),
			false, map[string]string{FieldFeeds: "“ftp://x/feed” không phải địa chỉ"}},
		{"bad sitemap URL", ok(crawler.Source{Feeds: []string{feed}, Sitemaps: []string{"sitemap.xml"}}),
			false, map[string]string{FieldSitemaps: "“sitemap.xml” không phải địa chỉ"}},
		// With its only discovery URL set aside the source has none left,
		// and the editor is told that too.
		{"only a bad sitemap", crawler.Source{ID: "nguon", Sitemaps: []string{"sitemap.xml"}},
			false, map[string]string{FieldSitemaps: "“sitemap.xml”", FieldFeeds: "Cần ít nhất một"}},
		{"bad listing URL", ok(crawler.Source{Listings: []crawler.Listing{{URL: "tin-moi", Links: "-[0-9]+$"}}}),
			false, map[string]string{FieldListings: "“tin-moi” không phải địa chỉ"}},
		{"listing without links", ok(crawler.Source{Listings: []crawler.Listing{{URL: "https://ok.example/tin"}}}),
			false, map[string]string{FieldListings: "https://ok.example/tin: thiếu mẫu liên kết"}},
		{"listing with a bad pattern", ok(crawler.Source{Listings: []crawler.Listing{{URL: "https://ok.example/tin", Links: "("}}}),
			false, map[string]string{FieldListings: "mẫu liên kết “(” không phải biểu thức chính quy"}},
		{"first bad listing wins", ok(crawler.Source{Listings: []crawler.Listing{{URL: "https://ok.example/a", Links: "("}, {URL: "https://ok.example/b"}}}),
			false, map[string]string{FieldListings: "https://ok.example/a"}},
		{"negative interval", ok(crawler.Source{Interval: config.Duration(-time.Minute)}),
			false, map[string]string{FieldInterval: "Chu kỳ thu không được âm"}},
		{"negative delay", ok(crawler.Source{Delay: config.Duration(-time.Second)}),
			false, map[string]string{FieldDelay: "Giãn cách giữa hai lần tải không được âm"}},
		{"negative interval and delay", ok(crawler.Source{Interval: config.Duration(-time.Minute), Delay: config.Duration(-time.Second)}),
			false, map[string]string{FieldDelay: "không được âm", FieldInterval: "Chu kỳ thu không được âm"}},
		{"interval under a minute", ok(crawler.Source{Interval: config.Duration(10 * time.Second)}),
			false, map[string]string{FieldInterval: "tối thiểu là 1 phút"}},
		{"bad title selector", ok(crawler.Source{Selectors: crawler.Selectors{Title: "h1["}}),
			false, map[string]string{FieldSelectorTitle: "Bộ chọn CSS “h1[” không hợp lệ"}},
		{"bad body selector", ok(crawler.Source{Selectors: crawler.Selectors{Body: "div::"}}),
			false, map[string]string{FieldSelectorBody: "Bộ chọn CSS “div::” không hợp lệ"}},
		{"bad date selector", ok(crawler.Source{Selectors: crawler.Selectors{Date: "time["}}),
			false, map[string]string{FieldSelectorDate: "Bộ chọn CSS “time[” không hợp lệ"}},
		{"all three selectors bad", ok(crawler.Source{Selectors: crawler.Selectors{Title: "h1[", Body: "div::", Date: "time["}}),
			false, map[string]string{FieldSelectorTitle: "h1[", FieldSelectorBody: "div::", FieldSelectorDate: "time["}},
		{"too many feeds", ok(crawler.Source{Feeds: urls(MaxURLs+1, "https://a.example/%d.rss")}),
			false, map[string]string{FieldFeeds: fmt.Sprintf("Tối đa %d địa chỉ (đang có %d)", MaxURLs, MaxURLs+1)}},
		{"too many sitemaps", ok(crawler.Source{Sitemaps: urls(MaxURLs+1, "https://a.example/%d.xml")}),
			false, map[string]string{FieldSitemaps: fmt.Sprintf("Tối đa %d địa chỉ", MaxURLs)}},
		{"too many listings", ok(crawler.Source{Listings: func() []crawler.Listing {
			var ls []crawler.Listing
			for _, u := range urls(MaxURLs+1, "https://a.example/muc-%d") {
				ls = append(ls, crawler.Listing{URL: u, Links: "-[0-9]+$"})
			}
			return ls
		}()}), false, map[string]string{FieldListings: fmt.Sprintf("Tối đa %d địa chỉ", MaxURLs)}},
		{"name too long", ok(crawler.Source{Name: strings.Repeat("ă", MaxName+1)}),
			false, map[string]string{FieldName: fmt.Sprintf("tối đa %d ký tự", MaxName)}},
		{"allow_private not permitted", ok(crawler.Source{Feeds: []string{"http://127.0.0.1:9/rss"}, AllowPrivate: true}),
			false, map[string]string{FieldAllowPrivate: "không cho phép nguồn ở địa chỉ nội bộ"}},
		// Refused allow_private is set aside, so the minute floor of public
		// sites applies to the rest of the check.
		{"allow_private refused, short interval", ok(crawler.Source{AllowPrivate: true, Interval: config.Duration(time.Second)}),
			false, map[string]string{FieldAllowPrivate: "địa chỉ nội bộ", FieldInterval: "1 phút"}},
		// Each bad URL costs one pass; past 16 passes the check gives up
		// and says so on the id.
		{"too many errors", ok(crawler.Source{Feeds: urls(20, "ftp://x/%d")}),
			false, map[string]string{FieldFeeds: "“ftp://x/0”", FieldID: "quá nhiều lỗi"}},
		{"every field at once", crawler.Source{
			ID: "Báo Mới", Kind: "blog",
			Feeds:     []string{"ftp://x/feed"},
			Sitemaps:  []string{"sitemap.xml"},
			Listings:  []crawler.Listing{{URL: "tin", Links: "x"}},
			Interval:  config.Duration(-time.Minute),
			Delay:     config.Duration(-time.Second),
			Selectors: crawler.Selectors{Title: "h1[", Body: "div::", Date: "time["},
		}, false, map[string]string{
			FieldID: "chữ thường", FieldKind: "báo chí", FieldFeeds: "ftp://x/feed", FieldSitemaps: "sitemap.xml",
			FieldListings: "“tin”", FieldDelay: "không được âm", FieldInterval: "không được âm",
			FieldSelectorTitle: "h1[", FieldSelectorBody: "div::", FieldSelectorDate: "time[",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, verr := st.validate(c.src, c.keep)
			if verr == nil {
				t.Fatalf("accepted: %+v", out)
			}
			if !isZero(out) {
				t.Errorf("a refused source is returned: %+v", out)
			}
			for f, frag := range c.want {
				if !strings.Contains(verr.Fields[f], frag) {
					t.Errorf("field %s: %q, want it to mention %q", f, verr.Fields[f], frag)
				}
			}
			if len(verr.Fields) != len(c.want) {
				t.Errorf("fields %v, want only %d", verr.Fields, len(c.want))
			}
		})
	}
}

func isZero(s crawler.Source) bool {
	return s.ID == "" && s.Name == "" && s.Kind == "" && s.Feeds == nil && s.Sitemaps == nil && s.Listings == nil
}

// TestValidateAccepts: a good source comes back with the defaults of
// sources.yaml filled in, and the caller's slices are not touched.
func TestValidateAccepts(t *testing.T) {
	st, _ := newStore(t, false)
	src := crawler.Source{
		ID:       "baomoi",
		Feeds:    []string{"https://baomoi.example/rss"},
		Sitemaps: []string{"https://baomoi.example/sitemap.xml"},
		Listings: []crawler.Listing{{URL: "https://baomoi.example/tin", Links: "-[0-9]+$"}},
	}
	out, verr := st.validate(src, false)
	if verr != nil {
		t.Fatal(verr)
	}
	if out.Name != "baomoi" || out.Kind != "press" || out.Interval.D() != crawler.DefaultInterval || out.Delay.D() != crawler.DefaultDelay {
		t.Errorf("defaults: %+v", out)
	}
	if len(out.Feeds) != 1 || len(out.Sitemaps) != 1 || len(out.Listings) != 1 {
		t.Errorf("discovery URLs: %+v", out)
	}
	// allow_private passes when the stored source already has it, and
	// then lifts the minute floor.
	priv := crawler.Source{ID: "thu", Feeds: []string{"http://127.0.0.1:9/rss"}, AllowPrivate: true, Interval: config.Duration(time.Second)}
	if out, verr := st.validate(priv, true); verr != nil || !out.AllowPrivate || out.Interval.D() != time.Second {
		t.Errorf("kept allow_private: %+v %v", out, verr)
	}
	// A failed first pass does not leak into the caller's source.
	bad := crawler.Source{ID: "x", Feeds: []string{"ftp://a", "https://b.example/rss"}}
	if _, verr := st.validate(bad, false); verr == nil {
		t.Fatal("ftp feed accepted")
	}
	if len(bad.Feeds) != 2 || bad.Feeds[0] != "ftp://a" {
		t.Errorf("caller's feeds changed: %v", bad.Feeds)
	}
}

// TestValidateKeepsStoredPrivate: through Validate, allow_private passes
// for a source that already has it (here seeded) on a server that does
// not allow it, and is refused for any other source.
func TestValidateKeepsStoredPrivate(t *testing.T) {
	ctx := context.Background()
	b := bustest.Open(t, "")
	bucket, err := b.KVHistory(ctx, "sources", History)
	if err != nil {
		t.Fatal(err)
	}
	seed := []crawler.Source{{ID: "thu", Feeds: []string{"http://127.0.0.1:9/rss"}, AllowPrivate: true}}
	st, err := New(bucket, Config{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	src := crawler.Source{ID: "thu", Name: "Trang thử", Feeds: []string{"http://127.0.0.1:9/rss2"}, AllowPrivate: true}
	out, err := st.Validate(ctx, src)
	if err != nil || !out.AllowPrivate || out.Name != "Trang thử" || out.Kind != "press" {
		t.Errorf("seeded private source: %+v %v", out, err)
	}
	src.ID = "khac"
	out, err = st.Validate(ctx, src)
	if !isField(err, FieldAllowPrivate) {
		t.Errorf("new private source: %v", err)
	}
	if out.ID != "" {
		t.Errorf("refused source returned: %+v", out)
	}
}

// TestValidationErrorText: Error lists every field in name order.
func TestValidationErrorText(t *testing.T) {
	var v *ValidationError
	v = v.add(FieldName, "tên").add(FieldFeeds, "nguồn").add(FieldName, "bỏ qua")
	want := "sourcestore: invalid source: feeds: nguồn; name: tên"
	if got := v.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var err error = v
	if !errors.As(err, &v) {
		t.Error("not a *ValidationError")
	}
	if d, err := ParseDuration(FieldDelay, "  "); err != nil || d != 0 {
		t.Errorf("empty duration: %v %v", d, err)
	}
	if _, err := ParseDuration(FieldDelay, "-5s"); !isField(err, FieldDelay) {
		t.Errorf("negative duration: %v", err)
	}
}
