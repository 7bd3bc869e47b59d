package indexer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
)

// tagFunc is a Tagger over generated articles: the tags ride in the
// article's Section field as "topic,topic|commune|severity|area".
type tagFunc func(article.Article) Tags

func (f tagFunc) Classify(a article.Article) ([]string, bool) { t := f(a); return t.Topics, t.Area }
func (f tagFunc) Tags(a article.Article) Tags                 { return f(a) }

type genTruth struct {
	monthTopic map[string]map[string]int
	commune    map[string]int
	source     map[string]int
	total      int
}

// genArticles makes n articles over 2026 (area ones and others) with their
// tags chosen at random, and the counts a report over the area must give.
func genArticles(n int, seed uint64) ([]article.Article, map[string]Tags, genTruth) {
	r := rand.New(rand.NewPCG(seed, 7))
	topics := []string{"border", "laos", "ethnic", "religion", "disinfo"}
	communes := []string{"bat-mot", "luan-thanh", "tan-thanh", "xa-thuong-xuan"}
	sources := []string{"baothanhhoa", "vnexpress", "dantri", "laodong"}
	tags := map[string]Tags{}
	truth := genTruth{monthTopic: map[string]map[string]int{}, commune: map[string]int{}, source: map[string]int{}}
	var arts []article.Article
	for i := range n {
		id := fmt.Sprintf("g%05d", i)
		pub := time.Date(2026, 1, 1, 0, 0, 0, 0, ict).Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		a := article.Article{V: 1, ID: id, URL: "https://example.vn/" + id, Source: sources[r.IntN(len(sources))],
			SourceKind: article.KindPress, Title: "Tin " + id, Body: "Nội dung bài " + id, Revision: 1, Published: pub}
		var t Tags
		t.Area = r.IntN(4) != 0
		for _, tp := range topics {
			if r.IntN(3) == 0 {
				t.Topics = append(t.Topics, tp)
			}
		}
		if t.Area {
			t.Communes = []string{communes[r.IntN(len(communes))]}
			t.Places = t.Communes
			truth.total++
			truth.commune[t.Communes[0]]++
			truth.source[a.Source]++
			m := pub.In(ict).Format("2006-01")
			for _, tp := range t.Topics {
				if truth.monthTopic[m] == nil {
					truth.monthTopic[m] = map[string]int{}
				}
				truth.monthTopic[m][tp]++
			}
		}
		tags[id] = t
		arts = append(arts, a)
	}
	return arts, tags, truth
}

func TestStatsAgreeWithSearch(t *testing.T) {
	arts, tags, truth := genArticles(3000, 1)
	cls := tagFunc(func(a article.Article) Tags { return tags[a.ID] })
	x, err := Open(Config{}, cls, testLog())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	for i := 0; i < len(arts); i += 700 { // several batches: several segments per month
		var b []ArticleAt
		for j, a := range arts[i:min(i+700, len(arts))] {
			b = append(b, ArticleAt{Article: a, Seq: uint64(i + j + 1)})
		}
		if err := x.Index(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	yes := true
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, ict), time.Date(2026, 12, 31, 0, 0, 0, 0, ict)
	st, err := x.Stats(ctx, Query{Area: &yes, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	if int(st.Total) != truth.total {
		t.Errorf("Total = %d, want %d", st.Total, truth.total)
	}
	for c, n := range truth.commune {
		if st.By[DimCommune][c] != n {
			t.Errorf("commune %s = %d, want %d", c, st.By[DimCommune][c], n)
		}
	}
	for s, n := range truth.source {
		if st.By[DimSource][s] != n {
			t.Errorf("source %s = %d, want %d", s, st.By[DimSource][s], n)
		}
	}
	months := 0
	for m := time.January; m <= time.December; m++ {
		start := time.Date(2026, m, 1, 0, 0, 0, 0, ict)
		last := start.AddDate(0, 1, -1)
		key := start.Format("2006-01")
		sum := 0
		for _, n := range st.MonthSource[key] {
			sum += n
		}
		if sum != st.By[DimMonth][key] {
			t.Errorf("%s: sources add up to %d, month count %d", key, sum, st.By[DimMonth][key])
		}
		for _, tp := range []string{"border", "laos", "ethnic", "religion", "disinfo"} {
			res, err := x.Search(ctx, Query{Topics: []string{tp}, Area: &yes, From: start, To: last, Size: 1})
			if err != nil {
				t.Fatal(err)
			}
			got := st.MonthTopic[key][tp]
			if got != int(res.Total) || got != truth.monthTopic[key][tp] {
				t.Errorf("%s %s: stats %d, search total %d, generated %d", key, tp, got, res.Total, truth.monthTopic[key][tp])
			}
			if got > 0 {
				months++
			}
		}
	}
	if months < 50 {
		t.Errorf("only %d non-empty month×topic cells: the data does not test much", months)
	}
	// A topic filter narrows every dimension.
	one, err := x.Stats(ctx, Query{Area: &yes, Topics: []string{"laos"}, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	if one.Total != uint64(st.By[DimTopic]["laos"]) || len(one.MonthTopic) == 0 {
		t.Errorf("laos only: total %d, want %d", one.Total, st.By[DimTopic]["laos"])
	}
}

func TestEachVisitsEveryHitNewestFirst(t *testing.T) {
	arts, tags, truth := genArticles(1200, 2)
	cls := tagFunc(func(a article.Article) Tags { return tags[a.ID] })
	x := openMem(t, cls, arts...)
	yes := true
	n := 0
	var last time.Time
	seen := map[string]bool{}
	err := x.Each(context.Background(), Query{Area: &yes}, func(d Doc) error {
		n++
		if seen[d.Article.ID] {
			t.Errorf("%s twice", d.Article.ID)
		}
		seen[d.Article.ID] = true
		if !last.IsZero() && d.Article.Published.After(last) {
			t.Errorf("%s out of order", d.Article.ID)
		}
		last = d.Article.Published
		if len(d.Communes) != 1 {
			t.Errorf("%s: communes %v not stored", d.Article.ID, d.Communes)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != truth.total {
		t.Errorf("Each visited %d, want %d", n, truth.total)
	}
}
