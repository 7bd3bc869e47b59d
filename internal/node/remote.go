package node

import (
	"context"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/bus"
)

// serveIndexRequests answers the search, get, stats and export requests of
// serve roles and one-shot commands in other processes (queue group "index")
// until ctx ends.
func serveIndexRequests(ctx context.Context, b *bus.Bus, idx *indexer.Index) error {
	if err := bus.Serve(ctx, b, bus.SubjectIndexSearch, "index", idx.Search); err != nil {
		return err
	}
	if err := bus.Serve(ctx, b, bus.SubjectIndexGet, "index", idx.Get); err != nil {
		return err
	}
	if err := bus.Serve(ctx, b, bus.SubjectIndexStats, "index", idx.Stats); err != nil {
		return err
	}
	return bus.ServeStream(ctx, b, bus.SubjectIndexExport, "index", idx.Each)
}

// RemoteIndex asks an index role over Bus; errors keep their kind
// (errkind.NotFound for an unknown id, errkind.Invalid for a bad query).
// It serves as web.Searcher, report.Counter, indexer.Reader and the web's
// exporter where this process holds no index.
type RemoteIndex struct{ Bus *bus.Bus }

// Search runs q on the index role.
func (r RemoteIndex) Search(ctx context.Context, q indexer.Query) (indexer.Result, error) {
	return bus.Call[indexer.Query, indexer.Result](ctx, r.Bus, bus.SubjectIndexSearch, q)
}

// Stats counts q's hits on the index role.
func (r RemoteIndex) Stats(ctx context.Context, q indexer.Query) (indexer.Stats, error) {
	return bus.Call[indexer.Query, indexer.Stats](ctx, r.Bus, bus.SubjectIndexStats, q)
}

// Get returns the indexed article id.
func (r RemoteIndex) Get(ctx context.Context, id string) (indexer.Doc, error) {
	return bus.Call[string, indexer.Doc](ctx, r.Bus, bus.SubjectIndexGet, id)
}

// Each visits every hit of q as indexer.Index.Each does, the articles
// streamed in pages bounded by the bus's max payload.
func (r RemoteIndex) Each(ctx context.Context, q indexer.Query, fn func(indexer.Doc) error) error {
	return bus.CallStream(ctx, r.Bus, bus.SubjectIndexExport, q, fn)
}
