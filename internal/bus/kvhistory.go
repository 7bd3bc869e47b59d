package bus

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/diembao/diembao/internal/kv"
)

// MaxKVHistory is the most past values JetStream keeps per key.
const MaxKVHistory = 64

// HistoryKV is a kv.Store whose keys keep their last values (a JetStream
// KV bucket with History > 1), for records edited by people: source edits.
type HistoryKV struct {
	kvStore
}

// KVHistory returns the named bucket (created if absent; its history depth
// raised to depth if it exists with less) keeping depth values per key
// (1..MaxKVHistory), entries living until deleted.
func (b *Bus) KVHistory(ctx context.Context, bucket string, depth int) (*HistoryKV, error) {
	if depth < 1 || depth > MaxKVHistory {
		return nil, fmt.Errorf("bus: kv bucket %s: history %d: want 1..%d", bucket, depth, MaxKVHistory)
	}
	var s jetstream.KeyValue
	err := retryTransient(ctx, func(ctx context.Context) error {
		var err error
		s, err = b.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket:       bucket,
			Storage:      jetstream.FileStorage,
			Replicas:     b.cfg.Replicas,
			History:      uint8(depth),
			MaxValueSize: MaxPayload,
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bus: kv bucket %s: %w", bucket, err)
	}
	return &HistoryKV{kvStore{kv: s, bucket: bucket}}, nil
}

// History returns the kept values of key, oldest first, the current value
// last. Deletions are left out; a key never written (or purged) is
// kv.ErrNotFound.
func (s *HistoryKV) History(ctx context.Context, key string) ([]kv.Entry, error) {
	es, err := s.kv.History(ctx, key)
	if err != nil {
		return nil, s.wrap("history", key, err)
	}
	var out []kv.Entry
	for _, e := range es {
		if e.Operation() != jetstream.KeyValuePut {
			continue
		}
		out = append(out, kv.Entry{Key: key, Value: e.Value(), Revision: e.Revision()})
	}
	if len(out) == 0 {
		return nil, s.wrap("history", key, jetstream.ErrKeyNotFound)
	}
	return out, nil
}

// Changes signals on the returned channel after any key of the bucket is
// written or deleted (signals may be merged; read the bucket after each).
// The channel is closed when ctx ends or the watch stops.
func (s *HistoryKV) Changes(ctx context.Context) (<-chan struct{}, error) {
	w, err := s.kv.WatchAll(ctx, jetstream.UpdatesOnly(), jetstream.MetaOnly())
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, s.wrap("watch", ">", err)
	}
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		defer func() { _ = w.Stop() }()
		for {
			select {
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e == nil {
					continue
				}
				select {
				case out <- struct{}{}:
				default:
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
