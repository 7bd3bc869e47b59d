package config

import "fmt"

// Health tunes what /healthz calls unhealthy.
type Health struct {
	// MinFreeMB: below this many MiB free on the data dir's file system,
	// /healthz answers 503 naming the disk, the index refuses reads until it
	// is reopened above it, and an embedded JetStream that stopped on a full
	// disk is restarted only above it (0: 64).
	MinFreeMB int `yaml:"min_free_mb"`
}

// MinFreeBytes is MinFreeMB in bytes, with the default applied.
func (h Health) MinFreeBytes() uint64 {
	if h.MinFreeMB <= 0 {
		return 64 << 20
	}
	return uint64(h.MinFreeMB) << 20
}

// validate rejects a negative threshold.
func (h Health) validate() error {
	if h.MinFreeMB < 0 {
		return fmt.Errorf("health.min_free_mb: %d is negative", h.MinFreeMB)
	}
	return nil
}
