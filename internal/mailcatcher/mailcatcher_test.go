package mailcatcher_test

import (
	"context"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/mailcatcher"
)

func msg(id string) []byte {
	return []byte("From: a@example.org\r\nTo: b@example.org\r\nMessage-ID: <" + id + ">\r\nSubject: =?UTF-8?q?Bi=C3=AAn_gi=E1=BB=9Bi?=\r\n\r\nxin chào\r\n")
}

func TestCatcher(t *testing.T) {
	dir := t.TempDir()
	c, err := mailcatcher.New(mailcatcher.Config{Dir: dir, Reject: func(rcpt string) error {
		if strings.HasPrefix(rcpt, "bad@") {
			return mailcatcher.RejectPermanent
		}
		return nil
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := smtp.SendMail(c.Addr(), nil, "a@example.org", []string{"b@example.org"}, msg("one@x")); err != nil {
		t.Fatal(err)
	}
	if err := smtp.SendMail(c.Addr(), nil, "a@example.org", []string{"bad@example.org"}, msg("two@x")); err == nil || !strings.Contains(err.Error(), "550") {
		t.Fatalf("rejected recipient: err = %v, want 550", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ms, err := c.Wait(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if ms[0].MessageID != "<one@x>" || ms[0].To[0] != "b@example.org" {
		t.Fatalf("got %+v", ms[0])
	}
	b, err := os.ReadFile(ms[0].File)
	if err != nil || !strings.Contains(string(b), "xin chào") {
		t.Fatalf("eml file: %v %q", err, b)
	}

	// down, then up again on the same port
	addr := c.Addr()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := smtp.SendMail(addr, nil, "a@example.org", []string{"b@example.org"}, msg("three@x")); err == nil {
		t.Fatal("send to a closed catcher succeeded")
	}
	c2, err := mailcatcher.New(mailcatcher.Config{Addr: addr, Dir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if err := smtp.SendMail(addr, nil, "a@example.org", []string{"b@example.org"}, msg("three@x")); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 2 {
		t.Fatalf("files = %v", files)
	}
}
