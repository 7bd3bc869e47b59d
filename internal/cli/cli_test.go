package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
)

// TestGlobalFlagsAnywhere: --config and --data are taken before or after
// the command, with "=" or a separate value; the rest keeps its order.
func TestGlobalFlagsAnywhere(t *testing.T) {
	rest, cfg, data, err := GlobalFlags([]string{"search", "--data=/d", "biên giới", "--config", "c.yaml", "--json"})
	if err != nil || cfg != "c.yaml" || data != "/d" || !slices.Equal(rest, []string{"search", "biên giới", "--json"}) {
		t.Errorf("got %q %q %q %v", rest, cfg, data, err)
	}
	if _, _, _, err := GlobalFlags([]string{"run", "--config"}); err == nil {
		t.Error("--config without a value accepted")
	}
}

// TestExitCodes: usage errors are 2 with the "usage: " prefix dropped,
// other errors 1, a cancellation 0 and silent.
func TestExitCodes(t *testing.T) {
	var b bytes.Buffer
	if c := Exit(&b, fmt.Errorf("%w: bad --week", ErrUsage)); c != ExitUsage || b.String() != "diembao: bad --week\n" {
		t.Errorf("usage error: %d %q", c, b.String())
	}
	b.Reset()
	if c := Exit(&b, errors.New("disk full")); c != ExitError || b.String() != "diembao: disk full\n" {
		t.Errorf("runtime error: %d %q", c, b.String())
	}
	b.Reset()
	if c := Exit(&b, context.Canceled); c != ExitOK || b.Len() != 0 {
		t.Errorf("cancellation: %d %q", c, b.String())
	}
}
