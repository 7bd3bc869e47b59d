package indexer

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"time"
)

var markTags = regexp.MustCompile(`</?mark>`)

// WriteText writes r as a human-readable list for the query text q: date
// (the day in loc), source, title, URL, topics and the snippet with the
// matches in «…».
func (r Result) WriteText(w io.Writer, q string, loc *time.Location) {
	fmt.Fprintf(w, "%d kết quả cho %q (%d ms)\n", r.Total, q, r.TookMS)
	for _, n := range r.Notices {
		fmt.Fprintf(w, "  (%s)\n", n)
	}
	if r.Suggest != "" {
		fmt.Fprintf(w, "  Thử tìm không dấu: %s (%d kết quả)\n", r.Suggest, r.SuggestTotal)
	}
	for i, h := range r.Hits {
		date := "          "
		if !h.Published.IsZero() {
			date = h.Published.In(loc).Format("2006-01-02") // the day in Vietnam, as the digest files it
		}
		fmt.Fprintf(w, "\n%2d. %s  %-14s %s\n", i+1, date, h.Source, h.Title)
		fmt.Fprintf(w, "    %s\n", h.URL)
		if len(h.Topics) > 0 {
			fmt.Fprintf(w, "    chủ đề: %s\n", strings.Join(h.Topics, ", "))
		}
		snip := markTags.ReplaceAllStringFunc(h.Snippet, func(t string) string {
			if t == "<mark>" {
				return "«"
			}
			return "»"
		})
		snip = strings.Join(strings.Fields(html.UnescapeString(snip)), " ")
		if snip != "" {
			fmt.Fprintf(w, "    %s\n", snip)
		}
	}
}

// SearchDir runs q on the index in dir, opened read-only; no index there
// yet gives an empty result.
func SearchDir(ctx context.Context, dir string, q Query, log *slog.Logger) (Result, error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return Result{Hits: []Hit{}, Facets: map[string][]FacetCount{}}, nil
	}
	idx, err := Open(Config{Dir: dir, ReadOnly: true}, nil, log)
	if err != nil {
		return Result{}, err
	}
	defer idx.Close()
	return idx.Search(ctx, q)
}

// EachInDir calls fn with every document of the index in dir (opened
// read-only) that q selects; no index there yet calls it never.
func EachInDir(ctx context.Context, dir string, q Query, log *slog.Logger, fn func(Doc) error) error {
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	idx, err := Open(Config{Dir: dir, ReadOnly: true}, nil, log)
	if err != nil {
		return err
	}
	defer idx.Close()
	return idx.Each(ctx, q, fn)
}
