package kv

import (
	"context"
	"errors"
	"testing"

	"github.com/diembao/diembao/internal/errkind"
)

// TestJSONHelpers: absent is ErrNotFound (an errkind.NotFound), a corrupt
// record is ErrCorrupt for both readers, and UpdateJSON applies fn on the
// stored value.
func TestJSONHelpers(t *testing.T) {
	ctx := context.Background()
	st := NewMemory()
	type rec struct{ N int }
	if _, err := GetJSON[rec](ctx, st, "a"); !errors.Is(err, ErrNotFound) || !errkind.IsNotFound(err) {
		t.Errorf("absent: %v", err)
	}
	if err := PutJSON(ctx, st, "a", rec{N: 1}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := UpdateJSON(ctx, st, "a", func(r *rec) error { r.N++; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := GetJSON[rec](ctx, st, "a"); err != nil || r.N != 3 {
		t.Errorf("after two updates: %+v, %v", r, err)
	}
	if _, err := st.Put(ctx, "bad", []byte("{")); err != nil {
		t.Fatal(err)
	}
	if _, err := GetJSON[rec](ctx, st, "bad"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("corrupt get: %v", err)
	}
	if _, err := UpdateJSON(ctx, st, "bad", func(*rec) error { return nil }); !errors.Is(err, ErrCorrupt) {
		t.Errorf("corrupt update: %v", err)
	}
}
