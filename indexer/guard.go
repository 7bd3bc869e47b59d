package indexer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"

	"github.com/blevesearch/bleve/v2"

	"github.com/diembao/diembao/internal/errkind"
)

// health is what the guard knows about the index's ability to write.
type health struct {
	mu       sync.Mutex
	writeErr error // the last Index call's error; nil after a success
	reopen   bool  // a write failed or Bleve panicked: reopen before writing again
}

func (x *Index) health() *health { return &x.guard }

// recoverPanic, deferred at the top of a public method, turns a panic
// inside Bleve (scorch and zapx panic on a segment closed under a reader,
// e.g. "assignment to entry in nil map" after a failed write on a full
// disk) into an error wrapping errkind.Unavailable, and makes the next
// write reopen the index from disk.
func (x *Index) recoverPanic(op string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	x.log.Error("recovered a panic in the index; it will be reopened", "op", op, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	h := x.health()
	h.mu.Lock()
	h.reopen = true
	h.mu.Unlock()
	*err = fmt.Errorf("index: %s: recovered panic: %v: %w", op, r, errkind.Unavailable)
}

// afterWrite, deferred at the top of Index (after recoverPanic, so it sees
// the recovered error), records the outcome: a failed write makes the index
// unhealthy until a write succeeds, and is reopened before the next one.
// Errors for lack of disk space are marked errkind.Unavailable.
func (x *Index) afterWrite(err *error) {
	h := x.health()
	h.mu.Lock()
	defer h.mu.Unlock()
	if *err == nil {
		h.writeErr = nil
		return
	}
	if x.cfg.ReadOnly {
		return
	}
	h.writeErr = *err
	h.reopen = true
	if !errors.Is(*err, errkind.Unavailable) && isNoSpace(*err) {
		*err = fmt.Errorf("%w: %w", errkind.Unavailable, *err)
	}
}

func isNoSpace(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	s := err.Error() // Bleve often formats errors with %v, losing the chain
	return strings.Contains(s, "no space left on device") || strings.Contains(s, "disk quota exceeded")
}

// Health reports whether the index can take writes: nil unless the last
// Index call failed (or Bleve panicked) and no write has succeeded since.
// The error wraps errkind.Unavailable.
func (x *Index) Health() error {
	h := x.health()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.writeErr != nil {
		return fmt.Errorf("%w: last write failed: %w", errkind.Unavailable, h.writeErr)
	}
	return nil
}

// reopenIfNeeded closes and reopens every monthly index after a failed
// write or a recovered panic, so the next batch starts from what is on
// disk (whatever was not durable is redelivered by the bus, and upserts
// make that harmless). The caller holds wmu.
func (x *Index) reopenIfNeeded() (err error) {
	h := x.health()
	h.mu.Lock()
	need := h.reopen
	h.mu.Unlock()
	if !need || x.cfg.Dir == "" || x.cfg.ReadOnly {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for name, idx := range x.months {
		x.alias.Remove(idx)
		func() {
			defer func() {
				if r := recover(); r != nil {
					x.log.Warn("panic while closing a broken index", "month", name, "panic", fmt.Sprint(r))
				}
			}()
			if err := idx.Close(); err != nil {
				x.log.Warn("close broken index", "month", name, "err", err)
			}
		}()
		delete(x.months, name)
	}
	entries, err := os.ReadDir(x.cfg.Dir)
	if err != nil {
		return fmt.Errorf("reopen index: %w: %w", errkind.Unavailable, err)
	}
	var seq uint64
	for _, e := range entries {
		if !e.IsDir() || !monthDir.MatchString(e.Name()) {
			continue
		}
		idx, err := bleve.Open(filepath.Join(x.cfg.Dir, e.Name()))
		if err != nil {
			return fmt.Errorf("reopen index %s: %w: %w", e.Name(), errkind.Unavailable, err)
		}
		x.months[e.Name()] = idx
		x.alias.Add(idx)
		if v, err := idx.GetInternal([]byte(seqKey)); err == nil && len(v) == 8 {
			seq = max(seq, binary.BigEndian.Uint64(v))
		}
	}
	x.seq = seq
	h.mu.Lock()
	h.reopen = false
	h.mu.Unlock()
	x.log.Info("index reopened after a failed write", "months", len(x.months), "last_seq", seq)
	return nil
}
