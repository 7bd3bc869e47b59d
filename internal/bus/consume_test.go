package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/diembao/diembao/internal/errkind"
)

// logRecorder keeps the message and "err" attribute of every log record.
type logRecorder struct {
	mu   sync.Mutex
	recs []string
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	s := r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" {
			s += ": " + a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	l.recs = append(l.recs, s)
	l.mu.Unlock()
	return nil
}

func (l *logRecorder) has(prefix string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.ContainsFunc(l.recs, func(s string) bool { return strings.HasPrefix(s, prefix) })
}

// actions records what the consumer loop does with messages and the
// dead-letter stream, in order.
type actions struct {
	mu  sync.Mutex
	log []string
}

func (a *actions) add(s string) { a.mu.Lock(); a.log = append(a.log, s); a.mu.Unlock() }

func (a *actions) get() []string { a.mu.Lock(); defer a.mu.Unlock(); return slices.Clone(a.log) }

// spyJS wraps the real JetStream: dead-letter publishes are recorded and
// the consumer it declares is a spyConsumer.
type spyJS struct {
	jetstream.JetStream
	act  *actions
	cons func(jetstream.Consumer) jetstream.Consumer
}

func (s *spyJS) PublishMsg(ctx context.Context, m *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	if strings.HasPrefix(m.Subject, SubjectDead+".") {
		s.act.add("dead " + string(m.Data))
	}
	return s.JetStream.PublishMsg(ctx, m, opts...)
}

func (s *spyJS) CreateOrUpdateConsumer(ctx context.Context, stream string, cfg jetstream.ConsumerConfig) (jetstream.Consumer, error) {
	c, err := s.JetStream.CreateOrUpdateConsumer(ctx, stream, cfg)
	if err != nil || s.cons == nil {
		return c, err
	}
	return s.cons(c), nil
}

// spyConsumer fails the first fetchErrs fetches, wraps every message in a
// spyMsg, and reports batchErr as the error of the first batch that
// carries messages.
type spyConsumer struct {
	jetstream.Consumer
	act       *actions
	fetchErrs int
	batchErr  error
	noMeta    string // data of a message whose metadata cannot be read
	onFetch   func()
	mu        sync.Mutex
}

func (c *spyConsumer) Fetch(n int, opts ...jetstream.FetchOpt) (jetstream.MessageBatch, error) {
	c.mu.Lock()
	if c.onFetch != nil {
		c.onFetch()
	}
	if c.fetchErrs > 0 {
		c.fetchErrs--
		c.mu.Unlock()
		return nil, errors.New("fetch refused")
	}
	c.mu.Unlock()
	b, err := c.Consumer.Fetch(n, opts...)
	if err != nil {
		return b, err
	}
	sb := &spyBatch{inner: b, out: make(chan jetstream.Msg)}
	go func() {
		defer close(sb.out)
		for m := range b.Messages() {
			c.mu.Lock()
			if c.batchErr != nil {
				sb.err, c.batchErr = c.batchErr, nil
			}
			c.mu.Unlock()
			sb.out <- &spyMsg{Msg: m, act: c.act, noMeta: string(m.Data()) == c.noMeta}
		}
	}()
	return sb, nil
}

type spyBatch struct {
	inner jetstream.MessageBatch
	out   chan jetstream.Msg
	err   error
}

func (b *spyBatch) Messages() <-chan jetstream.Msg { return b.out }

func (b *spyBatch) Error() error {
	if b.err != nil {
		return b.err
	}
	return b.inner.Error()
}

type spyMsg struct {
	jetstream.Msg
	act    *actions
	noMeta bool
}

func (m *spyMsg) Metadata() (*jetstream.MsgMetadata, error) {
	if m.noMeta {
		return nil, errors.New("no metadata")
	}
	return m.Msg.Metadata()
}

func (m *spyMsg) Ack() error {
	m.act.add("ack " + string(m.Data()))
	return m.Msg.Ack()
}

func (m *spyMsg) NakWithDelay(d time.Duration) error {
	m.act.add(fmt.Sprintf("nak %s %s", m.Data(), d))
	return m.Msg.NakWithDelay(d)
}

func (m *spyMsg) Term() error {
	m.act.add("term " + string(m.Data()))
	return m.Msg.Term()
}

// openSpy opens a bus whose JetStream is a spyJS and whose log is kept.
func openSpy(t *testing.T, cons func(*actions, jetstream.Consumer) jetstream.Consumer) (*Bus, *actions, *logRecorder) {
	t.Helper()
	rec := &logRecorder{}
	b, err := Open(context.Background(), Config{StoreDir: t.TempDir(), Sync: true}, slog.New(rec))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if err := b.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	act := &actions{}
	spy := &spyJS{JetStream: b.js, act: act}
	if cons != nil {
		spy.cons = func(c jetstream.Consumer) jetstream.Consumer { return cons(act, c) }
	}
	b.js = spy
	return b, act, rec
}

// TestConsumeSettlesEachMessageInOrder: one batch with every outcome; each
// message is settled in batch order, a dead letter is published before its
// message is terminated, a message the handler gave no error for is acked,
// and a batch with an unavailable resource pauses the loop.
func TestConsumeSettlesEachMessageInOrder(t *testing.T) {
	b, act, rec := openSpy(t, func(a *actions, c jetstream.Consumer) jetstream.Consumer {
		return &spyConsumer{Consumer: c, act: a}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, d := range []string{"ok", "flaky", "poison", "full", "tail"} {
		if _, err := b.Publish(ctx, "alerts.x", d, []byte(d), nil); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var batches [][]string
	done := make(chan error, 1)
	go func() {
		done <- b.Consume(ctx, ConsumerSpec{Stream: StreamAlerts, Durable: "order", Batch: 5, MaxWait: 300 * time.Millisecond,
			MaxAttempts: 3, MaxBackoff: 40 * time.Millisecond, UnavailablePause: 30 * time.Millisecond},
			func(_ context.Context, msgs []Msg) []error {
				var ds []string
				for _, m := range msgs {
					ds = append(ds, string(m.Data))
				}
				mu.Lock()
				batches = append(batches, ds)
				first := len(batches) == 1
				mu.Unlock()
				if !first {
					return nil // all succeed
				}
				return []error{nil, errors.New("smtp down"), fmt.Errorf("decode: %w", errkind.Permanent),
					errors.New("write: no space left on device")} // none for "tail"
			})
	}()
	waitFor(t, "flaky and full acked after their retry", func() bool {
		a := act.get()
		return slices.Contains(a, "ack flaky") && slices.Contains(a, "ack full")
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	first := batches[0]
	mu.Unlock()
	if !slices.Equal(first, []string{"ok", "flaky", "poison", "full", "tail"}) {
		t.Fatalf("first batch %v", first)
	}
	want := []string{"ack ok", "nak flaky 40ms", "dead poison", "term poison", "nak full 30ms", "ack tail"}
	if got := act.get(); len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("actions %v, want first %v", got, want)
	}
	if !rec.has("stage paused: cannot write; messages will be retried: write: no space left on device") {
		t.Errorf("no pause logged: %v", rec.recs)
	}
	if !rec.has("handler failed; will retry: smtp down") {
		t.Errorf("no retry logged: %v", rec.recs)
	}
}

// TestConsumeFetchErrorsAndUnreadableMessages: a failed fetch is logged
// and retried, an odd batch error is logged, a message whose metadata
// cannot be read is terminated and never handed to the handler.
func TestConsumeFetchErrorsAndUnreadableMessages(t *testing.T) {
	b, act, rec := openSpy(t, func(a *actions, c jetstream.Consumer) jetstream.Consumer {
		return &spyConsumer{Consumer: c, act: a, fetchErrs: 1, batchErr: errors.New("odd batch"), noMeta: "nometa"}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, d := range []string{"nometa", "good"} {
		if _, err := b.Publish(ctx, "articles.x", d, []byte(d), nil); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var seen []string
	done := make(chan error, 1)
	go func() {
		done <- b.Consume(ctx, ConsumerSpec{Stream: StreamArticles, Durable: "fetch", Batch: 2, MaxWait: 300 * time.Millisecond},
			Each(func(_ context.Context, m Msg) error {
				mu.Lock()
				seen = append(seen, string(m.Data))
				mu.Unlock()
				return nil
			}))
	}()
	waitFor(t, "good acked", func() bool { return slices.Contains(act.get(), "ack good") })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(seen, []string{"good"}) {
		t.Errorf("handler saw %v", seen)
	}
	if a := act.get(); !slices.Equal(a, []string{"term nometa", "ack good"}) {
		t.Errorf("actions %v", a)
	}
	if !rec.has("fetch failed: fetch refused") || !rec.has("fetch ended: odd batch") {
		t.Errorf("logs %v", rec.recs)
	}
}

// TestConsumeStopsOnCancelDuringFetchError: a fetch that fails because the
// loop is shutting down ends Consume with nil.
func TestConsumeStopsOnCancelDuringFetchError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, _, rec := openSpy(t, func(a *actions, c jetstream.Consumer) jetstream.Consumer {
		return &spyConsumer{Consumer: c, act: a, fetchErrs: 1, onFetch: cancel}
	})
	start := time.Now()
	if err := b.Consume(ctx, ConsumerSpec{Stream: StreamArticles, Durable: "stop"}, Each(func(context.Context, Msg) error { return nil })); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 900*time.Millisecond || rec.has("fetch failed") {
		t.Errorf("shutdown took %v; logs %v", time.Since(start), rec.recs)
	}
}

// TestConsumeDeclareFails: a consumer that cannot be declared is an error.
func TestConsumeDeclareFails(t *testing.T) {
	b := openTest(t, t.TempDir())
	defer b.Close()
	err := b.Consume(context.Background(), ConsumerSpec{Stream: "NOPE", Durable: "x"}, Each(func(context.Context, Msg) error { return nil }))
	if err == nil || !strings.Contains(err.Error(), "bus: declare consumer NOPE/x") || !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("err = %v", err)
	}
}

// TestConsumeDeliverNew: a new consumer with DeliverNew skips what the
// stream held before it was declared.
func TestConsumeDeliverNew(t *testing.T) {
	b := openTest(t, t.TempDir())
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := b.Publish(ctx, "articles.x", "old", []byte("old"), nil); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	done := make(chan error, 1)
	go func() {
		done <- b.Consume(ctx, ConsumerSpec{Stream: StreamArticles, Durable: "new", DeliverNew: true, MaxWait: 100 * time.Millisecond},
			Each(func(_ context.Context, m Msg) error {
				mu.Lock()
				seen = append(seen, string(m.Data))
				mu.Unlock()
				return nil
			}))
	}()
	waitFor(t, "the consumer declared", func() bool {
		_, err := b.js.Consumer(ctx, StreamArticles, "new")
		return err == nil
	})
	if _, err := b.Publish(ctx, "articles.x", "new", []byte("new"), nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new message", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) > 0 })
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(seen, []string{"new"}) {
		t.Errorf("handler saw %v, want only new", seen)
	}
}
