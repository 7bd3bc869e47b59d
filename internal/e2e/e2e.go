// Package e2e holds the helpers of diembao's process-level tests: build the
// diembao and nats-server binaries once per test binary, run them as child
// processes with their output in log files, poll with a deadline, talk to a
// serve role's API, serve the sample site and a mail catcher on loopback,
// and check that every alert reached each of its audiences exactly once.
// In: a *testing.T. Out: running processes, cleaned up by t.Cleanup. Used
// only by tests (cmd/diembao, internal/faulttest).
package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/mailcatcher"
)

// Module paths of the binaries the tests run.
const (
	DiembaoPkg    = "github.com/diembao/diembao/cmd/diembao"
	NATSServerPkg = "github.com/nats-io/nats-server/v2"
)

// builds caches one sync.Once per binary name for the life of the test
// binary, so every test of a package shares one build.
var builds sync.Map

// BuildBinary builds main package pkg once per test binary run and returns
// the path of the executable.
func BuildBinary(t testing.TB, name, pkg string) string {
	t.Helper()
	v, _ := builds.LoadOrStore(name, &sync.Once{})
	once := v.(*sync.Once)
	out := filepath.Join(os.TempDir(), fmt.Sprintf("diembao-e2e-%d-%s", os.Getpid(), name))
	var err error
	var msg []byte
	once.Do(func() {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		msg, err = cmd.CombinedOutput()
	})
	if err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, msg)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatalf("build %s: binary missing (an earlier build failed)", pkg)
	}
	return out
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Proc is a child process whose output goes to a log file.
type Proc struct {
	Name string
	Cmd  *exec.Cmd
	Log  string // path of the log file
	done chan struct{}
	err  error
}

// StartProc starts bin with args and extra environment variables
// (KEY=value); its output is appended to DIR/NAME.log, whose tail is
// printed if the test fails. The process is killed at cleanup.
func StartProc(t testing.TB, dir, name string, env []string, bin string, args ...string) *Proc {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(append(os.Environ(), "DIEMBAO_LOG_LEVEL=info"), env...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &Proc{Name: name, Cmd: cmd, Log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.Kill()
		if t.Failed() {
			if keep := os.Getenv("DIEMBAO_E2E_LOGS"); keep != "" {
				// Keep the whole log for a post-mortem.
				_ = os.MkdirAll(keep, 0o755)
				if b, err := os.ReadFile(logPath); err == nil {
					_ = os.WriteFile(filepath.Join(keep, fmt.Sprintf("%s-%d-%s.log", strings.ReplaceAll(t.Name(), "/", "_"), cmd.Process.Pid, name)), b, 0o644)
				}
			}
			b, _ := os.ReadFile(logPath)
			if len(b) > 6000 {
				b = b[len(b)-6000:]
			}
			t.Logf("---- %s log (tail) ----\n%s", name, b)
		}
	})
	return p
}

// Kill sends SIGKILL and waits for the process to end.
func (p *Proc) Kill() {
	select {
	case <-p.done:
	default:
		_ = p.Cmd.Process.Kill()
		<-p.done
	}
}

// Exited reports whether the process has ended, and its error.
func (p *Proc) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// Output returns the log written so far.
func (p *Proc) Output() string {
	b, _ := os.ReadFile(p.Log)
	return string(b)
}

// Stop sends SIGINT and waits for a clean exit.
func (p *Proc) Stop(t testing.TB) {
	t.Helper()
	_ = p.Cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
		if p.err != nil {
			t.Errorf("%s exited with %v after SIGINT", p.Name, p.err)
		}
	case <-time.After(60 * time.Second):
		t.Errorf("%s did not stop within 60s of SIGINT", p.Name)
		p.Kill()
	}
}

// Poll calls cond every 200 ms until it returns true, failing the test
// with what and cond's last state after timeout.
func Poll(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s (last: %s)", timeout, what, state)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// API talks to a running serve role with HTTP basic auth.
type API struct {
	Base, User, Pass string
}

// Get decodes the JSON answer of an authenticated GET into v.
func (c API) Get(path string, v any) error {
	req, _ := http.NewRequest("GET", c.Base+path, nil)
	req.SetBasicAuth(c.User, c.Pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return json.Unmarshal(b, v)
}

// Raw returns the body of an authenticated GET.
func (c API) Raw(path string) (string, error) {
	req, _ := http.NewRequest("GET", c.Base+path, nil)
	req.SetBasicAuth(c.User, c.Pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("GET %s: %d", path, resp.StatusCode)
	}
	return string(b), err
}

// Search runs a query through /api/search (first 100 hits).
func (c API) Search(q string) (indexer.Result, error) {
	var r indexer.Result
	err := c.Get("/api/search?size=100&q="+url.QueryEscape(q), &r)
	return r, err
}

// Alert is the part of an /api/alerts entry the tests read.
type Alert struct {
	ID        string   `json:"id"`
	ArticleID string   `json:"article_id"`
	URL       string   `json:"url"`
	Audiences []string `json:"audiences"`
}

// Alerts lists up to 1,000 alerts.
func (c API) Alerts() ([]Alert, error) {
	var r struct {
		Alerts []Alert `json:"alerts"`
	}
	err := c.Get("/api/alerts?limit=1000", &r)
	return r.Alerts, err
}

var alertLinkRE = regexp.MustCompile(`/alerts/([0-9a-f]{32})`)

// MailAlertIDs decodes a received message (multipart, quoted-printable or
// base64) and returns the alert ids its text links to.
func MailAlertIDs(t testing.TB, raw []byte) []string {
	t.Helper()
	text := MailText(t, raw)
	seen := map[string]bool{}
	var ids []string
	for _, m := range alertLinkRE.FindAllStringSubmatch(text, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			ids = append(ids, m[1])
		}
	}
	return ids
}

// MailText returns the decoded text parts of a message.
func MailText(t testing.TB, raw []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse mail: %v", err)
	}
	var out strings.Builder
	var walk func(h map[string][]string, body io.Reader)
	walk = func(h map[string][]string, body io.Reader) {
		get := func(k string) string {
			if v := h[k]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		mt, params, _ := mime.ParseMediaType(get("Content-Type"))
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err != nil {
					return
				}
				walk(p.Header, p)
			}
		}
		var r io.Reader = body
		switch strings.ToLower(get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			r = quotedprintable.NewReader(body)
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, &newlineStripper{body})
		}
		b, _ := io.ReadAll(r)
		if mt == "" || strings.HasPrefix(mt, "text/") {
			out.Write(b)
			out.WriteByte('\n')
		}
	}
	walk(msg.Header, msg.Body)
	return out.String()
}

type newlineStripper struct{ r io.Reader }

func (n *newlineStripper) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	j := 0
	for _, c := range p[:k] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}

// AudienceAddrs returns the recipient of each audience in Config's file.
func AudienceAddrs() map[string]string {
	return map[string]string{"office": "vanphong@example.org", "police": "congan@example.org"}
}

// Deliveries counts the alert deliveries expected (one per alert and
// audience with an address) and received (alert links × recipients).
func Deliveries(t testing.TB, msgs []mailcatcher.Message, alerts []Alert) (got, want int) {
	t.Helper()
	addrs := AudienceAddrs()
	for _, a := range alerts {
		for _, aud := range a.Audiences {
			if addrs[aud] != "" {
				want++
			}
		}
	}
	for _, m := range msgs {
		got += len(MailAlertIDs(t, m.Data)) * len(m.To)
	}
	return got, want
}

// CheckMailedOnce asserts that no Message-ID arrived twice and that every
// alert reached each of its audiences' mailboxes exactly once.
func CheckMailedOnce(t testing.TB, msgs []mailcatcher.Message, alerts []Alert) {
	t.Helper()
	CheckMailedOnceTo(t, msgs, alerts, AudienceAddrs())
}

// CheckMailedOnceTo is CheckMailedOnce with the audiences' addresses given
// (audience → address; audiences not in rcpt are not checked).
func CheckMailedOnceTo(t testing.TB, msgs []mailcatcher.Message, alerts []Alert, rcpt map[string]string) {
	t.Helper()
	seenMID := map[string]bool{}
	got := map[string]int{} // alert id + "|" + recipient → mails
	for _, m := range msgs {
		if seenMID[m.MessageID] {
			t.Errorf("Message-ID %s received twice", m.MessageID)
		}
		seenMID[m.MessageID] = true
		for _, id := range MailAlertIDs(t, m.Data) {
			for _, to := range m.To {
				got[id+"|"+to]++
			}
		}
	}
	for _, a := range alerts {
		for _, aud := range a.Audiences {
			addr := rcpt[aud]
			if addr == "" {
				continue
			}
			if n := got[a.ID+"|"+addr]; n != 1 {
				t.Errorf("alert %s (%s) reached %s %d times, want 1", a.ID, a.URL, addr, n)
			}
		}
	}
}

// WriteFile writes content to path or fails the test.
func WriteFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ReadFile returns the content of path or fails the test.
func ReadFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Config returns a diembao.yaml for a pipeline against the catcher, with
// the audiences of AudienceAddrs and a 2 s group wait; extra is appended
// as more top-level keys.
func Config(dataDir, sources string, httpPort int, catcher *mailcatcher.Catcher, natsURL, extra string) string {
	return fmt.Sprintf(`data_dir: %s
nats: {url: %q}
http: {listen: "127.0.0.1:%d", base_url: "http://127.0.0.1:%d"}
sources: %s
smtp: {host: %q, port: %d, tls: none, from: "diembao@localhost"}
audiences:
  office: {emails: ["vanphong@example.org"]}
  police: {emails: ["congan@example.org"], sensitive: true}
routes:
  - {match: {topics: [border, laos, disinfo], area: true}, audiences: [office, police]}
  - {match: {topics: [ethnic, religion], area: true}, audiences: [office]}
alerts: {group_wait: 2s, repeat: 168h}
`, dataDir, natsURL, httpPort, httpPort, sources, catcher.Host(), catcher.Port()) + extra
}

// Password is the password AddUser gives the user "tester".
const Password = "correct-horse-battery"

// AddUser creates the admin "tester" with Password through the diembao
// binary (extra args, e.g. --nats URL, are appended).
func AddUser(t testing.TB, bin, cfg string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--config", cfg, "user", "add", "tester", "--role", "admin", "--password-stdin"}, args...)...)
	cmd.Stdin = strings.NewReader(Password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	return Password
}

// Fixture serves the sample site and a mail catcher on loopback and
// writes sources.yaml and diembao.yaml into dir for a pipeline against them
// (natsURL empty: the embedded server). It returns the path of
// diembao.yaml and the HTTP port the serve role will listen on.
func Fixture(t testing.TB, dir, natsURL string) (*demosite.Site, *mailcatcher.Catcher, string, int) {
	t.Helper()
	site, err := demosite.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { site.Close() })
	catcher, err := mailcatcher.New(mailcatcher.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { catcher.Close() })
	sources := filepath.Join(dir, "sources.yaml")
	WriteFile(t, sources, demosite.DemoSources(site.URL()))
	httpPort := FreePort(t)
	cfg := filepath.Join(dir, "diembao.yaml")
	WriteFile(t, cfg, Config(filepath.Join(dir, "data"), sources, httpPort, catcher, natsURL, ""))
	return site, catcher, cfg, httpPort
}

// HTTPGet returns the body of a GET that must answer 200.
func HTTPGet(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// MetricValue returns the value of an unlabelled sample in a Prometheus
// text exposition, or -1 when it is absent.
func MetricValue(body, name string) float64 {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

// WaitAllIndexedOnce polls until every article of the sample site is found
// by a search for its title, and fails at once if one is found twice.
func WaitAllIndexedOnce(t testing.TB, api API, site *demosite.Site, timeout time.Duration) {
	t.Helper()
	items := site.Articles()
	Poll(t, timeout, "every article indexed", func() (bool, string) {
		missing := 0
		var titles []string
		for _, it := range items {
			r, err := api.Search(`"` + it.Title + `"`)
			if err != nil {
				return false, err.Error()
			}
			n := 0
			for _, h := range r.Hits {
				if h.URL == site.URL()+it.Path {
					n++
				}
			}
			if n > 1 {
				t.Fatalf("article %s indexed %d times", it.Path, n)
			}
			if n == 0 {
				missing++
				titles = append(titles, it.Title)
			}
		}
		return missing == 0, fmt.Sprintf("%d of %d missing: %q", missing, len(items), titles)
	})
}

// WaitAlertsMailed polls until every alert the API lists has reached each
// of its audiences, then checks nothing was doubled: one alert per
// article, each Message-ID once, each alert once per audience. It returns
// the alerts.
func WaitAlertsMailed(t testing.TB, api API, catcher *mailcatcher.Catcher, timeout time.Duration) []Alert {
	t.Helper()
	return WaitAlertsMailedFrom(t, api, catcher.Messages, timeout)
}

// WaitAlertsMailedFrom is WaitAlertsMailed with the received messages
// read from msgs (e.g. several catchers, one after the other, on one port).
func WaitAlertsMailedFrom(t testing.TB, api API, msgs func() []mailcatcher.Message, timeout time.Duration) []Alert {
	t.Helper()
	var alerts []Alert
	Poll(t, timeout, "alerts mailed", func() (bool, string) {
		var err error
		alerts, err = api.Alerts()
		if err != nil {
			return false, err.Error()
		}
		got, want := Deliveries(t, msgs(), alerts)
		return want > 0 && got >= want, fmt.Sprintf("%d of %d alert deliveries", got, want)
	})
	byArticle := map[string]int{}
	for _, a := range alerts {
		byArticle[a.ArticleID]++
	}
	for id, n := range byArticle {
		if n > 1 {
			t.Errorf("article %s has %d alerts, want 1", id, n)
		}
	}
	CheckMailedOnce(t, msgs(), alerts)
	return alerts
}
