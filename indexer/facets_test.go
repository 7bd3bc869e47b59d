package indexer

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/diembao/diembao/internal/article"
)

// topicsByID gives an article zero to three topics from its id, so facets
// see documents with none, one and several values.
var topicsByID = ClassifierFunc(func(a article.Article) ([]string, bool) {
	h := 0
	for i := 0; i < len(a.ID); i++ {
		h = h*31 + int(a.ID[i])
	}
	all := []string{"border", "ethnic", "religion", "laos", "disinfo"}
	var out []string
	for i := range h % 4 {
		out = append(out, all[(h/4+i)%len(all)])
	}
	return out, h%2 == 0
})

// diembao's facet counting gives what Bleve's facet builder gives on the
// same request: on several months with several segments each, after
// updates (deleted documents in old segments) and articles moved to
// another month, for words, phrases, filters, exclusions and no query, and
// again after more writes (new segments, merged ones).
func TestFacetsSameAsBleve(t *testing.T) {
	x := openMem(t, topicsByID)
	bodies := phraseFixture(t, x, 400)
	ctx := context.Background()
	queries := append(phraseQueries(bodies, 60),
		"", "biên giới", "bien gioi", "Lào -lao", "an OR ninh", `"Sầm Tớ"`, "không-có-đâu")
	filters := []Query{
		{},
		{Sources: []string{"bienphong"}},
		{Topics: []string{"border", "laos"}},
		{From: time.Date(2026, 10, 5, 0, 0, 0, 0, ict), To: time.Date(2026, 11, 20, 0, 0, 0, 0, ict)},
	}
	check := func(stage string) {
		t.Helper()
		nonEmpty := 0
		for _, q := range queries {
			for _, f := range filters {
				f.Q = q
				if q == "" && f.Sources == nil && f.Topics == nil && f.From.IsZero() {
					f.Q = "" // match all
				}
				got, err := x.Search(ctx, f)
				if err != nil {
					t.Fatalf("%s: Search(%+v): %v", stage, f, err)
				}
				_, req, err := x.request(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				req.AddFacet("source", bleve.NewFacetRequest(fSource, 20))
				req.AddFacet("topic", bleve.NewFacetRequest(fTopics, 10))
				res, err := x.alias.SearchInContext(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				want := map[string][]FacetCount{}
				for name, fr := range res.Facets {
					want[name] = []FacetCount{}
					for _, tf := range fr.Terms.Terms() {
						want[name] = append(want[name], FacetCount{Term: tf.Term, Count: tf.Count})
					}
				}
				if !reflect.DeepEqual(got.Facets, want) || got.Total != res.Total {
					t.Errorf("%s: %q %+v: total %d, facets\n got  %v\n want %v (total %d)", stage, q, f, got.Total, got.Facets, want, res.Total)
				}
				if len(want["topic"]) > 1 {
					nonEmpty++
				}
			}
		}
		if nonEmpty < len(queries) {
			t.Errorf("%s: only %d requests had several topics: the fixture tests too little", stage, nonEmpty)
		}
	}
	check("first")

	// Updates: new revisions of a third of the articles, a tenth moved to
	// another month (deleted from the old one), new sources.
	var batch []ArticleAt
	for i := 0; i < 400; i += 3 {
		a := art(fmt.Sprintf("a%03d", i), "biên giới Lào", bodies[(i+7)%len(bodies)], 1+i%28)
		a.Revision = 2
		a.Source = []string{"cand", "bienphong", "qdnd", "vov"}[i%4]
		if i%10 == 0 {
			a.Published = a.Published.AddDate(0, -4, 0)
		}
		batch = append(batch, ArticleAt{Article: a, Seq: uint64(1000 + i)})
		if len(batch) == 30 {
			if err := x.Index(ctx, batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := x.Index(ctx, batch); err != nil {
		t.Fatal(err)
	}
	check("after updates")
}

// Searches running while articles are written share the facet tables
// safely (run with -race) and, once writing stops, count what Bleve counts.
func TestFacetsConcurrentWithWrites(t *testing.T) {
	x := openMem(t, topicsByID)
	bodies := phraseFixture(t, x, 120)
	ctx := context.Background()
	done := make(chan struct{})
	errs := make(chan error, 8)
	for g := range 4 {
		go func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if _, err := x.Search(ctx, Query{Q: []string{"biên giới", "", "Lào", `"an ninh"`}[(g+i)%4]}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 120 {
		a := art(fmt.Sprintf("a%03d", i), "Sầm Tớ", bodies[(i*7)%len(bodies)], 1+i%28)
		a.Revision = 2
		if err := x.Index(ctx, []ArticleAt{{Article: a, Seq: uint64(500 + i)}}); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	got, err := x.Search(ctx, Query{Q: "Sầm Tớ"})
	if err != nil {
		t.Fatal(err)
	}
	var sum int
	for _, fc := range got.Facets["source"] {
		sum += fc.Count
	}
	if got.Total != 120 || sum != 120 {
		t.Errorf("after writes: total %d, source facet sums to %d, want 120 and 120 (%v)", got.Total, sum, got.Facets)
	}
}

// Sorting by date gives the order of the published times, as Bleve's sort
// on the published field does; articles published in the same second keep
// one order across pages, and undated ones come last.
func TestDateSortMatchesPublished(t *testing.T) {
	x := openMem(t, topicsByID)
	phraseFixture(t, x, 300) // 28 distinct days: many articles share a time
	ctx := context.Background()
	var undated []ArticleAt
	for i := range 7 {
		a := art(fmt.Sprintf("u%d", i), "biên giới không ngày", "an ninh lao động", 1)
		a.Published = time.Time{}
		a.Fetched = time.Date(2026, time.Month(8+i%3), 3, 0, 0, 0, 0, ict)
		undated = append(undated, ArticleAt{Article: a, Seq: uint64(900 + i)})
	}
	if err := x.Index(ctx, undated); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"", "biên giới", `"an ninh"`, "lao -Lào"} {
		var got []Hit
		var total uint64
		for page := 1; ; page++ {
			res, err := x.Search(ctx, Query{Q: q, Sort: "date", Page: page, Size: 37})
			if err != nil {
				t.Fatal(err)
			}
			total = res.Total
			if len(res.Hits) == 0 {
				break
			}
			got = append(got, res.Hits...)
		}
		seen := map[string]bool{}
		for i, h := range got {
			if seen[h.ID] {
				t.Errorf("%q: %s on two pages", q, h.ID)
			}
			seen[h.ID] = true
			if i > 0 {
				prev := got[i-1].Published
				if h.Published.After(prev) && !prev.IsZero() || prev.IsZero() && !h.Published.IsZero() {
					t.Errorf("%q: %s (%v) after %s (%v)", q, h.ID, h.Published, got[i-1].ID, prev)
				}
			}
			if h.Score != 0 {
				t.Errorf("%q: date-sorted hit with score %v", q, h.Score)
			}
		}
		if uint64(len(got)) != total || total == 0 {
			t.Errorf("%q: %d hits over the pages, total %d", q, len(got), total)
		}
		// The same articles at each time as Bleve's own sort gives.
		_, req, err := x.request(context.Background(), Query{Q: q, Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		req.Size = int(total)
		req.SortBy([]string{"-" + fPublished, "_id"})
		res, err := x.alias.SearchInContext(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		byTime := func(ids []string, times []time.Time) map[time.Time][]string {
			m := map[time.Time][]string{}
			for i, id := range ids {
				m[times[i]] = append(m[times[i]], id)
			}
			for k := range m {
				slices.Sort(m[k])
			}
			return m
		}
		var gotIDs, wantIDs []string
		var gotT, wantT []time.Time
		for _, h := range got {
			gotIDs, gotT = append(gotIDs, h.ID), append(gotT, h.Published)
		}
		docs, err := x.load(ctx, res.Hits)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			wantIDs, wantT = append(wantIDs, h.ID), append(wantT, docs[h.ID].Article.Published)
		}
		if !reflect.DeepEqual(byTime(gotIDs, gotT), byTime(wantIDs, wantT)) || len(gotIDs) != len(wantIDs) {
			t.Errorf("%q: date order differs from Bleve's sort on published", q)
		}
	}
}

// Warm builds the tables of every segment, so the first search finds them.
func TestWarmBuildsTables(t *testing.T) {
	x := openMem(t, topicsByID)
	phraseFixture(t, x, 120)
	x.Warm(context.Background())
	x.facets.mu.Lock()
	kinds := map[int]int{}
	for k := range x.facets.tables {
		kinds[k.field]++
	}
	x.facets.mu.Unlock()
	if kinds[dateTable] == 0 || kinds[dateTable] != kinds[0] || kinds[0] != kinds[1] {
		t.Errorf("tables after Warm: %v, want the same positive number of each kind", kinds)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x.Warm(ctx) // returns at once
}

// Filters without words list the newest first: relevance has nothing to
// rank there.
func TestFiltersAloneNewestFirst(t *testing.T) {
	x := openMem(t, topicsByID)
	phraseFixture(t, x, 200)
	for _, sort := range []string{"", "relevance"} {
		res, err := x.Search(context.Background(), Query{Sources: []string{"bienphong"}, Sort: sort, Size: 100})
		if err != nil || res.Total == 0 {
			t.Fatalf("%v %v", res.Total, err)
		}
		for i := 1; i < len(res.Hits); i++ {
			if res.Hits[i].Published.After(res.Hits[i-1].Published) {
				t.Fatalf("sort %q: %s after %s", sort, res.Hits[i].Published, res.Hits[i-1].Published)
			}
		}
	}
}
