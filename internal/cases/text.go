package cases

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// CallerFault reports whether err is one the caller can fix (an invalid
// move, bad input, an unknown case, a rejected file, a stale edit form).
func CallerFault(err error) bool {
	for _, e := range []error{ErrInvalidMove, ErrBadInput, ErrNotFound, ErrTooLarge, ErrUnsupportedType, ErrStale} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// WriteText prints the case for a terminal: claim, status, verdict,
// severity, owner, due date, items and history, times in loc.
func (c Case) WriteText(w io.Writer, loc *time.Location) {
	fmt.Fprintf(w, "%s  %s\n", c.ID, c.Claim)
	fmt.Fprintf(w, "  trạng thái: %s", StatusName(c.Status))
	if c.Verdict != "" {
		fmt.Fprintf(w, " · kết luận: %s", VerdictName(c.Verdict))
	}
	fmt.Fprintf(w, " · mức độ: %s · phụ trách: %s\n", c.Severity, c.Owner)
	if c.Due != nil {
		fmt.Fprintf(w, "  hạn: %s\n", c.Due.In(loc).Format("2006-01-02 15:04"))
	}
	fmt.Fprintln(w, "  bài đăng:")
	for _, it := range c.SortedItems() {
		where := it.URL
		if where == "" {
			where = it.Text
		}
		fmt.Fprintf(w, "    %s  %-8s %s  %s\n", it.FirstSeen.In(loc).Format("2006-01-02 15:04"), it.Kind, it.Source, where)
	}
	fmt.Fprintln(w, "  lịch sử:")
	for _, e := range c.History {
		fmt.Fprintf(w, "    %s  %s  %s→%s  %s\n", e.At.In(loc).Format("2006-01-02 15:04"), e.By, e.From, e.To, e.Note)
	}
}

// WriteList prints one tab-separated line per case: id, status, owner, due
// date (in loc, marked QUÁ HẠN when overdue at now), items, claim.
func WriteList(w io.Writer, list []Case, loc *time.Location, now time.Time) {
	for _, c := range list {
		due := "—"
		if c.Due != nil {
			due = c.Due.In(loc).Format("2006-01-02 15:04")
			if c.Overdue(now) {
				due += " QUÁ HẠN"
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d bài\t%s\n", c.ID, c.Status, c.Owner, due, len(c.Items), c.Claim)
	}
}
