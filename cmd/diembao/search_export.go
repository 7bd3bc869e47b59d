package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/report"
)

// searchExport writes every hit of the query (not one page) as
// --format json|csv|xlsx to --out FILE or standard output: made by the
// running server when one answers at http.base_url (it holds the index),
// else from the index under DATA/index read-only.
func searchExport(ctx context.Context, a *app, o searchOpts) int {
	if o.format == "xlsx" && o.out == "" {
		return a.exitCode(fmt.Errorf("%w: search: --format xlsx needs --out FILE", errUsage))
	}
	params := url.Values{"format": {o.format}}
	for k, v := range o.params {
		params[k] = v
	}
	data, h, err := askServer(ctx, a, "/search/export", params, o.q.Q)
	n := -1
	if err == nil {
		n, _ = strconv.Atoi(h.Get("X-Diembao-Rows"))
	} else if errors.Is(err, errNoServer) {
		data, n, err = exportLocal(ctx, a, o)
	}
	var qe *indexer.QueryError
	if errors.As(err, &qe) {
		return a.exitCode(fmt.Errorf("%w: search: %s", errUsage, qe.Error()))
	}
	if err != nil {
		return a.exitCode(fmt.Errorf("search: %w", err))
	}
	if o.out == "" {
		_, _ = a.stdout.Write(data)
		return exitOK
	}
	if err := os.WriteFile(o.out, data, 0o644); err != nil {
		return a.exitCode(fmt.Errorf("search: %w", err))
	}
	fmt.Fprintf(a.stderr, "đã ghi %d kết quả vào %s\n", n, o.out)
	return exitOK
}

// exportLocal writes the export from the index under DATA/index (none yet:
// an empty export) and returns it with its number of rows.
func exportLocal(ctx context.Context, a *app, o searchOpts) ([]byte, int, error) {
	var rows []report.ExportRow
	dir := filepath.Join(a.cfg.DataDir, "index")
	if _, err := os.Stat(dir); err == nil {
		idx, err := indexer.Open(indexer.Config{Dir: dir, ReadOnly: true}, nil, a.log)
		if err != nil {
			return nil, 0, err
		}
		err = idx.Each(ctx, o.q, func(d indexer.Doc) error { rows = append(rows, report.RowOf(d)); return nil })
		idx.Close()
		if err != nil {
			return nil, 0, err
		}
	}
	var b bytes.Buffer
	if err := report.WriteExport(&b, o.format, rows, a.cfg.Location()); err != nil {
		return nil, 0, err
	}
	return b.Bytes(), len(rows), nil
}
