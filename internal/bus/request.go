package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/diembao/diembao/internal/errkind"
)

// Subjects of the index role's request/reply service: serve roles and
// one-shot commands in other processes search the one Bleve index through
// it (a Bleve index has one writer).
const (
	SubjectIndexSearch = "diembao.index.search"
	SubjectIndexGet    = "diembao.index.get"
	SubjectIndexStats  = "diembao.index.stats"
	SubjectIndexExport = "diembao.index.export" // streamed (ServeStream): every hit of a query
)

// CallTimeout bounds one Call when ctx has no earlier deadline.
const CallTimeout = 15 * time.Second

// reply is the JSON envelope of an answer: the result, or the error's text
// and kind.
type reply[Rep any] struct {
	Result *Rep   `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
	Kind   string `json:"kind,omitempty"` // "not_found" | "invalid"
}

// Serve answers requests on subject in queue group queue until ctx ends:
// each request's JSON is decoded as a Req and h's answer sent back as JSON.
// An error is sent back with its kind (errkind.NotFound, errkind.Invalid), so
// Call returns an error of the same kind. Serve returns once subscribed.
func Serve[Req, Rep any](ctx context.Context, b *Bus, subject, queue string, h func(ctx context.Context, req Req) (Rep, error)) error {
	sub, err := b.nc.QueueSubscribe(subject, queue, func(m *nats.Msg) {
		var r reply[Rep]
		var req Req
		if err := json.Unmarshal(m.Data, &req); err != nil {
			r.Error, r.Kind = "bad request: "+err.Error(), "invalid"
		} else if res, err := h(ctx, req); err != nil {
			r.Error, r.Kind = err.Error(), kindOf(err)
		} else {
			r.Result = &res
		}
		data, err := json.Marshal(r)
		if err != nil {
			data, _ = json.Marshal(reply[Rep]{Error: "encode reply: " + err.Error()})
		}
		if err := m.Respond(data); err != nil {
			b.log.Warn("request: respond", "subject", subject, "err", err)
		}
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

func kindOf(err error) string {
	switch {
	case errkind.IsNotFound(err):
		return "not_found"
	case errkind.IsInvalid(err):
		return "invalid"
	}
	return ""
}

// Call sends req as JSON on subject and decodes the answer of a Serve. An
// error the server sent back keeps its kind; no server answering is an
// error that says so.
func Call[Req, Rep any](ctx context.Context, b *Bus, subject string, req Req) (Rep, error) {
	var zero Rep
	data, err := json.Marshal(req)
	if err != nil {
		return zero, fmt.Errorf("request %s: %w", subject, err)
	}
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	m, err := b.nc.RequestWithContext(ctx, subject, data)
	if err != nil {
		if errors.Is(err, nats.ErrNoResponders) {
			return zero, fmt.Errorf("request %s: nobody answers (is the role running?): %w", subject, err)
		}
		return zero, fmt.Errorf("request %s: %w", subject, err)
	}
	var r reply[Rep]
	if err := json.Unmarshal(m.Data, &r); err != nil {
		return zero, fmt.Errorf("reply to %s: %w", subject, err)
	}
	switch {
	case r.Error != "":
		return zero, replyError(r.Error, r.Kind)
	case r.Result == nil:
		return zero, fmt.Errorf("reply to %s: no result", subject)
	}
	return *r.Result, nil
}

// replyError rebuilds an error a server sent back, with its kind.
func replyError(msg, kind string) error {
	switch kind {
	case "not_found":
		return errkind.Sentinel(msg, errkind.NotFound)
	case "invalid":
		return errkind.Sentinel(msg, errkind.Invalid)
	}
	return errors.New(msg)
}

// Connected reports whether the NATS connection is up (readiness checks).
func (b *Bus) Connected() bool { return b.nc != nil && b.nc.IsConnected() }
