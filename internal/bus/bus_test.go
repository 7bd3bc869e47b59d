package bus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/poll"
)

func openTest(t *testing.T, dir string) *Bus {
	t.Helper()
	b, err := Open(context.Background(), Config{StoreDir: dir, Sync: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Setup(context.Background()); err != nil {
		b.Close()
		t.Fatal(err)
	}
	return b
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	poll.True(t, 20*time.Second, what, cond)
}

func TestPublishDedupAndConsumeAck(t *testing.T) {
	b := openTest(t, t.TempDir())
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := range 3 {
		dup, err := b.Publish(ctx, "articles.test", "same-id", []byte("x"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if dup != (i > 0) {
			t.Fatalf("publish %d: dup=%v", i, dup)
		}
	}
	if _, err := b.Publish(ctx, "articles.test", "other-id", []byte("y"), nil); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	done := make(chan error, 1)
	go func() {
		done <- b.Consume(ctx, ConsumerSpec{Stream: StreamArticles, Durable: "t", Batch: 10, MaxWait: 100 * time.Millisecond},
			Each(func(_ context.Context, m Msg) error {
				mu.Lock()
				got = append(got, string(m.Data))
				mu.Unlock()
				return nil
			}))
	}()
	waitFor(t, "two messages", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got[0] != "x" || got[1] != "y" {
		t.Fatalf("got %v", got)
	}
}

func TestRetryThenDeadLetter(t *testing.T) {
	b := openTest(t, t.TempDir())
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := b.Publish(ctx, "alerts.border", "flaky", []byte("flaky"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Publish(ctx, "alerts.border", "poison", []byte("poison"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Publish(ctx, "alerts.border", "hopeless", []byte("hopeless"), nil); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	attempts := map[string]int{}
	ok := map[string]bool{}
	go b.Consume(ctx, ConsumerSpec{Stream: StreamAlerts, Durable: "n", MaxWait: 100 * time.Millisecond, MaxAttempts: 3, MaxBackoff: 50 * time.Millisecond},
		Each(func(_ context.Context, m Msg) error {
			mu.Lock()
			defer mu.Unlock()
			k := string(m.Data)
			attempts[k]++
			switch {
			case k == "flaky" && attempts[k] < 2:
				return errors.New("smtp down")
			case k == "poison":
				return fmt.Errorf("decode: %w", errkind.Permanent)
			case k == "hopeless":
				return errors.New("always failing")
			}
			ok[k] = true
			return nil
		}))
	waitFor(t, "two dead letters", func() bool {
		dl, err := b.DeadLetters(ctx, 10)
		return err == nil && len(dl) == 2
	})
	mu.Lock()
	if !ok["flaky"] || attempts["flaky"] != 2 {
		t.Errorf("flaky: ok=%v attempts=%d", ok["flaky"], attempts["flaky"])
	}
	if attempts["poison"] != 1 {
		t.Errorf("poison delivered %d times, want 1 (permanent)", attempts["poison"])
	}
	if attempts["hopeless"] != 3 {
		t.Errorf("hopeless delivered %d times, want 3", attempts["hopeless"])
	}
	mu.Unlock()
	dl, _ := b.DeadLetters(ctx, 10)
	for _, d := range dl {
		if d.Subject != "alerts.border" || d.Consumer != "n" || d.Error == "" {
			t.Errorf("dead letter %+v lacks its origin", d)
		}
	}
	// Retrying a dead letter puts it back on its subject; the handler now accepts it.
	mu.Lock()
	hopelessSeq := uint64(0)
	for _, d := range dl {
		if string(d.Data) == "hopeless" {
			hopelessSeq, _ = strconv.ParseUint(d.ID, 10, 64)
		}
	}
	mu.Unlock()
	mu.Lock()
	attempts["hopeless"] = -100 // succeed from now on
	mu.Unlock()
	if err := b.RetryDeadLetter(ctx, hopelessSeq); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "retried dead letter handled", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return attempts["hopeless"] == -99
	})
}

func TestDurableAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	b := openTest(t, dir)
	ctx := context.Background()
	if _, err := b.Publish(ctx, "articles.s", "a1", []byte("one"), nil); err != nil {
		t.Fatal(err)
	}
	st, err := b.KV(ctx, "state")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, "k.1", []byte("v")); err != nil {
		t.Fatal(err)
	}
	b.Close()

	b = openTest(t, dir)
	defer b.Close()
	var n int
	if err := b.ReadAll(ctx, StreamArticles, func(m Msg, total uint64) error {
		n++
		if string(m.Data) != "one" || total != 1 {
			t.Errorf("got %q total %d", m.Data, total)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("read %d messages after restart, want 1", n)
	}
	st, _ = b.KV(ctx, "state")
	e, err := st.Get(ctx, "k.1")
	if err != nil || string(e.Value) != "v" {
		t.Fatalf("kv after restart: %v %q", err, e.Value)
	}
}

func TestKVSemantics(t *testing.T) {
	b := openTest(t, t.TempDir())
	defer b.Close()
	ctx := context.Background()
	st, err := b.KV(ctx, "sem")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []kv.Store{st, kv.NewMemory()} {
		if _, err := s.Get(ctx, "a.x"); !errors.Is(err, kv.ErrNotFound) {
			t.Fatalf("get missing: %v", err)
		}
		r, err := s.Create(ctx, "a.x", []byte("1"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Create(ctx, "a.x", []byte("2")); !errors.Is(err, kv.ErrExists) {
			t.Fatalf("create twice: %v", err)
		}
		if _, err := s.Update(ctx, "a.x", []byte("3"), r+100); !errors.Is(err, kv.ErrConflict) {
			t.Fatalf("stale update: %v", err)
		}
		if _, err := s.Update(ctx, "a.x", []byte("3"), r); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Put(ctx, "b.y", []byte("1")); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"a.b.z", "ab.w"} {
			if _, err := s.Put(ctx, k, []byte("1")); err != nil {
				t.Fatal(err)
			}
		}
		for prefix, want := range map[string]string{
			"a.": "a.b.z a.x", "a.b.": "a.b.z", "a": "a.b.z a.x ab.w", "c.": "",
		} {
			keys, err := s.Keys(ctx, prefix)
			if err != nil || strings.Join(keys, " ") != want {
				t.Fatalf("keys %q: %v %v, want %s", prefix, keys, err, want)
			}
		}
		for _, k := range []string{"a.b.z", "ab.w"} {
			if err := s.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Delete(ctx, "a.x"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "a.x"); !errors.Is(err, kv.ErrNotFound) {
			t.Fatalf("get deleted: %v", err)
		}
		keys, _ := s.Keys(ctx, "")
		if len(keys) != 1 || keys[0] != "b.y" {
			t.Fatalf("keys after delete: %v", keys)
		}
	}
}

// With LocalURLFile the embedded server takes loopback clients that know
// its token: a second process of the installation works on the running
// server instead of the store it holds. The file goes with the server.
func TestLocalURL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "local.url")
	if err := os.WriteFile(file, []byte("nats://stale@127.0.0.1:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if u := LocalURL(file); u != "" {
		t.Fatalf("a stale file gave %q", u)
	}
	b, err := Open(ctx, Config{StoreDir: filepath.Join(dir, "nats"), LocalURLFile: file}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("url file: %v %v", st, err)
	}
	url := LocalURL(file)
	if url == "" {
		t.Fatal("no local URL while the server runs")
	}
	tokenless := strings.Replace(url, url[len("nats://"):strings.IndexByte(url, '@')+1], "", 1)
	if nc, err := nats.Connect(tokenless, nats.Timeout(2*time.Second)); err == nil {
		nc.Close()
		t.Error("connected without the token")
	}
	other, err := Open(ctx, Config{URL: url}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := b.KV(ctx, "shared")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s1.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	s2, err := other.KV(ctx, "shared")
	if err != nil {
		t.Fatal(err)
	}
	if e, err := s2.Get(ctx, "k"); err != nil || string(e.Value) != "v" {
		t.Errorf("other client reads %q, %v", e.Value, err)
	}
	other.Close()
	b.Close()
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("url file left after Close: %v", err)
	}
}
