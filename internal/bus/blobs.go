package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/diembao/diembao/internal/article"
)

// Blobs keeps one record per key on the SNAPSHOTS stream (no age limit, one
// message per subject, compressed): saved copies of pages and case
// evidence. Put replaces the key's record; Get returns the last one put, or
// an error when the key has none.
type Blobs struct{ B *Bus }

// Put stores data under key (message id "snap-"+key, so a repeated Put of
// the same key within the duplicate window is stored once).
func (s Blobs) Put(ctx context.Context, key string, data []byte) error {
	_, err := s.B.Publish(ctx, SubjectSnapshots+"."+key, "snap-"+key, data, nil)
	return err
}

// Get returns the last record stored under key.
func (s Blobs) Get(ctx context.Context, key string) ([]byte, error) {
	m, err := s.B.LastBySubject(ctx, StreamSnapshots, SubjectSnapshots+"."+key)
	if err != nil {
		return nil, err
	}
	return m.Data, nil
}

// ArticlesSince calls fn, in order of first publication, with the latest
// revision of every article on the ARTICLES stream published (else fetched)
// at or after since; removed articles and undecodable messages are left
// out. Rule and case-rule backtests read the archive this way.
func (b *Bus) ArticlesSince(ctx context.Context, since time.Time, fn func(article.Article) error) error {
	latest := map[string]article.Article{}
	var order []string
	err := b.ReadAll(ctx, StreamArticles, func(m Msg, _ uint64) error {
		var a article.Article
		if json.Unmarshal(m.Data, &a) != nil || a.ID == "" {
			return nil // undecodable messages are the consumers' business
		}
		when := a.Published
		if when.IsZero() {
			when = a.Fetched
		}
		if when.Before(since) {
			return nil
		}
		prev, seen := latest[a.ID]
		if !seen {
			order = append(order, a.ID)
		}
		if !seen || a.Revision >= prev.Revision {
			latest[a.ID] = a
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read archive: %w", err)
	}
	for _, id := range order {
		if a := latest[id]; !a.Removed {
			if err := fn(a); err != nil {
				return err
			}
		}
	}
	return nil
}
