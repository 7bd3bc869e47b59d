package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/mailcatcher"
	"github.com/diembao/diembao/internal/web"
)

// cmdDemo serves the bundled sample press site and a mail catcher on
// loopback, creates the user "demo", and runs every role against them.
func cmdDemo(ctx context.Context, a *app, args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	groupWait := fs.Duration("group-wait", 5*time.Second, "how long alerts for one audience are grouped before a mail goes out")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return a.exitCode(fmt.Errorf("%w: demo takes no arguments", errUsage))
	}
	return a.exitCode(runDemo(ctx, a, *groupWait))
}

// demoSiteAddr is the sample site's first-choice address. The address a
// demo folder first used is kept in DEMO/site.json and reused, so article
// URLs (and with them article ids) stay the same from run to run.
const demoSiteAddr = "127.0.0.1:18765"

// demoSite is what DEMO/site.json keeps: the sample site's address and the
// clock its article dates are anchored to.
type demoSite struct {
	Addr string    `json:"addr"`
	Now  time.Time `json:"now"`
	// PortalAddr is the sample own portal's address, kept like Addr so its
	// pages stay the same pages for the change watch.
	PortalAddr string `json:"portal_addr,omitempty"`
}

// startDemoSite serves the sample site at the address and clock kept in
// dir/site.json. On the first run it takes demoSiteAddr, or a free port when
// that one is taken, and the current time, and keeps them. A later run whose
// address is taken fails with a clear error instead of moving the site: a new
// address would make every article new.
func startDemoSite(ctx context.Context, dir string) (*demosite.Site, error) {
	path := filepath.Join(dir, "site.json")
	var st demoSite
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &st); err != nil || st.Addr == "" || st.Now.IsZero() {
			return nil, fmt.Errorf("%s is damaged (%v); remove %s to start the demo afresh", path, err, dir)
		}
		site, err := demosite.StartOptions(ctx, st.Addr, demosite.Options{Now: st.Now})
		if err != nil {
			return nil, fmt.Errorf("%w: the demo's articles live at %s; free that port, or remove %s to start afresh", err, st.Addr, dir)
		}
		return site, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	st.Now = time.Now().Truncate(time.Minute)
	site, err := demosite.StartOptions(ctx, demoSiteAddr, demosite.Options{Now: st.Now})
	if err != nil {
		site, err = demosite.StartOptions(ctx, "127.0.0.1:0", demosite.Options{Now: st.Now})
		if err != nil {
			return nil, err
		}
	}
	st.Addr = strings.TrimPrefix(site.URL(), "http://")
	b, _ = json.Marshal(st)
	if err := os.WriteFile(path, append(b, '\n'), 0o640); err != nil {
		site.Close()
		return nil, err
	}
	return site, nil
}

// runDemo runs the demo with its own data folder, DATA/demo (store, index,
// mails, the sample site's address): a real run's DATA is never touched, and
// a second demo run finds its articles already crawled, indexed and alerted.
func runDemo(ctx context.Context, a *app, groupWait time.Duration) error {
	demoDir := filepath.Join(a.cfg.DataDir, "demo")
	if err := os.MkdirAll(demoDir, 0o750); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	a.cfg.DataDir = demoDir
	site, err := startDemoSite(ctx, demoDir)
	if err != nil {
		return fmt.Errorf("demo: sample site: %w", err)
	}
	defer site.Close()
	mailDir := filepath.Join(demoDir, "mail")
	catcher, err := mailcatcher.New(mailcatcher.Config{Addr: "127.0.0.1:0", Dir: mailDir}, a.log)
	if err != nil {
		return fmt.Errorf("demo: mail catcher: %w", err)
	}
	defer catcher.Close()

	sourcesPath := filepath.Join(demoDir, "sources.yaml")
	if err := os.WriteFile(sourcesPath, []byte(demosite.DemoSources(site.URL())), 0o640); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	a.cfg.Sources = sourcesPath
	a.cfg.NATS.URL = ""
	a.cfg.SMTP = config.SMTP{Host: catcher.Host(), Port: catcher.Port(), TLS: "none", From: "diembao@localhost"}
	a.cfg.Alerts.GroupWait = config.Duration(groupWait)
	portalSite, err := startDemoPortal(ctx, a, demoDir) // own portal with a missing duty and an injection (portals.go)
	if err != nil {
		return err
	}
	defer portalSite.Close()

	n, err := openNode(ctx, a, allRoles(), "")
	if err != nil {
		return err
	}
	password, err := demoUser(ctx, n, demoDir)
	if err != nil {
		n.bus.Close()
		return err
	}
	seedDemoCase(ctx, n) // cases.go
	done := make(chan error, 1)
	go func() { done <- n.run(ctx) }()
	select {
	case addr := <-n.httpReady:
		fmt.Fprintf(a.stdout, `
diembao demo đang chạy / is running
  Giao diện (UI):       http://%s   (base URL %s)
  Người dùng / user:    demo
  Mật khẩu / password:  %s
  Trang báo mẫu:        %s
  Thư cảnh báo (mail):  %s  (SMTP catcher at %s)
  Dữ liệu demo (data):  %s
Ctrl-C để dừng / to stop.
`, addr, a.cfg.HTTP.BaseURL, password, site.URL(), mailDir, catcher.Addr(), demoDir)
	case err := <-done:
		return err
	}
	return <-done
}

// demoUser creates the analyst "demo" on first run and keeps its password in
// DATA/demo/password (0600) so later runs can print it again.
func demoUser(ctx context.Context, n *node, demoDir string) (string, error) {
	store, err := n.kv(ctx, bucketAccounts)
	if err != nil {
		return "", err
	}
	acc := web.NewAccounts(store)
	pwFile := filepath.Join(demoDir, "password")
	password := web.GeneratePassword()
	err = acc.Add(ctx, "demo", web.RoleAdmin, password)
	switch {
	case err == nil:
		if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("demo: save password: %w", err)
		}
		return password, nil
	case errors.Is(err, web.ErrUserExists):
		b, rerr := os.ReadFile(pwFile)
		if rerr != nil {
			return "", fmt.Errorf("demo: user demo exists but %s is unreadable (%w); remove %s to start afresh", pwFile, rerr, demoDir)
		}
		return strings.TrimSpace(string(b)), nil
	default:
		return "", fmt.Errorf("demo: create user: %w", err)
	}
}
