package report

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/officedoc"
)

// ErrToBeforeFrom is ParsePeriod's error for a range that ends before it
// starts.
var ErrToBeforeFrom = errors.New("--to is before --from")

// ParsePeriod reads the period of `diembao report`: a calendar year
// (2000–2100), or from and to, days YYYY-MM-DD in loc, both inclusive. The
// Params it returns have From, To and Loc set. Every error is the caller's
// fault; its message names the command's flags (--year, --from, --to).
func ParsePeriod(year, from, to string, loc *time.Location) (Params, error) {
	if year != "" {
		if from != "" || to != "" {
			return Params{}, errors.New("give --year or --from/--to, not both")
		}
		y, err := strconv.Atoi(year)
		if err != nil || y < 2000 || y > 2100 {
			return Params{}, fmt.Errorf("--year %q: want a year like 2026", year)
		}
		return Year(y, loc), nil
	}
	if from == "" || to == "" {
		return Params{}, errors.New("give --year YYYY or both --from and --to")
	}
	p := Params{Loc: loc}
	for _, d := range []struct {
		name, v string
		t       *time.Time
	}{{"from", from, &p.From}, {"to", to, &p.To}} {
		t, err := time.ParseInLocation("2006-01-02", d.v, loc)
		if err != nil {
			return Params{}, fmt.Errorf("--%s %q: want a date YYYY-MM-DD", d.name, d.v)
		}
		*d.t = t
	}
	if p.To.Before(p.From) {
		return Params{}, ErrToBeforeFrom
	}
	return p, nil
}

// CheckOut returns the extension of out (lower case) when Render can write
// it (.pdf, .docx, .xlsx), else an error naming --out.
func CheckOut(out string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(out)); ext {
	case ".pdf", ".docx", ".xlsx":
		return ext, nil
	}
	return "", errors.New("--out FILE ending .pdf, .docx or .xlsx is required")
}

// WriteFile renders r by the extension of out (Render: issued by is, dated
// date) and writes it to the file out, whole or not at all.
func WriteFile(out string, r Report, is officedoc.Issuer, date time.Time) error {
	ext, err := CheckOut(out)
	if err != nil {
		return err
	}
	b, err := Render(r, is, ext, date)
	if err != nil {
		return err
	}
	return officedoc.WriteFile(out, b, 0o644)
}
