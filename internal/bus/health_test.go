package bus

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/errkind"
)

// TestStoreWriteErrorRestartsJetStream feeds the embedded server's log the
// line it writes when a stream's store fails (a full disk): the bus must
// report itself unavailable, restart JetStream (the space is there), and
// take writes again with the stored messages intact.
func TestStoreWriteErrorRestartsJetStream(t *testing.T) {
	ctx := context.Background()
	b, err := Open(ctx, Config{StoreDir: t.TempDir(), Sync: true, MinFree: 1, WatchInterval: 100 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Publish(ctx, "articles.test", "one", []byte("1"), nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a healthy bus", func() bool { return b.Health() == nil })
	serverLogger{log: b.log, onWriteError: b.health.storeFailed}.Errorf("JetStream failed to store a msg on stream '%s > %s': %v",
		"$G", "ARTICLES", "write 1.blk: no space left on device")
	if err := b.Health(); err == nil || !errors.Is(err, errkind.Unavailable) || !strings.Contains(err.Error(), "no space") {
		t.Fatalf("Health after a store write error = %v", err)
	}
	waitFor(t, "JetStream restarted", func() bool { return b.Health() == nil && b.srv.JetStreamEnabled() })
	if _, err := b.Publish(ctx, "articles.test", "two", []byte("2"), nil); err != nil {
		t.Fatalf("publish after restart: %v", err)
	}
	var got []string
	if err := b.ReadAll(ctx, StreamArticles, func(m Msg, _ uint64) error {
		got = append(got, string(m.Data))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "1,2" {
		t.Errorf("ARTICLES after restart = %v, want [1 2]", got)
	}
}

func TestIsUnavailable(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{errors.New("write index 2026-11: no space left on device"), true},
		{errors.New("nats: insufficient resources"), true},
		{errkind.Unavailable, true},
		{errors.New("undecodable article"), false},
		{nil, false},
	} {
		if got := IsUnavailable(tt.err); got != tt.want {
			t.Errorf("IsUnavailable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// TestUnavailableIsNeverDeadLettered fails a message for lack of disk
// space more times than MaxAttempts allows: it must be redelivered until
// the handler succeeds, and never reach the dead-letter stream.
func TestUnavailableIsNeverDeadLettered(t *testing.T) {
	b := openTest(t, t.TempDir())
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := b.Publish(ctx, "articles.full", "m1", []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	var calls, done atomic.Int32
	go func() {
		_ = b.Consume(ctx, ConsumerSpec{Stream: StreamArticles, Durable: "full", MaxAttempts: 2, UnavailablePause: 50 * time.Millisecond},
			Each(func(context.Context, Msg) error {
				if calls.Add(1) <= 5 {
					return errors.New("write index 2026-11: no space left on device")
				}
				done.Add(1)
				return nil
			}))
	}()
	waitFor(t, "the message handled after the disk has room", func() bool { return done.Load() == 1 })
	dead, err := b.DeadLetters(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 0 {
		t.Errorf("%d dead letters for a full disk, want 0: %+v", len(dead), dead)
	}
}
