package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/kv"
)

// The search page and API on the real index: what the search made of the
// query is said, the folded form is offered when an exact query finds
// nothing, and a query the search cannot read says why.
func TestSearchExplainsItself(t *testing.T) {
	x, err := indexer.Open(indexer.Config{}, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, hcm)
	var batch []indexer.ArticleAt
	for i, a := range []struct{ id, title, body string }{
		{"b1", "Tuần tra biên giới", "Bộ đội Biên phòng giới thiệu mô hình tuần tra biên giới."},
		{"b2", "Phổ biến pháp luật", "Phổ biến kiến thức, giới thiệu mô hình mới."},
		{"b3", "Tin khong dau", "Bai viet khong dau."},
	} {
		batch = append(batch, indexer.ArticleAt{Seq: uint64(i + 1), Article: article.Article{V: 1, ID: a.id,
			URL: "https://example.vn/" + a.id, CanonicalURL: "https://example.vn/" + a.id, Source: "baothanhhoa",
			SourceKind: article.KindPress, Lang: "vi", Title: a.title, Body: a.body, Published: at, Revision: 1}})
	}
	if err := x.Index(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	acc := NewAccounts(kv.NewMemory())
	acc.cost = bcrypt.MinCost
	srv, err := New(Config{}, Deps{Accounts: acc, Searcher: x}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	pw := GeneratePassword()
	if err := acc.Add(context.Background(), "an", RoleAnalyst, pw); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	e := &testEnv{t: t, ts: ts, pw: map[string]string{"an": pw}}
	c := e.login("an")

	_, body := get(t, c, ts.URL+"/?q=bien+gioi")
	if !strings.Contains(body, "1 kết quả") || !strings.Contains(body, "như một cụm từ") || !strings.Contains(body, "<mark>biên giới</mark>") {
		t.Errorf("bien gioi: want one hit, the run notice and the phrase marked:\n%s", body)
	}
	_, body = get(t, c, ts.URL+"/?q=kh%C3%B3ng+d%E1%BA%A5u")
	if !strings.Contains(body, `id="suggest"`) || !strings.Contains(body, "khong dau</a> (1 kết quả)") {
		t.Errorf("khóng dấu: no suggestion of the folded form:\n%s", body)
	}
	resp, body := get(t, c, ts.URL+"/?q=NEAR%2F30")
	if resp.StatusCode != 400 || !strings.Contains(body, "NEAR/30 cần một từ hoặc cụm từ ở mỗi bên") {
		t.Errorf("NEAR/30: status %d, body lacks the reason", resp.StatusCode)
	}
	resp, body = get(t, c, ts.URL+"/api/search?q=ma+tuy+OR+bien+gioi")
	var res indexer.Result
	if err := json.Unmarshal([]byte(body), &res); err != nil || resp.StatusCode != 200 {
		t.Fatalf("api: %d %v %s", resp.StatusCode, err, body)
	}
	if res.Total != 1 || len(res.Notices) != 1 {
		t.Errorf("api: total %d, notices %q; want 1 and one notice", res.Total, res.Notices)
	}
}
