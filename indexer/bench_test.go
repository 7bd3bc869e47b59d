package indexer

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/textnorm"
)

// BenchmarkIndex indexes 500-article batches of corpus text in memory.
// Run: go test -run '^$' -bench Index -benchmem ./indexer
func BenchmarkIndex(b *testing.B) {
	raw, err := os.ReadFile("../../shared/corpus/binhvq-sample/demo-full.txt")
	if err != nil {
		b.Skip(err)
	}
	lines := strings.Split(string(raw), "\n")
	x, err := Open(Config{}, nil, testLog())
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		batch := make([]ArticleAt, 500)
		for i := range batch {
			n++
			body := strings.Join(lines[(n*7)%900:(n*7)%900+20], "\n")
			batch[i] = ArticleAt{Article: art(fmt.Sprint(n), lines[n%1000], body, 1+n%28), Seq: uint64(n)}
		}
		if err := x.Index(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkAnalyze runs the exact and folded analyzers over 4 KB of corpus
// text, as indexing one article's body does.
// Run: go test -run '^$' -bench Analyze -benchmem ./indexer
func BenchmarkAnalyze(b *testing.B) {
	raw, err := os.ReadFile("../../shared/corpus/binhvq-sample/demo-full.txt")
	if err != nil {
		b.Skip(err)
	}
	text := []byte(textnorm.Normalize(string(raw[:4096])))
	b.SetBytes(int64(2 * len(text)))
	b.ReportAllocs()
	for b.Loop() {
		syllableAnalyzer{}.Analyze(text)
		syllableAnalyzer{fold: true}.Analyze(text)
	}
}
