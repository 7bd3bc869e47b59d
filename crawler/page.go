package crawler

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/errkind"
)

// Page is one raw fetch of a URL, for callers that watch pages rather than
// extract articles (own-portal change watch).
type Page struct {
	URL      string      // requested
	FinalURL string      // after redirects
	Status   int         // HTTP status (non-2xx answers are pages too)
	Header   http.Header // response headers
	Body     []byte      // decompressed raw bytes
	Fetched  time.Time
}

// FetchPage fetches one URL through the crawler's guarded path: robots.txt,
// the host's politeness gate (at least delay between requests), bounded
// retries, the body limit and, unless allowPrivate, the refusal of private
// and loopback addresses. It publishes nothing and writes no state. Non-2xx
// answers are returned as pages; an error means no answer was had.
func (c *Crawler) FetchPage(ctx context.Context, pageURL string, allowPrivate bool, delay time.Duration) (Page, error) {
	src := Source{ID: "page", Name: "page", Kind: article.KindPortal, AllowPrivate: allowPrivate, Delay: config.Duration(delay)}
	res, err := c.f.get(ctx, pageURL, nil, src)
	if err != nil {
		return Page{}, err
	}
	return Page{URL: res.URL, FinalURL: res.FinalURL, Status: res.Status, Header: res.Header, Body: res.Body, Fetched: res.Fetched}, nil
}

// ExtractPage extracts an article (title, lead, body, publication date)
// from a fetched page, as the crawler does for a portal source.
func (c *Crawler) ExtractPage(p Page, sourceID string) (article.Article, error) {
	src := Source{ID: sourceID, Name: sourceID, Kind: article.KindPortal}
	u := p.FinalURL
	if u == "" {
		u = p.URL
	}
	return extract(u, p.Body, p.Header, src, extractEnv{loc: c.loc, now: p.Fetched, fastDate: true})
}

// NewPageSnapshot makes the saved copy of a fetched page under an owner id
// (in place of an article id) and revision.
func NewPageSnapshot(owner string, revision int, p Page) (Snapshot, error) {
	return newSnapshot(article.Article{ID: owner, Revision: revision},
		&response{URL: p.URL, FinalURL: p.FinalURL, Status: p.Status, Header: p.Header, Body: p.Body, Fetched: p.Fetched})
}

// TLSState is what a TLS handshake with a host showed.
type TLSState struct {
	Host        string    `json:"host"`
	Fingerprint string    `json:"fingerprint"` // SHA-256 of the leaf certificate, hex
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	NotAfter    time.Time `json:"not_after"`
	// VerifyError is why the chain or the name did not verify ("" when it did).
	VerifyError string `json:"verify_error,omitempty"`
}

// ProbeTLS connects to hostport ("host:443"), through the same
// private-address guard as every fetch unless allowPrivate, completes a
// TLS handshake without failing on a bad certificate, and then verifies
// the chain (Config.RootCAs or the system roots) and the name itself, so
// that an expired, self-signed or misnamed certificate is reported rather
// than only refused. An error means no handshake took place.
func (c *Crawler) ProbeTLS(ctx context.Context, hostport string, allowPrivate bool) (TLSState, error) {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return TLSState{}, fmt.Errorf("tls probe %q: %w: %w", hostport, errkind.Permanent, err)
	}
	d := &net.Dialer{Timeout: c.cfg.Timeout}
	if !allowPrivate {
		guard := c.cfg.dialGuard
		if guard == nil {
			guard = refusePrivate
		}
		d.Control = func(network, address string, _ syscall.RawConn) error { return guard(address) }
	}
	td := &tls.Dialer{NetDialer: d, Config: &tls.Config{ServerName: host, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}} //nolint:gosec // verified below, to report the problem
	cctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	conn, err := td.DialContext(cctx, "tcp", hostport)
	if err != nil {
		return TLSState{}, fmt.Errorf("tls probe %s: %w", hostport, err)
	}
	defer conn.Close()
	cs := conn.(*tls.Conn).ConnectionState()
	if len(cs.PeerCertificates) == 0 {
		return TLSState{}, fmt.Errorf("tls probe %s: no certificate", hostport)
	}
	leaf := cs.PeerCertificates[0]
	sum := sha256.Sum256(leaf.Raw)
	st := TLSState{Host: host, Fingerprint: hex.EncodeToString(sum[:]), Subject: leaf.Subject.String(),
		Issuer: leaf.Issuer.String(), NotAfter: leaf.NotAfter}
	inter := x509.NewCertPool()
	for _, ct := range cs.PeerCertificates[1:] {
		inter.AddCert(ct)
	}
	_, verr := leaf.Verify(x509.VerifyOptions{Roots: c.cfg.RootCAs, Intermediates: inter, DNSName: host, CurrentTime: c.cfg.now()})
	if verr != nil {
		st.VerifyError = verr.Error()
	}
	return st, nil
}

// IsRefused reports whether a fetch error is a refusal by policy (robots.txt
// or a private address) rather than the site failing.
func IsRefused(err error) bool {
	return errors.Is(err, ErrRobots) || errors.Is(err, ErrPrivateAddress)
}

// HostPort returns host:port of an https URL (port 443 by default).
func HostPort(pageURL string) (string, bool) {
	u, err := url.Parse(pageURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", false
	}
	if u.Port() != "" {
		return u.Host, true
	}
	return net.JoinHostPort(u.Hostname(), "443"), true
}
