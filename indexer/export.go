package indexer

import (
	"context"
	"fmt"
	"sort"
)

// exportChunk is how many stored articles Each loads per request.
const exportChunk = 500

// MaxExport bounds the hits Each visits: an export of more is refused (narrow
// the query) rather than holding every id in memory.
const MaxExport = 200_000

// Each calls fn with every article q matches (not one page: Page and Size are
// ignored), newest first, loading the stored articles a chunk at a time. It
// stops at fn's first error and returns it. More than MaxExport hits is an
// error wrapping *QueryError.
func (x *Index) Each(ctx context.Context, q Query, fn func(Doc) error) error {
	done, err := x.beginRead()
	defer done()
	if err != nil {
		return err
	}
	q.Page, q.Size, q.Sort = 0, 0, "date"
	_, req, err := x.request(ctx, q)
	if err != nil {
		return err
	}
	if x.isEmpty() {
		return nil
	}
	// First the number of hits, then their ids in date order (scored by the
	// date sort key, as Search does).
	n, err := x.stats(ctx, q)
	if err != nil {
		return err
	}
	if n.Total == 0 {
		return nil
	}
	if n.Total > MaxExport {
		return &QueryError{Query: q.Q, Msg: fmt.Sprintf("%d kết quả, quá %d: hãy thu hẹp truy vấn", n.Total, MaxExport)}
	}
	run := x.facets.begin(true)
	defer run.end()
	req.Query = &facetQuery{inner: req.Query, run: run}
	req.Size, req.From = int(n.Total)+exportChunk, 0 // articles indexed meanwhile fit too
	res, err := x.alias.SearchInContext(ctx, req)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	hits := res.Hits
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	for start := 0; start < len(hits); start += exportChunk {
		chunk := hits[start:min(start+exportChunk, len(hits))]
		docs, err := x.load(ctx, chunk)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for _, h := range chunk {
			d, ok := docs[h.ID]
			if !ok {
				continue // replaced meanwhile
			}
			if err := fn(d); err != nil {
				return err
			}
		}
	}
	return nil
}
