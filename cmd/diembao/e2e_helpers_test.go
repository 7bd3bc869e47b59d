package main

import (
	"bytes"
	"context"
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
	"strings"
	"sync"
	"testing"
	"time"

	"encoding/base64"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/mailcatcher"
)

// buildOnce builds a main package once per test binary run.
var builds sync.Map

func buildBinary(t *testing.T, name, pkg string) string {
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

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// proc is a child process whose output goes to a log file.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

func startProc(t *testing.T, dir, name string, bin string, args ...string) *proc {
	t.Helper()
	return startProcEnv(t, dir, name, nil, bin, args...)
}

// startProcEnv is startProc with extra environment variables (KEY=value).
func startProcEnv(t *testing.T, dir, name string, env []string, bin string, args ...string) *proc {
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
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			if len(b) > 6000 {
				b = b[len(b)-6000:]
			}
			t.Logf("---- %s log (tail) ----\n%s", name, b)
		}
	})
	return p
}

func (p *proc) kill() {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
		if p.err != nil {
			t.Errorf("%s exited with %v after SIGINT", p.name, p.err)
		}
	case <-time.After(60 * time.Second):
		t.Errorf("%s did not stop within 60s of SIGINT", p.name)
		p.kill()
	}
}

func poll(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s (last: %s)", timeout, what, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// apiClient talks to a running serve role with HTTP basic auth.
type apiClient struct {
	base, user, pass string
}

func (c apiClient) get(path string, v any) error {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.SetBasicAuth(c.user, c.pass)
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

// raw returns the body of an authenticated GET.
func (c apiClient) raw(path string) (string, error) {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.SetBasicAuth(c.user, c.pass)
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

func (c apiClient) search(q string) (indexer.Result, error) {
	var r indexer.Result
	err := c.get("/api/search?size=100&q="+url.QueryEscape(q), &r)
	return r, err
}

type apiAlert struct {
	ID        string   `json:"id"`
	ArticleID string   `json:"article_id"`
	URL       string   `json:"url"`
	Audiences []string `json:"audiences"`
}

func (c apiClient) alerts() ([]apiAlert, error) {
	var r struct {
		Alerts []apiAlert `json:"alerts"`
	}
	err := c.get("/api/alerts?limit=1000", &r)
	return r.Alerts, err
}

var alertLinkRE = regexp.MustCompile(`/alerts/([0-9a-f]{32})`)

// mailAlertIDs decodes a received message (multipart, quoted-printable or
// base64) and returns the alert ids its text links to.
func mailAlertIDs(t *testing.T, raw []byte) []string {
	t.Helper()
	text := mailText(t, raw)
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

func mailText(t *testing.T, raw []byte) string {
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

// checkMailedOnce asserts that no Message-ID arrived twice and that every
// alert reached each of its audiences' mailboxes exactly once.
func checkMailedOnce(t *testing.T, msgs []mailcatcher.Message, alerts []apiAlert, rcpt map[string]string) {
	t.Helper()
	seenMID := map[string]bool{}
	got := map[string]int{} // alert id + "|" + recipient → mails
	for _, m := range msgs {
		if seenMID[m.MessageID] {
			t.Errorf("Message-ID %s received twice", m.MessageID)
		}
		seenMID[m.MessageID] = true
		for _, id := range mailAlertIDs(t, m.Data) {
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

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func e2eConfig(dataDir, sources string, httpPort int, catcher *mailcatcher.Catcher, natsURL string) string {
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
`, dataDir, natsURL, httpPort, httpPort, sources, catcher.Host(), catcher.Port())
}

var audienceAddr = map[string]string{"office": "vanphong@example.org", "police": "congan@example.org"}

func addUser(t *testing.T, bin, cfg string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--config", cfg, "user", "add", "tester", "--role", "admin", "--password-stdin"}, args...)...)
	cmd.Stdin = strings.NewReader("correct-horse-battery\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	return "correct-horse-battery"
}

// e2eFixture serves the sample site and a mail catcher on loopback and
// writes sources.yaml and diembao.yaml into dir for a pipeline against them
// (natsURL empty: the embedded server).
func e2eFixture(t *testing.T, dir, natsURL string) (*demosite.Site, *mailcatcher.Catcher, string, int) {
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
	writeTestFile(t, sources, demosite.DemoSources(site.URL()))
	httpPort := freePort(t)
	cfg := filepath.Join(dir, "diembao.yaml")
	writeTestFile(t, cfg, e2eConfig(filepath.Join(dir, "data"), sources, httpPort, catcher, natsURL))
	return site, catcher, cfg, httpPort
}
