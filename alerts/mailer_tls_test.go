package alerts

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/mailcatcher"
)

const (
	smtpUser = "canhbao@example.org"
	smtpPass = "mật-khẩu đúng"
)

// tlsCatcher starts a catcher with a fresh self-signed certificate for
// 127.0.0.1 and AUTH PLAIN; it returns the pool that trusts it.
func tlsCatcher(t *testing.T, implicit bool) (*mailcatcher.Catcher, *x509.CertPool) {
	t.Helper()
	srvTLS, pool, err := mailcatcher.SelfSignedTLS("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := mailcatcher.New(mailcatcher.Config{TLSConfig: srvTLS, ImplicitTLS: implicit, Username: smtpUser, Password: smtpPass}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, pool
}

func tlsMail(id string) Mail {
	return Mail{
		ID: id, MessageID: "<" + id + "@diembao>", Kind: "alert", Audience: "office",
		From: "diembao@example.org", To: []string{"vanphong@example.org", "lanhdao@example.org"},
		Subject: "[diembao] Biên giới: tuần tra tại Bát Mọt", Text: "Bộ đội biên phòng tuần tra.",
		HTML: "<p>Bộ đội biên phòng tuần tra.</p>", Created: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC),
	}
}

func waitOne(t *testing.T, c *mailcatcher.Catcher) mailcatcher.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ms, err := c.Wait(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 {
		t.Fatalf("catcher has %d messages, want 1", len(ms))
	}
	return ms[0]
}

// The mailer is given only RootCAs: it must verify the certificate against
// the configured host name by itself.
func TestSMTPStartTLSAuth(t *testing.T) {
	c, pool := tlsCatcher(t, false)
	m := must(NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: c.Port(), TLS: "starttls",
		Username: smtpUser, Password: smtpPass, Timeout: 5 * time.Second,
		TLSConfig: &tls.Config{RootCAs: pool}}))(t)
	if err := m.Send(context.Background(), tlsMail("starttls1")); err != nil {
		t.Fatal(err)
	}
	got := waitOne(t, c)
	if !got.TLS || got.AuthUser != smtpUser {
		t.Fatalf("session: TLS=%v AuthUser=%q, want TLS and %q", got.TLS, got.AuthUser, smtpUser)
	}
	if got.MessageID != "<starttls1@diembao>" || len(got.To) != 2 {
		t.Fatalf("got %s to %v", got.MessageID, got.To)
	}
	if n := c.AuthAttempts(); n != 1 {
		t.Fatalf("AUTH attempts = %d, want 1", n)
	}
}

func TestSMTPImplicitTLSAuth(t *testing.T) {
	c, pool := tlsCatcher(t, true)
	m := must(NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: c.Port(), TLS: "tls",
		Username: smtpUser, Password: smtpPass, Timeout: 5 * time.Second,
		TLSConfig: &tls.Config{RootCAs: pool}}))(t)
	if err := m.Send(context.Background(), tlsMail("implicit1")); err != nil {
		t.Fatal(err)
	}
	got := waitOne(t, c)
	if !got.TLS || got.AuthUser != smtpUser {
		t.Fatalf("session: TLS=%v AuthUser=%q, want TLS and %q", got.TLS, got.AuthUser, smtpUser)
	}
}

// A refused login is permanent: the password will not get better by
// itself, and hammering the server may lock the account. The Sender turns
// it into a dead letter at the first attempt (the UI can retry it once the
// configuration is fixed).
func TestSMTPWrongPasswordIsPermanent(t *testing.T) {
	for _, implicit := range []bool{false, true} {
		mode := map[bool]string{false: "starttls", true: "tls"}[implicit]
		t.Run(mode, func(t *testing.T) {
			c, pool := tlsCatcher(t, implicit)
			m := must(NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: c.Port(), TLS: mode,
				Username: smtpUser, Password: "sai", Timeout: 5 * time.Second,
				TLSConfig: &tls.Config{RootCAs: pool}}))(t)
			err := m.Send(context.Background(), tlsMail("wrongpw"))
			if err == nil {
				t.Fatal("send with a wrong password succeeded")
			}
			if !errkind.IsPermanent(err) {
				t.Errorf("err = %v, want permanent", err)
			}
			for _, want := range []string{"535", "login", smtpUser} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %q, want it to mention %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "sai") {
				t.Errorf("err = %q shows the password", err)
			}

			clk := newClock()
			st := kv.NewMemory()
			s := must(NewSender(testConfig(clk), st, m, nil))(t)
			herr := s.Handle(context.Background(), tlsMail("wrongpw"))
			if !errkind.IsPermanent(herr) {
				t.Fatalf("Sender.Handle = %v, want permanent", herr)
			}
			if ms, err := getJSON[mailState](context.Background(), st, "mail.wrongpw"); err != nil || !ms.Dead {
				t.Fatalf("mail not marked dead after a refused login: %+v %v", ms, err)
			}
			if n := c.AuthAttempts(); n != 2 {
				t.Errorf("AUTH attempts = %d, want 2 (one per send, no retry)", n)
			}
			if c.Count() != 0 {
				t.Errorf("catcher accepted %d messages", c.Count())
			}
		})
	}
}

// starttls is required: a server that does not offer STARTTLS (or an
// attacker who strips it) gets neither the password nor the mail.
func TestSMTPStartTLSMissing(t *testing.T) {
	c := must(mailcatcher.New(mailcatcher.Config{Username: smtpUser, Password: smtpPass}, nil))(t)
	defer c.Close()
	for _, mode := range []string{"starttls", ""} { // "" is starttls by default
		m := must(NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: c.Port(), TLS: mode,
			Username: smtpUser, Password: smtpPass, Timeout: 5 * time.Second}))(t)
		err := m.Send(context.Background(), tlsMail("nostarttls"))
		if err == nil {
			t.Fatalf("tls %q: sent without STARTTLS", mode)
		}
		if !errkind.IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
			t.Errorf("tls %q: err = %v, want a permanent STARTTLS error", mode, err)
		}
	}
	if n := c.AuthAttempts(); n != 0 {
		t.Fatalf("the password crossed a plain-text link %d times", n)
	}
	if c.Count() != 0 {
		t.Fatalf("catcher accepted %d messages in plain text", c.Count())
	}
}

// By default the server certificate is checked against the system roots
// and the configured host: a self-signed certificate, or one for another
// name, stops the conversation before AUTH.
func TestSMTPVerifiesCertificate(t *testing.T) {
	for _, implicit := range []bool{false, true} {
		mode := map[bool]string{false: "starttls", true: "tls"}[implicit]
		t.Run(mode+"/untrusted", func(t *testing.T) {
			c, _ := tlsCatcher(t, implicit)
			m := must(NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: c.Port(), TLS: mode,
				Username: smtpUser, Password: smtpPass, Timeout: 5 * time.Second}))(t)
			err := m.Send(context.Background(), tlsMail("untrusted"))
			if err == nil {
				t.Fatal("sent to a server with an untrusted certificate")
			}
			if !errkind.IsPermanent(err) || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("err = %v, want a permanent certificate error", err)
			}
			if c.AuthAttempts() != 0 || c.Count() != 0 {
				t.Errorf("AUTH attempts %d, messages %d, want 0 and 0", c.AuthAttempts(), c.Count())
			}
		})
		t.Run(mode+"/wrong-name", func(t *testing.T) {
			srvTLS, pool, err := mailcatcher.SelfSignedTLS("mail.example.org")
			if err != nil {
				t.Fatal(err)
			}
			c := must(mailcatcher.New(mailcatcher.Config{TLSConfig: srvTLS, ImplicitTLS: implicit, Username: smtpUser, Password: smtpPass}, nil))(t)
			defer c.Close()
			m := must(NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: c.Port(), TLS: mode,
				Username: smtpUser, Password: smtpPass, Timeout: 5 * time.Second,
				TLSConfig: &tls.Config{RootCAs: pool}}))(t)
			err = m.Send(context.Background(), tlsMail("wrongname"))
			if err == nil {
				t.Fatal("sent to a server whose certificate names another host")
			}
			if !errkind.IsPermanent(err) || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("err = %v, want a permanent certificate error", err)
			}
			if c.AuthAttempts() != 0 || c.Count() != 0 {
				t.Errorf("AUTH attempts %d, messages %d, want 0 and 0", c.AuthAttempts(), c.Count())
			}
		})
	}
}

// A caller's TLSConfig is not modified (the mailer fills in ServerName on
// its own copy).
func TestSMTPTLSConfigNotModified(t *testing.T) {
	cfg := &tls.Config{}
	if _, err := NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: 2525, TLSConfig: cfg}); err != nil {
		t.Fatal(err)
	}
	if cfg.ServerName != "" || cfg.MinVersion != 0 {
		t.Fatalf("caller's tls.Config changed: ServerName %q MinVersion %d", cfg.ServerName, cfg.MinVersion)
	}
}

// tls: none with a username: go-mail would only use a challenge mechanism
// in plain text; the catcher offers PLAIN only, so nothing is sent and the
// error is permanent.
func TestSMTPNoTLSNeverSendsPlainPassword(t *testing.T) {
	c := must(mailcatcher.New(mailcatcher.Config{Username: smtpUser, Password: smtpPass}, nil))(t)
	defer c.Close()
	m := must(NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: c.Port(), TLS: "none",
		Username: smtpUser, Password: smtpPass, Timeout: 5 * time.Second}))(t)
	err := m.Send(context.Background(), tlsMail("plainauth"))
	if err == nil || !errkind.IsPermanent(err) {
		t.Fatalf("err = %v, want permanent", err)
	}
	if c.AuthAttempts() != 0 || c.Count() != 0 {
		t.Fatalf("AUTH attempts %d, messages %d, want 0 and 0", c.AuthAttempts(), c.Count())
	}
}
