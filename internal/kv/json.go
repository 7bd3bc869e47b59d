package kv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrCorrupt is returned (wrapped) by GetJSON and UpdateJSON for a stored
// value that is not the expected JSON. The caller decides: state that can be
// rebuilt (crawl state) treats it as absent; records (alerts) report it.
var ErrCorrupt = errors.New("kv: corrupt record")

// GetJSON reads key and decodes its JSON value. An absent key is
// ErrNotFound, an undecodable value ErrCorrupt (both wrapped, with the key).
func GetJSON[T any](ctx context.Context, st Store, key string) (T, error) {
	var v T
	e, err := st.Get(ctx, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(e.Value, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w: %w", key, ErrCorrupt, err)
	}
	return v, nil
}

// PutJSON encodes v as JSON and writes it to key; nil means it is durable.
func PutJSON(ctx context.Context, st Store, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	if _, err := st.Put(ctx, key, b); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// UpdateJSON reads key, applies fn and writes the result back only if the
// key did not change in between, retrying on conflict (up to 20 times). fn
// sees the zero value when the key is absent; an error of fn is returned
// as is and nothing is written. A corrupt stored value is ErrCorrupt.
func UpdateJSON[T any](ctx context.Context, st Store, key string, fn func(*T) error) (T, error) {
	for range 20 {
		var v T
		var rev uint64
		e, err := st.Get(ctx, key)
		switch {
		case err == nil:
			if err := json.Unmarshal(e.Value, &v); err != nil {
				return v, fmt.Errorf("decode %s: %w: %w", key, ErrCorrupt, err)
			}
			rev = e.Revision
		case errors.Is(err, ErrNotFound):
		default:
			return v, fmt.Errorf("get %s: %w", key, err)
		}
		if err := fn(&v); err != nil {
			return v, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return v, fmt.Errorf("encode %s: %w", key, err)
		}
		if rev == 0 {
			_, err = st.Create(ctx, key, b)
		} else {
			_, err = st.Update(ctx, key, b, rev)
		}
		if errors.Is(err, ErrExists) || errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return v, fmt.Errorf("put %s: %w", key, err)
		}
		return v, nil
	}
	var zero T
	return zero, fmt.Errorf("update %s: too many conflicts", key)
}
