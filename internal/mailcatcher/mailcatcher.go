// Package mailcatcher is a real SMTP server on loopback that keeps every
// message it accepts: in memory (Messages, Wait) and, when Dir is set, as
// DIR/*.eml files. It is used by tests and by `diembao demo`.
// In: SMTP transactions. Out: Message values and .eml files.
package mailcatcher

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Config configures a Catcher. The zero value listens on 127.0.0.1 with a
// random port and keeps messages in memory only.
type Config struct {
	// Addr is the listen address; default "127.0.0.1:0". Pass the Addr() of
	// a closed Catcher to bring a server "back up" on the same port.
	Addr string
	// Dir, if set, receives one file per accepted message (created if missing).
	Dir string
	// Reject, if set, is asked for every RCPT TO; a non-nil error refuses
	// that recipient (use RejectPermanent or RejectTemporary).
	Reject func(rcpt string) error
	// Username and Password, if both set, require AUTH PLAIN.
	Username, Password string
	// TLSConfig, if set, enables STARTTLS.
	TLSConfig *tls.Config
	// MaxMessageBytes defaults to 25 MiB.
	MaxMessageBytes int64
}

// Errors a Reject function may return.
var (
	RejectPermanent = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
	RejectTemporary = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
)

// Message is one accepted message.
type Message struct {
	From      string
	To        []string
	MessageID string // the Message-ID header, with its angle brackets
	Subject   string // raw header value (RFC 2047 encoded words left as sent)
	Data      []byte // the message as received
	File      string // path of the .eml file, if Dir is set
	Received  time.Time
}

// Catcher is a running SMTP server. Its methods are safe for concurrent use.
type Catcher struct {
	cfg  Config
	log  *slog.Logger
	srv  *smtp.Server
	ln   net.Listener
	done chan struct{}

	mu   sync.Mutex
	msgs []Message
	seq  int
	wake chan struct{} // closed and replaced on every new message
}

// New starts listening at once (so Addr is known) and serves in the
// background until Close.
func New(cfg Config, log *slog.Logger) (*Catcher, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = 25 << 20
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Dir != "" {
		if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("mailcatcher: %w", err)
		}
	}
	c := &Catcher{cfg: cfg, log: log.With("component", "mailcatcher"), done: make(chan struct{}), wake: make(chan struct{})}
	if cfg.Dir != "" {
		// continue numbering after files a previous run left
		if old, _ := filepath.Glob(filepath.Join(cfg.Dir, "*.eml")); len(old) > 0 {
			c.seq = len(old)
		}
	}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{c: c}, nil }))
	s.Domain = "mailcatcher.local"
	s.MaxMessageBytes = cfg.MaxMessageBytes
	s.MaxRecipients = 1000
	s.ReadTimeout = time.Minute
	s.WriteTimeout = time.Minute
	s.AllowInsecureAuth = true
	s.EnableSMTPUTF8 = true
	s.TLSConfig = cfg.TLSConfig
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("mailcatcher: listen %s: %w", cfg.Addr, err)
	}
	c.srv, c.ln = s, ln
	go func() {
		defer close(c.done)
		if err := s.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			c.log.Warn("serve stopped", "err", err)
		}
	}()
	c.log.Info("listening", "addr", ln.Addr().String(), "dir", cfg.Dir)
	return c, nil
}

// Addr returns the listen address, host:port.
func (c *Catcher) Addr() string { return c.ln.Addr().String() }

// Host returns the listen host.
func (c *Catcher) Host() string { h, _, _ := net.SplitHostPort(c.Addr()); return h }

// Port returns the listen port.
func (c *Catcher) Port() int { return c.ln.Addr().(*net.TCPAddr).Port }

// Close stops the server and drops open connections. Messages stay readable.
func (c *Catcher) Close() error {
	err := c.srv.Close()
	c.ln.Close() // Serve may not have registered the listener yet
	<-c.done
	if errors.Is(err, smtp.ErrServerClosed) {
		err = nil
	}
	return err
}

// Run serves until ctx is done, then closes the server.
func (c *Catcher) Run(ctx context.Context) error {
	select {
	case <-ctx.Done():
	case <-c.done:
	}
	return c.Close()
}

// Messages returns a copy of the messages accepted so far, in order.
func (c *Catcher) Messages() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Message(nil), c.msgs...)
}

// Count returns the number of messages accepted so far.
func (c *Catcher) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.msgs)
}

// Wait blocks until at least n messages were accepted or ctx is done, and
// returns the messages accepted so far.
func (c *Catcher) Wait(ctx context.Context, n int) ([]Message, error) {
	for {
		c.mu.Lock()
		if len(c.msgs) >= n {
			out := append([]Message(nil), c.msgs...)
			c.mu.Unlock()
			return out, nil
		}
		w := c.wake
		c.mu.Unlock()
		select {
		case <-w:
		case <-ctx.Done():
			return c.Messages(), fmt.Errorf("mailcatcher: %d of %d messages: %w", c.Count(), n, ctx.Err())
		}
	}
}

func (c *Catcher) add(m Message) error {
	if hdr, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(m.Data))); err == nil {
		m.MessageID = strings.TrimSpace(hdr.Header.Get("Message-Id"))
		m.Subject = hdr.Header.Get("Subject")
	}
	m.Received = time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	if c.cfg.Dir != "" {
		name := fmt.Sprintf("%06d-%s.eml", c.seq, fileSafe(m.MessageID))
		p := filepath.Join(c.cfg.Dir, name)
		tmp := p + ".tmp"
		if err := os.WriteFile(tmp, m.Data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", tmp, err)
		}
		if err := os.Rename(tmp, p); err != nil {
			return fmt.Errorf("rename %s: %w", tmp, err)
		}
		m.File = p
	}
	c.msgs = append(c.msgs, m)
	close(c.wake)
	c.wake = make(chan struct{})
	c.log.Debug("message received", "message_id", m.MessageID, "rcpts", len(m.To))
	return nil
}

func fileSafe(id string) string {
	id = strings.Trim(id, "<>")
	var b strings.Builder
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		case r == '@':
			b.WriteByte('_')
		}
		if b.Len() >= 80 {
			break
		}
	}
	if b.Len() == 0 {
		return "msg"
	}
	return b.String()
}

type session struct {
	c      *Catcher
	authed bool
	from   string
	to     []string
}

func (s *session) needAuth() bool {
	return s.c.cfg.Username != "" && s.c.cfg.Password != "" && !s.authed
}

func (s *session) AuthMechanisms() []string {
	if s.c.cfg.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.c.cfg.Username || password != s.c.cfg.Password {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.needAuth() {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.c.cfg.Reject != nil {
		if err := s.c.cfg.Reject(to); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := s.c.add(Message{From: s.from, To: append([]string(nil), s.to...), Data: b}); err != nil {
		s.c.log.Error("store message", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "cannot store message"}
	}
	return nil
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }
