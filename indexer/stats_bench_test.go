package indexer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
)

// BenchmarkStatsYear counts a year of area articles (the report's query)
// on a disk index of DIEMBAO_BENCH_STATS_DOCS articles (default 20,000),
// built once under DIEMBAO_BENCH_STATS_DIR (default the OS temp dir) and
// reused by later runs: building 500,000 takes long.
func BenchmarkStatsYear(b *testing.B) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("DIEMBAO_BENCH_STATS_DOCS")); err == nil && v > 0 {
		n = v
	}
	base := os.Getenv("DIEMBAO_BENCH_STATS_DIR")
	if base == "" {
		base = os.TempDir()
	}
	dir := filepath.Join(base, fmt.Sprintf("diembao-stats-bench-%d", n))
	topics := []string{"border", "laos", "ethnic", "religion", "disinfo"}
	communes := []string{"bat-mot", "luan-thanh", "tan-thanh", "xa-thuong-xuan", "yen-nhan"}
	cls := tagFunc(func(a article.Article) Tags {
		h := int(a.Revision) // the generator keeps the tags' seed in Revision
		t := Tags{Area: h%5 != 0, Topics: []string{topics[h%5]}, Severity: []string{"", "low", "high"}[h%3]}
		if h%7 == 0 {
			t.Topics = append(t.Topics, topics[(h/7)%5])
		}
		if t.Area {
			t.Communes = []string{communes[(h/3)%5]}
			t.Places = t.Communes
		}
		return t
	})
	ctx := context.Background()
	if _, err := os.Stat(filepath.Join(dir, "done")); err != nil {
		os.RemoveAll(dir)
		x, err := Open(Config{Dir: dir}, cls, nil)
		if err != nil {
			b.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		sources := []string{"baothanhhoa", "vnexpress", "dantri", "laodong", "tuoitre", "thanhnien", "vietnamnet", "nhandan"}
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, ict)
		for i := 0; i < n; i += 2000 {
			var batch []ArticleAt
			for j := i; j < min(i+2000, n); j++ {
				id := fmt.Sprintf("s%07d", j)
				batch = append(batch, ArticleAt{Seq: uint64(j + 1), Article: article.Article{V: 1, ID: id, URL: "https://x.vn/" + id,
					Source: sources[r.IntN(len(sources))], SourceKind: article.KindPress, Title: "Tin " + id, Body: "Thường Xuân biên giới " + id,
					Revision: 1 + r.IntN(1000), Published: start.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))}})
			}
			if err := x.Index(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
		if err := x.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "done"), nil, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	x, err := Open(Config{Dir: dir, ReadOnly: true}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	yes := true
	q := Query{Area: &yes, From: time.Date(2026, 1, 1, 0, 0, 0, 0, ict), To: time.Date(2026, 12, 31, 0, 0, 0, 0, ict)}
	var total uint64
	b.ResetTimer()
	for b.Loop() {
		st, err := x.Stats(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		total = st.Total
	}
	b.ReportMetric(float64(total), "articles")
}
