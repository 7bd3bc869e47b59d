package alerts

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/errkind"
)

// buildMsg turns a Mail into a go-mail message: multipart/alternative text +
// HTML, UTF-8, RFC 2047 subject, fixed Message-ID and Date.
func buildMsg(m Mail) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.From(m.From); err != nil {
		return nil, fmt.Errorf("from %q: %w: %w", m.From, errkind.Permanent, err)
	}
	if err := msg.To(m.To...); err != nil {
		return nil, fmt.Errorf("to %v: %w: %w", m.To, errkind.Permanent, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(strings.Trim(m.MessageID, "<>"))
	created := m.Created
	if created.IsZero() {
		created = time.Now()
	}
	msg.SetDateWithValue(created)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	if m.Audience != "" {
		msg.SetGenHeader("X-Diembao-Audience", m.Audience)
	}
	hk := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		hk = append(hk, k)
	}
	sort.Strings(hk)
	for _, k := range hk {
		if strings.ContainsAny(k+m.Headers[k], "\r\n") || strings.ContainsAny(k, " :") {
			return nil, fmt.Errorf("header %q: %w: bad characters", k, errkind.Permanent)
		}
		msg.SetGenHeader(gomail.Header(k), m.Headers[k])
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return nil, fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	return msg, nil
}

// WriteEML writes m as an RFC 5322 message (what SMTP would carry).
func WriteEML(m Mail) ([]byte, error) {
	msg, err := buildMsg(m)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := msg.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("write message %s: %w", m.ID, err)
	}
	return b.Bytes(), nil
}

// SMTPConfig configures SMTPMailer.
type SMTPConfig struct {
	Host     string
	Port     int    // default 587
	TLS      string // starttls (default) | tls | none
	Username string // AUTH when set (PLAIN/LOGIN/…, discovered)
	Password string
	// Timeout bounds one whole SMTP conversation (default 30s).
	Timeout time.Duration
	// TLSConfig, if set, replaces the default TLS settings (system roots,
	// TLS 1.2 or later, certificate checked against Host). The mailer works
	// on a copy and fills in ServerName = Host and MinVersion when they are
	// empty, so a config that only sets RootCAs still verifies the server.
	// cmd leaves it nil; tests set RootCAs to trust a throw-away certificate.
	TLSConfig *tls.Config
}

// SMTPMailer delivers through an SMTP server with go-mail, one connection
// per mail, one RCPT per recipient: a refused recipient does not stop the
// others (it is reported in a *RecipientError).
type SMTPMailer struct {
	cfg  SMTPConfig
	opts []gomail.Option
}

// NewSMTPMailer checks cfg and returns an SMTPMailer.
func NewSMTPMailer(cfg SMTPConfig) (*SMTPMailer, error) {
	if cfg.Host == "" {
		return nil, errors.New("alerts: smtp host is empty")
	}
	if cfg.Port == 0 {
		cfg.Port = config.DefaultSMTPPort
	}
	if cfg.TLS == "" {
		cfg.TLS = config.DefaultSMTPTLS
	}
	if err := config.CheckSMTPTransport(cfg.Port, cfg.TLS); err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	// Without a ServerName, STARTTLS refuses to start (crypto/tls needs one
	// to verify the certificate): always name the host we dial.
	tc := &tls.Config{}
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = cfg.Host
	}
	if tc.MinVersion == 0 {
		tc.MinVersion = tls.VersionTLS12
	}
	cfg.TLSConfig = tc
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(cfg.Timeout),
		gomail.WithHELO("diembao.localhost"), gomail.WithTLSConfig(tc)}
	switch cfg.TLS { // one of CheckSMTPTransport's values
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default: // starttls
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	if _, err := gomail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("alerts: smtp: %w", err)
	}
	return &SMTPMailer{cfg: cfg, opts: opts}, nil
}

// Send implements Mailer. It returns nil as soon as the server answers 250
// to the message (DATA); the QUIT that follows runs in the background and
// cannot fail the delivery.
func (s *SMTPMailer) Send(ctx context.Context, m Mail) error {
	msg, err := buildMsg(m)
	if err != nil {
		return err
	}
	var body bytes.Buffer
	if _, err := msg.WriteTo(&body); err != nil {
		return fmt.Errorf("write message %s: %w", m.ID, err)
	}
	client, err := gomail.NewClient(s.cfg.Host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		if isAuthFailure(err) {
			return fmt.Errorf("smtp %s:%d: login as %q refused: %w", s.cfg.Host, s.cfg.Port, s.cfg.Username, classify(err))
		}
		return fmt.Errorf("smtp %s:%d: %w", s.cfg.Host, s.cfg.Port, classify(err))
	}
	// QUIT is a courtesy: once the server has answered the message, its
	// fate is known, and waiting for the QUIT reply (up to the whole
	// timeout on a stalled server) would only widen the window in which a
	// crash leaves an accepted mail unrecorded. So the connection is closed
	// in the background, bounded by quitWait, and its errors are ignored.
	defer func() { go quitQuietly(sc, min(s.cfg.Timeout, quitWait)) }()
	if err := sc.Mail(m.From); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", classify(err))
	}
	var refused []Refusal
	accepted := 0
	for _, rcpt := range m.To {
		if err := sc.Rcpt(rcpt); err != nil {
			refused = append(refused, Refusal{Addr: rcpt, Permanent: permanentSMTP(err), Reason: err.Error()})
			continue
		}
		accepted++
	}
	if accepted == 0 {
		_ = sc.Reset()
		err := &RecipientError{Refused: refused}
		for _, r := range refused {
			if !r.Permanent {
				return err
			}
		}
		return fmt.Errorf("%w: %w", errkind.Permanent, err)
	}
	w, err := sc.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", classify(err))
	}
	if _, err := w.Write(body.Bytes()); err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if err := w.Close(); err != nil { // the server's answer to the message
		return fmt.Errorf("smtp DATA: %w", classify(err))
	}
	// 250 to DATA: the mail is accepted. Return now so the Sender records
	// it at once; QUIT failures or timeouts are not delivery failures.
	if len(refused) > 0 {
		return &RecipientError{Refused: refused}
	}
	return nil
}

// quitWait bounds the background QUIT after a conversation.
const quitWait = 10 * time.Second

// quitQuietly sends QUIT within d and closes the connection whatever the
// server answers.
func quitQuietly(sc *smtp.Client, d time.Duration) {
	_ = sc.UpdateDeadline(d)
	if err := sc.Quit(); err != nil {
		_ = sc.Close()
	}
}

func permanentSMTP(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500
}

// classify marks permanent what no retry can fix before someone changes
// the configuration or the server:
//   - 5xx answers, a refused login (535) included: retrying a wrong password
//     would hammer the server and may lock the account;
//   - a server certificate that does not verify (unknown authority, wrong
//     name, expired);
//   - starttls required but not offered (never falls back to plain text);
//   - AUTH configured but no mechanism the link allows (the password is
//     not sent in clear).
//
// The Sender dead-letters such a mail at once; the UI can retry it after
// the fix. Everything else (refused connections, timeouts, resets, 4xx —
// e.g. 454 "temporary authentication failure") stays transient and is
// retried with backoff.
func classify(err error) error {
	if permanentSMTP(err) || permanentSetup(err) {
		return fmt.Errorf("%w: %w", errkind.Permanent, err)
	}
	return err
}

func permanentSetup(err error) bool {
	var (
		cv *tls.CertificateVerificationError
		ua x509.UnknownAuthorityError
		he x509.HostnameError
		ci x509.CertificateInvalidError
	)
	if errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) {
		return true
	}
	if errors.Is(err, gomail.ErrNoSupportedAuthDiscovered) {
		return true
	}
	// go-mail v0.8.1 has no sentinel errors for these; the tests pin the texts.
	msg := err.Error()
	return strings.Contains(msg, "does not support STARTTLS") || strings.Contains(msg, "server does not support SMTP AUTH")
}

// isAuthFailure reports whether the server refused our credentials.
func isAuthFailure(err error) bool {
	return permanentSMTP(err) && strings.Contains(err.Error(), "SMTP AUTH failed")
}

// DirMailer writes each mail as DIR/<id>.eml: used when no SMTP host is
// configured, so nothing is lost. Writing the same mail again is a no-op.
type DirMailer struct {
	dir string
}

// NewDirMailer creates dir if needed and returns a DirMailer.
func NewDirMailer(dir string) (*DirMailer, error) {
	if dir == "" {
		return nil, errors.New("alerts: empty mail directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	return &DirMailer{dir: dir}, nil
}

// Send implements Mailer. The file is complete once it has its name.
func (d *DirMailer) Send(_ context.Context, m Mail) error {
	p := filepath.Join(d.dir, m.ID+".eml")
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	b, err := WriteEML(m)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(d.dir, ".tmp-*.eml")
	if err != nil {
		return fmt.Errorf("write mail: %w", err)
	}
	_, werr := f.Write(b)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write mail %s: %w", p, err)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write mail %s: %w", p, err)
	}
	return nil
}
