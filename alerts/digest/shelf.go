package digest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/diembao/diembao/internal/kv"
)

// ShelfInfo names one kept digest.
type ShelfInfo struct {
	ID       string    `json:"id"` // the ISO week, e.g. "2026-W47"
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Articles int       `json:"articles"`
	Created  time.Time `json:"created"`
}

// Shelf keeps built digests in a KV bucket for the web archive: info.<week>
// is a JSON ShelfInfo, html.<week> the rendered HTML of the Public copy. It
// is the Scheduler's Keeper. Now, if nil, is time.Now.
type Shelf struct {
	St  kv.Store
	Now func() time.Time
}

// Keep stores d and its HTML; the info goes last, so a digest is listed
// only once its HTML is there.
func (s Shelf) Keep(ctx context.Context, d Digest, html string) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	info, err := json.Marshal(ShelfInfo{ID: d.Week, From: d.From, To: d.To, Articles: d.Articles, Created: now().UTC()})
	if err != nil {
		return err
	}
	if _, err := s.St.Put(ctx, "html."+d.Week, []byte(html)); err != nil {
		return err
	}
	_, err = s.St.Put(ctx, "info."+d.Week, info)
	return err
}

// List returns the kept digests, newest week first; unreadable records are
// left out.
func (s Shelf) List(ctx context.Context) ([]ShelfInfo, error) {
	keys, err := s.St.Keys(ctx, "info.")
	if err != nil {
		return nil, err
	}
	var out []ShelfInfo
	for _, k := range keys {
		e, err := s.St.Get(ctx, k)
		if err != nil {
			continue
		}
		var info ShelfInfo
		if json.Unmarshal(e.Value, &info) == nil {
			out = append(out, info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From.After(out[j].From) })
	return out, nil
}

// HTML returns the rendered digest of week id; an unknown id gives an error
// wrapping kv.ErrNotFound.
func (s Shelf) HTML(ctx context.Context, id string) ([]byte, error) {
	e, err := s.St.Get(ctx, "html."+id)
	if err != nil {
		return nil, fmt.Errorf("digest %s: %w", id, err)
	}
	return e.Value, nil
}
