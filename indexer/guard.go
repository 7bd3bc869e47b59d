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
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/diembao/diembao/internal/diskspace"
	"github.com/diembao/diembao/internal/errkind"
)

// health is what the guard knows about the index's ability to write.
type health struct {
	mu       sync.Mutex
	writeErr error // the last Index call's error; nil after a success
	reopen   bool  // a write failed, Bleve panicked or the disk filled: reopen before the next read or write
	// diskAt is when the free space was last read; diskLow what it said.
	diskAt  time.Time
	diskLow bool
}

// beginRead starts a read of the index (Search, Get, Stats, Each, Count).
// While the disk is nearly full the read is refused with an error wrapping
// errkind.Unavailable and the index is marked for a reopen; once space has
// returned, the first read or write reopens the index. The read is counted
// so a reopen waits for it before closing what it reads; call done when it
// is over.
func (x *Index) beginRead() (done func(), err error) {
	if err := x.readGate(); err != nil {
		return func() {}, err
	}
	x.mu.RLock()
	wg := x.readers
	wg.Add(1)
	x.mu.RUnlock()
	return wg.Done, nil
}

func (x *Index) readGate() error {
	if x.cfg.Dir == "" || x.cfg.ReadOnly {
		return nil
	}
	h := x.health()
	h.mu.Lock()
	if time.Since(h.diskAt) > time.Second {
		free, err := diskspace.Free(x.cfg.Dir)
		h.diskAt, h.diskLow = time.Now(), err == nil && free < x.cfg.MinFree
	}
	if h.diskLow {
		h.reopen = true
	}
	low, need := h.diskLow, h.reopen
	h.mu.Unlock()
	if low {
		return fmt.Errorf("index: %w: the disk is almost full", errkind.Unavailable)
	}
	if !need {
		return nil
	}
	x.wmu.Lock()
	defer x.wmu.Unlock()
	return x.reopenIfNeeded()
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
	// Take the indexes out of service, wait for the reads already running
	// on them, and only then close them: a closed segment under a reader
	// panics where nothing can recover.
	x.mu.Lock()
	old := x.months
	x.months = map[string]bleve.Index{}
	for _, idx := range old {
		x.alias.Remove(idx)
	}
	running := x.readers
	x.readers = &sync.WaitGroup{}
	x.mu.Unlock()
	running.Wait()
	for name, idx := range old {
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
		x.mu.Lock()
		x.months[e.Name()] = idx
		x.mu.Unlock()
		x.alias.Add(idx)
		if v, err := idx.GetInternal([]byte(seqKey)); err == nil && len(v) == 8 {
			seq = max(seq, binary.BigEndian.Uint64(v))
		}
	}
	x.mu.Lock()
	x.seq = seq
	x.mu.Unlock()
	h.mu.Lock()
	h.reopen = false
	h.mu.Unlock()
	x.log.Info("index reopened after a failed write", "months", len(x.months), "last_seq", seq)
	return nil
}
