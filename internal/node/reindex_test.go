package node

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
)

type fakeArticles struct{ arts []indexer.ArticleAt }

func (f *fakeArticles) Next(context.Context) (indexer.ArticleAt, bool, error) {
	if len(f.arts) == 0 {
		return indexer.ArticleAt{}, false, nil
	}
	a := f.arts[0]
	f.arts = f.arts[1:]
	return a, true, nil
}

func TestReindexRebuildsAndSwaps(t *testing.T) {
	data := t.TempDir()
	// An old index with an article the stream no longer has.
	old, err := indexer.Open(indexer.Config{Dir: filepath.Join(data, "index")}, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	stale := article.Article{ID: "stale", Title: "cũ", Revision: 1, Published: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)}
	if err := old.Index(context.Background(), []indexer.ArticleAt{{Article: stale, Seq: 1}}); err != nil {
		t.Fatal(err)
	}
	old.Close()

	var src fakeArticles
	for i, title := range []string{"Tuần tra biên giới", "Hợp tác với Lào", "Lễ hội Mường Xia"} {
		a := article.Article{ID: string(rune('a' + i)), Title: title, Body: title, Source: "baothanhhoa", Revision: 1,
			Published: time.Date(2026, time.Month(9+i), 2, 8, 0, 0, 0, time.UTC)}
		src.arts = append(src.arts, indexer.ArticleAt{Article: a, Seq: uint64(10 + i)})
	}
	open := func(context.Context, Env) (indexer.Source, uint64, func(), error) {
		return &src, 3, func() {}, nil
	}
	var stderr bytes.Buffer
	cfg := config.Default()
	cfg.DataDir = data
	env := Env{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := Reindex(context.Background(), env, open, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "100%") {
		t.Errorf("progress bar: %q", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(data, "index.rebuild")); !os.IsNotExist(err) {
		t.Errorf("index.rebuild left behind: %v", err)
	}
	idx, err := indexer.Open(indexer.Config{Dir: filepath.Join(data, "index")}, nil, env.Log)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if n, _ := idx.Count(); n != 3 || idx.LastSeq() != 12 {
		t.Errorf("rebuilt index: %d docs, last seq %d", n, idx.LastSeq())
	}
	if _, err := idx.Get(context.Background(), "stale"); err == nil {
		t.Errorf("stale article survived the rebuild")
	}
}
