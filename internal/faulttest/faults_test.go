package faulttest

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/e2e"
	"github.com/diembao/diembao/internal/mailcatcher"
)

// TestSIGKILLCrawl kills `diembao run` with SIGKILL at a random point of
// the crawl (a delay after start drawn from the seed in the test name),
// starts it again, and checks that every article is indexed once and every
// alert mailed once per audience.
func TestSIGKILLCrawl(t *testing.T) {
	bin := e2e.BuildBinary(t, "diembao", e2e.DiembaoPkg)
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x5eed))
			delay := time.Duration(500+rng.IntN(9500)) * time.Millisecond
			t.Logf("seed %d: SIGKILL %v after the pipeline starts", seed, delay)
			dir := t.TempDir()
			site, catcher, cfg, httpPort := e2e.Fixture(t, dir, "")
			pass := e2e.AddUser(t, bin, cfg)
			api := e2e.API{Base: fmt.Sprintf("http://127.0.0.1:%d", httpPort), User: "tester", Pass: pass}
			first := e2e.StartProc(t, dir, "run-1", nil, bin, "--config", cfg, "run")
			e2e.Poll(t, 90*time.Second, "the pipeline running", func() (bool, string) {
				return strings.Contains(first.Output(), "diembao running"), ""
			})
			time.Sleep(delay)
			first.Kill()
			second := e2e.StartProc(t, dir, "run-2", nil, bin, "--config", cfg, "run")
			e2e.WaitAllIndexedOnce(t, api, site, 3*time.Minute)
			e2e.WaitAlertsMailed(t, api, catcher, 2*time.Minute)
			second.Stop(t)
		})
	}
}

// TestSMTPDown30s stops the SMTP server as `diembao run` starts, brings it
// back on the same port 30 s later, and checks that every alert is then
// mailed once per audience and nothing twice.
func TestSMTPDown30s(t *testing.T) {
	bin := e2e.BuildBinary(t, "diembao", e2e.DiembaoPkg)
	dir := t.TempDir()
	site, catcher, cfg, httpPort := e2e.Fixture(t, dir, "")
	pass := e2e.AddUser(t, bin, cfg)
	api := e2e.API{Base: fmt.Sprintf("http://127.0.0.1:%d", httpPort), User: "tester", Pass: pass}
	addr := catcher.Addr()
	if err := catcher.Close(); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	run := e2e.StartProc(t, dir, "run", nil, bin, "--config", cfg, "run")
	e2e.Poll(t, 90*time.Second, "a mail attempt failing", func() (bool, string) {
		return strings.Contains(run.Output(), "mail_id"), ""
	})
	time.Sleep(time.Until(down.Add(30 * time.Second)))
	var mu sync.Mutex
	var back *mailcatcher.Catcher
	e2e.Poll(t, 30*time.Second, "the SMTP server back on "+addr, func() (bool, string) {
		c, err := mailcatcher.New(mailcatcher.Config{Addr: addr}, nil)
		if err != nil {
			return false, err.Error()
		}
		mu.Lock()
		back = c
		mu.Unlock()
		return true, ""
	})
	t.Cleanup(func() { back.Close() })
	t.Logf("SMTP server down for %v", time.Since(down).Round(time.Second))
	msgs := func() []mailcatcher.Message {
		mu.Lock()
		defer mu.Unlock()
		return append(catcher.Messages(), back.Messages()...)
	}
	e2e.WaitAllIndexedOnce(t, api, site, 3*time.Minute)
	e2e.WaitAlertsMailedFrom(t, api, msgs, 3*time.Minute)
	run.Stop(t)
}

// TestNATSRestartSplitRoles runs the split roles against one nats-server
// process, kills it with SIGKILL once the first alert is raised, starts it
// again on the same port and store, and checks that every article is
// indexed once and every alert mailed once per audience.
func TestNATSRestartSplitRoles(t *testing.T) {
	bin := e2e.BuildBinary(t, "diembao", e2e.DiembaoPkg)
	natsBin := e2e.BuildBinary(t, "nats-server", e2e.NATSServerPkg)
	dir := t.TempDir()
	natsPort := e2e.FreePort(t)
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", natsPort)
	natsArgs := []string{"-js", "-a", "127.0.0.1", "-p", fmt.Sprint(natsPort), "-sd", filepath.Join(dir, "nats")}
	nats := e2e.StartProc(t, dir, "nats-server", nil, natsBin, natsArgs...)
	site, catcher, cfg, httpPort := e2e.Fixture(t, dir, natsURL)
	e2e.Poll(t, 30*time.Second, "nats-server and user add", func() (bool, string) {
		cmd := exec.Command(bin, "--config", cfg, "user", "add", "tester", "--role", "admin", "--password-stdin", "--nats", natsURL)
		cmd.Stdin = strings.NewReader(e2e.Password + "\n")
		out, err := cmd.CombinedOutput()
		return err == nil || strings.Contains(string(out), "exists"), string(out)
	})
	for _, role := range []string{"index", "match", "notify", "serve", "crawl"} {
		e2e.StartProc(t, dir, role, nil, bin, role, "--nats", natsURL, "--config", cfg, "--data", filepath.Join(dir, "data-"+role))
	}
	api := e2e.API{Base: fmt.Sprintf("http://127.0.0.1:%d", httpPort), User: "tester", Pass: e2e.Password}
	e2e.Poll(t, 2*time.Minute, "the first alert", func() (bool, string) {
		as, err := api.Alerts()
		return err == nil && len(as) > 0, fmt.Sprint(err)
	})
	nats.Kill()
	t.Log("nats-server killed")
	time.Sleep(5 * time.Second)
	e2e.StartProc(t, dir, "nats-server-2", nil, natsBin, natsArgs...)
	t.Log("nats-server restarted")
	e2e.WaitAllIndexedOnce(t, api, site, 3*time.Minute)
	e2e.WaitAlertsMailed(t, api, catcher, 3*time.Minute)
}
