package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/diembao/diembao/indexer"
)

// cmdSearch is "diembao search [--json] [--from D] [--to D] [--source S]
// [--topic T] [--area true|false] [--sort relevance|date] [--page N]
// [--size N] QUERY". It asks the API of a running `diembao run` at
// http.base_url (basic auth from DIEMBAO_USER / DIEMBAO_PASSWORD) and, when
// none answers, opens DATA/index read-only and searches it directly.
func cmdSearch(ctx context.Context, a *app, args []string) int {
	opts, err := parseSearchArgs(args, a.cfg.Timezone)
	if err != nil {
		return a.exitCode(fmt.Errorf("%w: search: %v", errUsage, err))
	}
	if opts.format != "" {
		return searchExport(ctx, a, opts)
	}
	res, err := searchRemote(ctx, a, opts)
	if errors.Is(err, errNoServer) {
		res, err = searchLocal(ctx, a, opts.q)
	}
	var qe *indexer.QueryError
	if errors.As(err, &qe) {
		return a.exitCode(fmt.Errorf("%w: search: %s", errUsage, qe.Error()))
	}
	if err != nil {
		return a.exitCode(fmt.Errorf("search: %w", err))
	}
	if opts.json {
		enc := json.NewEncoder(a.stdout)
		if err := enc.Encode(res); err != nil {
			return a.exitCode(err)
		}
		return exitOK
	}
	printResult(a.stdout, res, opts.q.Q, a.cfg.Location())
	return exitOK
}

type searchOpts struct {
	q      indexer.Query
	json   bool
	params url.Values // the same query for GET /api/search
	format string     // --format json|csv|xlsx: export every hit
	out    string     // --out FILE for an export ("" stdout)
}

// parseSearchArgs accepts flags before or after the query words.
func parseSearchArgs(args []string, tz string) (searchOpts, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		loc = time.FixedZone("ICT", 7*3600)
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
			continue
		case "out":
			o.out = val
			continue
		case "from", "to":
			d, err := time.ParseInLocation("2006-01-02", val, loc)
			if err != nil {
				return o, fmt.Errorf("--%s %q: want a date YYYY-MM-DD", name, val)
			}
			if name == "from" {
				o.q.From = d
			} else {
				o.q.To = d // a date: the whole day
			}
		case "source":
			o.q.Sources = append(o.q.Sources, splitList(val)...)
		case "topic":
			o.q.Topics = append(o.q.Topics, splitList(val)...)
		case "area":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return o, fmt.Errorf("--area %q: want true or false", val)
			}
			o.q.Area = &b
		case "sort":
			if val != "relevance" && val != "date" {
				return o, fmt.Errorf("--sort %q: want relevance or date", val)
			}
			o.q.Sort = val
		case "page", "size":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || (name == "size" && n > 100) {
				return o, fmt.Errorf("--%s %q: want a number (size at most 100)", name, val)
			}
			if name == "page" {
				o.q.Page = n
			} else {
				o.q.Size = n
			}
		}
		o.params.Add(name, val)
	}
	o.q.Q = strings.TrimSpace(strings.Join(words, " "))
	if o.q.Q == "" {
		return o, errors.New("missing QUERY")
	}
	o.params.Set("q", o.q.Q)
	return o, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// errNoServer: nothing listens at http.base_url; search the files.
var errNoServer = errors.New("no diembao server")

// askServer GETs path?params from the diembao server at http.base_url, as
// DIEMBAO_USER; errNoServer when nothing (or something else) answers there.
// Other answers than 200 become errors carrying the server's message; a 400
// is a *indexer.QueryError for q.
func askServer(ctx context.Context, a *app, path string, params url.Values, q string) ([]byte, http.Header, error) {
	base := strings.TrimRight(a.cfg.HTTP.BaseURL, "/")
	if base == "" {
		return nil, nil, errNoServer
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path+"?"+params.Encode(), nil)
	if err != nil {
		return nil, nil, errNoServer
	}
	if u := a.getenv("DIEMBAO_USER"); u != "" {
		req.SetBasicAuth(u, a.getenv("DIEMBAO_PASSWORD"))
	}
	client := &http.Client{Transport: &http.Transport{
		DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
	}}
	resp, err := client.Do(req)
	if err != nil {
		var ne *net.OpError
		if errors.As(err, &ne) && ne.Op == "dial" {
			return nil, nil, errNoServer
		}
		return nil, nil, fmt.Errorf("ask %s: %w", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("read answer of %s: %w", base, err)
	}
	msg := strings.TrimSpace(string(body))
	var apiErr struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &apiErr) == nil && apiErr.Error != "" {
		msg = apiErr.Error
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return body, resp.Header, nil
	case http.StatusBadRequest:
		return nil, nil, &indexer.QueryError{Query: q, Msg: strings.TrimPrefix(msg, "truy vấn không hợp lệ: ")}
	case http.StatusNotFound:
		return nil, nil, errNoServer // something else listens there
	case http.StatusUnauthorized:
		return nil, nil, fmt.Errorf("%s needs a user: set DIEMBAO_USER and DIEMBAO_PASSWORD", base)
	default:
		return nil, nil, fmt.Errorf("%s answered %s %s", base, resp.Status, msg)
	}
}

func searchRemote(ctx context.Context, a *app, o searchOpts) (indexer.Result, error) {
	body, _, err := askServer(ctx, a, "/api/search", o.params, o.q.Q)
	if err != nil {
		return indexer.Result{}, err
	}
	var res indexer.Result
	if err := json.Unmarshal(body, &res); err != nil {
		return indexer.Result{}, fmt.Errorf("decode answer of %s: %w", a.cfg.HTTP.BaseURL, err)
	}
	return res, nil
}

func searchLocal(ctx context.Context, a *app, q indexer.Query) (indexer.Result, error) {
	dir := filepath.Join(a.cfg.DataDir, "index")
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return indexer.Result{Hits: []indexer.Hit{}, Facets: map[string][]indexer.FacetCount{}}, nil
	}
	idx, err := indexer.Open(indexer.Config{Dir: dir, ReadOnly: true}, nil, a.log)
	if err != nil {
		return indexer.Result{}, err
	}
	defer idx.Close()
	return idx.Search(ctx, q)
}

var markTags = regexp.MustCompile(`</?mark>`)

// printResult writes a human-readable list: date, source, title, URL and
// the snippet with matches in «…».
func printResult(w io.Writer, res indexer.Result, q string, loc *time.Location) {
	fmt.Fprintf(w, "%d kết quả cho %q (%d ms)\n", res.Total, q, res.TookMS)
	for _, n := range res.Notices {
		fmt.Fprintf(w, "  (%s)\n", n)
	}
	if res.Suggest != "" {
		fmt.Fprintf(w, "  Thử tìm không dấu: %s (%d kết quả)\n", res.Suggest, res.SuggestTotal)
	}
	for i, h := range res.Hits {
		date := "          "
		if !h.Published.IsZero() {
			date = h.Published.In(loc).Format("2006-01-02") // the day in Vietnam, as the digest files it
		}
		fmt.Fprintf(w, "\n%2d. %s  %-14s %s\n", i+1, date, h.Source, h.Title)
		fmt.Fprintf(w, "    %s\n", h.URL)
		if len(h.Topics) > 0 {
			fmt.Fprintf(w, "    chủ đề: %s\n", strings.Join(h.Topics, ", "))
		}
		snip := markTags.ReplaceAllStringFunc(h.Snippet, func(t string) string {
			if t == "<mark>" {
				return "«"
			}
			return "»"
		})
		snip = strings.Join(strings.Fields(html.UnescapeString(snip)), " ")
		if snip != "" {
			fmt.Fprintf(w, "    %s\n", snip)
		}
	}
}
