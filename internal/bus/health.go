package bus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/diembao/diembao/internal/diskspace"
	"github.com/diembao/diembao/internal/errkind"
)

// healthState is what the watchdog last learnt about JetStream.
type healthState struct {
	mu         sync.Mutex
	err        error  // nil: JetStream answered the last probe
	storeFault string // the embedded store's last write error, until JetStream restarts
	restarted  time.Time
}

func (h *healthState) storeFailed(msg string) {
	h.mu.Lock()
	h.storeFault = msg
	h.mu.Unlock()
}

func (h *healthState) fault() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.storeFault
}

func (h *healthState) set(err error) {
	h.mu.Lock()
	h.err = err
	h.mu.Unlock()
}

func (h *healthState) get() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.err
}

// Health reports whether the bus can take writes now: nil when connected
// and JetStream answered the watchdog's last probe (every few seconds).
// The error says what is wrong; it wraps errkind.Unavailable.
func (b *Bus) Health() error {
	if b.nc == nil || !b.nc.IsConnected() {
		return fmt.Errorf("nats disconnected: %w", errkind.Unavailable)
	}
	if b.srv != nil && !b.srv.JetStreamEnabled() {
		return fmt.Errorf("embedded JetStream disabled (out of disk space?): %w", errkind.Unavailable)
	}
	if f := b.health.fault(); f != "" {
		return fmt.Errorf("embedded JetStream cannot write: %s: %w", f, errkind.Unavailable)
	}
	if err := b.health.get(); err != nil {
		return fmt.Errorf("jetstream: %w: %w", errkind.Unavailable, err)
	}
	return nil
}

// watch probes JetStream every interval until ctx ends. With the embedded
// server it also restarts JetStream when the server turned it off after a
// write error (nats-server does so when the disk is full) once the store's
// file system has room again: without that, every publish and KV put would
// time out until the process restarts.
func (b *Bus) watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if b.srv != nil && (!b.srv.JetStreamEnabled() || b.health.fault() != "") {
			b.restartJetStream()
		}
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := b.js.AccountInfo(pctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil && errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) {
			err = errors.New("jetstream not enabled")
		}
		prev := b.health.get()
		b.health.set(err)
		switch {
		case err != nil && prev == nil:
			b.log.Warn("jetstream unavailable; stages pause until it answers", "err", err)
		case err == nil && prev != nil:
			b.log.Info("jetstream available again")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// restartJetStream re-enables the embedded server's JetStream with the
// options it started with, if the store's file system has at least
// MinFree bytes free.
func (b *Bus) restartJetStream() {
	if time.Since(b.health.restarted) < 20*time.Second {
		return // let the last restart show whether the space suffices
	}
	free, err := FreeBytes(b.cfg.StoreDir)
	if err != nil {
		b.log.Warn("embedded JetStream is off and the store's free space is unknown", "err", err)
		return
	}
	if free < b.cfg.MinFree {
		b.log.Warn("embedded JetStream is off: waiting for disk space", "free_bytes", free, "need_bytes", b.cfg.MinFree)
		return
	}
	o := b.srvOpts
	b.log.Warn("restarting the embedded JetStream", "free_bytes", free, "after", b.health.fault())
	if b.srv.JetStreamEnabled() {
		// Streams keep a write error until they are reloaded from disk.
		if err := b.srv.ShutdownJetStream(); err != nil {
			b.log.Error("stop embedded JetStream", "err", err)
			return
		}
	}
	b.health.storeFailed("")
	b.health.restarted = time.Now()
	err = b.srv.EnableJetStream(&server.JetStreamConfig{
		StoreDir: o.StoreDir, SyncInterval: o.SyncInterval, SyncAlways: o.SyncAlways,
		Strict: !o.NoJetStreamStrict, MaxMemory: o.JetStreamMaxMemory, MaxStore: o.JetStreamMaxStore,
		Domain: o.JetStreamDomain, CompressOK: true, UniqueTag: o.JetStreamUniqueTag,
	})
	if err != nil {
		b.log.Error("restart embedded JetStream", "err", err)
		b.health.storeFailed("restart failed: " + err.Error())
		return
	}
	b.log.Info("embedded JetStream restarted")
}

// FreeBytes returns the bytes available to an unprivileged user on the
// file system holding path.
func FreeBytes(path string) (uint64, error) { return diskspace.Free(path) }

// IsUnavailable reports whether err means a resource the stage needs is
// missing for now (no disk space, JetStream off or out of resources, the bus
// not answering) rather than anything wrong with the message: such a
// message is retried, never dead-lettered.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, errkind.Unavailable) || errors.Is(err, syscall.ENOSPC) ||
		errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "no space left on device") || strings.Contains(s, "insufficient resources") ||
		strings.Contains(s, "resources exceeded")
}
