package node

import (
	"context"
	"fmt"

	"github.com/diembao/diembao/internal/diskspace"
	"github.com/diembao/diembao/internal/web"
)

// health checks every part this process writes through: the bus (connected,
// JetStream answering), the index (index role: the last write succeeded)
// and the free space of the data dir (below health.min_free_mb). It
// returns nil when all can write, else a web.Unhealthy.
func (n *Node) health(context.Context) error {
	h := web.Unhealthy{}
	if err := n.bus.Health(); err != nil {
		h["bus"] = err.Error()
	}
	if n.idx != nil {
		if err := n.idx.Health(); err != nil {
			h["index"] = err.Error()
		}
	}
	minFree := n.cfg.Health.MinFreeBytes()
	if free, err := diskspace.FreeFor(n.cfg.DataDir); err != nil {
		h["disk"] = err.Error()
	} else if free < minFree {
		h["disk"] = fmt.Sprintf("%d MiB free in %s, below health.min_free_mb (%d MiB)", free>>20, n.cfg.DataDir, minFree>>20)
	}
	if len(h) == 0 {
		return nil
	}
	return h
}
