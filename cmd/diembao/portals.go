package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/portal"
	"github.com/diembao/diembao/internal/web"
)

// bucketPortals holds the own-portal watch's state (internal/portal).
const bucketPortals = portal.Bucket

// alertPublisher publishes portal findings on ALERTS (alerts.portal).
func alertPublisher(b *bus.Bus) portal.Publisher {
	return portal.PublisherFunc(func(ctx context.Context, a article.Alert) error {
		data, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("encode alert %s: %w", a.ID, err)
		}
		_, err = b.Publish(ctx, bus.SubjectAlerts+"."+bus.Token(portal.Topic), a.ID, data, nil)
		return err
	})
}

// newPortalWatcher builds the watch over the bus: a crawler with no
// sources lends its guarded fetch (robots.txt, politeness, private-address
// refusal) and extraction.
func newPortalWatcher(ctx context.Context, cfg config.Config, b *bus.Bus, log *slog.Logger) (*portal.Watcher, error) {
	st, err := b.KV(ctx, bucketPortals)
	if err != nil {
		return nil, err
	}
	c, err := crawler.NewOneShot(fetchConfig(cfg), nil, "the portal watch", log)
	if err != nil {
		return nil, err
	}
	tick := time.Minute
	for _, p := range cfg.Portals {
		if iv := p.Interval.D(); iv > 0 && iv/2 < tick {
			tick = max(iv/2, time.Second)
		}
	}
	return portal.New(portal.Config{Portals: cfg.Portals, Location: cfg.Location(), Tick: tick},
		c, crawler.Snapshots{Blobs: bus.Blobs{B: b}}, st, alertPublisher(b), log)
}

// startPortals runs the own-portal watch with the crawl role (no portals
// configured: nothing).
func (n *node) startPortals(ctx context.Context, start startFunc, wg *sync.WaitGroup) error {
	if len(n.a.cfg.Portals) == 0 {
		return nil
	}
	w, err := newPortalWatcher(ctx, n.a.cfg, n.bus, n.log)
	if err != nil {
		return fmt.Errorf("portals: %w", err)
	}
	start(wg, "portals", func() error { return w.Run(ctx) })
	return nil
}

// webPortals gives the web role the watch's records (nil: no portals).
func (n *node) webPortals(ctx context.Context) (web.Portals, error) {
	if len(n.a.cfg.Portals) == 0 {
		return nil, nil
	}
	st, err := n.kv(ctx, bucketPortals)
	if err != nil {
		return nil, err
	}
	r, err := portal.NewReader(n.a.cfg.Portals, st, n.a.cfg.Location())
	if err != nil {
		return nil, fmt.Errorf("portals: %w", err)
	}
	return web.PortalsFrom(r, time.Now), nil
}

// demoPortalAddr is the sample own portal's first-choice address (kept in
// DEMO/site.json like the press site's).
const demoPortalAddr = "127.0.0.1:18766"

// startDemoPortal serves the demo's own commune portal on loopback, at the
// address dir/site.json keeps, and configures the watch for it: one duty is
// missing, and the home page carries an injected block of betting links
// from its second check on.
func startDemoPortal(ctx context.Context, a *app, dir string) (*demosite.PortalServer, error) {
	path := filepath.Join(dir, "site.json") // written by startDemoSite
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var st demoSite
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("demo: %s: %w", path, err)
	}
	var site *demosite.PortalServer
	if st.PortalAddr != "" {
		// A later run: the watch has seen the portal, injection included,
		// so it serves the injected home page from the start.
		site, err = demosite.StartPortal(ctx, st.PortalAddr, demosite.PortalOptions{InjectAfter: 1})
		if err != nil {
			return nil, fmt.Errorf("demo: sample portal: %w: its pages live at %s; free that port, or remove %s to start afresh", err, st.PortalAddr, dir)
		}
	} else {
		// The watch sees a clean copy first, then the injection.
		site, err = demosite.StartPortal(ctx, demoPortalAddr, demosite.PortalOptions{InjectAfter: 2})
		if err != nil {
			site, err = demosite.StartPortal(ctx, "127.0.0.1:0", demosite.PortalOptions{InjectAfter: 2})
		}
		if err != nil {
			return nil, fmt.Errorf("demo: sample portal: %w", err)
		}
		st.PortalAddr = strings.TrimPrefix(site.URL(), "http://")
		b, _ = json.Marshal(st)
		if err := os.WriteFile(path, append(b, '\n'), 0o640); err != nil {
			site.Close()
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	a.cfg.Portals = demosite.DemoPortals(site.URL())
	a.log.Info("demo own portal", "url", site.URL(), "portal", demosite.PortalID)
	return site, nil
}
