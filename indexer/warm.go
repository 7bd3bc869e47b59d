package indexer

import "context"

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
