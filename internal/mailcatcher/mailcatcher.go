// Package mailcatcher is a real SMTP server on loopback that keeps every
// message it accepts: in memory (Messages, Wait) and, when Dir is set, as
// DIR/*.eml files. It is used by tests and by `diembao demo`.
// In: SMTP transactions. Out: Message values and .eml files.
package mailcatcher

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
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
	// Username and Password, if both set, require AUTH PLAIN. When
	// TLSConfig is set, AUTH is neither offered nor accepted before
	// STARTTLS (as a real submission server would do).
	Username, Password string
	// TLSConfig, if set, enables STARTTLS (or, with ImplicitTLS, TLS from
	// the first byte).
	TLSConfig *tls.Config
	// ImplicitTLS makes the listener speak TLS at once (port 465 style,
	// "SMTPS"); it needs TLSConfig.
	ImplicitTLS bool
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
	TLS       bool   // the transaction ran over TLS (STARTTLS or implicit)
	AuthUser  string // the user that authenticated in this session, if any
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

	authAttempts atomic.Int64

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
	if cfg.ImplicitTLS && cfg.TLSConfig == nil {
		return nil, errors.New("mailcatcher: ImplicitTLS needs a TLSConfig")
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
	s := smtp.NewServer(smtp.BackendFunc(func(conn *smtp.Conn) (smtp.Session, error) { return &session{c: c, conn: conn}, nil }))
	s.Domain = "mailcatcher.local"
	s.ErrorLog = slogLogger{c.log}
	s.MaxMessageBytes = cfg.MaxMessageBytes
	s.MaxRecipients = 1000
	s.ReadTimeout = time.Minute
	s.WriteTimeout = time.Minute
	// Auth itself refuses AUTH before STARTTLS when TLS is configured, so
	// that AuthAttempts also counts such attempts.
	s.AllowInsecureAuth = true
	s.EnableSMTPUTF8 = true
	s.TLSConfig = cfg.TLSConfig
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("mailcatcher: listen %s: %w", cfg.Addr, err)
	}
	if cfg.ImplicitTLS {
		ln = tls.NewListener(ln, cfg.TLSConfig)
	}
	c.srv, c.ln = s, ln
	go func() {
		defer close(c.done)
		if err := s.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			c.log.Warn("serve stopped", "err", err)
		}
	}()
	c.log.Info("listening", "addr", ln.Addr().String(), "dir", cfg.Dir, "implicit_tls", cfg.ImplicitTLS, "starttls", cfg.TLSConfig != nil && !cfg.ImplicitTLS)
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

// AuthAttempts returns how many AUTH exchanges clients started, successful
// or not (AUTH before HELO or a second AUTH aside): a test can check that no
// credentials crossed a plain-text link.
func (c *Catcher) AuthAttempts() int { return int(c.authAttempts.Load()) }

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

// slogLogger sends go-smtp's connection errors (failed TLS handshakes,
// dropped connections) to the catcher's log instead of stderr.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l slogLogger) Println(v ...any)               { l.log.Debug(strings.TrimSuffix(fmt.Sprintln(v...), "\n")) }

type session struct {
	c        *Catcher
	conn     *smtp.Conn
	authed   bool
	authUser string
	from     string
	to       []string
}

func (s *session) needAuth() bool {
	return s.c.cfg.Username != "" && s.c.cfg.Password != "" && !s.authed
}

// errTLSRequired answers AUTH on a plain-text link when TLS is configured.
var errTLSRequired = &smtp.SMTPError{Code: 523, EnhancedCode: smtp.EnhancedCode{5, 7, 10}, Message: "TLS is required for AUTH"}

// plainTextRefused reports whether AUTH must wait for STARTTLS.
func (s *session) plainTextRefused() bool {
	_, isTLS := s.conn.TLSConnectionState()
	return s.c.cfg.TLSConfig != nil && !isTLS
}

func (s *session) AuthMechanisms() []string {
	if s.c.cfg.Username == "" || s.plainTextRefused() {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	s.c.authAttempts.Add(1)
	if s.plainTextRefused() {
		return nil, errTLSRequired
	}
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.c.cfg.Username || password != s.c.cfg.Password {
			return smtp.ErrAuthFailed
		}
		s.authed, s.authUser = true, username
		return nil
	}), nil
}

// errAuthRequired is RFC 4954's answer to MAIL before AUTH (go-smtp's
// ErrAuthRequired says 502).
var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.needAuth() {
		return errAuthRequired
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
	_, isTLS := s.conn.TLSConnectionState()
	m := Message{From: s.from, To: append([]string(nil), s.to...), Data: b, TLS: isTLS, AuthUser: s.authUser}
	if err := s.c.add(m); err != nil {
		s.c.log.Error("store message", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "cannot store message"}
	}
	return nil
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }

// SelfSignedTLS makes a throw-away certificate for hosts (IP addresses or
// DNS names), valid for a day, held in memory only. It returns the server
// side config (for Config.TLSConfig) and a pool that trusts the certificate
// (for a client's RootCAs). For tests and demos; never for production.
func SelfSignedTLS(hosts ...string) (*tls.Config, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("mailcatcher: key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, fmt.Errorf("mailcatcher: serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "mailcatcher", Organization: []string{"diembao test"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("mailcatcher: certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("mailcatcher: certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	srv := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
		MinVersion:   tls.VersionTLS12,
	}
	return srv, pool, nil
}
