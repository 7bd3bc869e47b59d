package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/officedoc"
	"github.com/diembao/diembao/internal/report"
	"github.com/diembao/diembao/internal/web"
)

// searchExport writes every hit of the query (not one page) as
// --format json|csv|xlsx to --out FILE or standard output: made by the
// running server when one answers at http.base_url (it holds the index),
// else from the index under DATA/index read-only.
func searchExport(ctx context.Context, a *app, o searchOpts) int {
	if o.format == "xlsx" && o.out == "" {
		return a.exitCode(fmt.Errorf("%w: search: --format xlsx needs --out FILE", cli.ErrUsage))
	}
	params := url.Values{"format": {o.format}}
	for k, v := range o.params {
		params[k] = v
	}
	data, h, err := a.client().Get(ctx, "/search/export", params, o.q.Q)
	n := -1
	if err == nil {
		n, _ = strconv.Atoi(h.Get("X-Diembao-Rows"))
	} else if errors.Is(err, web.ErrNoServer) {
		data, n, err = report.Export(ctx, filepath.Join(a.cfg.DataDir, "index"), o.q, o.format, a.cfg.Location(), a.log)
	}
	var qe *indexer.QueryError
	if errors.As(err, &qe) {
		return a.exitCode(fmt.Errorf("%w: search: %s", cli.ErrUsage, qe.Error()))
	}
	if err != nil {
		return a.exitCode(fmt.Errorf("search: %w", err))
	}
	if o.out == "" {
		_, _ = a.stdout.Write(data)
		return cli.ExitOK
	}
	if err := officedoc.WriteFile(o.out, data, 0o644); err != nil {
		return a.exitCode(fmt.Errorf("search: %w", err))
	}
	fmt.Fprintf(a.stderr, "đã ghi %d kết quả vào %s\n", n, o.out)
	return cli.ExitOK
}
