package report

import (
	"bytes"
	"context"
	"log/slog"
	"time"

	"github.com/diembao/diembao/indexer"
)

// Export writes every hit of q in the index under dir (opened read-only;
// none yet: an empty export) as format (json, csv, xlsx), dates in loc, and
// returns it with its number of rows.
func Export(ctx context.Context, dir string, q indexer.Query, format string, loc *time.Location, log *slog.Logger) ([]byte, int, error) {
	var rows []ExportRow
	err := indexer.EachInDir(ctx, dir, q, log, func(d indexer.Doc) error { rows = append(rows, RowOf(d)); return nil })
	if err != nil {
		return nil, 0, err
	}
	var b bytes.Buffer
	if err := WriteExport(&b, format, rows, loc); err != nil {
		return nil, 0, err
	}
	return b.Bytes(), len(rows), nil
}
