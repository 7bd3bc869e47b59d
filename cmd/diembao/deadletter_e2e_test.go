package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/e2e"
	"github.com/diembao/diembao/internal/mailcatcher"
)

var (
	outboxRetryRE = regexp.MustCompile(`(?s)<td>OUTBOX</td>.*?action="/deadletters/([0-9]+)/retry"`)
	csrfFieldRE   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

// TestDeadMailRetryThroughUI: the SMTP server refuses every mail until
// alerts.max_attempts; the mails show on /deadletters; the server is fixed
// and an admin retries one through the page's form (with its CSRF token):
// the server receives that mail exactly once.
func TestDeadMailRetryThroughUI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := e2e.BuildBinary(t, "diembao", "github.com/diembao/diembao/cmd/diembao")
	dir := t.TempDir()
	site, err := demosite.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { site.Close() })
	var refuse atomic.Bool
	refuse.Store(true)
	catcher, err := mailcatcher.New(mailcatcher.Config{Reject: func(string) error {
		if refuse.Load() {
			return mailcatcher.RejectTemporary
		}
		return nil
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { catcher.Close() })
	sources := filepath.Join(dir, "sources.yaml")
	writeTestFile(t, sources, demosite.DemoSources(site.URL()))
	httpPort := freePort(t)
	cfg := filepath.Join(dir, "diembao.yaml")
	writeTestFile(t, cfg, strings.Replace(e2eConfig(filepath.Join(dir, "data"), sources, httpPort, catcher, ""),
		"alerts: {group_wait: 2s, repeat: 168h}", "alerts: {group_wait: 1s, repeat: 168h, max_attempts: 2}", 1))
	pw := e2e.AddUser(t, bin, cfg)
	e2e.StartProc(t, dir, "run", nil, bin, "--config", cfg, "run")
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	page := func(path string) string {
		resp, err := c.Get(base + path)
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	e2e.Poll(t, 90*time.Second, "login", func() (bool, string) {
		resp, err := c.PostForm(base+"/login", url.Values{"user": {"tester"}, "password": {pw}, "next": {"/deadletters"}})
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.Request.URL.Path == "/deadletters", resp.Status
	})
	var id string
	e2e.Poll(t, 3*time.Minute, "a dead mail on /deadletters", func() (bool, string) {
		m := outboxRetryRE.FindStringSubmatch(page("/deadletters"))
		if m == nil {
			return false, fmt.Sprintf("catcher has %d", catcher.Count())
		}
		id = m[1]
		return true, ""
	})
	if n := catcher.Count(); n != 0 {
		t.Fatalf("the refusing server accepted %d mails", n)
	}

	refuse.Store(false)
	body := page("/deadletters")
	tok := csrfFieldRE.FindStringSubmatch(body)
	if tok == nil {
		t.Fatal("no CSRF token on /deadletters")
	}
	resp, err := c.PostForm(base+"/deadletters/"+id+"/retry", url.Values{"csrf": {tok[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Request.URL.RawQuery, "retried="+id) {
		t.Fatalf("retry: %s at %s", resp.Status, resp.Request.URL)
	}
	msgs, err := catcher.Wait(ctxTimeout(t, 2*time.Minute), 1)
	if err != nil {
		t.Fatalf("the retried mail never arrived: %v", err)
	}
	// The retried letter leaves the page; nothing is sent twice.
	e2e.Poll(t, 30*time.Second, "retried letter gone", func() (bool, string) {
		return !strings.Contains(page("/deadletters"), "/deadletters/"+id+"/retry"), ""
	})
	got := map[string]int{}
	for _, m := range catcher.Messages() {
		got[m.MessageID]++
	}
	if len(got) != 1 || got[msgs[0].MessageID] != 1 {
		t.Errorf("after one retry the server received %v, want one mail once", got)
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
