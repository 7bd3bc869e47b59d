package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/temoto/robotstxt"

	"github.com/diembao/diembao/internal/errkind"
)

// Errors a fetch can end with (wrapped).
var (
	// ErrPrivateAddress: the host resolved to a private, loopback or
	// link-local address and the source does not allow that.
	ErrPrivateAddress = errors.New("private or loopback address refused")
	// ErrRobots: robots.txt disallows the URL for diembao.
	ErrRobots = errors.New("disallowed by robots.txt")
	// ErrTooLarge: the (decompressed) body is larger than Config.MaxBody.
	ErrTooLarge = errors.New("body too large")
	// ErrTooManyRedirects: more than Config.MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrRetryLater: the server asked us (429/503) to come back later than
	// Config.MaxRetryAfter, or kept failing after the bounded retries.
	ErrRetryLater = errors.New("server asked to retry later")
)

// response is one completed HTTP exchange.
type response struct {
	URL      string // requested
	FinalURL string // after redirects
	Status   int
	Header   http.Header
	Body     []byte // decompressed, raw bytes (no charset conversion)
	Fetched  time.Time
}

// fetcher does every HTTP request of the crawler through Colly: one collector
// that may dial private addresses and one that may not, a per-host politeness
// gate, robots.txt with Crawl-delay, and bounded retries.
type fetcher struct {
	cfg    Config
	log    *slog.Logger
	public *colly.Collector
	open   *colly.Collector // allow_private sources only
	hosts  *hostGate
	robots *robotsCache
	slots  chan struct{} // Config.Parallel requests in flight, process-wide
}

func newFetcher(cfg Config, log *slog.Logger) *fetcher {
	f := &fetcher{cfg: cfg, log: log, hosts: newHostGate(cfg.PerHost, time.Now), slots: make(chan struct{}, cfg.Parallel)} // politeness runs on the real clock
	f.public = f.collector(false)
	f.open = f.collector(true)
	f.robots = &robotsCache{ttl: cfg.RobotsTTL, m: map[string]robotsEntry{}, now: cfg.now}
	return f
}

// userAgent names diembao and a contact URL.
func (c Config) userAgent() string {
	ua := c.UserAgent
	if c.ContactURL != "" && !strings.Contains(ua, c.ContactURL) {
		ua += " (+" + c.ContactURL + ")"
	}
	return ua
}

func (f *fetcher) collector(allowPrivate bool) *colly.Collector {
	c := colly.NewCollector(
		colly.UserAgent(f.cfg.userAgent()),
		colly.AllowURLRevisit(), // no in-memory visited set: the KV state decides
		colly.IgnoreRobotsTxt(), // robots.txt is checked by robotsCache (with Crawl-delay and expiry)
		colly.MaxBodySize(int(f.cfg.MaxBody)+1),
		colly.ParseHTTPErrorResponse(), // 304, 404, 429… reach OnResponse
	)
	c.WithTransport(newTransport(f.cfg, allowPrivate))
	c.SetRequestTimeout(f.cfg.Timeout)
	c.SetRedirectHandler(func(req *http.Request, via []*http.Request) error {
		if len(via) > f.cfg.MaxRedirects {
			return fmt.Errorf("%w (%d)", ErrTooManyRedirects, f.cfg.MaxRedirects)
		}
		return nil
	})
	c.OnResponseHeaders(func(r *colly.Response) {
		// Keep the raw bytes: Colly converts bodies whose Content-Type names
		// a charset, so hide the charset from it and restore it afterwards.
		ct := r.Headers.Get("Content-Type")
		r.Ctx.Put("content-type", ct)
		if mt, params, err := mime.ParseMediaType(ct); err == nil && params["charset"] != "" {
			r.Headers.Set("Content-Type", mt)
		}
		if n, err := strconv.ParseInt(r.Headers.Get("Content-Length"), 10, 64); err == nil && n > f.cfg.MaxBody {
			r.Ctx.Put("too-large", "1")
			r.Request.Abort()
		}
	})
	c.OnResponse(func(r *colly.Response) {
		out, _ := r.Ctx.GetAny("out").(*response)
		if out == nil {
			return
		}
		h := r.Headers.Clone()
		if ct := r.Ctx.Get("content-type"); ct != "" {
			h.Set("Content-Type", ct)
		}
		out.Status, out.Header, out.Body = r.StatusCode, h, r.Body
		out.FinalURL = r.Request.URL.String()
	})
	return c
}

// newTransport dials through a guard that refuses private addresses (checked
// on the resolved IP at connect time, so redirects and DNS cannot get round
// it), and decompresses gzip itself so that Config.MaxBody bounds the
// decompressed size.
func newTransport(cfg Config, allowPrivate bool) http.RoundTripper {
	d := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		guard := cfg.dialGuard
		if guard == nil {
			guard = refusePrivate
		}
		d.Control = func(network, address string, _ syscall.RawConn) error { return guard(address) }
	}
	t := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   max(4, cfg.Parallel),
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
	}
	return gunzipTransport{t}
}

// refusePrivate is the dial guard: address is the resolved "ip:port".
func refusePrivate(address string) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !publicAddr(ip) {
		return fmt.Errorf("%w: %w: %s", errkind.Permanent, ErrPrivateAddress, host)
	}
	return nil
}

// publicAddr reports whether ip is a globally routable unicast address.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
}

type gunzipTransport struct{ rt http.RoundTripper }

func (g gunzipTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := g.rt.RoundTrip(req)
	if err != nil || res.Uncompressed {
		return res, err
	}
	ce := strings.ToLower(res.Header.Get("Content-Encoding"))
	ct := strings.ToLower(res.Header.Get("Content-Type"))
	if ce == "gzip" || strings.Contains(ct, "gzip") || strings.HasSuffix(strings.ToLower(req.URL.Path), ".gz") {
		res.Body = &lazyGunzip{rc: res.Body}
		res.Header.Del("Content-Encoding")
		res.Header.Del("Content-Length")
		res.ContentLength = -1
		res.Uncompressed = true
	}
	return res, nil
}

// lazyGunzip decompresses a body if it starts with the gzip magic, and passes
// it through unchanged otherwise.
type lazyGunzip struct {
	rc  io.ReadCloser
	r   io.Reader
	err error
}

func (l *lazyGunzip) Read(p []byte) (int, error) {
	if l.r == nil && l.err == nil {
		var head [2]byte
		n, err := io.ReadFull(l.rc, head[:])
		src := io.MultiReader(bytes.NewReader(head[:n]), l.rc)
		switch {
		case err != nil && n == 0:
			l.err = err
		case n == 2 && head[0] == 0x1f && head[1] == 0x8b:
			zr, zerr := gzip.NewReader(src)
			if zerr != nil {
				l.err = zerr
			} else {
				l.r = zr
			}
		default:
			l.r = src
		}
	}
	if l.err != nil {
		return 0, l.err
	}
	return l.r.Read(p)
}

func (l *lazyGunzip) Close() error { return l.rc.Close() }

// get fetches u for a source: robots.txt, the host's politeness gate, then
// the request, retried with bounded backoff on network errors, 429 and 503
// (Retry-After honoured up to Config.MaxRetryAfter). Non-2xx answers are
// returned as responses, not errors.
func (f *fetcher) get(ctx context.Context, u string, hdr http.Header, src Source) (*response, error) {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, fmt.Errorf("fetch %q: %w: not an http(s) URL", u, errkind.Permanent)
	}
	crawlDelay, err := f.robotsAllow(ctx, pu, src)
	if err != nil {
		return nil, err
	}
	delay := max(src.Delay.D(), crawlDelay)
	if f.cfg.NoPoliteness {
		delay = 0
	}
	for attempt := 0; ; attempt++ {
		res, err := f.do(ctx, pu, hdr, src.AllowPrivate, delay)
		var wait time.Duration
		switch {
		case err != nil && (errkind.IsPermanent(err) || errors.Is(err, ErrTooLarge) || ctx.Err() != nil):
			return nil, err
		case err != nil:
			wait = f.backoff(attempt)
		case res.Status == http.StatusInternalServerError || res.Status == http.StatusBadGateway || res.Status == http.StatusGatewayTimeout:
			wait = f.backoff(attempt)
			err = fmt.Errorf("fetch %s: status %d", u, res.Status)
			if attempt >= f.cfg.MaxRetries {
				return res, nil // the caller sees the status
			}
		case res.Status == http.StatusTooManyRequests || res.Status == http.StatusServiceUnavailable:
			wait = retryAfter(res.Header.Get("Retry-After"), time.Now())
			if wait <= 0 {
				wait = f.backoff(attempt)
			}
			if wait > f.cfg.MaxRetryAfter {
				f.hosts.holdOff(pu.Host, wait)
				return nil, fmt.Errorf("fetch %s: %w: %d, Retry-After %s", u, ErrRetryLater, res.Status, wait)
			}
			err = fmt.Errorf("fetch %s: %w: status %d", u, ErrRetryLater, res.Status)
		default:
			return res, nil
		}
		if attempt >= f.cfg.MaxRetries {
			return nil, err
		}
		f.log.Debug("retrying", "url", u, "attempt", attempt+1, "wait", wait, "err", err)
		f.hosts.holdOff(pu.Host, wait)
	}
}

func (f *fetcher) backoff(attempt int) time.Duration {
	d := f.cfg.RetryBase << min(attempt, 10)
	d = min(d, 30*f.cfg.RetryBase, 5*time.Minute)
	return d/2 + rand.N(d/2+1)
}

// retryAfter parses Retry-After (seconds or an HTTP date).
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// do performs one request after waiting for the host's turn.
func (f *fetcher) do(ctx context.Context, u *url.URL, hdr http.Header, allowPrivate bool, delay time.Duration) (*response, error) {
	release, err := f.hosts.acquire(ctx, u.Host, delay, f.cfg.MaxRetryAfter)
	if err != nil {
		return nil, err
	}
	defer release()
	select {
	case f.slots <- struct{}{}:
		defer func() { <-f.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	c := f.public
	if allowPrivate {
		c = f.open
	}
	out := &response{URL: u.String(), FinalURL: u.String()}
	cctx := colly.NewContext()
	cctx.Put("out", out)
	h := http.Header{}
	for k, v := range hdr {
		h[k] = v
	}
	h.Set("User-Agent", f.cfg.userAgent())
	if h.Get("Accept") == "" {
		h.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	}
	h.Set("Accept-Language", "vi,en;q=0.5")
	err = c.Request(http.MethodGet, u.String(), nil, cctx, h)
	out.Fetched = f.cfg.now()
	if cctx.Get("too-large") != "" || (err == nil && int64(len(out.Body)) > f.cfg.MaxBody) {
		return nil, fmt.Errorf("fetch %s: %w: over %d bytes", u, ErrTooLarge, f.cfg.MaxBody)
	}
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && errors.Is(ue.Err, ErrTooManyRedirects) {
			return nil, fmt.Errorf("fetch %s: %w: %w", u, errkind.Permanent, ErrTooManyRedirects)
		}
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return nil, fmt.Errorf("fetch %s: %w: %w", u, errkind.Permanent, err)
		}
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	if out.Status == 0 {
		return nil, fmt.Errorf("fetch %s: no response", u)
	}
	return out, nil
}

// hostGate spaces requests to one host by at least a delay and bounds how
// many run at once. Entries idle for an hour are dropped, so it stays small.
type hostGate struct {
	mu      sync.Mutex
	perHost int
	now     func() time.Time
	m       map[string]*hostSlot
}

type hostSlot struct {
	sem  chan struct{}
	next time.Time // earliest start of the next request
	used time.Time
}

func newHostGate(perHost int, now func() time.Time) *hostGate {
	return &hostGate{perHost: perHost, now: now, m: map[string]*hostSlot{}}
}

func (g *hostGate) slot(host string) *hostSlot {
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.m[host]
	if !ok {
		now := g.now()
		for h, o := range g.m {
			if now.Sub(o.used) > time.Hour && len(o.sem) == 0 {
				delete(g.m, h)
			}
		}
		s = &hostSlot{sem: make(chan struct{}, g.perHost)}
		g.m[host] = s
	}
	s.used = g.now()
	return s
}

// acquire waits for a free slot and for the host's next allowed start; it
// fails at once if that start is more than maxWait away (the host asked us to
// come back much later).
func (g *hostGate) acquire(ctx context.Context, host string, delay, maxWait time.Duration) (func(), error) {
	s := g.slot(host)
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for {
		g.mu.Lock()
		wait := s.next.Sub(g.now())
		if wait <= 0 {
			s.next = g.now().Add(delay)
			g.mu.Unlock()
			break
		}
		g.mu.Unlock()
		if wait > maxWait {
			<-s.sem
			return nil, fmt.Errorf("%s: %w in %s", host, ErrRetryLater, wait.Round(time.Second))
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			<-s.sem
			return nil, ctx.Err()
		}
	}
	return func() { <-s.sem }, nil
}

// holdOff pushes the host's next allowed start at least d from now.
func (g *hostGate) holdOff(host string, d time.Duration) {
	s := g.slot(host)
	g.mu.Lock()
	if t := g.now().Add(d); t.After(s.next) {
		s.next = t
	}
	g.mu.Unlock()
}

// robotsCache keeps each host's robots.txt for ttl.
type robotsCache struct {
	mu  sync.Mutex
	ttl time.Duration
	now func() time.Time
	m   map[string]robotsEntry
}

type robotsEntry struct {
	data    *robotstxt.RobotsData
	fetched time.Time
}

// robotsAgent is the product token matched against robots.txt groups.
const robotsAgent = "diembao"

// robotsAllow fetches (or reuses) the host's robots.txt and reports the
// Crawl-delay, or ErrRobots when the path is disallowed.
func (f *fetcher) robotsAllow(ctx context.Context, u *url.URL, src Source) (time.Duration, error) {
	if u.Path == "/robots.txt" {
		return 0, nil
	}
	key := u.Scheme + "://" + u.Host
	f.robots.mu.Lock()
	e, ok := f.robots.m[key]
	if ok && f.cfg.now().Sub(e.fetched) > f.robots.ttl {
		ok = false
	}
	f.robots.mu.Unlock()
	if !ok {
		ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
		res, err := f.do(ctx, ru, http.Header{"Accept": {"text/plain,*/*"}}, src.AllowPrivate, 0)
		if err != nil {
			return 0, fmt.Errorf("robots.txt of %s: %w", u.Host, err)
		}
		if res.Status >= 500 || res.Status == http.StatusTooManyRequests {
			// Unreachable robots.txt: crawl nothing on the host for now, but do
			// not remember it (RFC 9309 §2.3.1.3 treats it as a full disallow).
			return 0, fmt.Errorf("robots.txt of %s: status %d: %w", u.Host, res.Status, ErrRetryLater)
		}
		data, err := robotstxt.FromStatusAndBytes(res.Status, res.Body)
		if err != nil {
			data, _ = robotstxt.FromStatusAndBytes(http.StatusNotFound, nil) // unparsable: allow all
		}
		e = robotsEntry{data: data, fetched: f.cfg.now()}
		f.robots.mu.Lock()
		if len(f.robots.m) > 10000 {
			clear(f.robots.m)
		}
		f.robots.m[key] = e
		f.robots.mu.Unlock()
	}
	g := e.data.FindGroup(robotsAgent)
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if !g.Test(path) {
		return 0, fmt.Errorf("fetch %s: %w: %w", u, errkind.Permanent, ErrRobots)
	}
	return min(g.CrawlDelay, f.cfg.MaxCrawlDelay), nil
}
