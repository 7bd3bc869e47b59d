package digest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/officedoc"
)

// Period is what one digest covers: an ISO week, or a range of whole days.
type Period struct {
	Week     string    // "2026-W47"; "" for a range of days
	From, To time.Time // [From, To): midnights in the zone the period was read in
}

// ParsePeriod reads the period a digest command names: week ("2026-W47"),
// or from and to (days YYYY-MM-DD in loc, to inclusive, at most a year
// apart), or, with none of them, the last complete week before now. Every
// error is the caller's fault; its message names the command's flags
// (--week, --from, --to).
func ParsePeriod(week, from, to string, loc *time.Location, now time.Time) (Period, error) {
	switch {
	case week != "" && (from != "" || to != ""):
		return Period{}, errors.New("give --week or --from/--to, not both")
	case week != "":
		f, t, err := WeekRange(week, loc)
		if err != nil {
			return Period{}, fmt.Errorf("--week %q: want YYYY-Www, e.g. 2026-W47", week)
		}
		return Period{Week: week, From: f, To: t}, nil
	case from != "" || to != "":
		if from == "" || to == "" {
			return Period{}, errors.New("--from and --to go together")
		}
		f, err1 := time.ParseInLocation("2006-01-02", from, loc)
		t, err2 := time.ParseInLocation("2006-01-02", to, loc)
		if err1 != nil || err2 != nil {
			return Period{}, errors.New("--from/--to: want dates YYYY-MM-DD")
		}
		if t.Before(f) {
			return Period{}, errors.New("--to is before --from")
		}
		if t.Sub(f) > 366*24*time.Hour {
			return Period{}, errors.New("--from/--to: at most a year")
		}
		return Period{From: f, To: t.AddDate(0, 0, 1)}, nil // to is inclusive
	}
	w := WeekOf(now.In(loc).AddDate(0, 0, -7), loc)
	f, t, err := WeekRange(w, loc)
	return Period{Week: w, From: f, To: t}, err
}

// Ended reports whether p is over at now. A digest sent before its period
// ends misses the rest of it.
func (p Period) Ended(now time.Time) bool { return !now.Before(p.To) }

// BuildPeriod builds the digest of p: Build for a week, else BuildRange.
func (b *Builder) BuildPeriod(ctx context.Context, p Period) (Digest, error) {
	if p.Week != "" {
		return b.Build(ctx, p.Week)
	}
	return b.BuildRange(ctx, p.From, p.To)
}

// FileName is where a digest of week goes when no file is named:
// ban-tin-2026-W47.html.
func FileName(week string) string { return "ban-tin-" + week + ".html" }

// CheckOut returns an error unless out names a file WriteFile can write:
// .html, .htm, .pdf, .docx or .txt, or "" and "-" (HTML on standard output).
func CheckOut(out string) error {
	switch strings.ToLower(filepath.Ext(out)) {
	case ".html", ".htm", ".pdf", ".docx", ".txt":
		return nil
	}
	if out == "" || out == "-" {
		return nil
	}
	return fmt.Errorf("--out %q: want a .html, .pdf, .docx or .txt file", out)
}

// WriteFile renders d by the extension of out (Render) and writes it to the
// file out, whole or not at all: a failed write leaves no file, and an
// existing file is replaced only by a complete one. "" and "-" write HTML
// to stdout.
func WriteFile(stdout io.Writer, out string, d Digest, loc *time.Location, is officedoc.Issuer) error {
	data, err := RenderFor(d, loc, is, out)
	if err != nil {
		return err
	}
	if out == "" || out == "-" {
		_, err := stdout.Write(data)
		return err
	}
	return officedoc.WriteFile(out, data, 0o644)
}
