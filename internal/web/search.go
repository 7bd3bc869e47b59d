package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/diembao/diembao/indexer"
)

// errBadParam is a query-string error; its message is shown to the user.
type errBadParam struct{ msg string }

func (e errBadParam) Error() string { return e.msg }

// parseQuery reads the search parameters of DESIGN.md with the parser
// the search command shares (indexer.ParseParams), after the date presets
// (range=…); a bad parameter is an errBadParam.
func (s *Server) parseQuery(v url.Values) (indexer.Query, error) {
	q, err := indexer.ParseParams(s.expandRange(v), s.cfg.Location)
	if err != nil {
		return q, errBadParam{err.Error()}
	}
	return q, nil
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	if s.deps.Searcher == nil {
		s.unavailable(w, r, "search")
		return
	}
	q, err := s.parseQuery(r.URL.Query())
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	res, err := s.search(r.Context(), r, q)
	if err != nil {
		if isBadQuery(err) {
			apiError(w, http.StatusBadRequest, err.Error())
			return
		}
		s.fail(w, r, "search", err)
		return
	}
	writeJSON(w, http.StatusOK, cleanResult(res))
}

// cleanResult makes hits and facets non-null and re-sanitises snippets, so
// that only <mark> survives whatever the index returned.
func cleanResult(res indexer.Result) indexer.Result {
	if res.Hits == nil {
		res.Hits = []indexer.Hit{}
	}
	if res.Facets == nil {
		res.Facets = map[string][]indexer.FacetCount{}
	}
	for _, k := range []string{"source", "topic"} {
		if res.Facets[k] == nil {
			res.Facets[k] = []indexer.FacetCount{}
		}
	}
	for i := range res.Hits {
		res.Hits[i].Snippet = sanitizeSnippet(res.Hits[i].Snippet)
		if res.Hits[i].Topics == nil {
			res.Hits[i].Topics = []string{}
		}
	}
	return res
}

type hitView struct {
	indexer.Hit
	SnippetHTML template.HTML
	SafeURL     string
}

type facetView struct {
	Term   string
	Label  string
	Count  int
	Active bool
	Href   string
}

type searchData struct {
	ExportQuery             template.URL // the search's query string, for "Xuất Excel / CSV"
	Q, From, To, Sort, Area string
	Sources, Topics         []string
	Searched                bool
	Error                   string
	Total                   uint64
	TookMS                  int64
	Hits                    []hitView
	SourceFacets            []facetView
	TopicFacets             []facetView
	AllTopics               []facetView
	Page, Pages             int
	PrevHref, NextHref      string
	Extra                   *searchExtra // presets, volume chart, save form (savedsearch.go)
	// Notices say what the search made of the query; Suggest offers the
	// query without diacritics when this one found nothing.
	Notices      []string
	Suggest      string
	SuggestHref  string
	SuggestTotal uint64
}

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	d := searchData{
		Q: v.Get("q"), From: v.Get("from"), To: v.Get("to"), Sort: v.Get("sort"), Area: v.Get("area"),
		Sources: indexer.ParseList(v["source"]), Topics: indexer.ParseList(v["topic"]),
		ExportQuery: template.URL(exportQuery(v)),
	}
	d.AllTopics = s.topicChoices(r, func(t string) bool { return slices.Contains(d.Topics, t) })
	code := http.StatusOK
	searched := false
	for _, k := range []string{"q", "from", "to", "source", "topic", "area", "range"} {
		if v.Get(k) != "" {
			searched = true
		}
	}
	switch {
	case !searched:
	case s.deps.Searcher == nil:
		d.Error = "Chức năng tìm kiếm chưa được bật."
		code = http.StatusServiceUnavailable
	default:
		q, err := s.parseQuery(v)
		if err != nil {
			d.Error = "Tham số không hợp lệ: " + err.Error()
			code = http.StatusBadRequest
			break
		}
		res, err := s.search(r.Context(), r, q)
		if err != nil {
			if isBadQuery(err) {
				d.Error = upperFirst(err.Error()) // indexer.QueryError speaks Vietnamese
				code = http.StatusBadRequest
				break
			}
			s.fail(w, r, "search", err)
			return
		}
		res = cleanResult(res)
		d.Searched = true
		d.Total, d.TookMS = res.Total, res.TookMS
		d.Notices = res.Notices
		if res.Suggest != "" {
			d.Suggest, d.SuggestTotal = res.Suggest, res.SuggestTotal
			d.SuggestHref = withParam(withParamValues(v, "page", nil), "q", res.Suggest)
		}
		for _, h := range res.Hits {
			d.Hits = append(d.Hits, hitView{Hit: h, SnippetHTML: template.HTML(h.Snippet), SafeURL: safeHref(h.URL)})
		}
		d.SourceFacets = facetLinks(v, "source", res.Facets["source"], d.Sources, s.sourceName)
		d.TopicFacets = facetLinks(v, "topic", res.Facets["topic"], d.Topics, func(t string) string { return s.topicLabel(r.Context(), t) })
		d.Extra = s.searchExtras(r, &q)
		d.Page = q.Page
		d.Pages = int((res.Total + uint64(q.Size) - 1) / uint64(q.Size))
		if d.Pages > 1000 {
			d.Pages = 1000
		}
		if q.Page > 1 {
			d.PrevHref = withParam(v, "page", strconv.Itoa(q.Page-1))
		}
		if q.Page < d.Pages {
			d.NextHref = withParam(v, "page", strconv.Itoa(q.Page+1))
		}
	}
	if d.Extra == nil {
		d.Extra = s.searchExtras(r, nil)
	}
	s.render(w, r, code, "search", d)
}

// facetLinks makes each bucket a link that toggles its filter; label names
// a bucket (nil: its term).
func facetLinks(v url.Values, key string, buckets []indexer.FacetCount, active []string, label func(string) string) []facetView {
	var out []facetView
	for _, b := range buckets {
		on := slices.Contains(active, b.Term)
		next := slices.DeleteFunc(slices.Clone(active), func(x string) bool { return x == b.Term })
		if !on {
			next = append(next, b.Term)
		}
		name := b.Term
		if label != nil {
			name = label(b.Term)
		}
		out = append(out, facetView{Term: b.Term, Label: name, Count: b.Count, Active: on,
			Href: withParam(withParamValues(v, key, next), "page", "")})
	}
	return out
}

func withParamValues(v url.Values, key string, vals []string) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = slices.Clone(vs)
	}
	c.Del(key)
	if len(vals) > 0 {
		c[key] = vals
	}
	return c
}

// withParam returns "/?" + v with key set to val (removed when val is "").
func withParam(v url.Values, key, val string) string {
	c := withParamValues(v, key, nil)
	if val != "" {
		c.Set(key, val)
	}
	return "/?" + c.Encode()
}

// safeHref returns u if it is an absolute http(s) URL, else "".
func safeHref(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}
