package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestRangesNamePosition: values the decoder accepts but nothing can use
// are refused with FILE:LINE:COL and the key.
func TestRangesNamePosition(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"negative parallel", "data_dir: x\ncrawler:\n  parallel: -4\n", "diembao.yaml:3:13: crawler.parallel: -4 is negative"},
		{"negative max_body", "crawler: {max_body: -1}\n", "diembao.yaml:1:21: crawler.max_body"},
		{"negative timeout", "crawler:\n  timeout: -5s\n", "diembao.yaml:2:12: crawler.timeout"},
		{"negative stale_after", "crawler:\n  stale_after: -2\n", "diembao.yaml:2:16: crawler.stale_after"},
		{"unknown log level", "log:\n  level: verbose\n", `diembao.yaml:2:10: log.level: "verbose": want debug, info, warn or error`},
		{"unknown log format", "log: {format: xml}\n", `diembao.yaml:1:15: log.format`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(write(t, tt.yaml), true, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	// Set from the environment: no position, still refused.
	_, err := Load(write(t, "data_dir: x\n"), true, func(k string) string {
		if k == "DIEMBAO_LOG_LEVEL" {
			return "loud"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "log.level") {
		t.Errorf("DIEMBAO_LOG_LEVEL=loud: %v", err)
	}
	// Upper-case levels and zero values (defaults) stay valid.
	if _, err := Load(write(t, "log: {level: WARN}\ncrawler: {parallel: 0, stale_after: 6}\n"), true, nil); err != nil {
		t.Errorf("valid values refused: %v", err)
	}
}

// TestRoutesAliasBomb: a small alias tree under routes is refused at once
// with its position instead of being expanded.
func TestRoutesAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x0: &a0 [office, office, office, office, office, office, office, office, office]\n")
	for i := 1; i <= 9; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "x%d: &a%d [%s]\n", i, i, strings.Repeat(p+", ", 8)+p)
	}
	b.WriteString("routes:\n  - {match: {topics: [border]}, audiences: *a9}\n")
	done := make(chan error, 1)
	go func() {
		_, err := Load(write(t, b.String()), true, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "alias") || !strings.Contains(err.Error(), "diembao.yaml:") {
			t.Errorf("alias bomb (%d bytes): %v, want a refusal naming the file and position", b.Len(), err)
		}
	case <-time.After(time.Minute): // a hang guard, not a speed assertion
		t.Fatalf("Load of a %d-byte alias bomb did not return within a minute", b.Len())
	}
}
