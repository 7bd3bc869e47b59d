// Package bustest opens an embedded JetStream for tests: a real nats-server
// with a file store in a folder of the test, every write synced, the streams
// of DESIGN.md declared. In: a test and a folder. Out: a *bus.Bus closed when
// the test ends.
package bustest

import (
	"context"
	"testing"

	"github.com/diembao/diembao/internal/bus"
)

// Open starts an embedded server storing in dir (t.TempDir() when dir is
// empty), declares the streams and closes the bus when the test ends.
// Opening the same dir again after Close sees the stored messages.
func Open(tb testing.TB, dir string) *bus.Bus {
	tb.Helper()
	if dir == "" {
		dir = tb.TempDir()
	}
	b, err := bus.Open(context.Background(), bus.Config{StoreDir: dir, Sync: true, Name: "bustest"}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if err := b.Setup(context.Background()); err != nil {
		b.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(b.Close)
	return b
}
