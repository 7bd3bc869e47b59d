package web

import (
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/article"
)

var idRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

type revisionInfo struct {
	Revision    int       `json:"revision"`
	ContentHash string    `json:"content_hash"`
	Fetched     time.Time `json:"fetched"`
	Modified    time.Time `json:"modified,omitzero"`
	Removed     bool      `json:"removed,omitempty"`
	Snapshot    bool      `json:"snapshot"`
}

type articleJSON struct {
	Article   article.Article `json:"article"`
	Revisions []revisionInfo  `json:"revisions"`
	Matches   []article.Match `json:"matches"`
	Topics    []string        `json:"topics"`
	Area      bool            `json:"area"`
}

// loadArticle gets the view and fills in matches from Rules when the store
// has none.
func (s *Server) loadArticle(r *http.Request) (ArticleView, bool, error) {
	id := r.PathValue("id")
	if !idRE.MatchString(id) {
		return ArticleView{}, false, ErrNotFound
	}
	v, err := s.deps.Articles.Get(r.Context(), id)
	if err != nil {
		return v, false, err
	}
	if len(v.Revisions) == 0 {
		return v, false, ErrNotFound
	}
	if v.Matches == nil && s.deps.Rules != nil {
		cur := v.Revisions[len(v.Revisions)-1]
		for _, f := range []struct{ field, text string }{{"title", cur.Title}, {"body", cur.Body}} {
			res, err := s.deps.Rules.Try(r.Context(), f.text)
			if err != nil {
				s.log.Warn("rules try on article", "article_id", id, "err", err)
				break
			}
			for _, m := range res.Matches {
				for i := range m.Terms {
					m.Terms[i].Field = f.field
				}
				v.Matches = append(v.Matches, m)
				if !slices.Contains(v.Topics, m.Topic) {
					v.Topics = append(v.Topics, m.Topic)
				}
			}
			v.Area = v.Area || res.Area
		}
	}
	return s.visibleArticle(r, v), true, nil
}

func (s *Server) apiArticle(w http.ResponseWriter, r *http.Request) {
	if s.deps.Articles == nil {
		s.unavailable(w, r, "articles")
		return
	}
	v, _, err := s.loadArticle(r)
	if err != nil {
		s.fail(w, r, "get article", err)
		return
	}
	out := articleJSON{Article: v.Revisions[len(v.Revisions)-1], Matches: v.Matches, Topics: v.Topics, Area: v.Area}
	for _, a := range v.Revisions {
		out.Revisions = append(out.Revisions, revisionInfo{Revision: a.Revision, ContentHash: a.ContentHash,
			Fetched: a.Fetched, Modified: a.Modified, Removed: a.Removed, Snapshot: a.Snapshot != ""})
	}
	if out.Matches == nil {
		out.Matches = []article.Match{}
	}
	if out.Topics == nil {
		out.Topics = []string{}
	}
	writeJSON(w, http.StatusOK, out)
}

type matchView struct {
	article.Match
	TermTexts []string
}

type diffLine struct {
	Op   string // "=", "+", "-"
	Text string
}

type articleData struct {
	A          article.Article
	URL        string
	TitleHTML  template.HTML
	LeadHTML   template.HTML
	BodyHTML   template.HTML
	Topics     []string
	Area       bool
	Matches    []matchView
	Revisions  []article.Article
	DiffFrom   int
	DiffTo     int
	Diff       []diffLine
	DiffSame   bool
	SavedRev   int
	HasSaved   bool
	ShowSaved  bool
	SnapshotOn bool
}

func (s *Server) articlePage(w http.ResponseWriter, r *http.Request) {
	if s.deps.Articles == nil {
		s.unavailable(w, r, "articles")
		return
	}
	v, _, err := s.loadArticle(r)
	if err != nil {
		s.fail(w, r, "get article", err)
		return
	}
	cur := v.Revisions[len(v.Revisions)-1]
	var terms []article.Term
	var mv []matchView
	for _, m := range v.Matches {
		terms = append(terms, m.Terms...)
		var texts []string
		for _, t := range m.Terms {
			if !slices.Contains(texts, t.Text) {
				texts = append(texts, t.Text)
			}
		}
		mv = append(mv, matchView{Match: m, TermTexts: texts})
	}
	d := articleData{
		A: cur, URL: safeHref(cur.URL),
		TitleHTML: highlight(cur.Title, terms, "title"),
		LeadHTML:  highlight(cur.Lead, terms, "lead"),
		BodyHTML:  highlight(cur.Body, terms, "body"),
		Topics:    v.Topics, Area: v.Area, Matches: mv, Revisions: v.Revisions,
		SnapshotOn: s.deps.Snapshots != nil,
	}
	// Saved copy: the newest revision that has one (the page may since be removed).
	for i := len(v.Revisions) - 1; i >= 0; i-- {
		if v.Revisions[i].Snapshot != "" {
			d.SavedRev, d.HasSaved = v.Revisions[i].Revision, true
			break
		}
	}
	d.ShowSaved = r.URL.Query().Get("saved") == "1" && d.HasSaved && d.SnapshotOn
	// Diff: ?diff=N compares revision N with the one before it; default the newest.
	if len(v.Revisions) > 1 {
		to := len(v.Revisions) - 1
		if n, err := strconv.Atoi(r.URL.Query().Get("diff")); err == nil {
			for i := 1; i < len(v.Revisions); i++ {
				if v.Revisions[i].Revision == n {
					to = i
				}
			}
		}
		a, b := v.Revisions[to-1], v.Revisions[to]
		d.DiffFrom, d.DiffTo = a.Revision, b.Revision
		d.Diff = diffText(revisionText(a), revisionText(b))
		d.DiffSame = true
		for _, l := range d.Diff {
			if l.Op != "=" {
				d.DiffSame = false
			}
		}
	}
	s.render(w, r, http.StatusOK, "article", d)
}

func revisionText(a article.Article) string {
	t := a.Title + "\n" + a.Lead + "\n" + a.Body
	if a.Removed {
		t += "\n[Trang đã bị gỡ]"
	}
	return t
}

// diffText compares two texts paragraph by paragraph (longest common
// subsequence); very long texts fall back to "all removed, all added".
func diffText(a, b string) []diffLine {
	split := func(s string) []string {
		var out []string
		for p := range strings.SplitSeq(s, "\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	x, y := split(a), split(b)
	var out []diffLine
	if len(x)*len(y) > 4_000_000 {
		for _, l := range x {
			out = append(out, diffLine{"-", l})
		}
		for _, l := range y {
			out = append(out, diffLine{"+", l})
		}
		return out
	}
	n, m := len(x), len(y)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case x[i] == y[j]:
			out = append(out, diffLine{"=", x[i]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, diffLine{"-", x[i]})
			i++
		default:
			out = append(out, diffLine{"+", y[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, diffLine{"-", x[i]})
	}
	for ; j < m; j++ {
		out = append(out, diffLine{"+", y[j]})
	}
	return out
}

// savedCopy serves the sanitised saved page of a revision (?rev=N, default
// the newest with a snapshot), for a sandboxed iframe of the article page.
func (s *Server) savedCopy(w http.ResponseWriter, r *http.Request) {
	if s.deps.Articles == nil || s.deps.Snapshots == nil {
		s.unavailable(w, r, "snapshots")
		return
	}
	v, _, err := s.loadArticle(r)
	if err != nil {
		s.fail(w, r, "get article", err)
		return
	}
	want, _ := strconv.Atoi(r.URL.Query().Get("rev"))
	key := ""
	for i := len(v.Revisions) - 1; i >= 0; i-- {
		a := v.Revisions[i]
		if a.Snapshot != "" && (want == 0 || a.Revision == want) {
			key = a.Snapshot
			break
		}
	}
	if key == "" {
		s.notFound(w, r)
		return
	}
	raw, err := s.deps.Snapshots.Get(r.Context(), key)
	if err != nil {
		s.fail(w, r, "get snapshot", err)
		return
	}
	writeSandboxed(w, sanitizeSavedCopy(raw, ""))
}

// writeSandboxed serves an untrusted HTML document under the sandbox CSP.
func writeSandboxed(w http.ResponseWriter, doc []byte) {
	h := w.Header()
	h.Set("Content-Security-Policy", sandboxPolicy)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(doc)
}
