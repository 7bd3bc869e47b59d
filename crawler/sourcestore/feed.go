package sourcestore

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/diembao/diembao/crawler"
)

// feedPoll is how often Feed re-reads the edited sources even without a
// change signal from the bucket.
const feedPoll = 30 * time.Second

// Feed applies every change of the effective sources to the running crawler
// c (in this process or another one: the bucket is shared) until ctx ends.
func (s *Store) Feed(ctx context.Context, c *crawler.Crawler, log *slog.Logger) error {
	return s.Follow(ctx, feedPoll, func(srcs []crawler.Source) error {
		if err := c.SetSources(srcs); err != nil {
			return err
		}
		log.Info("sources applied", "count", len(srcs))
		return nil
	}, func(err error) { log.Warn("edited sources", "err", err) })
}

// Origin says where the entry comes from: "seed" (sources.yaml as is),
// "edited" (a seeded source changed in the UI) or "added" (made in the UI).
func (e Entry) Origin() string {
	switch {
	case e.Edited && e.Seeded:
		return "edited"
	case e.Edited:
		return "added"
	}
	return "seed"
}

// listLine is one line of `sources list --json`.
type listLine struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Origin   string `json:"origin"` // seed | edited | added
	Disabled bool   `json:"disabled"`
	By       string `json:"by,omitempty"`
	At       string `json:"at,omitempty"`
}

// WriteList prints the entries, one JSON object a line ({"id", "name",
// "kind", "origin", "disabled", "by", "at"}) or one aligned text line each;
// times are shown in loc.
func WriteList(w io.Writer, list []Entry, asJSON bool, loc *time.Location) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, e := range list {
		l := listLine{ID: e.Source.ID, Name: e.Source.Name, Kind: e.Source.Kind, Origin: e.Origin(), Disabled: e.Disabled, By: e.By}
		if !e.At.IsZero() {
			l.At = e.At.In(loc).Format(time.RFC3339)
		}
		if asJSON {
			if err := enc.Encode(l); err != nil {
				return err
			}
			continue
		}
		state := "on"
		if l.Disabled {
			state = "off"
		}
		fmt.Fprintf(w, "%-20s %-4s %-8s %-7s %s", l.ID, state, l.Kind, l.Origin, l.Name)
		if l.By != "" {
			fmt.Fprintf(w, "  (%s, %s)", l.By, l.At)
		}
		fmt.Fprintln(w)
	}
	return nil
}
