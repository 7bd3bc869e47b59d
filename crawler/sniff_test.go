package crawler

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/kv"
)

// randomBytes is deterministic noise, as an octet-stream download would be.
func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// TestBinaryBodiesNotPublished: bodies that are not text — random bytes as
// application/octet-stream, a PDF or a PNG labelled text/html — are refused
// with a logged reason; a real article from the same feed is published.
func TestBinaryBodiesNotPublished(t *testing.T) {
	s := newSite(t)
	pdf := append([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n"), randomBytes(4000)...)
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), randomBytes(4000)...)
	s.static("/tai-lieu/ngau-nhien-1.htm", "application/octet-stream", string(randomBytes(6000)))
	s.static("/tai-lieu/van-ban-2.htm", "text/html; charset=utf-8", string(pdf))
	s.static("/tai-lieu/anh-3.htm", "text/html", string(png))
	s.static("/tai-lieu/ky-tu-dieu-khien-4.htm", "text/html; charset=utf-8",
		"<html><head><title>Tin biên giới</title></head><body><article><p>"+strings.Repeat("\x01\x02\x03\x04\x05\x06\x07\x0e\x0f", 300)+"</p></article></body></html>")
	s.static(pagePath, "text/html", readTestdata(t, "article1.html"))
	s.static("/rss/thoi-su.xml", "application/rss+xml", rss(
		rssItem("Ngẫu nhiên", s.url("/tai-lieu/ngau-nhien-1.htm"), "Fri, 20 Nov 2026 08:15:00 +0700"),
		rssItem("Văn bản", s.url("/tai-lieu/van-ban-2.htm"), "Fri, 20 Nov 2026 08:14:00 +0700"),
		rssItem("Ảnh", s.url("/tai-lieu/anh-3.htm"), "Fri, 20 Nov 2026 08:13:00 +0700"),
		rssItem("Điều khiển", s.url("/tai-lieu/ky-tu-dieu-khien-4.htm"), "Fri, 20 Nov 2026 08:12:00 +0700"),
		rssItem("Tin", s.url(pagePath), "Fri, 20 Nov 2026 08:11:00 +0700")))
	var logs bytes.Buffer
	rec := &recorder{}
	c, err := New(testConfig(), []Source{testSource(s)}, rec, kv.NewMemory(), rec, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CrawlOnce(context.Background(), "mau"); err != nil {
		t.Fatal(err)
	}
	got := rec.all()
	for _, a := range got {
		if strings.Contains(a.URL, "/tai-lieu/") {
			t.Errorf("published a binary body: %s (title %q, body %q…)", a.URL, a.Title, first(a.Body, 40))
		}
	}
	if len(got) != 1 || !strings.HasSuffix(got[0].URL, pagePath) {
		t.Errorf("published %d articles, want the one real article", len(got))
	}
	for _, p := range []string{"ngau-nhien-1", "van-ban-2", "anh-3", "ky-tu-dieu-khien-4"} {
		if !strings.Contains(logs.String(), p) || !strings.Contains(logs.String(), "not text") {
			t.Errorf("no logged reason for refusing %s:\n%s", p, logs.String())
		}
	}
}

func first(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func TestSniffText(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		ct   string
		ok   bool
	}{
		{"vietnamese html", []byte("<html><body><p>Đồn Biên phòng Bát Mọt tuần tra biên giới.</p></body></html>"), "text/html", true},
		{"random octets", randomBytes(2000), "application/octet-stream", false},
		{"pdf", []byte("%PDF-1.4\n" + strings.Repeat("x", 100)), "application/octet-stream", false},
		{"gif", []byte("GIF89a" + strings.Repeat("\x00\x01", 50)), "text/html", false},
		{"nul bytes", []byte("<p>a\x00b\x00c</p>"), "text/html", false},
		{"plain text", []byte("Thông báo của UBND xã Thường Xuân."), "text/plain", true},
	}
	for _, tt := range tests {
		err := sniffBody(tt.body, tt.ct)
		if (err == nil) != tt.ok {
			t.Errorf("%s: sniffBody = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
	if !mostlyLetters("Đồn Biên phòng Bát Mọt tuần tra biên giới, ngày 20/11/2026.") {
		t.Error("Vietnamese sentence judged not mostly letters")
	}
	if mostlyLetters(strings.Repeat("\x01\u00a0#$%&", 20) + "ab") {
		t.Error("control characters and symbols judged mostly letters")
	}
}
