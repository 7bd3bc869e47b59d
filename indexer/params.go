package indexer

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao/internal/errkind"
)

// ParamError is a search parameter the caller got wrong: Param names it as
// the HTTP API does ("from", "size"), Value is what was given and Want what
// is accepted. It wraps errkind.Invalid. The CLI prints it after "--", so
// that it names the flag.
type ParamError struct {
	Param, Value, Want string
}

func (e *ParamError) Error() string { return fmt.Sprintf("%s %q: want %s", e.Param, e.Value, e.Want) }

// Unwrap makes a ParamError errkind.Invalid.
func (e *ParamError) Unwrap() error { return errkind.Invalid }

// ParseParams reads the search parameters of DESIGN.md's GET /api/search
// from v: q, from, to, source, topic, area, sort, page, size; the web UI,
// the API and the search command read them with it. source and topic may
// be repeated or comma-separated (duplicates and values over 100 bytes
// dropped); from and to are days YYYY-MM-DD in loc (to inclusive, the
// whole day) or RFC 3339 times; area is true or false (1/0, yes/no); sort is
// relevance (the default) or date; page is 1 to 1000 (default 1), size 1 to
// 100 (default 20); q is valid UTF-8 of at most 500 characters. The error
// is a *ParamError naming the first bad parameter.
func ParseParams(v url.Values, loc *time.Location) (Query, error) {
	q := Query{Q: strings.TrimSpace(v.Get("q"))}
	if !utf8.ValidString(q.Q) {
		return q, &ParamError{"q", "", "valid UTF-8"}
	}
	if utf8.RuneCountInString(q.Q) > 500 {
		return q, &ParamError{"q", string([]rune(q.Q)[:20]) + "…", "at most 500 characters"}
	}
	var err error
	if q.From, err = ParseDay("from", v.Get("from"), loc, false); err != nil {
		return q, err
	}
	if q.To, err = ParseDay("to", v.Get("to"), loc, true); err != nil {
		return q, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return q, &ParamError{"to", v.Get("to"), "a day not before from"}
	}
	q.Sources = ParseList(v["source"])
	q.Topics = ParseList(v["topic"])
	switch a := v.Get("area"); strings.ToLower(a) {
	case "":
	case "true", "1", "yes":
		q.Area = new(true)
	case "false", "0", "no":
		q.Area = new(false)
	default:
		return q, &ParamError{"area", a, "true or false"}
	}
	switch s := v.Get("sort"); s {
	case "", "relevance":
		q.Sort = "relevance"
	case "date":
		q.Sort = "date"
	default:
		return q, &ParamError{"sort", s, "relevance or date"}
	}
	if q.Page, err = ParseInt("page", v.Get("page"), 1, 1, 1000); err != nil {
		return q, err
	}
	if q.Size, err = ParseInt("size", v.Get("size"), 20, 1, 100); err != nil {
		return q, err
	}
	return q, nil
}

// ParseDay reads parameter name as a day YYYY-MM-DD in loc (or an RFC 3339
// instant); endOfDay gives the day's last instant. Empty is the zero time.
func ParseDay(name, v string, loc *time.Location, endOfDay bool) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation("2006-01-02", v, loc)
	if err != nil {
		return time.Time{}, &ParamError{name, v, "a date YYYY-MM-DD"}
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return d, nil
}

// ParseList reads repeated or comma-separated values: trimmed, without
// empties or repeats, each at most 100 bytes (longer ones dropped).
func ParseList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) && len(p) <= 100 {
				out = append(out, p)
			}
		}
	}
	return out
}

// ParseInt reads parameter name as an integer in [lo, hi]; empty is def.
func ParseInt(name, v string, def, lo, hi int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, &ParamError{name, v, fmt.Sprintf("a number from %d to %d", lo, hi)}
	}
	return n, nil
}
