package crawler

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestWriteChecksSummary: the error says how many sources failed, and says
// the machine looks offline only when every source failed on the network.
func TestWriteChecksSummary(t *testing.T) {
	ok := CheckResult{ID: "a", Check: SourceCheck{Source: "a", Found: 3}}
	dns := CheckResult{ID: "b", Err: errors.New("dial tcp: lookup b.vn: no such host")}
	bad := CheckResult{ID: "c", Err: errors.New("HTTP 404")}
	tests := []struct {
		name    string
		results []CheckResult
		want    string
	}{
		{"all ok", []CheckResult{ok}, ""},
		{"one of two", []CheckResult{ok, bad}, "1 of 2 sources failed"},
		{"all offline", []CheckResult{dns, dns}, "is this machine offline?"},
		{"offline and not", []CheckResult{dns, bad}, "2 of 2 sources failed"},
		{"some offline", []CheckResult{ok, dns}, "1 of 2 sources failed"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		err := WriteChecks(&b, tt.results, true)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
		if got := strings.Count(b.String(), "\n"); got != len(tt.results) {
			t.Errorf("%s: %d JSON lines for %d results", tt.name, got, len(tt.results))
		}
	}
}
