package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/officedoc"
	"github.com/diembao/diembao/internal/report"
	"github.com/diembao/diembao/internal/web"
)

// cmdSearch is "diembao search [--json] [--from D] [--to D] [--source S]
// [--topic T] [--area true|false] [--sort relevance|date] [--page N]
// [--size N] QUERY". It asks the API of a running `diembao run` at
// http.base_url (basic auth from DIEMBAO_USER / DIEMBAO_PASSWORD) and, when
// none answers, opens DATA/index read-only and searches it directly.
func cmdSearch(ctx context.Context, a *app, args []string) int {
	opts, err := parseSearchArgs(args, a.cfg.Timezone)
	if err != nil {
		return a.exitCode(fmt.Errorf("%w: search: %v", cli.ErrUsage, err))
	}
	if opts.format != "" {
		return searchExport(ctx, a, opts)
	}
	res, err := a.client().Search(ctx, opts.params)
	if errors.Is(err, web.ErrNoServer) {
		res, err = indexer.SearchDir(ctx, filepath.Join(a.cfg.DataDir, "index"), opts.q, a.log)
	}
	var qe *indexer.QueryError
	if errors.As(err, &qe) {
		return a.exitCode(fmt.Errorf("%w: search: %s", cli.ErrUsage, qe.Error()))
	}
	if err != nil {
		return a.exitCode(fmt.Errorf("search: %w", err))
	}
	if opts.json {
		enc := json.NewEncoder(a.stdout)
		if err := enc.Encode(res); err != nil {
			return a.exitCode(err)
		}
		return cli.ExitOK
	}
	res.WriteText(a.stdout, opts.q.Q, a.cfg.Location())
	return cli.ExitOK
}

type searchOpts struct {
	q      indexer.Query
	json   bool
	params url.Values // the same query for GET /api/search
	format string     // --format json|csv|xlsx: export every hit
	out    string     // --out FILE for an export ("" stdout)
}

// parseSearchArgs accepts flags before or after the query words; the
// search parameters are read by indexer.ParseParams, as the API reads them.
func parseSearchArgs(args []string, tz string) (searchOpts, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		loc = article.Vietnam()
	}
	o := searchOpts{params: url.Values{}}
	var words []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			words = append(words, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(arg, "--") || len(arg) == 2 {
			words = append(words, arg)
			continue
		}
		name, val, hasVal := strings.Cut(arg[2:], "=")
		if name == "json" {
			o.json = true
			continue
		}
		switch name {
		case "from", "to", "source", "topic", "area", "sort", "page", "size", "format", "out":
		default:
			return o, fmt.Errorf("unknown flag --%s", name)
		}
		if !hasVal {
			if i+1 >= len(args) {
				return o, fmt.Errorf("flag --%s needs a value", name)
			}
			i++
			val = args[i]
		}
		switch name {
		case "format":
			if val != "json" && val != "csv" && val != "xlsx" {
				return o, fmt.Errorf("--format %q: want json, csv or xlsx", val)
			}
			o.format = val
		case "out":
			o.out = val
		default:
			o.params.Add(name, val)
		}
	}
	o.params.Set("q", strings.TrimSpace(strings.Join(words, " ")))
	o.q, err = indexer.ParseParams(o.params, loc)
	if pe := (*indexer.ParamError)(nil); errors.As(err, &pe) {
		name := "--" + pe.Param // the flag, or the words of the query
		if pe.Param == "q" {
			name = "QUERY"
		}
		return o, fmt.Errorf("%s %q: want %s", name, pe.Value, pe.Want)
	}
	if err != nil {
		return o, err
	}
	if o.q.Q == "" {
		return o, errors.New("missing QUERY")
	}
	return o, nil
}

// searchExport writes every hit of the query (not one page) as
// --format json|csv|xlsx to --out FILE or standard output: made by the
// running server when one answers at http.base_url (it holds the index),
// else from the index under DATA/index read-only.
func searchExport(ctx context.Context, a *app, o searchOpts) int {
	if o.format == "xlsx" && o.out == "" {
		return a.exitCode(fmt.Errorf("%w: search: --format xlsx needs --out FILE", cli.ErrUsage))
	}
	data, n, err := a.client().Export(ctx, o.params, o.format)
	if errors.Is(err, web.ErrNoServer) {
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

// client asks the server at http.base_url as DIEMBAO_USER.
func (a *app) client() web.Client {
	return web.Client{BaseURL: a.cfg.HTTP.BaseURL, User: a.getenv("DIEMBAO_USER"), Password: a.getenv("DIEMBAO_PASSWORD")}
}
