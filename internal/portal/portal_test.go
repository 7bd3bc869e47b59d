package portal

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"net"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/kv"
)

// env is a portal watch wired to the real bus: alerts and saved copies go
// to an embedded JetStream, state to a KV bucket on it.
type env struct {
	t     *testing.T
	b     *bus.Bus
	st    kv.Store
	w     *Watcher
	clock *clock
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// busCopies keeps saved copies on the SNAPSHOTS stream, as diembao run does.
type busCopies struct{ b *bus.Bus }

func (c busCopies) PutSnapshot(ctx context.Context, key string, s crawler.Snapshot) error {
	data, err := crawler.MarshalSnapshot(s)
	if err != nil {
		return err
	}
	_, err = c.b.Publish(ctx, bus.SubjectSnapshots+"."+key, "snap-"+key, data, nil)
	return err
}

func (c busCopies) GetSnapshot(ctx context.Context, key string) (crawler.Snapshot, error) {
	m, err := c.b.LastBySubject(ctx, bus.StreamSnapshots, bus.SubjectSnapshots+"."+key)
	if err != nil {
		return crawler.Snapshot{}, err
	}
	return crawler.UnmarshalSnapshot(m.Data)
}

func newEnv(t *testing.T, portals []config.Portal, roots *x509.CertPool) *env {
	t.Helper()
	ctx := t.Context()
	b, err := bus.Open(ctx, bus.Config{StoreDir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if err := b.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := b.KV(ctx, "portals")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Minute)
	if now.YearDay() == 1 { // due dates of 1 January must have passed
		now = now.Add(48 * time.Hour)
	}
	clk := &clock{t: now}
	c, err := crawler.New(crawler.Config{RetryBase: time.Millisecond, MaxRetries: 1, NoPoliteness: true, RootCAs: roots,
		Timeout: 5 * time.Second, Now: clk.Now},
		nil, crawler.PublisherFunc(func(context.Context, article.Article) error { return nil }), kv.NewMemory(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pub := PublisherFunc(func(ctx context.Context, a article.Alert) error {
		data, err := json.Marshal(a)
		if err != nil {
			return err
		}
		_, err = b.Publish(ctx, bus.SubjectAlerts+"."+Topic, a.ID, data, nil)
		return err
	})
	w, err := New(Config{Portals: portals, Now: clk.Now, Delay: time.Millisecond}, c, busCopies{b}, st, pub, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, b: b, st: st, w: w, clock: clk}
}

// alerts reads every alert on the ALERTS stream.
func (e *env) alerts() []article.Alert {
	e.t.Helper()
	var out []article.Alert
	err := e.b.ReadAll(e.t.Context(), bus.StreamAlerts, func(m bus.Msg, _ uint64) error {
		var a article.Alert
		if err := json.Unmarshal(m.Data, &a); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// check runs one pass an hour after the last and returns the alerts it
// added to the stream.
func (e *env) check(id string) []article.Alert {
	e.t.Helper()
	e.clock.Add(time.Hour)
	before := len(e.alerts())
	if _, err := e.w.Check(e.t.Context(), id); err != nil {
		e.t.Fatalf("check: %v", err)
	}
	return e.alerts()[before:]
}

func rulesOf(a article.Alert) []string {
	var out []string
	for _, m := range a.Matches {
		out = append(out, m.Rule)
	}
	return out
}

// testDuties: the introduction (on /gioi-thieu, undated) and the
// foreign-information plan, which the sample portal never publishes.
var testDuties = config.Duties{List: []config.Duty{
	{ID: "gioi-thieu", Name: "Giới thiệu", Query: `"chức năng" AND "nhiệm vụ"`, Due: "01-01", Every: config.EveryYear},
	{ID: "ke-hoach-ttdn", Name: "Kế hoạch thông tin đối ngoại năm {year}", Query: `"thông tin đối ngoại" AND "{year}"`, Due: "01-01", Every: config.EveryYear},
	{ID: "muc-tieu", Name: "Mục tiêu năm {year}", Query: `"mục tiêu" AND "kinh tế - xã hội" AND "năm {year}"`, Due: "01-31", Every: config.EveryYear},
}}

func TestChangeWatchOneAlertPerFinding(t *testing.T) {
	site, err := demosite.StartPortal(t.Context(), "127.0.0.1:0", demosite.PortalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	p := demosite.DemoPortals(site.URL())[0]
	p.Duties, p.Down = testDuties, 2
	e := newEnv(t, []config.Portal{p}, nil)

	// First check: a copy of each page; the missing plan is overdue for
	// the previous and the current year (both due 1 January): one notice each.
	got := e.check(p.ID)
	if len(got) != 2 {
		t.Fatalf("first check: %d alerts %v, want the 2 missing-duty notices", len(got), got)
	}
	for _, a := range got {
		if !slices.Equal(rulesOf(a), []string{"portal." + KindDuty}) || !strings.Contains(a.Title, "thông tin đối ngoại") {
			t.Errorf("first check alert %q rules %v", a.Title, rulesOf(a))
		}
		if a.Topics[0] != Topic || a.SourceKind != article.KindPortal || !IsFinding(a) {
			t.Errorf("alert %s: topics %v kind %q", a.ID, a.Topics, a.SourceKind)
		}
	}
	rows, err := e.w.Current(t.Context(), p.ID, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, r := range rows {
		status[r.Duty+"|"+r.Period] = r.Status
	}
	y := e.clock.Now().Year()
	wantStatus := map[string]string{
		"gioi-thieu|" + itoa(y): StatusPublished, "ke-hoach-ttdn|" + itoa(y): StatusMissing,
		"ke-hoach-ttdn|" + itoa(y-1): StatusMissing, "muc-tieu|" + itoa(y): StatusPublished, "muc-tieu|" + itoa(y-1): StatusPublished,
	}
	for k, want := range wantStatus {
		if status[k] != want {
			t.Errorf("duty %s: status %q, want %q (all: %v)", k, status[k], want, status)
		}
	}

	if got := e.check(p.ID); len(got) != 0 {
		t.Fatalf("unchanged portal raised %d alerts: %v", len(got), got)
	}

	// An injected hidden block of betting links on the home page.
	site.Inject(true)
	got = e.check(p.ID)
	if len(got) != 1 {
		t.Fatalf("injection: %d alerts, want 1: %v", len(got), got)
	}
	rs := rulesOf(got[0])
	for _, want := range []string{"portal." + KindHidden, "portal." + KindSpam} {
		if !slices.Contains(rs, want) {
			t.Errorf("injection alert rules %v lack %s", rs, want)
		}
	}
	if slices.Contains(rs, "portal."+KindIframe) || slices.Contains(rs, "portal."+KindDeface) {
		t.Errorf("injection alert has unrelated findings %v", rs)
	}
	f, err := e.w.Finding(t.Context(), got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if f.Old == "" || f.New == "" || f.Old == f.New {
		t.Errorf("finding should name two saved copies: %q %q", f.Old, f.New)
	}
	var plus []string
	for _, l := range f.Diff {
		if l.Op == "+" {
			plus = append(plus, l.Text)
		}
	}
	if !slices.ContainsFunc(plus, func(s string) bool { return strings.Contains(s, "nhacai88.example.com") }) ||
		!slices.ContainsFunc(plus, func(s string) bool { return strings.Contains(s, "nổ hũ") }) {
		t.Errorf("diff does not show the injected links: %q", plus)
	}
	if slices.ContainsFunc(f.Diff, func(l DiffLine) bool { return l.Op == "-" }) {
		t.Errorf("nothing was removed, yet the diff has removed lines: %v", f.Diff)
	}
	if got := e.check(p.ID); len(got) != 0 {
		t.Fatalf("unchanged injection raised %d alerts again: %v", len(got), got)
	}

	// A new iframe on the news page.
	site.Iframe(true)
	got = e.check(p.ID)
	if len(got) != 1 || !slices.Contains(rulesOf(got[0]), "portal."+KindIframe) || slices.Contains(rulesOf(got[0]), "portal."+KindHidden) {
		t.Fatalf("iframe: alerts %v", got)
	}
	if !strings.Contains(got[0].URL, "/tin-tuc") {
		t.Errorf("iframe alert URL %q", got[0].URL)
	}

	// The introduction page is removed: one alert, which also tells that
	// its duty is no longer met (no separate notice).
	site.Remove("/gioi-thieu", true)
	got = e.check(p.ID)
	if len(got) != 1 || !slices.Equal(rulesOf(got[0]), []string{"portal." + KindRemoved}) {
		t.Fatalf("removal: alerts %v", got)
	}
	if !strings.Contains(got[0].Snippet, "Giới thiệu") {
		t.Errorf("removal alert should name the duty it carried: %q", got[0].Snippet)
	}
	rows, _ = e.w.Current(t.Context(), p.ID, e.clock.Now())
	for _, r := range rows {
		if r.Duty == "gioi-thieu" && r.Status != StatusMissing {
			t.Errorf("removed introduction still counts: %+v", r)
		}
	}
	if got := e.check(p.ID); len(got) != 0 {
		t.Fatalf("removed page reported again: %v", got)
	}

	// 503 for three checks with down: 2 — one downtime alert.
	site.Down(true)
	if got := e.check(p.ID); len(got) != 0 {
		t.Fatalf("one failed check is not downtime yet: %v", got)
	}
	got = e.check(p.ID)
	if len(got) != 1 || !slices.Equal(rulesOf(got[0]), []string{"portal." + KindDown}) {
		t.Fatalf("downtime: alerts %v", got)
	}
	if got := e.check(p.ID); len(got) != 0 {
		t.Fatalf("the same outage reported again: %v", got)
	}
	site.Down(false)
	if got := e.check(p.ID); len(got) != 0 {
		t.Fatalf("recovery raised alerts: %v", got)
	}

	// Every alert id is unique on the stream and every one has its finding.
	all := e.alerts()
	ids := map[string]bool{}
	for _, a := range all {
		if ids[a.ID] {
			t.Errorf("alert %s published twice", a.ID)
		}
		ids[a.ID] = true
		if _, err := e.w.Finding(t.Context(), a.ID); err != nil {
			t.Errorf("alert %s has no finding: %v", a.ID, err)
		}
	}
	fs, err := e.w.Findings(t.Context(), 0)
	if err != nil || len(fs) != len(all) {
		t.Errorf("findings: %d, %v; want %d", len(fs), err, len(all))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// testCert makes a CA and a certificate for 127.0.0.1 signed by it,
// expiring at notAfter.
func testCert(t *testing.T, notAfter time.Time) (*x509.CertPool, tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "diembao test CA"},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "xa-xuan-mau.example"},
		NotBefore: time.Now().Add(-24 * time.Hour), NotAfter: notAfter, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return pool, tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}
}

func TestCertificateCloseToExpiry(t *testing.T) {
	h, err := demosite.NewPortal(demosite.PortalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pool, cert := testCert(t, time.Now().Add(5*24*time.Hour))
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	defer srv.Close()
	p := config.Portal{ID: "tls", Name: "Cổng TLS", URL: srv.URL + "/", Pages: []string{"/"}, AllowPrivate: true,
		Duties: config.Duties{List: nil}}
	e := newEnv(t, []config.Portal{p}, pool)
	got := e.check(p.ID)
	if len(got) != 1 || !slices.Equal(rulesOf(got[0]), []string{"portal." + KindTLSSoon}) {
		t.Fatalf("certificate 5 days from expiry: alerts %v", got)
	}
	if got := e.check(p.ID); len(got) != 0 {
		t.Fatalf("the same certificate reported again: %v", got)
	}
	ov, err := e.w.Overview(t.Context(), e.clock.Now())
	if err != nil || len(ov) != 1 || ov[0].TLS == nil || ov[0].TLS.VerifyError != "" || ov[0].LastOK.IsZero() {
		t.Fatalf("overview: %+v, %v", ov, err)
	}
}

func TestCertificateError(t *testing.T) {
	h, err := demosite.NewPortal(demosite.PortalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, cert := testCert(t, time.Now().Add(90*24*time.Hour))
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	defer srv.Close()
	p := config.Portal{ID: "tls", Name: "Cổng TLS", URL: srv.URL + "/", Pages: []string{"/"}, AllowPrivate: true}
	e := newEnv(t, []config.Portal{p}, nil) // the test CA is not trusted
	got := e.check(p.ID)
	if len(got) != 1 || !slices.Equal(rulesOf(got[0]), []string{"portal." + KindTLSError}) {
		t.Fatalf("untrusted certificate: alerts %v", got)
	}
}

func TestPrivateAddressRefused(t *testing.T) {
	site, err := demosite.StartPortal(t.Context(), "127.0.0.1:0", demosite.PortalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	p := demosite.DemoPortals(site.URL())[0]
	p.AllowPrivate, p.Duties, p.Down = false, config.Duties{}, 1
	e := newEnv(t, []config.Portal{p}, nil)
	for range 2 { // down: 1, checked twice: a refusal is not downtime
		rep, err := e.w.Check(t.Context(), p.ID)
		if err == nil || !strings.Contains(err.Error(), "private or loopback address refused") || rep.Fetched != 0 {
			t.Errorf("loopback portal without allow_private: %+v, %v", rep, err)
		}
	}
	if got := e.alerts(); len(got) != 0 {
		t.Errorf("a refused portal raised alerts: %v", got)
	}
	ov, err := e.w.Overview(t.Context(), e.clock.Now())
	if err != nil || !strings.Contains(ov[0].LastError, "refused") || ov[0].Failures != 0 {
		t.Errorf("overview should show the refusal: %+v %v", ov, err)
	}
}

// The demo portal meets the default duty set except the foreign-information
// plan.
func TestDemoPortalMissesOneDefaultDuty(t *testing.T) {
	site, err := demosite.StartPortal(t.Context(), "127.0.0.1:0", demosite.PortalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	p := demosite.DemoPortals(site.URL())[0]
	e := newEnv(t, []config.Portal{p}, nil)
	e.clock.Add(-time.Hour)
	if _, err := e.w.Check(t.Context(), p.ID); err != nil {
		t.Fatal(err)
	}
	rows, err := e.w.Current(t.Context(), p.ID, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		switch {
		case r.Duty == "ke-hoach-ttdn":
			if r.Status != StatusMissing {
				t.Errorf("the plan is never published, yet %+v", r)
			}
		case r.Overdue || r.Status == StatusLate:
			t.Errorf("duty %s %s: %s (due %s, url %q)", r.Duty, r.Period, r.Status, r.Due, r.URL)
		}
	}
	for _, a := range e.alerts() {
		if !slices.Equal(rulesOf(a), []string{"portal." + KindDuty}) || !strings.Contains(a.Title, "thông tin đối ngoại") {
			t.Errorf("unexpected alert %q %v", a.Title, rulesOf(a))
		}
	}

	// The year report's table: every duty and period due in the year.
	y := e.clock.Now().Year()
	from := time.Date(y, 1, 1, 0, 0, 0, 0, e.w.loc)
	year, err := e.w.Compliance(t.Context(), "", from, from.AddDate(1, 0, 0), e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	// 10 yearly duties, 5 quarterly (4 due dates each), 1 monthly (12).
	if len(year) != 10+5*4+12 {
		t.Errorf("compliance rows for %d: %d, want 42", y, len(year))
	}
	per := map[string]int{}
	for _, r := range year {
		if r.Due.Before(from) || !r.Due.Before(from.AddDate(1, 0, 0)) {
			t.Errorf("row due outside the year: %+v", r)
		}
		per[r.Duty]++
		if r.Duty == "ke-hoach-ttdn" && r.Status != StatusMissing {
			t.Errorf("plan row %+v", r)
		}
	}
	if per["tin-tuc"] != 12 || per["ngan-sach-quy"] != 4 || per["muc-tieu-kt-xh"] != 1 {
		t.Errorf("rows per duty: %v", per)
	}
}
