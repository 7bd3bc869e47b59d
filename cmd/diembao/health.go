package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/diembao/diembao/internal/bus"
)

// healthReport lists the parts of a process that cannot write now, part →
// reason (bus, index, disk). It is an error; web's /healthz reads Failing.
type healthReport map[string]string

func (h healthReport) Failing() map[string]string { return h }

func (h healthReport) Error() string {
	parts := make([]string, 0, len(h))
	for p, why := range h {
		parts = append(parts, p+": "+why)
	}
	sort.Strings(parts)
	return "unhealthy: " + strings.Join(parts, "; ")
}

// health checks every part this process writes through: the bus (connected,
// JetStream answering), the index (index role: the last write succeeded)
// and the free space of the data dir (below health.min_free_mb). It
// returns nil when all can write, else a healthReport.
func (n *node) health(context.Context) error {
	h := healthReport{}
	if err := n.bus.Health(); err != nil {
		h["bus"] = err.Error()
	}
	if n.idx != nil {
		if err := n.idx.Health(); err != nil {
			h["index"] = err.Error()
		}
	}
	minFree := n.a.cfg.Health.MinFreeBytes()
	if free, err := bus.FreeBytes(existingDir(n.a.cfg.DataDir)); err != nil {
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
		if h, ok := err.(healthReport); ok {
			failing = h
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]any{"status": "unavailable", "roles": n.roles.String(), "failing": failing})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"status": "ok", "roles": n.roles.String()})
}

// existingDir returns dir or its nearest existing ancestor: a role that
// writes nothing locally may never create its data dir, and the free space
// that matters is that of the file system the dir would be on.
func existingDir(dir string) string {
	for {
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}
