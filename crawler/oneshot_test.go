package crawler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestExplainAndLooksOffline: network failures are explained in words and
// recognised as an offline machine's; other errors are neither.
func TestExplainAndLooksOffline(t *testing.T) {
	dns := errors.New("dial tcp: lookup baothanhhoa.vn: no such host")
	if got := Explain(dns); !strings.HasSuffix(got, "(host name not found: offline or wrong domain)") {
		t.Errorf("Explain(dns) = %q", got)
	}
	if !LooksOffline(dns) {
		t.Error("a DNS failure does not look offline")
	}
	late := fmt.Errorf("fetch: %w", context.DeadlineExceeded)
	if got := Explain(late); !strings.HasSuffix(got, "(timed out)") {
		t.Errorf("Explain(timeout) = %q", got)
	}
	notFound := errors.New("permanent: GET https://x/a: 404\nbody")
	if got := Explain(notFound); got != "GET https://x/a: 404; body" || LooksOffline(notFound) {
		t.Errorf("Explain(404) = %q, offline %v", got, LooksOffline(notFound))
	}
}
