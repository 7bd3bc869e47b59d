package node

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/portal"
	"github.com/diembao/diembao/internal/stages"
	"github.com/diembao/diembao/internal/web"
	"github.com/diembao/diembao/internal/webdata"
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

// NewPortalWatcher builds the watch over the bus b: a crawler with no
// sources lends its guarded fetch (robots.txt, politeness, private-address
// refusal) and extraction.
func NewPortalWatcher(ctx context.Context, cfg config.Config, b *bus.Bus, log *slog.Logger) (*portal.Watcher, error) {
	st, err := b.KV(ctx, bucketPortals)
	if err != nil {
		return nil, err
	}
	c, err := crawler.NewOneShot(FetchConfig(cfg), nil, "the portal watch", log)
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
func (n *Node) startPortals(ctx context.Context, g *stages.Group) error {
	if len(n.cfg.Portals) == 0 {
		return nil
	}
	w, err := NewPortalWatcher(ctx, n.cfg, n.bus, n.log)
	if err != nil {
		return fmt.Errorf("portals: %w", err)
	}
	g.Go("portals", func() error { return w.Run(ctx) })
	return nil
}

// webPortals gives the web role the watch's records (nil: no portals).
func (n *Node) webPortals(ctx context.Context) (web.Portals, error) {
	if len(n.cfg.Portals) == 0 {
		return nil, nil
	}
	st, err := n.kv(ctx, bucketPortals)
	if err != nil {
		return nil, err
	}
	r, err := portal.NewReader(n.cfg.Portals, st, n.cfg.Location())
	if err != nil {
		return nil, fmt.Errorf("portals: %w", err)
	}
	return webdata.PortalsFrom(r, time.Now), nil
}
