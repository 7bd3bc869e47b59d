package bus

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/diembao/diembao/internal/errkind"
)

// PublishJSON encodes v as JSON and publishes it like Publish; a value that
// does not encode is an errkind.Permanent error. It returns once the stream
// stored the message (or dropped it as a duplicate of msgID).
func (b *Bus) PublishJSON(ctx context.Context, subject, msgID string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("bus: encode %s %s: %w: %w", subject, msgID, errkind.Permanent, err)
	}
	_, err = b.Publish(ctx, subject, msgID, data, nil)
	return err
}

// Decoded is one message with its payload decoded.
type Decoded[T any] struct {
	Value T
	Msg   Msg
}

// JSON adapts a handler of decoded values to a BatchHandler, one message at a
// time: each message's JSON is decoded as a T and handed to h with its
// message. A message that does not decode is dead-lettered at once
// (errkind.Permanent); what names the payload in that error ("article").
func JSON[T any](what string, h func(ctx context.Context, v T, m Msg) error) BatchHandler {
	return func(ctx context.Context, msgs []Msg) []error {
		errs := make([]error, len(msgs))
		for i, m := range msgs {
			v, err := decode[T](what, m)
			if err == nil {
				err = h(ctx, v, m)
			}
			errs[i] = err
		}
		return errs
	}
}

// JSONBatch is JSON for handlers that take a batch: h receives the messages
// that decode, in order, and returns one error per element (a nil slice:
// all succeeded). Messages that do not decode are dead-lettered at once.
func JSONBatch[T any](what string, h func(ctx context.Context, batch []Decoded[T]) []error) BatchHandler {
	return func(ctx context.Context, msgs []Msg) []error {
		errs := make([]error, len(msgs))
		batch := make([]Decoded[T], 0, len(msgs))
		pos := make([]int, 0, len(msgs))
		for i, m := range msgs {
			v, err := decode[T](what, m)
			if err != nil {
				errs[i] = err
				continue
			}
			batch = append(batch, Decoded[T]{Value: v, Msg: m})
			pos = append(pos, i)
		}
		if len(batch) == 0 {
			return errs
		}
		for j, err := range h(ctx, batch) {
			if j < len(pos) {
				errs[pos[j]] = err
			}
		}
		return errs
	}
}

func decode[T any](what string, m Msg) (T, error) {
	var v T
	if err := json.Unmarshal(m.Data, &v); err != nil {
		return v, fmt.Errorf("decode %s at seq %d: %w: %w", what, m.Seq, errkind.Permanent, err)
	}
	return v, nil
}

// Token turns s into one subject token: bytes other than [a-z0-9_-] become
// '_', and an empty s is "_" (articles.<source>, alerts.<topic>,
// outbox.<audience>).
func Token(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}
