package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/diembao/diembao/internal/deadletter"
	"github.com/diembao/diembao/internal/errkind"
)

// Msg is one delivered message as a handler sees it.
type Msg struct {
	Subject      string
	Data         []byte
	Header       nats.Header
	Seq          uint64 // stream sequence
	NumDelivered uint64 // 1 on the first delivery
}

// BatchHandler handles a batch and returns one error per message, in order
// (a nil slice means all succeeded). A nil error promises the message's
// effect is durable, so the loop acks it. errkind.Permanent errors send the
// message to the dead-letter stream at once; other errors are retried with
// backoff, and dead-lettered after MaxAttempts deliveries.
type BatchHandler func(ctx context.Context, msgs []Msg) []error

// Each adapts a per-message handler to a BatchHandler.
func Each(h func(ctx context.Context, m Msg) error) BatchHandler {
	return func(ctx context.Context, msgs []Msg) []error {
		errs := make([]error, len(msgs))
		for i, m := range msgs {
			errs[i] = h(ctx, m)
		}
		return errs
	}
}

// ConsumerSpec names a durable pull consumer and how it is read.
type ConsumerSpec struct {
	Stream  string
	Durable string
	// FilterSubject restricts the consumer (optional).
	FilterSubject string
	// Batch is the most messages handed to the handler at once (default 1).
	Batch int
	// MaxWait is how long a fetch waits to fill a batch (default 1s).
	MaxWait time.Duration
	// AckWait is how long the server waits for an ack before redelivering
	// (default 2m; must exceed the handler's worst case).
	AckWait time.Duration
	// MaxAttempts is the number of deliveries before a message goes to the
	// dead-letter stream (default 10).
	MaxAttempts int
	// MaxBackoff caps the delay between redeliveries (default 1m).
	MaxBackoff time.Duration
	// DeliverNew starts a new consumer at new messages instead of the start.
	DeliverNew bool
	// UnavailablePause is how long the loop waits before fetching again
	// after a batch failed for lack of a resource (disk space, JetStream);
	// such messages are redelivered after it and never dead-lettered
	// (default 5s).
	UnavailablePause time.Duration
}

func (s *ConsumerSpec) setDefaults() {
	if s.Batch <= 0 {
		s.Batch = 1
	}
	if s.MaxWait <= 0 {
		s.MaxWait = time.Second
	}
	if s.AckWait <= 0 {
		s.AckWait = 2 * time.Minute
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = 10
	}
	if s.MaxBackoff <= 0 {
		s.MaxBackoff = time.Minute
	}
	if s.UnavailablePause <= 0 {
		s.UnavailablePause = 5 * time.Second
	}
}

// Consume reads the durable consumer until ctx is cancelled. On cancel it
// stops fetching, lets the batch in hand finish and be acked (drain), and
// returns nil. A handler error never stops the loop.
func (b *Bus) Consume(ctx context.Context, spec ConsumerSpec, h BatchHandler) error {
	spec.setDefaults()
	cons, err := b.declareConsumer(ctx, spec)
	if err != nil {
		return err
	}
	log := b.log.With("stream", spec.Stream, "consumer", spec.Durable)
	for ctx.Err() == nil {
		raw, msgs, err := fetchBatch(ctx, cons, spec, log)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			log.Warn("fetch failed", "err", err)
			sleepCtx(ctx, time.Second)
			continue
		}
		if len(msgs) == 0 {
			continue
		}
		b.handleBatch(ctx, spec, log, h, raw, msgs)
	}
	return nil
}

// declareConsumer creates or updates spec's durable pull consumer, retrying
// transient errors.
func (b *Bus) declareConsumer(ctx context.Context, spec ConsumerSpec) (jetstream.Consumer, error) {
	cc := jetstream.ConsumerConfig{
		Durable:       spec.Durable,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       spec.AckWait,
		MaxDeliver:    -1, // the loop dead-letters; the server must never drop silently
		FilterSubject: spec.FilterSubject,
		MaxAckPending: max(1000, 4*spec.Batch),
	}
	if spec.DeliverNew {
		cc.DeliverPolicy = jetstream.DeliverNewPolicy
	}
	var cons jetstream.Consumer
	err := retryTransient(ctx, func(ctx context.Context) error {
		var err error
		cons, err = b.js.CreateOrUpdateConsumer(ctx, spec.Stream, cc)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bus: declare consumer %s/%s: %w", spec.Stream, spec.Durable, err)
	}
	return cons, nil
}

// fetchBatch fetches up to spec.Batch messages, waiting at most MaxWait,
// and returns them twice, in order: as delivered (to settle) and as the
// handler sees them. A message whose metadata cannot be read is terminated
// and left out. The error is the fetch's own; a batch that ends early is
// only logged.
func fetchBatch(ctx context.Context, cons jetstream.Consumer, spec ConsumerSpec, log *slog.Logger) ([]jetstream.Msg, []Msg, error) {
	fctx, cancelFetch := context.WithTimeout(ctx, spec.MaxWait)
	defer cancelFetch()
	batch, err := cons.Fetch(spec.Batch, jetstream.FetchContext(fctx))
	if err != nil {
		return nil, nil, err
	}
	var raw []jetstream.Msg
	var msgs []Msg
	for m := range batch.Messages() {
		md, err := m.Metadata()
		if err != nil {
			_ = m.Term()
			continue
		}
		raw = append(raw, m)
		msgs = append(msgs, Msg{Subject: m.Subject(), Data: m.Data(), Header: m.Headers(),
			Seq: md.Sequence.Stream, NumDelivered: md.NumDelivered})
	}
	if err := batch.Error(); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		log.Debug("fetch ended", "err", err)
	}
	return raw, msgs, nil
}

// handleBatch hands msgs to h and settles each message in batch order. A
// message that failed for lack of a resource (disk, bus) is nak'd with
// UnavailablePause instead of settled, and the loop then pauses as long.
// The batch in hand finishes even when shutdown has begun (drain).
func (b *Bus) handleBatch(ctx context.Context, spec ConsumerSpec, log *slog.Logger, h BatchHandler, raw []jetstream.Msg, msgs []Msg) {
	hctx := context.WithoutCancel(ctx)
	errs := h(hctx, msgs)
	var unavailable error
	for i, m := range raw {
		var herr error
		if i < len(errs) {
			herr = errs[i]
		}
		if b.resourceMissing(herr) {
			// A full disk or a bus that cannot write says nothing about
			// the message: retry it for as long as it takes, never
			// dead-letter it.
			unavailable = herr
			_ = m.NakWithDelay(spec.UnavailablePause)
			continue
		}
		b.settle(hctx, log, spec, m, msgs[i], herr)
	}
	if unavailable != nil {
		log.Warn("stage paused: cannot write; messages will be retried", "retry_in", spec.UnavailablePause.String(),
			"bus", errString(b.Health()), "err", unavailable)
		sleepCtx(ctx, spec.UnavailablePause)
	}
}

// resourceMissing reports whether a handler error that is not permanent
// means a missing resource rather than a bad message: the error says so, or
// the bus itself is unhealthy.
func (b *Bus) resourceMissing(herr error) bool {
	return herr != nil && !errkind.IsPermanent(herr) && (IsUnavailable(herr) || b.Health() != nil)
}

// settle acks, naks with backoff, or dead-letters one message.
func (b *Bus) settle(ctx context.Context, log interface {
	Warn(string, ...any)
	Error(string, ...any)
}, spec ConsumerSpec, m jetstream.Msg, msg Msg, herr error) {
	if herr == nil {
		if err := m.Ack(); err != nil {
			log.Warn("ack failed; message will be redelivered", "seq", msg.Seq, "err", err)
		}
		return
	}
	permanent := errkind.IsPermanent(herr)
	if !permanent && int(msg.NumDelivered) < spec.MaxAttempts {
		delay := backoff(msg.NumDelivered, spec.MaxBackoff)
		log.Warn("handler failed; will retry", "seq", msg.Seq, "attempt", msg.NumDelivered, "retry_in", delay.String(), "err", herr)
		_ = m.NakWithDelay(delay)
		return
	}
	if err := b.deadLetter(ctx, spec, msg, herr); err != nil {
		log.Error("dead-letter failed; message will be redelivered", "seq", msg.Seq, "err", err)
		_ = m.NakWithDelay(spec.MaxBackoff)
		return
	}
	log.Error("message moved to dead letters", "seq", msg.Seq, "attempts", msg.NumDelivered, "permanent", permanent, "err", herr)
	_ = m.Term()
}

// Dead-letter headers.
const (
	HdrDeadStream   = "Diembao-Dead-Stream"
	HdrDeadConsumer = "Diembao-Dead-Consumer"
	HdrDeadSubject  = "Diembao-Dead-Subject"
	HdrDeadSeq      = "Diembao-Dead-Seq"
	HdrDeadError    = "Diembao-Dead-Error"
	HdrDeadAttempts = "Diembao-Dead-Attempts"
)

func (b *Bus) deadLetter(ctx context.Context, spec ConsumerSpec, msg Msg, herr error) error {
	hdr := nats.Header{}
	for k, v := range msg.Header {
		if k != nats.MsgIdHdr {
			hdr[k] = v
		}
	}
	hdr.Set(HdrDeadStream, spec.Stream)
	hdr.Set(HdrDeadConsumer, spec.Durable)
	hdr.Set(HdrDeadSubject, msg.Subject)
	hdr.Set(HdrDeadSeq, strconv.FormatUint(msg.Seq, 10))
	hdr.Set(HdrDeadAttempts, strconv.FormatUint(msg.NumDelivered, 10))
	e := herr.Error()
	if len(e) > 1000 {
		e = e[:1000]
	}
	hdr.Set(HdrDeadError, e)
	id := fmt.Sprintf("%s-%s-%d", spec.Stream, spec.Durable, msg.Seq)
	_, err := b.Publish(ctx, SubjectDead+"."+spec.Stream+"."+spec.Durable, id, msg.Data, hdr)
	return err
}

func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

func backoff(delivered uint64, maxDelay time.Duration) time.Duration {
	d := time.Second
	for i := uint64(1); i < delivered && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// DeadLetters lists up to limit messages of the dead-letter stream, newest last.
func (b *Bus) DeadLetters(ctx context.Context, limit int) ([]deadletter.Letter, error) {
	s, err := b.js.Stream(ctx, StreamDead)
	if err != nil {
		return nil, fmt.Errorf("bus: dead letters: %w", err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("bus: dead letters: %w", err)
	}
	var out []deadletter.Letter
	first := info.State.FirstSeq
	if info.State.LastSeq >= uint64(limit) && info.State.LastSeq-uint64(limit)+1 > first {
		first = info.State.LastSeq - uint64(limit) + 1
	}
	for seq := first; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				continue
			}
			return nil, fmt.Errorf("bus: dead letter %d: %w", seq, err)
		}
		n, _ := strconv.Atoi(m.Header.Get(HdrDeadAttempts))
		out = append(out, deadletter.Letter{ID: strconv.FormatUint(seq, 10), Stream: m.Header.Get(HdrDeadStream),
			Consumer: m.Header.Get(HdrDeadConsumer), Subject: m.Header.Get(HdrDeadSubject), Error: m.Header.Get(HdrDeadError),
			Deliveries: n, Time: m.Time, Data: m.Data})
	}
	return out, nil
}

// RetryDeadLetter republishes a dead letter on its original subject and
// removes it from the dead-letter stream.
func (b *Bus) RetryDeadLetter(ctx context.Context, seq uint64) error {
	s, err := b.js.Stream(ctx, StreamDead)
	if err != nil {
		return fmt.Errorf("bus: retry dead letter: %w", err)
	}
	m, err := s.GetMsg(ctx, seq)
	if err != nil {
		return fmt.Errorf("bus: retry dead letter %d: %w", seq, err)
	}
	subj := m.Header.Get(HdrDeadSubject)
	if subj == "" {
		return fmt.Errorf("bus: dead letter %d has no original subject", seq)
	}
	hdr := nats.Header{}
	for k, v := range m.Header {
		if len(k) < 13 || k[:13] != "Diembao-Dead-" {
			hdr[k] = v
		}
	}
	id := fmt.Sprintf("retry-%d-%d", seq, time.Now().UnixNano())
	if _, err := b.Publish(ctx, subj, id, m.Data, hdr); err != nil {
		return err
	}
	if err := s.DeleteMsg(ctx, seq); err != nil {
		return fmt.Errorf("bus: remove dead letter %d: %w", seq, err)
	}
	return nil
}

// ReadAll calls fn for every message currently in stream, in order, with the
// total known at the start (for progress bars). It uses an ordered,
// ephemeral consumer and stops at the last sequence present when it began.
func (b *Bus) ReadAll(ctx context.Context, stream string, fn func(m Msg, total uint64) error) error {
	s, err := b.js.Stream(ctx, stream)
	if err != nil {
		return fmt.Errorf("bus: stream %s: %w", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return fmt.Errorf("bus: stream %s: %w", stream, err)
	}
	total, last := info.State.Msgs, info.State.LastSeq
	if total == 0 {
		return nil
	}
	oc, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return fmt.Errorf("bus: read %s: %w", stream, err)
	}
	for {
		batch, err := oc.Fetch(500, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return fmt.Errorf("bus: read %s: %w", stream, err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			md, err := m.Metadata()
			if err != nil {
				return fmt.Errorf("bus: read %s: %w", stream, err)
			}
			if err := fn(Msg{Subject: m.Subject(), Data: m.Data(), Header: m.Headers(), Seq: md.Sequence.Stream, NumDelivered: 1}, total); err != nil {
				return err
			}
			if md.Sequence.Stream >= last {
				return nil
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return fmt.Errorf("bus: read %s: %w", stream, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if n == 0 {
			return nil
		}
	}
}
