package bus

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/diembao/diembao/internal/kv"
)

// KV returns the named bucket (created if absent) as a kv.Store whose
// entries live until deleted.
func (b *Bus) KV(ctx context.Context, bucket string) (kv.Store, error) {
	return b.KVWithTTL(ctx, bucket, 0)
}

// KVWithTTL is KV with entries that expire ttl after their last write
// (0: never). Use it for state that may be forgotten, such as crawl state.
func (b *Bus) KVWithTTL(ctx context.Context, bucket string, ttl time.Duration) (kv.Store, error) {
	var s jetstream.KeyValue
	err := retryTransient(ctx, func(ctx context.Context) error {
		var err error
		s, err = b.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket:       bucket,
			Storage:      jetstream.FileStorage,
			Replicas:     b.cfg.Replicas,
			History:      1,
			MaxValueSize: MaxPayload,
			TTL:          ttl,
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bus: kv bucket %s: %w", bucket, err)
	}
	return &kvStore{kv: s, bucket: bucket}, nil
}

type kvStore struct {
	kv     jetstream.KeyValue
	bucket string
}

func (s *kvStore) wrap(op, key string, err error) error {
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
		return fmt.Errorf("kv %s %s %s: %w", s.bucket, op, key, kv.ErrNotFound)
	case errors.Is(err, jetstream.ErrKeyExists):
		if op == "update" {
			return fmt.Errorf("kv %s %s %s: %w", s.bucket, op, key, kv.ErrConflict)
		}
		return fmt.Errorf("kv %s %s %s: %w", s.bucket, op, key, kv.ErrExists)
	default:
		var apiErr *jetstream.APIError
		if op == "update" && errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence {
			return fmt.Errorf("kv %s %s %s: %w", s.bucket, op, key, kv.ErrConflict)
		}
		return fmt.Errorf("kv %s %s %s: %w", s.bucket, op, key, err)
	}
}

func (s *kvStore) Get(ctx context.Context, key string) (kv.Entry, error) {
	e, err := s.kv.Get(ctx, key)
	if err != nil {
		return kv.Entry{}, s.wrap("get", key, err)
	}
	return kv.Entry{Key: key, Value: e.Value(), Revision: e.Revision()}, nil
}

func (s *kvStore) Put(ctx context.Context, key string, value []byte) (uint64, error) {
	r, err := s.kv.Put(ctx, key, value)
	if err != nil {
		return 0, s.wrap("put", key, err)
	}
	return r, nil
}

func (s *kvStore) Create(ctx context.Context, key string, value []byte) (uint64, error) {
	r, err := s.kv.Create(ctx, key, value)
	if err != nil {
		return 0, s.wrap("create", key, err)
	}
	return r, nil
}

func (s *kvStore) Update(ctx context.Context, key string, value []byte, lastRev uint64) (uint64, error) {
	if lastRev == 0 {
		return s.Create(ctx, key, value)
	}
	r, err := s.kv.Update(ctx, key, value, lastRev)
	if err != nil {
		return 0, s.wrap("update", key, err)
	}
	return r, nil
}

func (s *kvStore) Delete(ctx context.Context, key string) error {
	if err := s.kv.Delete(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return s.wrap("delete", key, err)
	}
	return nil
}

// Keys lists the keys under prefix. A prefix ending in '.' is filtered by
// the server (subject wildcard prefix.>), so listing one level of a large
// bucket does not transfer the others' keys.
func (s *kvStore) Keys(ctx context.Context, prefix string) ([]string, error) {
	var lister jetstream.KeyLister
	var err error
	if len(prefix) > 1 && strings.HasSuffix(prefix, ".") {
		lister, err = s.kv.ListKeysFiltered(ctx, prefix+">")
	} else {
		lister, err = s.kv.ListKeys(ctx)
	}
	if err != nil {
		if errors.Is(err, jetstream.ErrNoKeysFound) {
			return nil, nil
		}
		return nil, s.wrap("keys", prefix, err)
	}
	var out []string
	for k := range lister.Keys() {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	_ = lister.Stop() // the lister has already finished; Stop only releases it
	sort.Strings(out)
	return out, nil
}
