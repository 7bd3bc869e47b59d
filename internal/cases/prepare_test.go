package cases

import (
	"context"
	"errors"
	"testing"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
)

// failLookup fails every look-up with err.
type failLookup struct{ err error }

func (l failLookup) Article(context.Context, string) (article.Article, error) {
	return article.Article{}, l.err
}

func (l failLookup) Alert(context.Context, string) (article.Alert, []string, error) {
	return article.Alert{}, nil, l.err
}

// fetchFunc adapts a function to Fetcher.
type fetchFunc func(context.Context, string) (Fetched, error)

func (f fetchFunc) Fetch(ctx context.Context, u string) (Fetched, error) { return f(ctx, u) }

// TestIntakeSourcesAndMissingServices covers each kind of intake with a
// service that lacks what it needs, a look-up or fetch failing for another
// reason than bad input, an intake from an alert, a fetched page without
// URL or content type, and an upload without a usable name.
func TestIntakeSourcesAndMissingServices(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, kv.NewMemory())
	svc := func(d Deps) *Service {
		t.Helper()
		d.Store, d.Now = kv.NewMemory(), f.clock.Now
		s, err := New(config.Cases{}, d)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	boom := errors.New("boom")
	bare := svc(Deps{})
	failing := svc(Deps{Lookup: failLookup{boom}, Fetcher: fetchFunc(func(context.Context, string) (Fetched, error) { return Fetched{}, boom })})
	noBlobs := svc(Deps{Fetcher: f.fetch})
	tests := []struct {
		name    string
		s       *Service
		in      Intake
		bad     bool  // ErrBadInput wanted
		wantErr error // else this error
	}{
		{"article without look-up", bare, Intake{ArticleID: "a1"}, true, nil},
		{"alert without look-up", bare, Intake{AlertID: "al1"}, true, nil},
		{"URL without fetcher", bare, Intake{URL: "https://mxh.example/post/1"}, true, nil},
		{"article look-up fails", failing, Intake{ArticleID: "a1"}, false, boom},
		{"alert look-up fails", failing, Intake{AlertID: "al1"}, false, boom},
		{"fetch fails", failing, Intake{URL: "https://mxh.example/post/1"}, false, boom},
		{"unknown alert", f.svc, Intake{AlertID: "nope"}, true, nil},
		{"URL without blobs", noBlobs, Intake{URL: "https://mxh.example/post/1"}, true, nil},
		{"upload without blobs", noBlobs, Intake{Text: "t", File: &Upload{Name: "a.png", Data: png}}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.By, tt.in.Claim = "lan", "x"
			_, _, err := tt.s.Open(ctx, tt.in)
			if tt.bad && !errors.Is(err, ErrBadInput) || !tt.bad && (!errors.Is(err, tt.wantErr) || errors.Is(err, ErrBadInput)) {
				t.Fatalf("Open = %v, want bad input %v / %v", err, tt.bad, tt.wantErr)
			}
		})
	}

	// From an alert: the full article, the alert's id, severity, topics
	// and audiences.
	c, _, err := f.svc.Open(ctx, Intake{By: "lan", Claim: "Cửa khẩu đóng", AlertID: " al1 "})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 1 || c.Items[0].AlertID != "al1" || c.Items[0].ArticleID != "a1" || c.Items[0].Title != f.origin.Title ||
		c.Severity != "critical" || len(c.Audiences) != 2 {
		t.Fatalf("case from alert: %+v", c)
	}

	// A fetched page without URL or content type: the handed-in URL and a
	// sniffed type.
	bareFetch := svc(Deps{Blobs: f.blobs, Fetcher: fetchFunc(func(context.Context, string) (Fetched, error) {
		return Fetched{Article: article.Article{Title: "Trang"}, Raw: png}, nil
	})})
	c, _, err = bareFetch.Open(ctx, Intake{By: "lan", Claim: "x", URL: "https://mxh.example/anh"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Items[0].URL != "https://mxh.example/anh" || len(c.Evidence) != 1 || c.Evidence[0].ContentType != "image/png" || c.Evidence[0].Name != "ban-luu-mxh.example.html" {
		t.Fatalf("fetched page without URL: items %+v evidence %+v", c.Items, c.Evidence)
	}

	// An upload without a usable name gets one from its type.
	c, _, err = f.svc.Open(ctx, Intake{By: "lan", Claim: "Ảnh khác", Text: "khác", File: &Upload{Name: "/", Data: append(png, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Evidence) != 1 || c.Evidence[0].Name != "tep.png" {
		t.Fatalf("upload without name: evidence %+v", c.Evidence)
	}
}

func TestUploadName(t *testing.T) {
	for _, tt := range []struct{ raw, ct, want string }{
		{"", "image/png", "tep.png"},
		{`..\..\`, "image/png", "tep.png"},
		{"a/b/Ảnh.JPEG", "image/jpeg", "Ảnh.JPEG"},
		{"trang.htm", "text/plain; charset=utf-8", "trang.htm.txt"},
		{"danh-sach.csv", "text/plain; charset=utf-8", "danh-sach.csv"},
		{"van-ban.pdf.exe", "application/pdf", "van-ban.pdf.exe.pdf"},
		{"anh", "image/gif", "anh.gif"},
	} {
		if got := uploadName(tt.raw, tt.ct); got != tt.want {
			t.Errorf("uploadName(%q, %s) = %q, want %q", tt.raw, tt.ct, got, tt.want)
		}
	}
}
