package node

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/config"
)

func TestStreamArchiveLatestRevisionSince(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	env := Env{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := context.Background()
	b, err := env.OpenBus(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	pub := func(id string, rev int, published time.Time, title string) {
		art := article.Article{V: 1, ID: id, Revision: rev, Published: published, Title: title}
		art.ContentHash = article.ContentHash(art)
		data, _ := json.Marshal(art)
		if _, err := b.Publish(ctx, "articles.t", art.MsgID(), data, nil); err != nil {
			t.Fatal(err)
		}
	}
	pub("old", 1, now.AddDate(0, 0, -40), "cũ")
	pub("new", 1, now.AddDate(0, 0, -2), "bản đầu")
	pub("new", 2, now.AddDate(0, 0, -2), "bản sửa")
	pub("other", 1, now.AddDate(0, 0, -1), "khác")
	b.Close()

	var got []string
	err = StreamArchive{env}.ArticlesSince(ctx, now.AddDate(0, 0, -30), func(x article.Article) error {
		got = append(got, x.ID+":"+x.Title)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"new:bản sửa", "other:khác"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %v, want %v", got, want)
	}
	_ = bus.StreamArticles
}
