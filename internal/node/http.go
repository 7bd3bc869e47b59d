package node

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/diembao/diembao/internal/stages"
	"github.com/diembao/diembao/internal/web"
)

// startMetrics serves /metrics (no login: bind it to an address only the
// monitoring system reaches) and /healthz on metrics.listen.
func (n *Node) startMetrics(ctx context.Context, g *stages.Group) error {
	addr := n.cfg.Metrics.Listen
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(n.reg, promhttp.HandlerOpts{Registry: n.reg}))
	mux.HandleFunc("GET /healthz", web.HealthzHandler(n.health, n.roles.String()))
	n.log.Info("metrics listening", "addr", ln.Addr().String())
	serveHTTP(ctx, g, "metrics", ln, mux)
	return nil
}

// serveHTTP serves h on ln as stage name until ctx ends, then shuts the
// server down, giving requests in flight five seconds.
func serveHTTP(ctx context.Context, g *stages.Group, name string, ln net.Listener, h http.Handler) {
	g.Go(name, func() error { return web.Serve(ctx, ln, h) })
}

// listen opens the HTTP listener and reports its address.
func (n *Node) listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", n.cfg.HTTP.Listen)
	if err != nil {
		return nil, fmt.Errorf("serve: listen %s: %w", n.cfg.HTTP.Listen, err)
	}
	return ln, nil
}

func (n *Node) startServe(ctx context.Context, g *stages.Group) error {
	deps, err := n.webDeps(ctx)
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{BaseURL: n.cfg.HTTP.BaseURL, Location: n.cfg.Location(),
		SensitiveAudiences: SensitiveAudiences(n.cfg), AudienceNames: n.cfg.AudienceNames()}, deps, n.log)
	if err != nil {
		return err
	}
	if err := n.startSubscriptions(ctx, g, srv, deps); err != nil { // subscriptions.go
		return err
	}
	ln, err := n.listen()
	if err != nil {
		return err
	}
	g.Go("session-sweep", func() error { return deps.Accounts.SweepEvery(ctx, time.Hour, n.log) })
	n.httpReady <- ln.Addr().String()
	serveHTTP(ctx, g, "http", ln, srv.Handler())
	return nil
}
