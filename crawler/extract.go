package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh on minimal machines
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/textnorm"
)

// ErrNoText is returned (wrapped with errkind.Permanent) when a page has no
// article text to extract.
var ErrNoText = errors.New("no article text")

// ErrNotArticle is returned (wrapped with errkind.Permanent) for the site
// root, and for pages found in a sitemap (ordinary sitemaps list home and
// section pages) that call themselves og:type "website" and state no
// article metadata. (og:type alone is not enough: some outlets put
// "website" on their articles.)
var ErrNotArticle = errors.New("not an article page")

// hint carries what discovery learnt about a URL (feed or sitemap item).
type hint struct {
	Published time.Time
	Title     string
	Sitemap   bool // found in a sitemap
}

// extractEnv is the clock and zone extraction runs in.
type extractEnv struct {
	loc  *time.Location
	now  time.Time
	hint hint
	// fastDate skips go-htmldate's extensive scan (crawling); the evaluation
	// turns it off.
	fastDate bool
	// monthFirst: the page is US English, numeric dates are month/day.
	monthFirst bool
}

// Extract turns one fetched page into an Article (revision 0, not yet
// published): charset decoding and legacy-encoding repair, title, lead, body,
// authors, section, dates with the method that found them, language, the
// canonical URL and the content hash. Published and Modified keep the UTC
// offset the page wrote them with (a zone-less date is read in
// Asia/Ho_Chi_Minh); a page without a date gets the fetch time, marked
// PublishedFrom "fetched". Fetched is in Asia/Ho_Chi_Minh.
// src supplies the source id, kind and selector overrides.
func Extract(ctx context.Context, pageURL string, body []byte, header http.Header, src Source) (article.Article, error) {
	if err := ctx.Err(); err != nil {
		return article.Article{}, err
	}
	return extract(pageURL, body, header, src, extractEnv{loc: article.Vietnam(), now: time.Now(), fastDate: true})
}

func extract(pageURL string, body []byte, header http.Header, src Source, env extractEnv) (article.Article, error) {
	a, _, err := extractFull(pageURL, body, header, src, env)
	return a, err
}

// extractFull also returns the publication time in the zone the page wrote
// it in (the date evaluation compares calendar days in that zone). The
// stages: parse the page and its metadata; refuse pages that say (or show)
// they are not articles; pick the publication date; extract the text with
// go-trafilatura (its date when no other was found); pick the title; fill
// the remaining fields.
func extractFull(pageURL string, body []byte, header http.Header, src Source, env extractEnv) (article.Article, time.Time, error) {
	p, err := parsePage(pageURL, body, header)
	if err != nil {
		return article.Article{}, time.Time{}, err
	}
	env.monthFirst = p.monthFirst()
	if why, ok := p.declaredNotArticle(env); ok {
		return article.Article{}, time.Time{}, fmt.Errorf("extract %s: %w: %w (%s)", pageURL, errkind.Permanent, ErrNotArticle, why)
	}
	a := article.Article{
		V:              article.Version,
		URL:            pageURL,
		Source:         src.ID,
		SourceKind:     src.Kind,
		Charset:        p.charset,
		LegacyEncoding: p.legacy,
		Fetched:        env.now.In(env.loc),
	}
	// Headlines and selectors before go-trafilatura, which prunes the tree.
	heads := readHeads(p, src)
	sel := readSelected(p.doc, src)
	dates := readPageDates(p, heads, env)
	if why, ok := undeclaredNotArticle(p.base, p.doc, p.meta, heads.in, dates.any()); ok && sel.body == "" {
		return article.Article{}, time.Time{}, fmt.Errorf("extract %s: %w: %w (%s)", pageURL, errkind.Permanent, ErrNotArticle, why)
	}
	raw := pickPublished(&a, p, sel, dates, env)

	tr := runTrafilatura(p, sel, a.PublishedFrom == "", env)
	// go-htmldate's date has day precision (UTC midnight); 1 January is
	// what it reports for a bare year (a copyright line), so it is dropped.
	if d := tr.Metadata.Date; a.PublishedFrom == "" && !d.IsZero() && !(d.Month() == time.January && d.Day() == 1) {
		raw = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, env.loc)
		setDate(&a, article.DateText, raw, env.loc)
	}
	if a.PublishedFrom == "" {
		a.Published, a.PublishedFrom = a.Fetched, article.DateFetched // the day it was found
	}

	a.Title = heads.pick(sel.title)
	if a.Title == "" {
		a.Title = titleText(firstNonEmpty(tr.Metadata.Title, env.hint.Title))
	}
	fillText(&a, p.meta, sel, tr)
	return finishArticle(a, raw, p)
}

// parsedPage is one page parsed, with what its <head> and JSON-LD say.
type parsedPage struct {
	url     string
	base    *url.URL
	root    *html.Node
	doc     *goquery.Document
	meta    pageMeta
	charset string
	legacy  string // the legacy Vietnamese encoding the text was repaired from, if any
}

// parsePage decodes and parses a page; a media type that is not HTML-like
// is ErrNotArticle, an unparsable page a permanent error.
func parsePage(pageURL string, body []byte, header http.Header) (parsedPage, error) {
	if header == nil {
		header = http.Header{}
	}
	if mt, _, err := mime.ParseMediaType(header.Get("Content-Type")); err == nil && !htmlLike(mt) {
		return parsedPage{}, fmt.Errorf("extract %s: %w: %w (content type %s)", pageURL, errkind.Permanent, ErrNotArticle, mt)
	}
	text, cs := decodeBody(body, header.Get("Content-Type"))
	text, legacy := repairLegacy(text)
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return parsedPage{}, fmt.Errorf("parse %s: %w: %w", pageURL, errkind.Permanent, err)
	}
	doc := goquery.NewDocumentFromNode(root)
	base, _ := url.Parse(pageURL)
	return parsedPage{url: pageURL, base: base, root: root, doc: doc, meta: readMeta(doc, base), charset: cs, legacy: legacy}, nil
}

// monthFirst: numeric dates on the page are month/day (US English; on
// plain "en" pages, the page's own unambiguous dates decide).
func (p parsedPage) monthFirst() bool {
	mf := monthFirstLang(p.meta.lang, hostOf(p.base))
	if !englishUnmarked(p.meta.lang) {
		return mf // the votes read the whole text: only when they can count
	}
	if votes := numericOrderVotes(p.doc); votes != 0 {
		mf = votes > 0
	}
	return mf
}

// declaredNotArticle: the site root, a sitemap page that calls itself a
// website with no article metadata, or a page whose metadata declares a
// type that is not an article.
func (p parsedPage) declaredNotArticle(env extractEnv) (string, bool) {
	m := p.meta
	if isSiteRoot(p.url) || (env.hint.Sitemap && m.ogType == "website" && !m.ldArticle && m.metaPublished == "") {
		return fmt.Sprintf("og:type %q", m.ogType), true
	}
	return declaredNotArticle(m, ldTypes(p.doc))
}

// heads is every place the page states its title, read before
// go-trafilatura prunes the tree.
type heads struct {
	in       titleInput
	docTitle string
}

func readHeads(p parsedPage, src Source) heads {
	h1s, h2s, h2Titled := readHeadlines(p.doc)
	h1At, titled := readTitled(p.doc)
	docTitle := p.doc.Find("head title").First().Text()
	if docTitle == "" {
		docTitle = p.doc.Find("title").First().Text()
	}
	return heads{
		in: titleInput{h1s: h1s, h2s: h2s, h2Titled: h2Titled, h1At: h1At, titled: titled, ld: p.meta.ldHeadline, og: p.meta.ogTitle,
			doc: docTitle, siteNames: siteNamesOf(p.doc, p.meta, src), host: hostOf(p.base),
			sections: sectionKeys(p.base, p.meta.section, p.meta.ldSection)},
		docTitle: docTitle,
	}
}

// pick returns the operator's selector title if any, else the headline.
func (h heads) pick(selTitle string) string {
	if selTitle != "" {
		return clean(selTitle)
	}
	return pickTitle(h.in)
}

// selected is the text the source's selector overrides pick out (the
// operator knows the site).
type selected struct {
	title, body, date string
}

func readSelected(doc *goquery.Document, src Source) selected {
	var s selected
	if sel := src.Selectors.Title; sel != "" {
		s.title = selectText(doc, sel, " ")
	}
	if sel := src.Selectors.Body; sel != "" {
		s.body = selectText(doc, sel, "\n\n")
	}
	if sel := src.Selectors.Date; sel != "" {
		s.date = selectText(doc, sel, " ")
		if v, ok := doc.Find(sel).First().Attr("datetime"); ok {
			s.date = v + " " + s.date
		}
	}
	return s
}

// pageDates are the dates the page states in its header and metadata.
type pageDates struct {
	byline   bylineDates
	metaPub  time.Time // the first metadata publication date, in the page's offset
	metaFrom string    // its method
}

// any: the page states a date in its header or metadata.
func (d pageDates) any() bool {
	return !d.metaPub.IsZero() || !d.byline.published.IsZero() || !d.byline.updated.IsZero()
}

func readPageDates(p parsedPage, h heads, env extractEnv) pageDates {
	m := p.meta
	var d pageDates
	d.byline = readBylineDates(p.doc, h.in.siteNames, h.in.host, []string{m.ldHeadline, m.ogTitle, h.docTitle}, env)
	d.metaPub, d.metaFrom = firstMachineDate(env, [2]string{article.DateJSONLD, m.ldPublished}, [2]string{article.DateMeta, m.metaPublished}, [2]string{article.DateText, m.timeElement})
	if !d.metaPub.IsZero() {
		d.metaPub = pageOffset(d.metaPub, []string{m.timeElement, m.ldPublished, m.metaPublished}, env)
	}
	return d
}

// pickPublished sets a.Published from the first source that gives a
// date, in order: the selector, an "originally published on" line, the
// metadata when the header agrees, the
// header's date (not when the URL's date path names the metadata's day),
// JSON-LD, meta, a JSON-LD WebPage's date, the feed, <time>, a visible
// date line, the URL. A numeric date read in the order the URL's date path
// contradicts is swapped. It returns the time as the page wrote it (zero
// when none).
func pickPublished(a *article.Article, p parsedPage, sel selected, d pageDates, env extractEnv) time.Time {
	m := p.meta
	urlDay, urlOK := dateFromURL(p.url, env.loc)
	candidates := []struct {
		method string
		find   func() (time.Time, bool)
	}{
		{article.DateText, func() (time.Time, bool) { return parseAny(sel.date, env) }},
		{article.DateText, func() (time.Time, bool) { return originallyPublished(p.doc, env) }},
		{article.DateText, func() (time.Time, bool) { return pubdateElement(p.doc, env) }},
		{d.metaFrom, func() (time.Time, bool) {
			return headerAgrees(d.metaPub, d.metaFrom != article.DateText, d.byline, zoneKnownLang(m.lang))
		}},
		{article.DateText, func() (time.Time, bool) {
			if urlOK && !d.metaPub.IsZero() && sameDay(d.metaPub, urlDay) {
				return time.Time{}, false // the URL confirms the metadata's day
			}
			return headerDate(d.metaPub, d.metaFrom != article.DateText, d.byline)
		}},
		{article.DateJSONLD, func() (time.Time, bool) { return parseMachine(m.ldPublished, env) }},
		{article.DateMeta, func() (time.Time, bool) { return parseMachine(m.metaPublished, env) }},
		{article.DateJSONLD, func() (time.Time, bool) { return parseMachine(m.ldPagePublished, env) }},
		{article.DateFeed, func() (time.Time, bool) { return env.hint.Published, !env.hint.Published.IsZero() }},
		{article.DateText, func() (time.Time, bool) { return parseMachine(m.timeElement, env) }},
		{article.DateText, func() (time.Time, bool) { return parseAny(visibleDateText(p.doc), env) }},
		{article.DateURL, func() (time.Time, bool) { return dateFromURL(p.url, env.loc) }},
	}
	var raw time.Time
	for _, c := range candidates {
		t, ok := c.find()
		if ok {
			t = pageOffset(t, []string{m.timeElement, m.ldPublished, m.metaPublished}, env)
			if day, ok := urlDayOfUTC(t, p.url, env); ok {
				t, c.method = day, article.DateURL
			}
			if urlOK {
				t = urlOrder(t, urlDay)
			}
		}
		if ok && setDate(a, c.method, t, env.loc) {
			raw = a.Published
			break
		}
	}
	if t, ok := parseMachine(firstNonEmpty(m.ldModified, m.metaModified), env); ok {
		a.Modified = t
	}
	return raw
}

// runTrafilatura runs go-trafilatura on the page (not when a selector gives
// the body and a date is known); undated asks it for go-htmldate's date.
// The result is never nil.
func runTrafilatura(p parsedPage, sel selected, undated bool, env extractEnv) *trafilatura.ExtractResult {
	opts := trafilatura.Options{
		OriginalURL:     p.base,
		EnableFallback:  true, // readability and distiller too: F1 0.964 vs 0.963, at twice the cost
		ExcludeComments: true,
		HtmlDateMode:    trafilatura.Disabled,
	}
	if undated {
		opts.HtmlDateMode = trafilatura.Fast
		if !env.fastDate {
			opts.HtmlDateMode = trafilatura.Extensive
		}
	}
	var tr *trafilatura.ExtractResult
	if sel.body == "" || undated {
		tr, _ = trafilatura.ExtractDocument(p.root, opts) // an error means "nothing found"
	}
	if tr == nil {
		tr = &trafilatura.ExtractResult{}
	}
	return tr
}

// fillText sets the body (the headline repeated at its top removed), lead,
// section, authors and language.
func fillText(a *article.Article, m pageMeta, sel selected, tr *trafilatura.ExtractResult) {
	a.Body = cleanBody(firstNonEmpty(sel.body, nodeText(tr.ContentNode), tr.ContentText))
	if first, rest, ok := strings.Cut(a.Body, "\n\n"); ok && a.Title != "" && first == a.Title {
		a.Body = rest
	}
	a.Lead = clean(firstNonEmpty(m.ldDescription, m.description))
	if a.Lead == "" {
		a.Lead = firstParagraph(a.Body)
	}
	a.Section = clean(firstNonEmpty(m.section, m.ldSection, firstOf(tr.Metadata.Categories)))
	a.Authors = authors(m.ldAuthors, m.author, tr.Metadata.Author)
	a.Lang = language(m.lang, tr.Metadata.Language, a.Title+" "+a.Body)
}

// finishArticle sets the canonical URL (the page's rel=canonical when it
// is on the same site and not the root), the id and the content hash; a
// page without text is ErrNoText.
func finishArticle(a article.Article, raw time.Time, p parsedPage) (article.Article, time.Time, error) {
	canon := p.url
	if c := p.meta.canonical; c != "" && sameSite(c, p.url) && !isSiteRoot(c) {
		canon = c
	}
	a.CanonicalURL = CanonicalURL(canon)
	a.ID = article.ID(a.CanonicalURL)
	if strings.TrimSpace(a.Body) == "" || (a.Title == "" && len(a.Body) < 200) {
		return a, raw, fmt.Errorf("extract %s: %w: %w", p.url, errkind.Permanent, ErrNoText)
	}
	a.ContentHash = article.ContentHash(a)
	return a, raw, nil
}

func setDate(a *article.Article, method string, t time.Time, loc *time.Location) bool {
	if t.IsZero() || t.Year() < 1995 {
		return false
	}
	if !a.Fetched.IsZero() && t.After(a.Fetched.Add(48*time.Hour)) {
		return false // a date far in the future is an event date, not publication
	}
	a.Published, a.PublishedFrom = t, method // in the zone the page wrote
	return true
}

func parseMachine(s string, env extractEnv) (time.Time, bool) {
	if t, ok := parseMachineStrict(s, env.loc); ok {
		return t, true
	}
	return parseDateText(s, time.Time{}, env.loc, env.monthFirst)
}

func parseAny(s string, env extractEnv) (time.Time, bool) {
	if t, ok := parseMachineStrict(s, env.loc); ok {
		return t, true
	}
	return parseDateText(s, env.now, env.loc, env.monthFirst)
}

// monthFirstLang: numeric dates on US English pages are month/day; every
// other English variant, Vietnamese and Lao write day/month.
func monthFirstLang(lang, host string) bool {
	lang = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(lang), "_", "-"))
	if lang != "en" && lang != "en-us" {
		return false
	}
	for _, tld := range []string{".uk", ".au", ".nz", ".ie", ".in", ".za", ".sg", ".vn", ".la"} {
		if strings.HasSuffix(host, tld) {
			return false
		}
	}
	return true
}

// pageOffset returns t in the offset the page itself writes: metadata often
// gives the instant in UTC while a <time> element or another field gives the
// same instant in the publisher's zone.
func pageOffset(t time.Time, others []string, env extractEnv) time.Time {
	if _, off := t.Zone(); off != 0 {
		return t
	}
	for _, o := range others {
		u, ok := parseMachineDate(o, env.loc)
		if !ok {
			continue
		}
		if _, off := u.Zone(); off != 0 && u.Sub(t).Abs() < 2*time.Minute && strings.ContainsAny(o, "+-") && hasZone(o) {
			return t.In(u.Location())
		}
	}
	return t
}

// firstMachineDate returns the first of the metadata dates (method,
// value) that parses, with its method.
func firstMachineDate(env extractEnv, dates ...[2]string) (time.Time, string) {
	for _, d := range dates {
		if t, ok := parseMachine(d[1], env); ok {
			return t, d[0]
		}
	}
	return time.Time{}, ""
}

// headerAgrees returns the metadata publication time when the article's
// header shows the same day (the metadata carries the time and offset).
// zoneKnown: a zone-less header date is read in the publisher's zone (a
// Vietnamese or Lao page), and a metadata instant that falls on the
// header's day in that zone is returned in it; otherwise the header's day is in a zone nobody
// stated, and it agrees with a UTC instant of the JSON-LD or meta tags
// (metadata) that falls on that day somewhere on Earth (a US page's
// "December 9" for 02:17 UTC on the 10th). A <time> element's instant is
// not metadata: the day its own text shows is the one its publisher meant.
func headerAgrees(meta time.Time, metadata bool, b bylineDates, zoneKnown bool) (time.Time, bool) {
	if meta.IsZero() {
		return time.Time{}, false
	}
	d := b.published
	if d.IsZero() {
		d = b.updated // the only date the header shows
	}
	switch {
	case d.IsZero():
	case sameDay(d, meta):
		return meta, true
	case !metadata:
	case zoneKnown && sameDay(d, meta.In(d.Location())):
		return meta.In(d.Location()), true // the same instant, in the zone of the header's day
	case !zoneKnown && utcDayNeighbour(meta, d):
		return meta, true
	}
	return time.Time{}, false
}

// utcDayNeighbour: t is written in UTC and, in some zone from UTC−12 to
// UTC+14, falls on the calendar day d is written on (the day before t's
// UTC day when t is before noon, the day after when it is 10:00 or later).
func utcDayNeighbour(t, d time.Time) bool {
	if _, off := t.Zone(); off != 0 {
		return false
	}
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	utc := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case day.Equal(utc.AddDate(0, 0, -1)):
		return t.Hour() < 12
	case day.Equal(utc.AddDate(0, 0, 1)):
		return t.Hour() >= 10
	}
	return false
}

// zoneKnownLang: pages in Vietnamese or Lao (or that name no language)
// write their zone-less dates in Indochina Time, the zone extraction reads
// them in.
func zoneKnownLang(lang string) bool {
	lang = strings.ToLower(strings.TrimSpace(lang))
	return lang == "" || strings.HasPrefix(lang, "vi") || strings.HasPrefix(lang, "lo")
}

// headerDate returns the date the article's header shows when it differs
// from the metadata (or there is none): the publication date written
// beside the headline; an "updated" date only when the page states no
// publication date at all (the metadata's first publication wins over a
// later update line), or when the metadata's publication (JSON-LD or
// meta, not a <time> element, which may be another story's) falls on a
// later day than that update (a page is not published after its last
// update: the metadata was written when the page was saved again).
func headerDate(meta time.Time, metadata bool, b bylineDates) (time.Time, bool) {
	if !b.published.IsZero() {
		return b.published, true
	}
	if !b.updated.IsZero() && (meta.IsZero() || metadata && laterDay(meta, b.updated)) {
		return b.updated, true
	}
	return time.Time{}, false
}

// laterDay: a falls on a later calendar day than b, each as written.
func laterDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC).After(time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC))
}

// urlDayOfUTC: a metadata instant written in UTC falls, in the
// publisher's unknown zone, on the day before or after its UTC day; when
// the URL's date path names that neighbouring day, the URL's day is the
// one the page states (returned at midnight in env.loc).
func urlDayOfUTC(t time.Time, pageURL string, env extractEnv) (time.Time, bool) {
	if _, off := t.Zone(); off != 0 || !(t.Hour() < 10 || t.Hour() >= 14) {
		return time.Time{}, false
	}
	m := reURLPath.FindStringSubmatch(pageURL)
	if m == nil {
		return time.Time{}, false
	}
	d := time.Date(atoi(m[1]), time.Month(atoi(m[2])), atoi(m[3]), 0, 0, 0, 0, env.loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, env.loc)
	if d.Equal(day.AddDate(0, 0, -1)) && t.Hour() < 10 || d.Equal(day.AddDate(0, 0, 1)) && t.Hour() >= 14 {
		return d, true
	}
	return time.Time{}, false
}

// reOriginally: a line that states the first publication of a page
// updated since ("This article was originally published on 26 Sep 2019",
// "Bài viết đăng lần đầu ngày 26/10/2020").
var reOriginally = regexp.MustCompile(`(?i)(originally published|first published|đăng lần đầu|xuất bản lần đầu)`)

// originallyPhrases are reOriginally's phrases in lower case.
var originallyPhrases = []string{"originally published", "first published", "đăng lần đầu", "xuất bản lần đầu"}

// originallyEnd returns where the first match of reOriginally in text
// ends. A case-insensitive regexp over a whole page's text took a fifth of
// extraction's time; lower-casing once and searching the phrases finds the
// same match, and the regexp remains for a text whose lower case changes
// its length (then positions would differ).
func originallyEnd(text string) (int, bool) {
	low := strings.ToLower(text)
	if len(low) != len(text) {
		loc := reOriginally.FindStringIndex(text)
		if loc == nil {
			return 0, false
		}
		return loc[1], true
	}
	start, end := -1, 0
	for _, p := range originallyPhrases {
		if i := strings.Index(low, p); i >= 0 && (start < 0 || i < start) {
			start, end = i, i+len(p)
		}
	}
	return end, start >= 0
}

// originallyPublished returns the date written just after such a line.
func originallyPublished(doc *goquery.Document, env extractEnv) (time.Time, bool) {
	text := doc.Find("body").Text()
	end, found := originallyEnd(text)
	if !found {
		return time.Time{}, false
	}
	rest := []rune(text[end:])
	if len(rest) > 80 {
		rest = rest[:80]
	}
	if c := dateCands(string(rest), env.loc, env.monthFirst); len(c) > 0 && c[0].start < 40 {
		return c[0].t, true
	}
	return time.Time{}, false
}

// pubdateElement returns the date of the page's <time pubdate> (HTML's
// marker for the publication of the article it sits in), when one sits
// outside related news, comments, sidebars and footers.
func pubdateElement(doc *goquery.Document, env extractEnv) (time.Time, bool) {
	var out time.Time
	var ok bool
	doc.Find("time[pubdate]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if notArticleDate(s) {
			return true
		}
		out, ok = parseMachine(firstNonEmpty(s.AttrOr("datetime", ""), strings.TrimSpace(s.Text())), env)
		return false
	})
	return out, ok
}

// urlOrder returns t with day and month swapped when that is the day the
// URL's date path names and t is not (a numeric date read in the wrong
// order: "03/10/2023" on a page at /2023/october/03/).
func urlOrder(t, u time.Time) time.Time {
	if sameDay(t, u) || t.Day() > 12 {
		return t
	}
	s := time.Date(t.Year(), time.Month(t.Day()), int(t.Month()), t.Hour(), t.Minute(), t.Second(), 0, t.Location())
	if sameDay(s, u) {
		return s
	}
	return t
}

// sameDay: a and b fall on the same calendar day as each is written.
func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

// hasZone: the date string states its UTC offset.
func hasZone(s string) bool {
	s = strings.TrimSpace(s)
	return reZoneSuffix.MatchString(s)
}

var reZoneSuffix = regexp.MustCompile(`[+-]\d\d:?\d\d$`)

// pageMeta is what the <head> and JSON-LD say about the article.
type pageMeta struct {
	ldHeadline, ldDescription, ldPublished, ldModified, ldSection string
	ldPublisher                                                   string
	// ldPagePublished: the datePublished of a JSON-LD WebPage (Yoast's
	// graph gives it there when the page declares no article type).
	ldPagePublished                                            string
	ldAuthors                                                  []string
	ogTitle, description, metaPublished, metaModified, section string
	author, canonical, lang, timeElement, ogType               string
	ldArticle                                                  bool
}

func readMeta(doc *goquery.Document, base *url.URL) pageMeta {
	var m pageMeta
	meta := func(sel ...string) string {
		for _, s := range sel {
			if v := strings.TrimSpace(doc.Find(s).First().AttrOr("content", "")); v != "" {
				return v
			}
		}
		return ""
	}
	m.ogTitle = meta(`meta[property="og:title"]`, `meta[name="twitter:title"]`)
	m.ogType = strings.ToLower(meta(`meta[property="og:type"]`))
	m.description = meta(`meta[property="og:description"]`, `meta[name="description"]`, `meta[name="twitter:description"]`)
	m.metaPublished = meta(`meta[property="article:published_time"]`, `meta[itemprop="datePublished"]`,
		`meta[name="pubdate"]`, `meta[name="publishdate"]`, `meta[property="og:published_time"]`,
		`meta[name="dc.date.issued"]`, `meta[name="DC.date.issued"]`, `meta[name="date"]`,
		`meta[name="article:published_time"]`, `meta[name="publish-date"]`, `meta[name="parsely-pub-date"]`,
		`meta[name="sailthru.date"]`, `meta[property="rnews:datePublished"]`, `meta[name="dcterms.created"]`)
	m.metaModified = meta(`meta[property="article:modified_time"]`, `meta[itemprop="dateModified"]`, `meta[property="og:updated_time"]`)
	m.section = meta(`meta[property="article:section"]`, `meta[name="section"]`)
	m.author = meta(`meta[name="author"]`, `meta[property="article:author"]`)
	if v := doc.Find(`[itemprop="datePublished"]`).First(); v.Length() > 0 {
		m.timeElement = firstNonEmpty(v.AttrOr("datetime", ""), v.AttrOr("content", ""))
	}
	if m.timeElement == "" {
		doc.Find(`time[datetime]`).EachWithBreak(func(_ int, t *goquery.Selection) bool {
			if notArticleDate(t) {
				return true
			}
			m.timeElement = t.AttrOr("datetime", "")
			return false
		})
	}
	if href, ok := doc.Find(`link[rel="canonical"]`).First().Attr("href"); ok {
		m.canonical = resolve(base, href)
	}
	if m.canonical == "" {
		m.canonical = resolve(base, meta(`meta[property="og:url"]`))
	}
	m.lang = firstNonEmpty(doc.Find("html").First().AttrOr("lang", ""), meta(`meta[http-equiv="content-language"]`, `meta[property="og:locale"]`))
	doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
		readJSONLD(s.Text(), &m)
	})
	return m
}

func resolve(base *url.URL, href string) string {
	href = strings.TrimSpace(href)
	if href == "" {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}

var articleTypes = map[string]bool{"NewsArticle": true, "Article": true, "ReportageNewsArticle": true,
	"BlogPosting": true, "AnalysisNewsArticle": true, "OpinionNewsArticle": true, "WebPage": false,
	"LiveBlogPosting": true, "ReviewNewsArticle": true, "BackgroundNewsArticle": true, "Report": true}

func readJSONLD(raw string, m *pageMeta) {
	var v any
	if err := json.Unmarshal([]byte(strings.TrimSpace(raw)), &v); err != nil {
		return
	}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 4 {
			return
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case map[string]any:
			if g, ok := x["@graph"]; ok {
				walk(g, depth+1)
			}
			if m.ldPublisher == "" && (x["@type"] == "Organization" || x["@type"] == "NewsMediaOrganization" || x["@type"] == "WebSite") {
				m.ldPublisher = str(x["name"])
			}
			if !isArticleType(x["@type"]) {
				if isType(x["@type"], "WebPage") && m.ldPagePublished == "" {
					m.ldPagePublished = str(x["datePublished"])
				}
				return
			}
			m.ldArticle = true
			if m.ldPublished == "" {
				m.ldPublished = str(x["datePublished"])
			}
			if m.ldModified == "" {
				m.ldModified = str(x["dateModified"])
			}
			if m.ldHeadline == "" {
				m.ldHeadline = str(x["headline"])
			}
			if m.ldDescription == "" {
				m.ldDescription = str(x["description"])
			}
			if m.ldSection == "" {
				m.ldSection = str(x["articleSection"])
			}
			if len(m.ldAuthors) == 0 {
				m.ldAuthors = names(x["author"])
			}
			if p, ok := x["publisher"].(map[string]any); ok && m.ldPublisher == "" {
				m.ldPublisher = str(p["name"])
			}
		}
	}
	walk(v, 0)
}

// isType: the JSON-LD @type t is or includes name.
func isType(t any, name string) bool {
	switch x := t.(type) {
	case string:
		return x == name
	case []any:
		for _, e := range x {
			if e == name {
				return true
			}
		}
	}
	return false
}

func isArticleType(t any) bool {
	switch x := t.(type) {
	case string:
		return articleTypes[x]
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && articleTypes[s] {
				return true
			}
		}
	}
	return false
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		if len(x) > 0 {
			return str(x[0])
		}
	case map[string]any:
		return str(x["name"])
	}
	return ""
}

func names(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			out = append(out, names(e)...)
		}
	default:
		if s := str(x); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// dateClassRe finds elements whose class or id suggests a date line.
var dateClassRe = regexp.MustCompile(`(?i)date|time|publish|ngay|posted|meta`)

// visibleDateText returns the text of the first small element that looks
// like a date line (class or id with date/time/publish…, or <time>) after the
// first <h1> (the article header), else before it (site headers often show
// today's date).
func visibleDateText(doc *goquery.Document) string {
	var before, after, updated string
	seenH1 := doc.Find("body h1").Length() == 0
	doc.Find("body *").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		name := goquery.NodeName(s)
		if name == "h1" {
			seenH1 = true
			return true
		}
		cls := s.AttrOr("class", "") + " " + s.AttrOr("id", "")
		if !dateClassRe.MatchString(cls) && name != "time" {
			return true
		}
		t := strings.TrimSpace(s.Text())
		if t == "" || len(t) > 120 || !(reDMY.MatchString(t) || reLongDate.MatchString(t) || reVNDayMonth.MatchString(t) || reVNMonthDay.MatchString(t) || reISO.MatchString(t) || reRelative.MatchString(t) || reMonthName.MatchString(t)) {
			return true
		}
		if notArticleDate(s) {
			return true // a related-news box, a comment, a sidebar
		}
		if reUpdateLine.MatchString(t) && !rePublishCue.MatchString(t) {
			if updated == "" {
				updated = t // an "updated" line: only if nothing else states a date
			}
			return true
		}
		if seenH1 {
			after = t
			return false
		}
		if before == "" {
			before = t
		}
		return true
	})
	return firstNonEmpty(after, before, updated)
}

// reUpdateLine: a date line that gives the last update.
var reUpdateLine = regexp.MustCompile(`(?i)^[^\p{L}]*(ngày\s+|lần\s+)?(cập nhật|sửa đổi|chỉnh sửa|updated|last updated|modified|last modified|reviewed)`)

// rePublishCue: a date line that names the publication.
var rePublishCue = regexp.MustCompile(`(?i)(đăng|xuất bản|ngày đăng|published|posted|publish)`)

// otherContentRe marks containers whose dates are not the article's:
// related and other news, comments, sidebars, footers.
var otherContentRe = regexp.MustCompile(`(?i)related|lien-?quan|tin-?khac|other-?news|more-?news|box-?tin|tin-?cung|tinlienquan|comment|binh-?luan|sidebar|footer|widget|recommend|popular|xem-?them|read-?more`)

// otherContent: a class or id value marks related news, comments, a
// sidebar or a footer. Elementor wraps every block of a page, the
// article's own title and date included, in "elementor-widget…" classes:
// those are not sidebar widgets.
// Class tokens that describe a layout with a sidebar ("has-sidebar",
// "c-layout-sidebar-left", "content-right-sidebar") wrap the article too.
func otherContent(v string) bool {
	var kept []string
	for _, c := range strings.Fields(strings.ToLower(v)) {
		if strings.Contains(c, "sidebar") && (strings.Contains(c, "layout") || strings.HasPrefix(c, "has-") || strings.HasPrefix(c, "with-") || strings.HasPrefix(c, "no-") || strings.HasPrefix(c, "content-")) {
			continue
		}
		kept = append(kept, strings.ReplaceAll(c, "elementor-widget", ""))
	}
	return otherContentRe.MatchString(strings.Join(kept, " "))
}

// notArticleDate: s sits inside related news, comments, a sidebar or a footer.
func notArticleDate(s *goquery.Selection) bool {
	for n := s.Nodes[0].Parent; n != nil; n = n.Parent {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "aside", "footer", "nav":
			return true
		}
		for _, a := range n.Attr {
			if (a.Key == "class" || a.Key == "id") && otherContent(a.Val) {
				return true
			}
		}
	}
	return false
}

func compileSelector(s string) (cascadia.SelectorGroup, error) { return cascadia.ParseGroup(s) }

// selectText returns the text of the elements s selects, block by block.
func selectText(doc *goquery.Document, s, sep string) string {
	var parts []string
	doc.Find(s).Each(func(_ int, sel *goquery.Selection) {
		sel.Find("script, style, noscript").Remove()
		if blocks := sel.Find("p, h2, h3, h4, li, blockquote"); blocks.Length() > 0 && sep == "\n\n" {
			blocks.Each(func(_ int, b *goquery.Selection) {
				if t := strings.TrimSpace(b.Text()); t != "" {
					parts = append(parts, t)
				}
			})
			return
		}
		if t := strings.TrimSpace(sel.Text()); t != "" {
			parts = append(parts, t)
		}
	})
	return strings.Join(parts, sep)
}

var spaceRe = regexp.MustCompile(`[ \t\r\f\v]+`)

// clean normalises one line of text.
func clean(s string) string {
	s = textnorm.Normalize(repairC1(s))
	return strings.TrimSpace(spaceRe.ReplaceAllString(strings.ReplaceAll(s, "\n", " "), " "))
}

// cleanBody normalises text and keeps one blank line between paragraphs.
func cleanBody(s string) string {
	s = textnorm.Normalize(repairC1(s))
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(spaceRe.ReplaceAllString(l, " ")); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n\n")
}

// reC1Mojibake: a UTF-8 sequence read as Latin-1, recognisable by the C1
// control characters (U+0080–U+009F) it leaves, which no text uses
// ("Investorâ\u0080\u0099s" for "Investor’s").
var reC1Mojibake = regexp.MustCompile("[\u00c2-\u00df][\u0080-\u00bf]|[\u00e0-\u00ef][\u0080-\u00bf]{2}|[\u00f0-\u00f4][\u0080-\u00bf]{3}")

// repairC1 turns each such sequence back into the character it encodes.
func repairC1(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 && r <= 0x9f }) {
		return s
	}
	return reC1Mojibake.ReplaceAllStringFunc(s, func(m string) string {
		var b []byte
		for _, r := range m {
			b = append(b, byte(r))
		}
		if r, n := utf8.DecodeRune(b); r != utf8.RuneError && n == len(b) && strings.ContainsFunc(m, func(r rune) bool { return r >= 0x80 && r <= 0x9f }) {
			return string(r)
		}
		return m
	})
}

func firstParagraph(body string) string {
	p, _, _ := strings.Cut(body, "\n")
	if len(p) > 400 {
		cut := strings.LastIndexByte(p[:400], ' ')
		if cut < 0 {
			cut = 400
		}
		p = strings.ToValidUTF8(p[:cut], "") + "…"
	}
	return p
}

func authors(ld []string, meta, traf string) []string {
	var raw []string
	switch {
	case len(ld) > 0:
		raw = ld
	case meta != "" && !strings.HasPrefix(meta, "http"):
		raw = strings.Split(meta, ",")
	case traf != "":
		raw = strings.Split(traf, ";")
	}
	var out []string
	seen := map[string]bool{}
	for _, r := range raw {
		if r = clean(r); r != "" && len(r) < 100 && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// language picks the page's language: the html lang attribute, then
// trafilatura's guess, then the script of the text.
func language(attr, traf, text string) string {
	for _, l := range []string{attr, traf} {
		l = strings.ToLower(strings.TrimSpace(l))
		if l != "" {
			l, _, _ = strings.Cut(strings.ReplaceAll(l, "_", "-"), "-")
			if len(l) >= 2 && len(l) <= 3 {
				return l
			}
		}
	}
	lao, viet := 0, vietRunes(text)
	for _, r := range text {
		if r >= 0x0E80 && r <= 0x0EFF {
			lao++
		}
	}
	switch {
	case lao > 20:
		return "lo"
	case viet > 5:
		return "vi"
	}
	return "en"
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

func firstOf(ss []string) string {
	if len(ss) > 0 {
		return ss[0]
	}
	return ""
}

// blockTags end a paragraph in nodeText.
var blockTags = map[string]bool{"p": true, "div": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "li": true, "blockquote": true, "pre": true, "tr": true, "table": true,
	"ul": true, "ol": true, "section": true, "article": true, "figure": true, "figcaption": true,
	"br": true, "hr": true, "dd": true, "dt": true, "head": true, "quote": true, "list": true, "item": true,
	"lb": true, "row": true, "cell": false}

// nodeText renders extracted content as text, one paragraph per line.
func nodeText(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "noscript", "template":
				return
			}
		}
		block := n.Type == html.ElementNode && blockTags[n.Data]
		if block {
			b.WriteByte('\n')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			b.WriteByte('\n')
		} else if n.Type == html.ElementNode && (n.Data == "td" || n.Data == "th" || n.Data == "cell") {
			b.WriteByte(' ')
		}
	}
	walk(n)
	return b.String()
}

// isSiteRoot: some CMS templates point rel=canonical at the home page, which
// would fold every article into one id. A root with only tracking
// parameters (utm_…, srsltid…) is the root too.
func isSiteRoot(u string) bool {
	pu, err := url.Parse(u)
	if err != nil {
		return true
	}
	if strings.Trim(pu.Path, "/") != "" {
		return false
	}
	for k := range pu.Query() {
		if !isTrackingParam(k) {
			return false
		}
	}
	return true
}

// htmlLike: media types extraction can read (servers label HTML oddly).
func htmlLike(mt string) bool {
	switch mt {
	case "text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml", "application/octet-stream", "":
		return true
	}
	return false
}
