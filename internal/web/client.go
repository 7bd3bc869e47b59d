package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/diembao/diembao/indexer"
)

// ErrNoServer says that no diembao server answers at the client's address
// (nothing listens there, or something else does).
var ErrNoServer = errors.New("no diembao server")

// Client asks the API of a running diembao server, for the one-shot
// commands (search, export) that prefer the process holding the index.
// User, if set, is sent with Password as basic auth.
type Client struct {
	BaseURL        string
	User, Password string
}

// Get GETs path?params and returns the body and headers of a 200 answer.
// It returns ErrNoServer when nothing (or something else) answers; a 400 is
// a *indexer.QueryError for q; other answers are errors carrying the
// server's message.
func (c Client) Get(ctx context.Context, path string, params url.Values, q string) ([]byte, http.Header, error) {
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		return nil, nil, ErrNoServer
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path+"?"+params.Encode(), nil)
	if err != nil {
		return nil, nil, ErrNoServer
	}
	if c.User != "" {
		req.SetBasicAuth(c.User, c.Password)
	}
	client := &http.Client{Transport: &http.Transport{
		DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
	}}
	resp, err := client.Do(req)
	if err != nil {
		var ne *net.OpError
		if errors.As(err, &ne) && ne.Op == "dial" {
			return nil, nil, ErrNoServer
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
		return nil, nil, ErrNoServer // something else listens there
	case http.StatusUnauthorized:
		return nil, nil, fmt.Errorf("%s needs a user: set DIEMBAO_USER and DIEMBAO_PASSWORD", base)
	default:
		return nil, nil, fmt.Errorf("%s answered %s %s", base, resp.Status, msg)
	}
}

// Search asks GET /api/search with params (q among them, the query text).
func (c Client) Search(ctx context.Context, params url.Values) (indexer.Result, error) {
	body, _, err := c.Get(ctx, "/api/search", params, params.Get("q"))
	if err != nil {
		return indexer.Result{}, err
	}
	var res indexer.Result
	if err := json.Unmarshal(body, &res); err != nil {
		return indexer.Result{}, fmt.Errorf("decode answer of %s: %w", c.BaseURL, err)
	}
	return res, nil
}

// Export asks GET /search/export with params (q among them) for every hit
// of the query as format (json, csv, xlsx), and returns the file and its
// number of rows (-1 when the server does not say).
func (c Client) Export(ctx context.Context, params url.Values, format string) ([]byte, int, error) {
	p := url.Values{"format": {format}}
	for k, v := range params {
		p[k] = v
	}
	body, h, err := c.Get(ctx, "/search/export", p, params.Get("q"))
	if err != nil {
		return nil, 0, err
	}
	n, err := strconv.Atoi(h.Get("X-Diembao-Rows"))
	if err != nil {
		n = -1
	}
	return body, n, nil
}

// Running reports whether a diembao server answers at the client's address.
func (c Client) Running(ctx context.Context) bool {
	_, err := c.Search(ctx, url.Values{"q": {"x"}, "size": {"1"}})
	return !errors.Is(err, ErrNoServer)
}
