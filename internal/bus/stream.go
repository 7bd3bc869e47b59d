package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
)

// A streamed answer (ServeStream, CallStream) is a run of pages sent to the
// caller's inbox. Every page but the last is sent as a request: the server
// sends the next page only after the caller answered "more", so a slow
// caller is never flooded and a caller that stops ("stop", or no answer
// within CallTimeout) stops the server's work. The last page has Done or
// Error set and needs no answer.

// maxPageItems bounds the items of one page, so the caller sees the first
// items early even when they are small.
const maxPageItems = 500

const (
	ackMore = "more"
	ackStop = "stop"
)

// page is the JSON of one message of a streamed answer.
type page struct {
	Items []json.RawMessage `json:"items,omitempty"`
	Done  bool              `json:"done,omitempty"`
	Error string            `json:"error,omitempty"`
	Kind  string            `json:"kind,omitempty"` // as in reply
}

// errStopped ends a ServeStream handler whose caller went away or stopped.
var errStopped = errors.New("bus: the caller stopped the stream")

// pageBudget is the most bytes of items one page carries: half the server's
// max payload, leaving room for the envelope.
func (b *Bus) pageBudget() int {
	mp := int(b.nc.MaxPayload())
	if mp <= 0 {
		mp = 1 << 20 // the NATS default
	}
	return mp / 2
}

// ServeStream answers streamed requests on subject in queue group queue
// until ctx ends: each request's JSON is decoded as a Req and h is called
// with an emit function; the items h emits reach the caller (CallStream) in
// order, in pages bounded by the server's max payload. emit returns an error
// when the caller stopped or went away; h should then return it. An error h
// returns reaches the caller with its kind, as for Serve. An item larger than
// a message can carry is an error. Each request runs in its own goroutine.
// ServeStream returns once subscribed.
func ServeStream[Req, Item any](ctx context.Context, b *Bus, subject, queue string, h func(ctx context.Context, req Req, emit func(Item) error) error) error {
	sub, err := b.nc.QueueSubscribe(subject, queue, func(m *nats.Msg) {
		if m.Reply == "" {
			return // nobody to answer
		}
		go serveStream(ctx, b, subject, m, h)
	})
	if err != nil {
		return fmt.Errorf("bus: subscribe %s: %w", subject, err)
	}
	go func() {
		<-ctx.Done()
		_ = sub.Drain()
	}()
	return nil
}

func serveStream[Req, Item any](ctx context.Context, b *Bus, subject string, m *nats.Msg, h func(ctx context.Context, req Req, emit func(Item) error) error) {
	budget := b.pageBudget()
	var cur page
	size := 0
	flush := func() error {
		data, err := json.Marshal(cur)
		if err != nil {
			return fmt.Errorf("encode page: %w", err)
		}
		cur, size = page{}, 0
		actx, cancel := context.WithTimeout(ctx, CallTimeout)
		defer cancel()
		ack, err := b.nc.RequestWithContext(actx, m.Reply, data)
		if err != nil || string(ack.Data) != ackMore {
			return errStopped
		}
		return nil
	}
	emit := func(it Item) error {
		data, err := json.Marshal(it)
		if err != nil {
			return fmt.Errorf("encode item: %w", err)
		}
		if len(data) > budget {
			return fmt.Errorf("item of %d bytes is larger than a page (%d bytes)", len(data), budget)
		}
		if len(cur.Items) > 0 && (size+len(data) > budget || len(cur.Items) >= maxPageItems) {
			if err := flush(); err != nil {
				return err
			}
		}
		cur.Items = append(cur.Items, data)
		size += len(data) + 1
		return nil
	}
	var req Req
	err := json.Unmarshal(m.Data, &req)
	if err != nil {
		cur.Error, cur.Kind = "bad request: "+err.Error(), "invalid"
	} else if err = h(ctx, req, emit); errors.Is(err, errStopped) {
		return
	} else if err != nil {
		cur = page{Error: err.Error(), Kind: kindOf(err)}
	} else {
		cur.Done = true
	}
	data, err := json.Marshal(cur)
	if err != nil {
		data, _ = json.Marshal(page{Error: "encode page: " + err.Error()})
	}
	if err := b.nc.Publish(m.Reply, data); err != nil {
		b.log.Warn("stream: last page", "subject", subject, "err", err)
	}
}

// CallStream sends req as JSON on subject and calls fn with every item the
// ServeStream there emits, in order. It stops at fn's first error and
// returns it (the server stops too). An error the server sent keeps its
// kind; no server answering is an error that says so; each page must come
// within CallTimeout.
func CallStream[Req, Item any](ctx context.Context, b *Bus, subject string, req Req, fn func(Item) error) error {
	data, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("request %s: %w", subject, err)
	}
	inbox := b.nc.NewInbox()
	sub, err := b.nc.SubscribeSync(inbox)
	if err != nil {
		return fmt.Errorf("request %s: subscribe: %w", subject, err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := b.nc.PublishRequest(subject, inbox, data); err != nil {
		return fmt.Errorf("request %s: %w", subject, err)
	}
	for {
		m, err := nextMsg(ctx, sub)
		if err == nil && len(m.Data) == 0 && m.Header.Get("Status") == "503" {
			err = nats.ErrNoResponders
		}
		if errors.Is(err, nats.ErrNoResponders) {
			return fmt.Errorf("request %s: nobody answers (is the role running?): %w", subject, err)
		}
		if err != nil {
			return fmt.Errorf("request %s: %w", subject, err)
		}
		var p page
		if err := json.Unmarshal(m.Data, &p); err != nil {
			return fmt.Errorf("reply to %s: %w", subject, err)
		}
		if p.Error != "" {
			return replyError(p.Error, p.Kind)
		}
		for _, raw := range p.Items {
			var it Item
			err := json.Unmarshal(raw, &it)
			if err != nil {
				err = fmt.Errorf("reply to %s: %w", subject, err)
			} else {
				err = fn(it)
			}
			if err != nil {
				if m.Reply != "" {
					_ = m.Respond([]byte(ackStop))
				}
				return err
			}
		}
		if p.Done {
			return nil
		}
		if m.Reply == "" {
			return fmt.Errorf("reply to %s: a page neither last nor answerable", subject)
		}
		if err := m.Respond([]byte(ackMore)); err != nil {
			return fmt.Errorf("request %s: ask for more: %w", subject, err)
		}
	}
}

// nextMsg waits for sub's next message, at most CallTimeout.
func nextMsg(ctx context.Context, sub *nats.Subscription) (*nats.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return sub.NextMsgWithContext(ctx)
}
