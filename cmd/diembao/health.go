package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/diembao/diembao/internal/diskspace"
	"github.com/diembao/diembao/internal/web"
)

// health checks every part this process writes through: the bus (connected,
// JetStream answering), the index (index role: the last write succeeded)
// and the free space of the data dir (below health.min_free_mb). It
// returns nil when all can write, else a web.Unhealthy.
func (n *node) health(context.Context) error {
	h := web.Unhealthy{}
	if err := n.bus.Health(); err != nil {
		h["bus"] = err.Error()
	}
	if n.idx != nil {
		if err := n.idx.Health(); err != nil {
			h["index"] = err.Error()
		}
	}
	minFree := n.a.cfg.Health.MinFreeBytes()
	if free, err := diskspace.FreeFor(n.a.cfg.DataDir); err != nil {
		h["disk"] = err.Error()
	} else if free < minFree {
		h["disk"] = fmt.Sprintf("%d MiB free in %s, below health.min_free_mb (%d MiB)", free>>20, n.a.cfg.DataDir, minFree>>20)
	}
	if len(h) == 0 {
		return nil
	}
	return h
}

// healthzHandler answers the metrics listener's /healthz: 200 with the
// roles, or 503 with the failing parts, as JSON.
func (n *node) healthzHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := n.health(r.Context()); err != nil {
		failing := map[string]string{"ready": err.Error()}
		if h, ok := err.(web.Unhealthy); ok {
			failing = h
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]any{"status": "unavailable", "roles": n.roles.String(), "failing": failing})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"status": "ok", "roles": n.roles.String()})
}
