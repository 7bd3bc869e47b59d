package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/internal/poll"
	"github.com/diembao/diembao/internal/report"
	"github.com/diembao/diembao/internal/web"
)

// TestSplitRolesSearchExport: a serve role without an index exports every
// hit of a search from the index role over the bus, newest first, in more
// than one message's worth (the articles together exceed the NATS max
// payload); a query the index refuses is the user's error (400), as with a
// local index; the period report counts them too.
func TestSplitRolesSearchExport(t *testing.T) {
	sd := newSplitDeployment(t)
	ctx := sd.ctx
	sd.start("index", node.Roles{Index: true}, nil)
	serve := sd.start("serve", node.Roles{Serve: true}, nil)
	accounts, err := serve.KV(ctx, node.BucketAccounts)
	if err != nil {
		t.Fatal(err)
	}
	if err := web.NewAccounts(accounts).Add(ctx, "an", web.RoleAnalyst, "mat-khau-dai-du-dung"); err != nil {
		t.Fatal(err)
	}
	base := httpBase(t, serve)
	get := func(path string) (int, http.Header, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.SetBasicAuth("an", "mat-khau-dai-du-dung")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}

	paragraph := strings.Repeat("Đồn biên phòng Bát Mọt tuần tra đường biên, cột mốc cùng lực lượng bạn. ", 2800) // ~200 KB
	// More than one payload in all: pages are at most half a payload, so
	// the export takes at least three replies. (Twice that volume took the
	// index role more than a minute to index under -race.)
	n := int(sd.hub.Conn().MaxPayload())/len(paragraph) + 3
	day := time.Date(2026, 11, 1, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	for i := range n {
		u := fmt.Sprintf("https://baothanhhoa.vn/tuan-tra-%d.htm", i)
		a := article.Article{V: 1, ID: article.ID(u), URL: u, CanonicalURL: u, Source: "baothanhhoa", SourceKind: article.KindPress, Lang: "vi",
			Title: fmt.Sprintf("Tuần tra biên giới số %d", i), Body: paragraph, Revision: 1, Published: day.Add(time.Duration(i) * time.Hour)}
		a.ContentHash = article.ContentHash(a)
		if err := sd.hub.PublishJSON(ctx, bus.SubjectArticles+".baothanhhoa", a.MsgID(), a); err != nil {
			t.Fatal(err)
		}
	}
	q := url.QueryEscape("tuần tra")
	poll.True(t, 3*time.Minute, "the index role indexes every article", func() bool {
		code, _, b := get("/api/search?q=" + q)
		var res struct{ Total int }
		return code == 200 && json.Unmarshal(b, &res) == nil && res.Total == n
	})

	code, h, b := get("/search/export?format=json&q=" + q)
	if code != 200 {
		t.Fatalf("export: status %d: %s", code, b)
	}
	var rows []report.ExportRow
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != n || h.Get("X-Diembao-Rows") != strconv.Itoa(n) {
		t.Fatalf("export: %d rows (header %q), want %d", len(rows), h.Get("X-Diembao-Rows"), n)
	}
	for i, r := range rows {
		if want := fmt.Sprintf("Tuần tra biên giới số %d", n-1-i); r.Title != want || r.Source != "baothanhhoa" {
			t.Fatalf("row %d: %q from %q, want %q (newest first)", i, r.Title, r.Source, want)
		}
	}
	if code, _, b := get("/search/export?format=csv&q=" + url.QueryEscape(`"tuần tra`)); code != 400 || !strings.Contains(string(b), "truy vấn") {
		t.Errorf("bad query: status %d: %s", code, b)
	}
	// The period report counts them through the index role too.
	if code, _, b := get("/reports?from=2026-11-01&to=2026-11-30&all=1"); code != 200 || !strings.Contains(string(b), fmt.Sprintf("<td>2026-11</td><td>%d</td>", n)) {
		t.Errorf("period report: status %d, no month row of %d articles", code, n)
	}
}
