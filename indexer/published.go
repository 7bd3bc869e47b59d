package indexer

import (
	"context"
	"fmt"
	"time"

	"github.com/diembao/diembao/internal/errkind"
)

// Reader is what reading the archive needs: the local Index, or the index
// role asked over the bus from another process.
type Reader interface {
	Search(ctx context.Context, q Query) (Result, error)
	Get(ctx context.Context, id string) (Doc, error)
}

// maxPageSize is the largest page Search serves; a query pages at most
// maxDepth results deep.
const (
	maxPageSize = 100
	maxDepth    = 10000
)

// EachPublished calls fn, oldest day first, with every article published in
// [from, to) whose search hit passes keep (nil keeps all), read whole with
// Get. It pages the range one day at a time, so only more than 10,000
// articles published on one day is an error. An article removed between the
// search and the read is skipped; an error of fn stops the walk.
func EachPublished(ctx context.Context, r Reader, from, to time.Time, keep func(Hit) bool, fn func(Doc) error) error {
	seen := map[string]bool{}
	for day := from; day.Before(to); {
		next := day.AddDate(0, 0, 1)
		if next.After(to) {
			next = to
		}
		// To with nanoseconds is an instant (inclusive), not a whole day.
		q := Query{From: day, To: next.Add(-time.Nanosecond), Sort: "date", Size: maxPageSize}
		for page := 1; ; page++ {
			q.Page = page
			res, err := r.Search(ctx, q)
			if err != nil {
				return fmt.Errorf("search %s: %w", day.Format(time.DateOnly), err)
			}
			for _, h := range res.Hits {
				if seen[h.ID] || h.Published.Before(from) || !h.Published.Before(to) || (keep != nil && !keep(h)) {
					continue
				}
				seen[h.ID] = true
				d, err := r.Get(ctx, h.ID)
				if errkind.IsNotFound(err) { // local or remote
					continue
				}
				if err != nil {
					return fmt.Errorf("read article %s: %w", h.ID, err)
				}
				if err := fn(d); err != nil {
					return err
				}
			}
			if len(res.Hits) < maxPageSize || uint64(page*maxPageSize) >= res.Total {
				break
			}
			if page*maxPageSize >= maxDepth {
				return fmt.Errorf("more than %d articles published on %s: cannot page further", maxDepth, day.Format(time.DateOnly))
			}
		}
		day = next
	}
	return nil
}
