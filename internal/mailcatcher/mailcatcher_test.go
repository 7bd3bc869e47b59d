package mailcatcher_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"net"
	"net/smtp"
	"net/textproto"
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

func send(t *testing.T, c *smtp.Client, id string) {
	t.Helper()
	if err := c.Mail("a@example.org"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("b@example.org"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(msg(id)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestStartTLSAuth(t *testing.T) {
	srvTLS, pool, err := mailcatcher.SelfSignedTLS("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := mailcatcher.New(mailcatcher.Config{TLSConfig: srvTLS, Username: "u", Password: "p"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	cl, err := smtp.Dial(c.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.Hello("test.local"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := cl.Extension("STARTTLS"); !ok {
		t.Fatal("STARTTLS not offered")
	}
	if ok, _ := cl.Extension("AUTH"); ok {
		t.Fatal("AUTH offered before STARTTLS")
	}
	if err := cl.Mail("a@example.org"); err == nil || !strings.Contains(err.Error(), "530") {
		t.Fatalf("MAIL before AUTH: err = %v, want 530", err)
	}
	if err := cl.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := cl.StartTLS(&tls.Config{ServerName: "127.0.0.1", RootCAs: pool}); err != nil {
		t.Fatal(err)
	}
	if ok, mechs := cl.Extension("AUTH"); !ok || mechs != "PLAIN" {
		t.Fatalf("AUTH after STARTTLS: %v %q, want PLAIN", ok, mechs)
	}
	if err := cl.Auth(smtp.PlainAuth("", "u", "wrong", "127.0.0.1")); err == nil || !strings.Contains(err.Error(), "535") {
		t.Fatalf("wrong password: err = %v, want 535", err)
	}
	// net/smtp quits after a failed AUTH: start over
	cl, err = smtp.Dial(c.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.StartTLS(&tls.Config{ServerName: "127.0.0.1", RootCAs: pool}); err != nil {
		t.Fatal(err)
	}
	if err := cl.Auth(smtp.PlainAuth("", "u", "p", "127.0.0.1")); err != nil {
		t.Fatal(err)
	}
	send(t, cl, "tls@x")
	if err := cl.Quit(); err != nil {
		t.Fatal(err)
	}
	ms := c.Messages()
	if len(ms) != 1 || !ms[0].TLS || ms[0].AuthUser != "u" || ms[0].MessageID != "<tls@x>" {
		t.Fatalf("got %+v", ms)
	}
	if n := c.AuthAttempts(); n != 2 {
		t.Fatalf("AuthAttempts = %d, want 2", n)
	}
}

// AUTH sent on a plain-text link is refused (523) but counted: the
// credentials did cross the wire.
func TestAuthBeforeStartTLSRefused(t *testing.T) {
	srvTLS, _, err := mailcatcher.SelfSignedTLS("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := mailcatcher.New(mailcatcher.Config{TLSConfig: srvTLS, Username: "u", Password: "p"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	conn, err := net.Dial("tcp", c.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tp := textproto.NewConn(conn)
	if _, _, err := tp.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	if _, err := tp.Cmd("EHLO test.local"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := tp.ReadResponse(250); err != nil {
		t.Fatal(err)
	}
	if _, err := tp.Cmd("AUTH PLAIN %s", base64.StdEncoding.EncodeToString([]byte("\x00u\x00p"))); err != nil {
		t.Fatal(err)
	}
	if code, line, err := tp.ReadResponse(235); code != 523 {
		t.Fatalf("AUTH in plain text: %d %s %v, want 523", code, line, err)
	}
	if n := c.AuthAttempts(); n != 1 {
		t.Fatalf("AuthAttempts = %d, want 1", n)
	}
}

func TestImplicitTLS(t *testing.T) {
	if _, err := mailcatcher.New(mailcatcher.Config{ImplicitTLS: true}, nil); err == nil {
		t.Fatal("ImplicitTLS without TLSConfig accepted")
	}
	srvTLS, pool, err := mailcatcher.SelfSignedTLS("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := mailcatcher.New(mailcatcher.Config{TLSConfig: srvTLS, ImplicitTLS: true, Username: "u", Password: "p"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	conn, err := tls.Dial("tcp", c.Addr(), &tls.Config{ServerName: "127.0.0.1", RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := smtp.NewClient(conn, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.Hello("test.local"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := cl.Extension("STARTTLS"); ok {
		t.Fatal("STARTTLS offered on a TLS connection")
	}
	if err := cl.Auth(smtp.PlainAuth("", "u", "p", "127.0.0.1")); err != nil {
		t.Fatal(err)
	}
	send(t, cl, "smtps@x")
	if err := cl.Quit(); err != nil {
		t.Fatal(err)
	}
	ms := c.Messages()
	if len(ms) != 1 || !ms[0].TLS || ms[0].AuthUser != "u" {
		t.Fatalf("got %+v", ms)
	}

	// a plain-text client gets nothing through
	pc, err := net.Dial("tcp", c.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if err := pc.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.Write([]byte("EHLO test.local\r\n")); err != nil {
		t.Fatal(err)
	}
	if line, err := textproto.NewConn(pc).ReadLine(); err == nil {
		t.Fatalf("plain-text client got %q from an implicit-TLS listener", line)
	}
}

func TestPlainSessionFields(t *testing.T) {
	c, err := mailcatcher.New(mailcatcher.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := smtp.SendMail(c.Addr(), nil, "a@example.org", []string{"b@example.org"}, msg("plain@x")); err != nil {
		t.Fatal(err)
	}
	ms := c.Messages()
	if len(ms) != 1 || ms[0].TLS || ms[0].AuthUser != "" {
		t.Fatalf("got %+v", ms)
	}
}
