package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/node"
)

// splitDeployment is a NATS server of its own (the hub) that role nodes,
// each with its own data dir, join as they would a cluster.
type splitDeployment struct {
	t       *testing.T
	ctx     context.Context
	cancel  context.CancelFunc
	dir     string
	hub     *bus.Bus
	natsURL string
}

// newSplitDeployment starts the hub; every node started on it stops when the
// test ends.
func newSplitDeployment(t *testing.T) *splitDeployment {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dir := t.TempDir()
	hub, err := bus.Open(ctx, bus.Config{StoreDir: filepath.Join(dir, "hub"), Sync: true, LocalURLFile: filepath.Join(dir, "hub.url")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hub.Close)
	if err := hub.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	natsURL := bus.LocalURL(filepath.Join(dir, "hub.url"))
	if natsURL == "" {
		t.Fatal("hub has no URL")
	}
	return &splitDeployment{t: t, ctx: ctx, cancel: cancel, dir: dir, hub: hub, natsURL: natsURL}
}

// start runs a node of roles named name (its data dir below the
// deployment's), with cfg's defaults changed by edit.
func (s *splitDeployment) start(name string, roles node.Roles, edit func(*config.Config)) *node.Node {
	t := s.t
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(s.dir, name)
	cfg.HTTP.Listen = "127.0.0.1:0"
	if edit != nil {
		edit(&cfg)
	}
	a := &app{cfg: cfg, log: slog.New(slog.DiscardHandler), stdout: io.Discard, stderr: io.Discard, stdin: strings.NewReader(""), getenv: func(string) string { return "" }}
	n, err := node.Open(s.ctx, a.env(), roles, s.natsURL)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- n.Run(s.ctx) }()
	t.Cleanup(func() {
		s.cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Errorf("%s did not stop", name)
		}
	})
	return n
}

// httpBase waits for n's HTTP server and returns its base URL.
func httpBase(t *testing.T, n *node.Node) string {
	t.Helper()
	select {
	case addr := <-n.HTTPReady():
		return "http://" + addr
	case <-time.After(30 * time.Second):
		t.Fatal("serve role did not listen")
	}
	return ""
}
