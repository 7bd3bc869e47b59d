package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
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

func runDemo(ctx context.Context, a *app, groupWait time.Duration) error {
	demoDir := filepath.Join(a.cfg.DataDir, "demo")
	if err := os.MkdirAll(demoDir, 0o750); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	site, err := demosite.Start(ctx, "127.0.0.1:0")
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
	portalSite, err := startDemoPortal(ctx, a) // own portal with a missing duty and an injection (portals.go)
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
Ctrl-C để dừng / to stop.
`, addr, a.cfg.HTTP.BaseURL, password, site.URL(), mailDir, catcher.Addr())
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
			return "", fmt.Errorf("demo: user demo exists but %s is unreadable (%w); remove %s to start afresh", pwFile, rerr, n.a.cfg.DataDir)
		}
		return strings.TrimSpace(string(b)), nil
	default:
		return "", fmt.Errorf("demo: create user: %w", err)
	}
}
