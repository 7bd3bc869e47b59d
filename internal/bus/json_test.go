package bus

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/diembao/diembao/internal/errkind"
)

// TestJSONConsumeAndRequest: typed values go through PublishJSON and JSON;
// an undecodable message is dead-lettered at once; Serve and Call carry
// results and error kinds.
func TestJSONConsumeAndRequest(t *testing.T) {
	b := openTest(t, t.TempDir())
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type item struct{ N int }
	if err := b.PublishJSON(ctx, SubjectAlerts+"."+Token("border"), "m1", item{N: 7}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Publish(ctx, SubjectAlerts+".x", "m2", []byte("{not json"), nil); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []int
	go b.Consume(ctx, ConsumerSpec{Stream: StreamAlerts, Durable: "t", Batch: 10}, JSON("item", func(_ context.Context, v item, m Msg) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, v.N)
		if m.Subject != "alerts.border" {
			t.Errorf("subject %q", m.Subject)
		}
		return nil
	}))
	waitFor(t, "the dead letter", func() bool {
		dl, _ := b.DeadLetters(ctx, 10)
		return len(dl) == 1 && strings.Contains(dl[0].Error, "decode item at seq 2")
	})
	if Token("Ab c-1") != "_b_c-1" || Token("") != "_" {
		t.Errorf("Token: %q %q", Token("Ab c-1"), Token(""))
	}
	mu.Lock()
	if len(got) != 1 || got[0] != 7 {
		t.Errorf("handled %v, want [7]", got)
	}
	mu.Unlock()

	err := Serve(ctx, b, "t.req", "q", func(_ context.Context, id string) (item, error) {
		switch id {
		case "missing":
			return item{}, errkind.Sentinel("no "+id, errkind.NotFound)
		case "bad":
			return item{}, errkind.Sentinel("bad "+id, errkind.Invalid)
		}
		return item{N: len(id)}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := Call[string, item](ctx, b, "t.req", "abc"); err != nil || v.N != 3 {
		t.Errorf("Call = %v, %v", v, err)
	}
	if _, err := Call[string, item](ctx, b, "t.req", "missing"); !errkind.IsNotFound(err) || err.Error() != "no missing" {
		t.Errorf("not found: %v", err)
	}
	if _, err := Call[string, item](ctx, b, "t.req", "bad"); !errkind.IsInvalid(err) {
		t.Errorf("invalid: %v", err)
	}
	if _, err := Call[string, item](ctx, b, "t.nobody", "x"); err == nil || errkind.IsNotFound(err) || errors.Is(err, errkind.Invalid) {
		t.Errorf("no responder: %v", err)
	}
}
