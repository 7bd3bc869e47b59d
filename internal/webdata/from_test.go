package webdata

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/diembao/diembao/alerts/digest"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/web"
	"github.com/diembao/diembao/rules"
)

// TestDigestsFromShelf: a digest kept on the shelf is listed and served;
// an unknown week is ErrNotFound.
func TestDigestsFromShelf(t *testing.T) {
	ctx := context.Background()
	st := kv.NewMemory()
	from := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	shelf := digest.Shelf{St: st, Now: func() time.Time { return from.AddDate(0, 0, 7) }}
	if err := shelf.Keep(ctx, digest.Digest{Week: "2026-W47", From: from, To: from.AddDate(0, 0, 7), Articles: 3}, "<p>tuần</p>"); err != nil {
		t.Fatal(err)
	}
	d := DigestsFrom(shelf)
	list, err := d.List(ctx)
	if err != nil || len(list) != 1 || list[0].ID != "2026-W47" || list[0].Articles != 3 {
		t.Fatalf("list %+v %v", list, err)
	}
	if html, err := d.Get(ctx, "2026-W47"); err != nil || string(html) != "<p>tuần</p>" {
		t.Errorf("get %q %v", html, err)
	}
	if _, err := d.Get(ctx, "2026-W01"); !errors.Is(err, web.ErrNotFound) {
		t.Errorf("unknown week: %v, want web.ErrNotFound", err)
	}
}

// TestClientNoServer: nothing listening, or something that answers 404,
// is ErrNoServer; a 400 is the query's error; a 200 is the result.
func TestClientNoServer(t *testing.T) {
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	if _, err := (web.Client{BaseURL: closed}).Search(ctx, url.Values{"q": {"x"}}); !errors.Is(err, web.ErrNoServer) {
		t.Errorf("closed port: %v, want web.ErrNoServer", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("q") {
		case "bad":
			http.Error(w, `{"error": "truy vấn không hợp lệ: dấu ngoặc"}`, http.StatusBadRequest)
		case "ok":
			w.Write([]byte(`{"total": 2, "hits": []}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := web.Client{BaseURL: srv.URL}
	if _, err := c.Search(ctx, url.Values{"q": {"other"}}); !errors.Is(err, web.ErrNoServer) {
		t.Errorf("404: %v, want web.ErrNoServer", err)
	}
	var qe *indexer.QueryError
	if _, err := c.Search(ctx, url.Values{"q": {"bad"}}); !errors.As(err, &qe) || qe.Msg != "dấu ngoặc" {
		t.Errorf("400: %v, want the query error", err)
	}
	if res, err := c.Search(ctx, url.Values{"q": {"ok"}}); err != nil || res.Total != 2 {
		t.Errorf("200: %+v %v", res, err)
	}
}

// TestRulesFromTopics: the web sees the pack's topics in its order, with
// their names, from the rule set in force.
func TestRulesFromTopics(t *testing.T) {
	dir := t.TempDir()
	extra := "topics:\n  - {id: land, name: \"Đất đai, tranh chấp\"}\nrules:\n  - id: land.core\n    version: 1\n    topic: land\n    severity: medium\n    audiences: [office]\n    query: '\"tranh chấp đất đai\"'\n"
	if err := os.WriteFile(filepath.Join(dir, "land.yaml"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	rl, err := rules.NewReloader(rules.ReloaderConfig{Dirs: []string{dir}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := RulesFrom(rl).Topics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := rl.Current().Topics()
	if len(got) != len(want) || len(got) < 6 || got[len(got)-1] != (web.TopicInfo{ID: "land", Name: "Đất đai, tranh chấp"}) {
		t.Fatalf("topics %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Name != want[i].Name || got[i].Name == "" {
			t.Errorf("topic %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
