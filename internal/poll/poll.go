// Package poll waits in tests for a condition with a deadline, never for a
// fixed time. In: a condition. Out: nothing, or the test fails with what it
// waited for and the last state the condition reported.
package poll

import (
	"testing"
	"time"
)

// Until calls cond until it reports true, first every 20 ms then backing
// off to every 200 ms, and fails the test (Fatalf) when timeout passes
// first, naming what and the last state cond returned.
func Until(tb testing.TB, timeout time.Duration, what string, cond func() (ok bool, state string)) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	interval := 20 * time.Millisecond
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s (last: %s)", timeout, what, state)
		}
		time.Sleep(interval)
		interval = min(2*interval, 200*time.Millisecond)
	}
}

// True is Until for conditions without a state to report.
func True(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	Until(tb, timeout, what, func() (bool, string) { return cond(), "false" })
}
