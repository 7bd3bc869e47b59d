package stages

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestStopWaitsAndErrorsAreNamed: Stop returns only after every stage has
// returned; a failing stage's error names it; a cancellation is no failure.
func TestStopWaitsAndErrorsAreNamed(t *testing.T) {
	errc := make(chan error, 4)
	g := NewGroup(context.Background(), errc)
	returned := make(chan struct{})
	g.Go("waits", func() error {
		<-g.Context().Done()
		close(returned)
		return g.Context().Err()
	})
	g.Go("fails", func() error { return errors.New("boom") })
	if err := <-errc; !strings.HasPrefix(err.Error(), "fails: boom") {
		t.Errorf("error %q, want it named after the stage", err)
	}
	g.Stop()
	select {
	case <-returned:
	default:
		t.Fatal("Stop returned before the stage did")
	}
	if len(errc) != 0 {
		t.Errorf("a cancelled stage reported %v", <-errc)
	}
}

// TestParentCancellationDoesNotStopTheGroup: only Stop or Cancel end it.
func TestParentCancellationDoesNotStopTheGroup(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	g := NewGroup(parent, make(chan error, 1))
	cancel()
	if g.Context().Err() != nil {
		t.Fatal("the parent's cancellation reached the group")
	}
	g.Cancel()
	if g.Context().Err() == nil {
		t.Fatal("Cancel did not end the group's context")
	}
}
