package crawler

import (
	"bytes"
	"crypto/rand"
	"net/http"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
)

func TestSnapshotRoundTrip(t *testing.T) {
	body := []byte(`<html><head><meta charset="windows-1252"></head><body>TiÕng ViÖt rÊt hay ë ®­êng biªn giíi, B¶o Th¾ng</body></html>`)
	res := &response{URL: "https://a.vn/x", FinalURL: "https://a.vn/y", Status: 200, Header: http.Header{"Content-Type": {"text/html"}, "Set-Cookie": {"s=1"}}, Body: body, Fetched: time.Unix(0, 0)}
	s, err := newSnapshot(article.Article{ID: "abc", Revision: 2}, res)
	if err != nil {
		t.Fatal(err)
	}
	b, err := MarshalSnapshot(s)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := UnmarshalSnapshot(b)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s2.Raw(0)
	if err != nil || !bytes.Equal(raw, body) || s2.Header.Get("Set-Cookie") != "" || s2.FinalURL != "https://a.vn/y" || s2.Truncated {
		t.Fatalf("round trip: %v %q %+v", err, raw, s2.Header)
	}
	if html, err := s2.HTML(); err != nil || !bytes.Contains([]byte(html), []byte("Tiếng Việt rất hay ở đường biên giới, Bảo Thắng")) {
		t.Errorf("HTML() = %q, %v", html, err)
	}
	s2.Body[len(s2.Body)-5] ^= 0xff // corrupt
	if _, err := s2.Raw(0); err == nil {
		t.Error("corrupt snapshot accepted")
	}
	if SnapshotKey("abc", 2) != "abc.2" {
		t.Error(SnapshotKey("abc", 2))
	}
}

func TestSnapshotTruncatedToFitOneMessage(t *testing.T) {
	big := make([]byte, 3<<20) // incompressible
	rand.Read(big)
	s, err := newSnapshot(article.Article{ID: "abc", Revision: 1}, &response{Body: big, Header: http.Header{}})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Truncated || len(s.Body) > MaxSnapshot || s.Size != len(big) {
		t.Fatalf("truncated %v, %d compressed bytes, size %d", s.Truncated, len(s.Body), s.Size)
	}
	raw, err := s.Raw(0)
	if err != nil || !bytes.Equal(raw, big[:len(raw)]) {
		t.Fatalf("raw prefix: %v", err)
	}
}
