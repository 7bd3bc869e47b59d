package indexer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// WarmInBackground runs Warm in its own goroutine until it finishes or
// ctx ends; stop cancels it and waits, and must be called before Close.
func (x *Index) WarmInBackground(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	warmed := make(chan struct{})
	go func() {
		defer close(warmed)
		x.Warm(ctx)
	}()
	return func() {
		cancel()
		<-warmed
	}
}

// OpenReadOnly opens the index in dir read-only, for one-shot commands
// beside a stopped pipeline; no index there yet gives an empty in-memory
// one. Dates are bucketed in loc.
func OpenReadOnly(dir string, loc *time.Location, log *slog.Logger) (*Index, error) {
	cfg := Config{Dir: dir, ReadOnly: true, Location: loc}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		cfg = Config{Location: loc} // nothing indexed yet: an empty index
	}
	idx, err := Open(cfg, nil, log)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	return idx, nil
}
