package indexer

import (
	"context"
	"fmt"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/diembao/diembao/internal/textnorm"
)

// Search runs q. A query the user must fix returns an error wrapping a
// *QueryError (HTTP 400, CLI exit 2); any other error is the index's.
// Without words (filters only) hits come newest first whatever q.Sort.
func (x *Index) Search(ctx context.Context, q Query) (_ Result, err error) {
	done, err := x.beginRead()
	defer done()
	if err != nil {
		return Result{}, err
	}
	defer x.recoverPanic("search", &err)
	start := time.Now()
	p, req, err := x.request(ctx, q)
	if err != nil {
		return Result{}, err
	}
	if p.root == nil {
		// Filters alone (a topic, a source, dates): every hit scores the
		// same, so relevance would list them in index order; newest first.
		q.Sort = "date"
	}
	run := x.facets.begin(q.Sort == "date")
	defer run.end()
	req.Query = &facetQuery{inner: req.Query, run: run}
	res := &bleve.SearchResult{} // nothing indexed yet: Bleve refuses an empty alias
	if !x.isEmpty() {
		if res, err = x.alias.SearchInContext(ctx, req); err != nil {
			return Result{}, fmt.Errorf("search: %w", err)
		}
	}
	// The stored articles are loaded for the page's hits only: asking for
	// fields in the first request would load a page per monthly index.
	docs, err := x.load(ctx, res.Hits)
	if err != nil {
		return Result{}, err
	}
	m := p.marker()
	out := Result{Total: res.Total, Hits: make([]Hit, 0, len(res.Hits)), Facets: map[string][]FacetCount{}}
	for _, h := range res.Hits {
		d, ok := docs[h.ID]
		if !ok {
			continue // replaced between the two requests
		}
		a := d.Article
		hit := Hit{
			ID: a.ID, URL: a.URL, Title: a.Title, Source: a.Source, Published: a.Published, PublishedFrom: a.PublishedFrom,
			Topics: d.Topics, Area: d.Area, Score: h.Score,
		}
		if run.byDate {
			hit.Score = 0 // the score was the date sort key
		}
		if hit.Topics == nil {
			hit.Topics = []string{}
		}
		hit.Snippet = snippet(bodyText(a), m, 40)
		out.Hits = append(out.Hits, hit)
	}
	for f, ff := range facetFields {
		out.Facets[ff.name] = run.top(f)
	}
	out.Notices = p.notices
	if out.Total == 0 {
		if err := x.explainEmpty(ctx, q, &out); err != nil {
			return Result{}, err
		}
	}
	out.TookMS = time.Since(start).Milliseconds()
	return out, nil
}

// Warm builds what the first searches would otherwise build on the way:
// the facet tables and date sort keys of every segment (about 0.2 s and
// 1 s per million articles). Call it in the background after Open; it
// returns early, without error, when ctx ends or the index closes.
func (x *Index) Warm(ctx context.Context) {
	start := time.Now()
	if _, err := x.Search(ctx, Query{Sort: "date", Size: 1}); err != nil {
		x.log.Debug("index warm-up stopped", "err", err)
		return
	}
	x.log.Info("index warmed up", "took", time.Since(start).Round(time.Millisecond))
}

// request checks q, resolves its runs and builds its Bleve request (without facets: Search
// counts them itself, see facets.go).
func (x *Index) request(ctx context.Context, q Query) (parsed, *bleve.SearchRequest, error) {
	p, err := parseQuery(q.Q)
	if err != nil {
		return parsed{}, nil, err
	}
	if err := x.resolveRuns(ctx, &p); err != nil {
		return parsed{}, nil, err
	}
	req, err := x.build(q, p)
	return p, req, err
}

// build checks q's other fields and builds the Bleve request for p.
func (x *Index) build(q Query, p parsed) (*bleve.SearchRequest, error) {
	switch q.Sort {
	case "", "relevance":
	case "date":
		// Sorted by score all the same: Search scores every hit by its date
		// sort key (facets.go); sorting on the published doc values and the
		// ids cost 3–8× the search itself.
	default:
		return nil, &QueryError{Query: q.Q, Msg: fmt.Sprintf("cách sắp xếp %q không hợp lệ (relevance hoặc date)", q.Sort)}
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return nil, &QueryError{Query: q.Q, Msg: "ngày kết thúc trước ngày bắt đầu"}
	}
	if q.Page < 0 || q.Size < 0 {
		return nil, &QueryError{Query: q.Q, Msg: "trang hoặc cỡ trang âm"}
	}
	page, size := max(q.Page, 1), q.Size
	if size == 0 {
		size = 20
	}
	size = min(size, 100)
	if page > 10000/size {
		return nil, &QueryError{Query: q.Q, Msg: "trang quá xa"}
	}

	conj := []query.Query{}
	if p.root != nil {
		conj = append(conj, p.root.bleveQuery(x.cfg.BlevePhrases))
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		to, toIncl := q.To, true
		if !to.IsZero() && to.Hour() == 0 && to.Minute() == 0 && to.Second() == 0 && to.Nanosecond() == 0 {
			to, toIncl = to.AddDate(0, 0, 1), false // a date: the whole day
		}
		incl := true
		dq := bleve.NewDateRangeInclusiveQuery(q.From, to, &incl, &toIncl)
		dq.SetField(fPublished)
		conj = append(conj, dq)
	}
	if len(q.Sources) > 0 {
		conj = append(conj, keywordsQuery(fSource, q.Sources))
	}
	if len(q.Topics) > 0 {
		conj = append(conj, keywordsQuery(fTopics, q.Topics))
	}
	if q.Area != nil {
		bq := bleve.NewBoolFieldQuery(*q.Area)
		bq.SetField(fArea)
		conj = append(conj, bq)
	}
	var bq query.Query
	switch len(conj) {
	case 0:
		bq = bleve.NewMatchAllQuery()
	case 1:
		bq = conj[0]
	default:
		bq = bleve.NewConjunctionQuery(conj...)
	}
	req := bleve.NewSearchRequestOptions(bq, size, (page-1)*size, false)
	req.SortBy([]string{"-_score"})
	return req, nil
}

// load returns the stored articles of hits by id.
func (x *Index) load(ctx context.Context, hits search.DocumentMatchCollection) (map[string]Doc, error) {
	out := make(map[string]Doc, len(hits))
	if len(hits) == 0 {
		return out, nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDocIDQuery(ids), len(ids), 0, false)
	req.Fields = []string{fDoc}
	res, err := x.alias.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("load hits: %w", err)
	}
	for _, h := range res.Hits {
		d, err := decodeDoc(h.Fields)
		if err != nil {
			return nil, err
		}
		out[h.ID] = d
	}
	return out, nil
}

func keywordsQuery(field string, vals []string) query.Query {
	qs := make([]query.Query, 0, len(vals))
	for _, v := range vals {
		tq := bleve.NewTermQuery(v)
		tq.SetField(field)
		qs = append(qs, tq)
	}
	if len(qs) == 1 {
		return qs[0]
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// snippet returns an HTML excerpt of text (normalised): about width
// syllables around the first highlighted syllable, crawled text escaped,
// each matched phrase in one <mark>. Without any match it is the text's
// start. The first match is looked for in the first 16 KB only, and first
// in the first 2 KB: most hits show their terms early, and tokenising a
// whole body for each of a page's hits was a tenth of a word query's time.
func snippet(text string, m marker, width int) string {
	if s, ok := snippetIn(text, 2<<10, m, width, false); ok {
		return s
	}
	s, _ := snippetIn(text, 16<<10, m, width, true)
	return s
}

// snippetIn renders the snippet from text cut to about limit bytes (at a
// space). Unless final, ok is false when the cut text may give a different
// snippet than the whole: no match in it, a run of words not found side by
// side in it, or too few syllables after the match.
func snippetIn(text string, limit int, m marker, width int, final bool) (string, bool) {
	whole := final || len(text) <= limit
	if len(text) > limit {
		cut := strings.LastIndexByte(text[:limit], ' ')
		if cut <= 0 {
			cut = limit
		}
		text = strings.ToValidUTF8(text[:cut], "")
	}
	toks := textnorm.Tokens(text)
	if len(toks) == 0 {
		return "", whole
	}
	marks, runsFound := m.marks(toks)
	first := slices.Index(marks, true)
	from := 0
	if first > width/4 {
		from = first - width/4
	}
	to := min(from+width, len(toks))
	if !whole && (first < 0 || !runsFound || from+width >= len(toks)) {
		return "", false
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("… ")
	}
	pos := toks[from].Start
	for i := from; i < to; i++ {
		t := toks[i]
		gap := text[pos:t.Start]
		if marks[i] && i > from && marks[i-1] {
			// One <mark> for a phrase: the gap between two marked
			// syllables stays inside it.
			b.WriteString(html.EscapeString(gap))
		} else {
			if i > from && marks[i-1] {
				b.WriteString("</mark>")
			}
			b.WriteString(html.EscapeString(gap))
			if marks[i] {
				b.WriteString("<mark>")
			}
		}
		b.WriteString(html.EscapeString(text[t.Start:t.End]))
		pos = t.End
	}
	if marks[to-1] {
		b.WriteString("</mark>")
	}
	if to < len(toks) {
		b.WriteString(" …")
	}
	return b.String(), true
}

// resolveRuns makes strict every run of words typed without diacritics
// whose side-by-side form the archive has: "bien gioi" then finds "biên
// giới", not "phổ biến … giới thiệu". A notice says so, with the query
// that searches the words apart.
func (x *Index) resolveRuns(ctx context.Context, p *parsed) error {
	if x.isEmpty() {
		return nil
	}
	for _, r := range p.runs() {
		if !r.folded() {
			continue
		}
		n, err := x.count(ctx, runPhrase(r.words(), 1, x.cfg.BlevePhrases))
		if err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		r.strict = true
		apart := strings.ReplaceAll(r.text(), " ", " AND ")
		p.notices = append(p.notices, fmt.Sprintf("Đã tìm «%s» như một cụm từ (các âm tiết đứng liền nhau). Muốn tìm rời từng từ: %s", r.text(), apart))
	}
	return nil
}

// count returns the number of documents q matches.
func (x *Index) count(ctx context.Context, q query.Query) (uint64, error) {
	res, err := x.alias.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, 0, 0, false))
	if err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return res.Total, nil
}

// explainEmpty says why q found nothing where the index can tell: a topic
// or source filter that no article has, or a query typed with diacritics
// whose form without them finds articles (then out.Suggest).
func (x *Index) explainEmpty(ctx context.Context, q Query, out *Result) error {
	if x.isEmpty() {
		return nil
	}
	for _, f := range []struct {
		field, label string
		vals         []string
	}{{fTopics, "chủ đề", q.Topics}, {fSource, "nguồn", q.Sources}} {
		for _, v := range f.vals {
			n, err := x.count(ctx, keywordsQuery(f.field, []string{v}))
			if err != nil {
				return err
			}
			if n == 0 {
				out.Notices = append(out.Notices, fmt.Sprintf("Không có bài nào thuộc %s «%s»: kiểm tra lại tên %s.", f.label, v, f.label))
			}
		}
	}
	if !textnorm.HasDiacritics(q.Q) {
		return nil
	}
	folded := foldQuery(q.Q)
	fq := q
	fq.Q, fq.Page, fq.Size = folded, 1, 1
	p, err := parseQuery(folded)
	if err != nil {
		return nil // the folded form is no better a query
	}
	if err := x.resolveRuns(ctx, &p); err != nil {
		return err
	}
	req, err := x.build(fq, p)
	if err != nil {
		return nil
	}
	if n, err := x.count(ctx, req.Query); err != nil {
		return err
	} else if n > 0 {
		out.Suggest, out.SuggestTotal = folded, n
	}
	return nil
}

// foldQuery returns q with every syllable written without diacritics,
// operators (OR, AND, NOT, NEAR/n, title:) kept.
func foldQuery(q string) string {
	q = textnorm.Normalize(q)
	var b strings.Builder
	pos := 0
	for _, t := range textnorm.Tokens(q) {
		w := q[t.Start:t.End]
		b.WriteString(q[pos:t.Start])
		switch w {
		case "OR", "AND", "NOT", "NEAR", "title":
			b.WriteString(w)
		default:
			b.WriteString(t.Fold)
		}
		pos = t.End
	}
	b.WriteString(q[pos:])
	return b.String()
}
