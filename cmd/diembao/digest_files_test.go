package main

import (
	"strings"
	"testing"
	"time"
)

func TestCheckDigestEnded(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, loc) // Friday of 2026-W47
	tests := []struct {
		o       digestOpts
		refused bool
	}{
		{digestOpts{week: "2026-W47", send: true}, true},
		{digestOpts{week: "2026-W47", send: true, force: true}, false},
		{digestOpts{week: "2026-W47"}, false}, // writing a file of a running week is fine
		{digestOpts{week: "2026-W46", send: true}, false},
		{digestOpts{from: now.AddDate(0, 0, -3), to: now.AddDate(0, 0, 1), send: true}, true},
	}
	for _, tt := range tests {
		err := checkDigestEnded(tt.o, loc, now)
		if (err != nil) != tt.refused {
			t.Errorf("%+v: err %v, refused %v", tt.o, err, tt.refused)
		}
		if err != nil && !strings.Contains(err.Error(), "--force") {
			t.Errorf("the refusal does not name --force: %v", err)
		}
	}
	if digestFileName("2026-W47") != "ban-tin-2026-W47.html" {
		t.Error(digestFileName("2026-W47"))
	}
}
