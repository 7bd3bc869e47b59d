package web

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/errkind"
)

func TestReadPassword(t *testing.T) {
	for in, want := range map[string]string{
		"mat-khau-dai-1\n":   "mat-khau-dai-1",
		"mat khau\r\nthua\n": "mat khau",
		"khong-xuong-dong":   "khong-xuong-dong",
	} {
		if got, err := ReadPassword(strings.NewReader(in)); err != nil || got != want {
			t.Errorf("ReadPassword(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "\n", "\r\n"} {
		if _, err := ReadPassword(strings.NewReader(in)); !errkind.IsInvalid(err) || !strings.Contains(err.Error(), "empty password") {
			t.Errorf("ReadPassword(%q): %v; want an Invalid empty password", in, err)
		}
	}
}

func TestWriteUsers(t *testing.T) {
	var b bytes.Buffer
	WriteUsers(&b, []User{{Name: "lan", Role: RoleAnalyst, Created: time.Date(2026, 12, 5, 23, 0, 0, 0, time.UTC)}, {Name: "minh", Role: RolePolice}})
	if b.String() != "lan\tanalyst\t2026-12-05\nminh\tpolice\t0001-01-01\n" {
		t.Errorf("users %q", b.String())
	}
}
