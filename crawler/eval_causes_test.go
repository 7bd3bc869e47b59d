package crawler

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/diembao/diembao/internal/article"
)

// missLog groups the evaluation's misses by cause, so that the largest
// groups are fixed first (DIEMBAO_EVAL_VERBOSE=causes).
type missLog struct {
	groups map[string][]string
}

func (l *missLog) add(cause, line string) {
	if l.groups == nil {
		l.groups = map[string][]string{}
	}
	l.groups[cause] = append(l.groups[cause], line)
}

// print writes the groups, largest first, with up to max lines each.
func (l *missLog) print(t *testing.T, max int) {
	keys := make([]string, 0, len(l.groups))
	for k := range l.groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(l.groups[keys[i]]) != len(l.groups[keys[j]]) {
			return len(l.groups[keys[i]]) > len(l.groups[keys[j]])
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		t.Logf("%-55s %d", k, len(l.groups[k]))
		for i, line := range l.groups[k] {
			if i == max {
				t.Logf("    …")
				break
			}
			t.Logf("    %s", line)
		}
	}
}

// typoFold maps typographic punctuation to ASCII, for telling apart misses
// that differ only in quotes, dashes and ellipses.
var typoFold = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`, "–", "-", "—", "-", "…", "...", "？", "?", "\u00a0", " ")

// titleCause names why the title we picked (got) is not the ground truth.
func titleCause(doc *goquery.Document, pageURL, got, want string) string {
	g, w := titleForm(got), titleForm(want)
	base, _ := url.Parse(pageURL)
	m := readMeta(doc, base)
	h1s, _, _ := readHeadlines(doc)
	docTitle := titleText(doc.Find("head title").First().Text())
	is := func(s string) bool { return titleForm(titleText(s)) == w }
	anyH1 := false
	for _, h := range h1s {
		anyH1 = anyH1 || is(h)
	}
	switch {
	case g == "":
		return "title: none found"
	case strings.Contains(g, "&") && entityRe.MatchString(g) || strings.ContainsAny(g, "\u0080\u0099\ufffd") || strings.Contains(g, "â€"):
		return "title: entity or mojibake left"
	case titleForm(typoFold.Replace(g)) == titleForm(typoFold.Replace(w)):
		if is(m.ogTitle) || is(m.ldHeadline) || is(docTitle) || anyH1 {
			return "title: quotes/dashes (truth's spelling is on the page)"
		}
		return "title: quotes/dashes (truth's spelling not on the page)"
	case strings.EqualFold(g, w):
		return "title: case differs"
	case strings.HasPrefix(g, w) || strings.HasSuffix(g, w):
		return "title: suffix or prefix kept (site, section, subtitle)"
	case strings.HasPrefix(w, g) || strings.HasSuffix(w, g):
		return "title: truth keeps a suffix we cut"
	case anyH1:
		return "title: truth is an h1, we took another"
	case is(m.ogTitle) || is(m.ldHeadline) || is(docTitle):
		return "title: truth is the SEO/meta title, we took the h1"
	}
	for _, s := range []string{m.ogTitle, m.ldHeadline, docTitle} {
		if k := compareKey(s); k != "" && strings.Contains(k, compareKey(w)) {
			return "title: truth is the SEO/meta title less a suffix"
		}
	}
	return "title: truth is on no headline or title"
}

// dateCause names why the day we picked is not the ground truth.
func dateCause(doc *goquery.Document, pageURL string, a article.Article, got, want string) string {
	base, _ := url.Parse(pageURL)
	m := readMeta(doc, base)
	env := extractEnv{loc: article.Vietnam(), now: testNow}
	day := func(s string) string {
		if t, ok := parseMachine(s, env); ok {
			return t.Format("2006-01-02")
		}
		return ""
	}
	pub, mod := day(firstNonEmpty(m.ldPublished, m.metaPublished)), day(firstNonEmpty(m.ldModified, m.metaModified))
	wt, _ := time.Parse("2006-01-02", want)
	gt, err := time.Parse("2006-01-02", got)
	switch {
	case got == "":
		if mod == want {
			return "date: none found; truth is the modified date"
		}
		return "date: none found"
	case err == nil && (gt.Sub(wt) == 24*time.Hour || wt.Sub(gt) == 24*time.Hour) && a.PublishedFrom != article.DateText:
		return "date: one day off (time zone)"
	case err == nil && gt.Year() == wt.Year() && int(gt.Month()) == wt.Day() && gt.Day() == int(wt.Month()):
		return "date: month/day swapped"
	case mod == want && pub == got:
		return "date: truth is the modified date, we took datePublished"
	case mod == got:
		return "date: we took the modified date"
	case pub == want:
		return "date: truth is datePublished, we took " + a.PublishedFrom
	case got[5:] == "01-01":
		return "date: 1 January (a bare year, copyright?)"
	}
	// Where on the page does the truth's day appear as text?
	where := ""
	doc.Find("body *").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if s.Children().Length() > 3 {
			return true
		}
		txt := strings.TrimSpace(s.Text())
		if len(txt) > 200 || txt == "" {
			return true
		}
		if t, ok := parseDateText(txt, time.Time{}, env.loc, monthFirstLang(m.lang, hostOf(base))); ok && t.Format("2006-01-02") == want {
			where = goquery.NodeName(s) + "." + s.AttrOr("class", "")
			if notArticleDate(s) {
				where += " (in related/sidebar)"
			}
			return false
		}
		return true
	})
	if where != "" {
		return fmt.Sprintf("date: truth shown as text, we took %s", a.PublishedFrom)
	}
	return "date: truth's day not found on the page (" + a.PublishedFrom + ")"
}

// pageSignals summarises what a page says about its type, for listing
// the non-articles we publish.
func pageSignals(doc *goquery.Document, pageURL string) string {
	base, _ := url.Parse(pageURL)
	m := readMeta(doc, base)
	all, linked, articles := listingStats(doc)
	return fmt.Sprintf("og:type=%q ldArticle=%v pub=%q words=%d linked=%d articles=%d own-paragraphs=%d shop=%v",
		m.ogType, m.ldArticle, firstNonEmpty(m.ldPublished, m.metaPublished),
		all, linked, articles, ownParagraphs(doc), shopPage(doc))
}

// showPage prints what the extractor reads on one WCXB page (metadata,
// headlines, header dates and the result) beside the ground truth;
// TestEvalWCXB calls it for the file ids named in DIEMBAO_EVAL_SHOW.
func showPage(t *testing.T, p wcxbPage, body []byte) {
	t.Helper()
	env := extractEnv{loc: article.Vietnam(), now: testNow}
	pp, err := parsePage(p.URL, body, http.Header{})
	if err != nil {
		t.Logf("%s: %v", p.FileID, err)
		return
	}
	env.monthFirst = pp.monthFirst()
	h := readHeads(pp, Source{ID: "eval"})
	d := readPageDates(pp, h, env)
	a, err := extract(p.URL, body, http.Header{}, Source{ID: "eval"}, env)
	m := pp.meta
	t.Logf("%s %s (%s)\n  truth title %q day %s\n  got   title %q day %s via %s err %v\n  h1s %q\n  h2Titled %q\n  ld %q\n  og %q\n  doc %q\n  sites %q\n  ldPub %q ldMod %q metaPub %q metaMod %q time %q types %q lang %q\n  byline pub %v upd %v metaPub %v",
		p.FileID, p.URL, p.Internal.PageType.Primary, p.Truth.Title, p.Truth.PublishDate, a.Title, a.Published.Format(time.RFC3339), a.PublishedFrom, err,
		h.in.h1s, h.in.h2Titled, m.ldHeadline, m.ogTitle, h.docTitle, h.in.siteNames,
		m.ldPublished, m.ldModified, m.metaPublished, m.metaModified, m.timeElement, ldTypes(pp.doc), m.lang, d.byline.published, d.byline.updated, d.metaPub)
}
