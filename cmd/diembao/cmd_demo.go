package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/mailcatcher"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/internal/web"
)

// cmdDemo serves the bundled sample press site and a mail catcher on
// loopback, creates the user "demo", and runs every role against them.
func cmdDemo(ctx context.Context, a *app, args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	groupWait := fs.Duration("group-wait", 5*time.Second, "how long alerts for one audience are grouped before a mail goes out")
	if err := fs.Parse(args); err != nil {
		return cli.ExitUsage
	}
	if fs.NArg() > 0 {
		return a.exitCode(fmt.Errorf("%w: demo takes no arguments", cli.ErrUsage))
	}
	return a.exitCode(runDemo(ctx, a, *groupWait))
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
	site, err := demosite.StartKept(ctx, demoDir)
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
	portalSite, err := demosite.StartPortalKept(ctx, demoDir) // own portal with a missing duty and an injection
	if err != nil {
		return err
	}
	defer portalSite.Close()
	a.cfg.Portals = demosite.DemoPortals(portalSite.URL())
	a.log.Info("demo own portal", "url", portalSite.URL(), "portal", demosite.PortalID)

	n, err := node.Open(ctx, a.env(), node.AllRoles(), "")
	if err != nil {
		return err
	}
	password, err := demoUser(ctx, n, demoDir)
	if err != nil {
		n.Close()
		return err
	}
	n.SeedDemoCase(ctx)
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	select {
	case addr := <-n.HTTPReady():
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

// demoUser creates the user "demo" on first run and keeps its password in
// DATA/demo/password (0600) so later runs can print it again.
func demoUser(ctx context.Context, n *node.Node, demoDir string) (string, error) {
	store, err := n.KV(ctx, node.BucketAccounts)
	if err != nil {
		return "", err
	}
	password, err := web.NewAccounts(store).AddKept(ctx, "demo", web.RoleAdmin, filepath.Join(demoDir, "password"))
	if err != nil {
		return "", fmt.Errorf("demo: %w; remove %s to start afresh", err, demoDir)
	}
	return password, nil
}
