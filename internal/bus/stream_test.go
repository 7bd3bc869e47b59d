package bus

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/errkind"
)

// TestCallStreamPages: a streamed answer larger than one message arrives
// whole and in order, page by page; a caller that stops stops the server;
// errors keep their kind; nobody serving is an error.
func TestCallStreamPages(t *testing.T) {
	ctx := context.Background()
	b := openTest(t, t.TempDir())
	defer b.Close()
	type item struct {
		N    int    `json:"n"`
		Body string `json:"body"`
	}
	big := strings.Repeat("x", 300<<10)
	n := 3*int(b.Conn().MaxPayload())/len(big) + 1 // three payloads' worth: never one reply
	stopped := make(chan error, 1)
	err := ServeStream(ctx, b, "t.stream", "q", func(_ context.Context, req string, emit func(item) error) error {
		switch req {
		case "missing":
			return errkind.Sentinel("no "+req, errkind.NotFound)
		case "huge":
			return emit(item{Body: strings.Repeat("y", int(b.Conn().MaxPayload()))})
		}
		for i := range n {
			if err := emit(item{N: i, Body: big}); err != nil {
				stopped <- err
				return err
			}
		}
		stopped <- nil
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	if err := CallStream(ctx, b, "t.stream", "all", func(it item) error {
		if it.Body != big {
			t.Errorf("item %d: body of %d bytes", it.N, len(it.Body))
		}
		got = append(got, it.N)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if <-stopped != nil || len(got) != n {
		t.Fatalf("got %d items, want %d", len(got), n)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("item %d is %d: out of order", i, v)
		}
	}

	errEnough := errors.New("enough")
	seen := 0
	err = CallStream(ctx, b, "t.stream", "all", func(it item) error {
		if seen++; seen == 3 {
			return errEnough
		}
		return nil
	})
	if !errors.Is(err, errEnough) || seen != 3 {
		t.Errorf("stop after 3: %v after %d items", err, seen)
	}
	if err := <-stopped; err == nil {
		t.Error("the server went on after the caller stopped")
	}

	if err := CallStream(ctx, b, "t.stream", "missing", func(item) error { return nil }); !errkind.IsNotFound(err) || err.Error() != "no missing" {
		t.Errorf("not found: %v", err)
	}
	if err := CallStream(ctx, b, "t.stream", "huge", func(item) error { return nil }); err == nil || !strings.Contains(err.Error(), "larger than a page") {
		t.Errorf("an item larger than a page: %v", err)
	}
	if err := CallStream(ctx, b, "t.nobody", "x", func(item) error { return nil }); err == nil || !strings.Contains(err.Error(), "nobody answers") {
		t.Errorf("no responder: %v", err)
	}
}
