package digest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/alerts/digest"
	"github.com/diembao/diembao/internal/officedoc"
)

func TestParsePeriod(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, loc) // Friday of 2026-W47
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, loc) }
	tests := []struct {
		name           string
		week, from, to string
		want           digest.Period
		wantErr        string
	}{
		{name: "week", week: "2026-W47", want: digest.Period{Week: "2026-W47", From: day(11, 16), To: day(11, 23)}},
		{name: "default: the last complete week", want: digest.Period{Week: "2026-W46", From: day(11, 9), To: day(11, 16)}},
		{name: "range, to inclusive", from: "2026-11-01", to: "2026-11-03", want: digest.Period{From: day(11, 1), To: day(11, 4)}},
		{name: "one day", from: "2026-11-01", to: "2026-11-01", want: digest.Period{From: day(11, 1), To: day(11, 2)}},
		{name: "both", week: "2026-W47", from: "2026-11-01", wantErr: "not both"},
		{name: "bad week", week: "2026-47", wantErr: "YYYY-Www"},
		{name: "week 54", week: "2026-W54", wantErr: "YYYY-Www"},
		{name: "from alone", from: "2026-11-01", wantErr: "go together"},
		{name: "to alone", to: "2026-11-01", wantErr: "go together"},
		{name: "bad date", from: "2026-11-01", to: "3/11/2026", wantErr: "YYYY-MM-DD"},
		{name: "reversed", from: "2026-11-03", to: "2026-11-01", wantErr: "before"},
		{name: "over a year", from: "2025-01-01", to: "2026-11-01", wantErr: "at most a year"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := digest.ParsePeriod(tt.week, tt.from, tt.to, loc, now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Week != tt.want.Week || !got.From.Equal(tt.want.From) || !got.To.Equal(tt.want.To) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPeriodEnded(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, loc) // Friday of 2026-W47
	for _, tt := range []struct {
		week, from, to string
		ended          bool
	}{
		{week: "2026-W47", ended: false},
		{week: "2026-W46", ended: true},
		{from: "2026-11-17", to: "2026-11-21", ended: false},
		{from: "2026-11-17", to: "2026-11-19", ended: true}, // ended at midnight
	} {
		p, err := digest.ParsePeriod(tt.week, tt.from, tt.to, loc, now)
		if err != nil {
			t.Fatal(err)
		}
		if p.Ended(now) != tt.ended {
			t.Errorf("%+v: Ended %v, want %v", p, !tt.ended, tt.ended)
		}
	}
	p, _ := digest.ParsePeriod("2026-W47", "", "", loc, now)
	if !p.Ended(p.To) || p.Ended(p.To.Add(-time.Nanosecond)) {
		t.Error("a week ends exactly at the next Monday's midnight")
	}
}

func TestCheckOutAndFileName(t *testing.T) {
	for _, ok := range []string{"", "-", "a.html", "a.HTM", "b/c.pdf", "d.docx", "e.txt"} {
		if err := digest.CheckOut(ok); err != nil {
			t.Errorf("CheckOut(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"a.xlsx", "a", "a.html.gz"} {
		if err := digest.CheckOut(bad); err == nil {
			t.Errorf("CheckOut(%q) accepted", bad)
		}
	}
	if got := digest.FileName("2026-W47"); got != "ban-tin-2026-W47.html" {
		t.Errorf("FileName = %q", got)
	}
}

// TestWriteFileWholeOrNothing: a file appears with the rendering of its
// extension, stdout gets HTML for "-", and a write that cannot finish leaves
// what was there as it was and no temporary file behind.
func TestWriteFileWholeOrNothing(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	d := digest.Digest{Week: "2026-W47"}
	dir := t.TempDir()
	txt := filepath.Join(dir, "tuan.txt")
	if err := digest.WriteFile(nil, txt, d, loc, officedoc.Issuer{}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(txt)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != digest.Text(d, loc) {
		t.Errorf(".txt holds %q, want the text rendering", got)
	}
	var stdout bytes.Buffer
	if err := digest.WriteFile(&stdout, "-", d, loc, officedoc.Issuer{}); err != nil {
		t.Fatal(err)
	}
	if html, _ := digest.HTML(d, loc); stdout.String() != html {
		t.Error(`"-" did not write the HTML rendering to stdout`)
	}

	// The last step cannot happen (the name is a folder that is not
	// empty): the error says so, the folder is untouched, no temporary file
	// is left behind.
	busy := filepath.Join(dir, "busy.html")
	if err := os.MkdirAll(filepath.Join(busy, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := digest.WriteFile(nil, busy, d, loc, officedoc.Issuer{}); err == nil {
		t.Fatal("writing over a folder that is not empty succeeded")
	}
	if _, err := os.Stat(filepath.Join(busy, "inside")); err != nil {
		t.Errorf("the folder was changed: %v", err)
	}
	if _, err := os.Stat(busy + ".tmp"); err == nil {
		t.Error("a temporary file was left behind")
	}
}
