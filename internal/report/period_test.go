package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/officedoc"
)

func TestParsePeriod(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	tests := []struct {
		year, from, to string
		want           Params
		wantErr        string
	}{
		{year: "2026", want: Params{From: day(2026, 1, 1), To: day(2026, 12, 31)}},
		{from: "2026-01-01", to: "2026-06-30", want: Params{From: day(2026, 1, 1), To: day(2026, 6, 30)}},
		{from: "2026-06-30", to: "2026-06-30", want: Params{From: day(2026, 6, 30), To: day(2026, 6, 30)}},
		{year: "2026", from: "2026-01-01", wantErr: "not both"},
		{year: "26", wantErr: `--year "26": want a year`},
		{year: "2101", wantErr: "want a year"},
		{wantErr: "give --year YYYY or both"},
		{from: "2026-01-01", wantErr: "give --year YYYY or both"},
		{from: "1/1/2026", to: "2026-06-30", wantErr: `--from "1/1/2026": want a date YYYY-MM-DD`},
		{from: "2026-01-01", to: "x", wantErr: `--to "x"`},
		{from: "2026-06-30", to: "2026-01-01", wantErr: "--to is before --from"},
	}
	for _, tt := range tests {
		got, err := ParsePeriod(tt.year, tt.from, tt.to, loc)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%+v: err %v, want %q", tt, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !got.From.Equal(tt.want.From) || !got.To.Equal(tt.want.To) || got.Loc != loc {
			t.Errorf("%+v: got %+v, %v", tt, got, err)
		}
	}
}

func TestCheckOutAndWriteFile(t *testing.T) {
	for out, want := range map[string]string{"a.pdf": ".pdf", "b/C.DOCX": ".docx", "x.xlsx": ".xlsx", "a.html": "", "": ""} {
		ext, err := CheckOut(out)
		if ext != want || (err != nil) != (want == "") {
			t.Errorf("CheckOut(%q) = %q, %v", out, ext, err)
		}
	}
	dir := t.TempDir()
	xl := filepath.Join(dir, "bao-cao.xlsx")
	r := Report{Params: Year(2026, time.UTC)}
	if err := WriteFile(xl, r, officedoc.Issuer{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(xl); err != nil || !strings.HasPrefix(string(b), "PK") {
		t.Errorf("xlsx not written: %v", err)
	}
	busy := filepath.Join(dir, "busy.xlsx")
	if err := os.MkdirAll(filepath.Join(busy, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(busy, r, officedoc.Issuer{}, time.Now()); err == nil {
		t.Error("writing over a folder that is not empty succeeded")
	}
	if _, err := os.Stat(busy + ".tmp"); err == nil {
		t.Error("a temporary file was left behind")
	}
}
