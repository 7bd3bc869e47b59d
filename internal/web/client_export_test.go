package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// TestClientExport: the client asks /search/export with the query's
// parameters and the format, as a user with basic auth, and reports the
// rows the server counted.
func TestClientExport(t *testing.T) {
	e := reportsEnv(t)
	c := Client{BaseURL: e.ts.URL, User: "an", Password: e.pw["an"]}
	data, n, err := c.Export(context.Background(), url.Values{"q": {"biên giới"}, "topic": {"border"}}, "csv")
	if err != nil {
		t.Fatal(err)
	}
	if n != 160 || strings.Count(string(data), "\r\n") != n+1 {
		t.Errorf("%d rows counted, %d lines; want 160 hits + header", n, strings.Count(string(data), "\r\n"))
	}
	if _, _, err := c.Export(context.Background(), url.Values{"q": {`"biên giới`}}, "csv"); err == nil || !strings.Contains(err.Error(), "truy vấn") {
		t.Errorf("bad query: %v", err)
	}
}
