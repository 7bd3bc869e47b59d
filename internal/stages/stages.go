// Package stages runs the long-lived stages of a process in groups that
// stop one after the other. In: named functions that run until their
// group's context ends. Out: the first failure of any of them, on the
// channel the groups share.
package stages

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Group runs stages under one context, derived from a parent's values but
// not from its cancellation: the caller decides when the group stops (a
// process stops its front stages before draining the back ones).
type Group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	errc   chan<- error
}

// NewGroup returns a group whose stages report failures on errc, named
// "stage: error"; errc must have room or a reader (a full errc blocks the
// failing stage's goroutine until read).
func NewGroup(parent context.Context, errc chan<- error) *Group {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	return &Group{ctx: ctx, cancel: cancel, errc: errc}
}

// Context is the group's context; its stages return when it ends.
func (g *Group) Context() context.Context { return g.ctx }

// Go runs f as the stage name. A non-nil error other than a cancellation is
// reported on the group's error channel.
func (g *Group) Go(name string, f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil && !errors.Is(err, context.Canceled) {
			g.errc <- fmt.Errorf("%s: %w", name, err)
		}
	}()
}

// Cancel ends the group's context without waiting.
func (g *Group) Cancel() { g.cancel() }

// Stop ends the group's context and waits for its stages to return.
func (g *Group) Stop() {
	g.cancel()
	g.wg.Wait()
}
