package bus

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// ErrStoreInUse says another process holds the embedded store Open was
// asked to start a server on. Two embedded servers on one JetStream
// directory would each rewrite the other's files.
var ErrStoreInUse = errors.New("bus: the embedded store is in use by another process")

// storeLock is an exclusive advisory lock (flock) on <store>/LOCK, held
// from Open until Close. The kernel drops it when the holder dies, so a
// SIGKILLed process never leaves a stale lock behind.
type storeLock struct{ f *os.File }

// lockStore takes the lock on dir without waiting. The lock file carries
// the holder's pid for the error message of the process that is refused.
func lockStore(dir string) (*storeLock, error) {
	path := filepath.Join(dir, "LOCK")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("bus: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			if pid := string(bytes.TrimSpace(holder)); pid != "" {
				return nil, fmt.Errorf("%w (%s, pid %s)", ErrStoreInUse, dir, pid)
			}
			return nil, fmt.Errorf("%w (%s)", ErrStoreInUse, dir)
		}
		return nil, fmt.Errorf("bus: lock %s: %w", path, err)
	}
	// Best effort: the pid only improves the refusal message.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &storeLock{f: f}, nil
}

// release drops the lock; the file stays (removing it would race with a
// process that has just opened it).
func (l *storeLock) release() {
	if l == nil || l.f == nil {
		return
	}
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	_ = l.f.Close()
	l.f = nil
}
