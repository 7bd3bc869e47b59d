package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/report"
)

// searchExport writes every hit of the query (not one page) as
// --format json|csv|xlsx to --out FILE or standard output. It reads the
// index under DATA/index read-only.
func searchExport(ctx context.Context, a *app, o searchOpts) int {
	if o.format == "xlsx" && o.out == "" {
		return a.exitCode(fmt.Errorf("%w: search: --format xlsx needs --out FILE", errUsage))
	}
	var rows []report.ExportRow
	dir := filepath.Join(a.cfg.DataDir, "index")
	if _, err := os.Stat(dir); err == nil {
		idx, err := indexer.Open(indexer.Config{Dir: dir, ReadOnly: true}, nil, a.log)
		if err != nil {
			return a.exitCode(fmt.Errorf("search: %w", err))
		}
		err = idx.Each(ctx, o.q, func(d indexer.Doc) error { rows = append(rows, report.RowOf(d)); return nil })
		idx.Close()
		var qe *indexer.QueryError
		if errors.As(err, &qe) {
			return a.exitCode(fmt.Errorf("%w: search: %s", errUsage, qe.Error()))
		}
		if err != nil {
			return a.exitCode(fmt.Errorf("search: %w", err))
		}
	}
	var b bytes.Buffer
	if err := report.WriteExport(&b, o.format, rows, a.cfg.Location()); err != nil {
		return a.exitCode(fmt.Errorf("search: %w", err))
	}
	if o.out == "" {
		_, _ = a.stdout.Write(b.Bytes())
		return exitOK
	}
	if err := os.WriteFile(o.out, b.Bytes(), 0o644); err != nil {
		return a.exitCode(fmt.Errorf("search: %w", err))
	}
	fmt.Fprintf(a.stderr, "đã ghi %d kết quả vào %s\n", len(rows), o.out)
	return exitOK
}
