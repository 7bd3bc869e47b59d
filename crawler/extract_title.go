package crawler

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	xhtml "golang.org/x/net/html"

	"github.com/diembao/diembao/internal/textnorm"
)

// titleInput is what the page says its title is, in every place it says it.
type titleInput struct {
	h1s      []string // visible headlines (h1, then h2 when no h1 fits) in document order
	h2s      []string
	h2Titled []string // h2 elements whose class or id says "title" (portals without h1)
	// h1At: the document place of each of h1s; titled: other headings
	// (h2–h4, or elements whose class says title or headline), with theirs.
	h1At      []int
	titled    []placed
	ld, og    string // JSON-LD headline, og:title / twitter:title
	doc       string // <title>
	siteNames []string
	host      string
	// sections: the page's section as its metadata and URL path name it
	// (folded keys: "thoisu" for "Thời sự" and /thoi-su/).
	sections []string
}

// pickTitle returns the article's headline as the publisher shows it: the
// visible <h1> when a metadata title (JSON-LD headline, og:title, <title>)
// agrees with it, else the metadata title with a trailing or leading site
// name removed, else the first plausible <h1>. An SEO <title> that differs
// from the visible headline loses to it.
func pickTitle(in titleInput) string {
	c := newTitleChoice(in)
	if t, ok := c.agreeingH1(); ok {
		return t
	}
	if t, ok := c.headingAboveH1s(); ok {
		return t
	}
	return c.fallback()
}

// titleChoice is a page's title input with its metadata titles and h1s
// cleaned of site names and sections.
type titleChoice struct {
	in    titleInput
	metas []string // JSON-LD headline, og:title, <title>: site name and section cut
	h1s   []string // in.h1s, a site name the h1 itself carries cut
}

func newTitleChoice(in titleInput) titleChoice {
	c := titleChoice{in: in, metas: make([]string, 0, 3), h1s: make([]string, len(in.h1s))}
	for _, m := range []string{in.ld, in.og, in.doc} {
		if m = titleText(m); m != "" {
			c.metas = append(c.metas, stripSection(stripSiteName(m, in.siteNames, in.host), in.sections))
		}
	}
	for i, h := range in.h1s {
		c.h1s[i] = stripSiteName(h, in.siteNames, in.host) // "Headline – Site" in the h1 itself
	}
	return c
}

// agreeing returns the metadata title that agrees with the headline h, if
// any: the same words, or (loose) the headline plus a site or section
// name, or a shortened headline (then ok with an empty title).
func (c titleChoice) agreeing(h string, loose bool) (string, bool) {
	hk := compareKey(h)
	if len(hk) < 2 || isSiteName(h, c.in.siteNames, c.in.host) {
		return "", false
	}
	for _, m := range c.metas {
		if compareKey(m) == hk {
			return m, true
		}
	}
	if !loose {
		return "", false
	}
	for _, m := range []string{c.in.ld, c.in.og, c.in.doc} {
		mk := compareKey(titleText(m))
		if len([]rune(hk)) >= 12 && (strings.HasPrefix(mk, hk) || strings.HasSuffix(mk, hk)) {
			return "", true
		}
	}
	return "", false
}

// agreeingH1 returns the first h1 a metadata title agrees with, in the
// metadata's spelling when the h1 adds a date, host or section to it, is
// typed in capitals (or all lower case), or the page broke its characters.
func (c titleChoice) agreeingH1() (string, bool) {
	for _, h := range c.h1s {
		if m, ok := headlineWithExtras(h, c.metas, c.in); ok {
			return m, true
		}
		if m, ok := caseSpelling(h, c.metas); ok {
			return m, true
		}
		if m, ok := brokenSpelling(h, c.metas); ok {
			return m, true
		}
		if _, ok := c.agreeing(h, true); ok {
			return h, true
		}
	}
	return "", false
}

// headline reports whether h1 h can be the headline: plausible, and not
// one that shares almost no word with every metadata title (a section
// label or a call to action set as h1).
func (c titleChoice) headline(h string) bool {
	return plausibleHeadline(h, c.in.siteNames, c.in.host) && !unrelated(h, c.metas)
}

// headingAboveH1s returns another heading a metadata title agrees with,
// set above every h1 that can be the headline: those h1s are the body's
// section headings ("So many models!" below a blog post's h3.post-title).
func (c titleChoice) headingAboveH1s() (string, bool) {
	firstH1 := -1
	for i, h := range c.h1s {
		if i < len(c.in.h1At) && c.headline(h) {
			firstH1 = c.in.h1At[i]
			break
		}
	}
	for _, t := range c.in.titled {
		if firstH1 >= 0 && t.at > firstH1 {
			break
		}
		if _, ok := c.agreeing(t.text, false); ok {
			return t.text, true
		}
	}
	return "", false
}

// fallback is the title when no heading agrees with the metadata: the
// first h1 that can be the headline (what the reader sees), an h2 the
// metadata confirms, a portal's titled h2, then the metadata title.
func (c titleChoice) fallback() string {
	for _, h := range c.h1s {
		if c.headline(h) {
			return h
		}
	}
	for _, h := range c.in.h2s {
		if _, ok := c.agreeing(h, false); ok {
			return h
		}
	}
	if c.in.ld == "" && c.in.og == "" && len(c.in.h2Titled) > 0 {
		return c.in.h2Titled[0] // a portal template: the headline is an h2, <title> names the site
	}
	if len(c.metas) > 0 {
		return c.metas[0]
	}
	return ""
}

// caseSpelling returns the metadata's spelling of a headline typed all in
// capitals or all in lower case, which says nothing of its case: a
// metadata title, or its part before a separator ("History of coffee |
// Origin, Spread…"), that is the same characters in mixed case.
func caseSpelling(h string, metas []string) (string, bool) {
	upper, lower := h == strings.ToUpper(h), h == strings.ToLower(h)
	if upper == lower { // mixed case, or no letters at all
		return "", false
	}
	if len(strings.Fields(h)) < 2 {
		return "", false
	}
	for _, m := range metas {
		for _, cand := range []string{m, beforeSeparator(m)} {
			if cand == "" || cand == strings.ToUpper(cand) || cand == strings.ToLower(cand) {
				continue
			}
			if cand != h && strings.EqualFold(cand, h) {
				return cand, true
			}
		}
	}
	return "", false
}

// beforeSeparator is the part of a title before its first spaced
// separator, or "" when it has none.
func beforeSeparator(t string) string {
	first := len(t)
	for _, sep := range siteSeparators {
		if i := strings.Index(t, sep); i > 0 && i < first {
			first = i
		}
	}
	if first == len(t) {
		return ""
	}
	return strings.TrimSpace(t[:first])
}

// brokenSpelling returns the metadata title that spells a headline whose
// characters the page broke on the way through a legacy charset: '?' or
// U+FFFD where the metadata has a letter, a quote or a colon ("Th??ng
// Xu?n" for "Thường Xuân", "Beginner? Guide" for "Beginner's Guide"),
// every other character the same.
func brokenSpelling(h string, metas []string) (string, bool) {
	if !strings.ContainsRune(h, '\uFFFD') && !strings.Contains(strings.TrimRight(h, "?"), "?") {
		return "", false // no character lost: no '?' but a final one, no U+FFFD
	}
	var pat strings.Builder
	pat.WriteString("^")
	for _, r := range h {
		if r == '?' || r == '\uFFFD' {
			pat.WriteString(`(\S\S?)`) // one character, or two ("?" for "'s")
			continue
		}
		pat.WriteString(regexp.QuoteMeta(string(r)))
	}
	pat.WriteString("$")
	re, err := regexp.Compile(pat.String())
	if err != nil {
		return "", false
	}
	for _, m := range metas {
		sub := re.FindStringSubmatch(m)
		if m == h || sub == nil {
			continue
		}
		// At least one '?' stands for a letter or a quote: a '?' for a
		// colon alone may be the headline's own question mark.
		for _, g := range sub[1:] {
			if strings.IndexFunc(g, func(r rune) bool { return unicode.IsLetter(r) || strings.ContainsRune(`'"’‘“”`, r) }) >= 0 {
				return m, true
			}
		}
	}
	return "", false
}

// headlineWithExtras returns the metadata title m when the headline h is
// m with a date, the site's or another host's name, a page-kind word or
// a comment count before or after it ("Dec 18 2025 Preparing a
// transition", "Blog: Best agencies…", "Grads Find… (latimes.com) 87").
func headlineWithExtras(h string, metas []string, in titleInput) (string, bool) {
	words := strings.Fields(h)
	for _, m := range metas {
		mk := compareKey(m)
		if len([]rune(mk)) < 12 || mk == compareKey(h) {
			continue
		}
		for i := 0; i < len(words); i++ {
			for j := len(words); j > i; j-- {
				if (i == 0 && j == len(words)) || compareKey(strings.Join(words[i:j], " ")) != mk {
					continue
				}
				extra := strings.Join(words[:i], " ") + " " + strings.Join(words[j:], " ")
				if noiseExtra(extra, in) {
					return m, true
				}
			}
		}
	}
	return "", false
}

// reDomain is a host name written in a headline ("(latimes.com)").
var reDomain = regexp.MustCompile(`(?i)\(?\b[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}\b\)?`)

// noiseExtra: s (the words a headline has beyond its metadata title) is
// only a date, a host name with a count, the site's name or a page-kind
// word.
func noiseExtra(s string, in titleInput) bool {
	removed := false
	for _, re := range []*regexp.Regexp{reMonthName, reDMY, reISO, reDomain} {
		if re.MatchString(s) {
			s, removed = re.ReplaceAllString(s, " "), true
		}
	}
	rest := strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if removed {
		rest = strings.TrimFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) })
	}
	if rest == "" {
		return removed
	}
	return isSiteName(rest, in.siteNames, in.host) || genericHeadings[foldKey(rest)]
}

// unrelated: h shares under a quarter of its words with every metadata
// title (there is at least one).
func unrelated(h string, metas []string) bool {
	hw := titleWords(h)
	if len(metas) == 0 || len(hw) == 0 {
		return false
	}
	for _, m := range metas {
		mw := titleWords(m)
		n := 0
		for w := range hw {
			if mw[w] {
				n++
			}
		}
		if n*4 >= len(hw) {
			return false
		}
	}
	return true
}

// titleWords is the set of lower-case words of s.
func titleWords(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(textnorm.Normalize(s)), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out[w] = true
	}
	return out
}

// genericHeadings are <h1> texts that name a page kind, not an article.
var genericHeadings = map[string]bool{"blog": true, "ourblog": true, "news": true, "latestnews": true,
	"tintuc": true, "tinmoi": true, "tintucsukien": true, "trangchu": true, "home": true, "menu": true,
	"search": true, "timkiem": true, "articles": true, "article": true, "baiviet": true}

// plausibleHeadline: an h1 that is not the site's name, not a page-kind
// word, not a breadcrumb trail ("Computer Science > AI") nor a line that
// introduces what follows (ending in ":"), and long enough to say
// something.
func plausibleHeadline(h string, siteNames []string, host string) bool {
	h = strings.TrimSpace(h)
	return len([]rune(h)) >= 8 && strings.Contains(h, " ") && !strings.HasSuffix(h, ":") &&
		!strings.Contains(h, " > ") && !strings.Contains(h, " › ") &&
		!isSiteName(h, siteNames, host) && !genericHeadings[foldKey(h)]
}

// entityRe finds an HTML entity left in a decoded string.
var entityRe = regexp.MustCompile(`&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});`)

// titleText normalises a metadata title: entities the page double-encoded
// (or that JSON-LD carries as text) decoded once, NFC, whitespace folded.
// Typographic quotes and dashes stay.
func titleText(s string) string {
	if entityRe.MatchString(s) {
		s = html.UnescapeString(s)
	}
	return clean(s)
}

// siteSeparators split "Headline | Site" (spaced separators only, so that
// hyphenated words stay whole).
var siteSeparators = []string{" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", " / ", " || ", " : ", " ~ "}

// reHostWord is a word that is a host name ("davidbau.com", "VnExpress.net").
var reHostWord = regexp.MustCompile(`(?i)^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$`)

// stripSiteName removes a trailing (or leading) part of a title that is the
// site's name: og:site_name, the source's name, or the host name.
func stripSiteName(t string, siteNames []string, host string) string {
	for range 2 { // "Headline - Section | Site": the site only, at most twice
		cut := -1
		sepLen := 0
		for _, sep := range siteSeparators {
			if i := strings.LastIndex(t, sep); i > cut {
				cut, sepLen = i, len(sep)
			}
		}
		if cut > 0 && isSiteName(t[cut+sepLen:], siteNames, host) {
			t = strings.TrimSpace(t[:cut])
			continue
		}
		first := len(t)
		for _, sep := range siteSeparators {
			if i := strings.Index(t, sep); i >= 0 && i < first {
				first, sepLen = i, len(sep)
			}
		}
		if first < len(t) && isSiteName(t[:first], siteNames, host) && len(t)-first-sepLen > 10 {
			t = strings.TrimSpace(t[first+sepLen:])
			continue
		}
		break
	}
	// "davidbau.com Vibe Coding": the host name written before or after
	// the headline with only a space.
	if f := strings.Fields(t); len(f) >= 3 {
		if reHostWord.MatchString(f[0]) && isSiteName(f[0], siteNames, host) {
			t = strings.Join(f[1:], " ")
		} else if reHostWord.MatchString(f[len(f)-1]) && isSiteName(f[len(f)-1], siteNames, host) {
			t = strings.Join(f[:len(f)-1], " ")
		}
	}
	return t
}

// rePortalName: the names Vietnamese official portals and e-papers give
// themselves ("Cổng thông tin điện tử huyện Thường Xuân", "Cổng TTĐT tỉnh
// Thanh Hóa", "Trang thông tin điện tử xã Bát Mọt", "Báo điện tử Đảng
// Cộng sản Việt Nam").
var rePortalName = regexp.MustCompile(`(?i)^(cổng (thông tin|ttđt|ttdt|tt)|trang (thông tin|ttđt|ttdt|tt)|báo điện tử|tạp chí điện tử)\b`)

// stripSection removes a trailing part of a metadata title that is the
// page's section ("Headline - Thời sự" at /thoi-su/…, "… | District" at
// /district/…). Not applied to the visible headline.
func stripSection(t string, sections []string) string {
	cut, sepLen := -1, 0
	for _, sep := range siteSeparators {
		if i := strings.LastIndex(t, sep); i > cut {
			cut, sepLen = i, len(sep)
		}
	}
	if cut <= 0 {
		return t
	}
	k := foldKey(t[cut+sepLen:])
	for _, sec := range sections {
		if k != "" && k == sec {
			return strings.TrimSpace(t[:cut])
		}
	}
	return t
}

// sectionKeys returns the folded keys of the page's section names: the
// metadata's section and the URL path's segments before the last.
func sectionKeys(u *url.URL, names ...string) []string {
	var out []string
	for _, n := range names {
		if k := foldKey(n); k != "" {
			out = append(out, k)
		}
	}
	if u != nil {
		segs := strings.Split(strings.Trim(u.Path, "/"), "/")
		for _, sg := range segs[:max(0, len(segs)-1)] {
			if k := strings.ReplaceAll(strings.ToLower(sg), "-", ""); len(k) >= 3 {
				out = append(out, k)
			}
		}
	}
	return out
}

// isSiteName reports whether s names the site: a Vietnamese portal's name, it equals a declared site
// name, or its letters spell the host's registered name ("Báo Thanh Hóa" on
// baothanhhoa.vn, "Harvard Health" on health.harvard.edu).
func isSiteName(s string, siteNames []string, host string) bool {
	k := compareKey(s)
	if k == "" || len(k) > 60 {
		return false
	}
	if rePortalName.MatchString(strings.TrimSpace(s)) && len([]rune(s)) <= 70 {
		return true
	}
	for _, n := range siteNames {
		nk := compareKey(n)
		if nk != "" && (k == nk || len(nk) >= 4 && strings.Contains(k, nk) && len(k) <= len(nk)+12) {
			return true
		}
		// The declared name's first words ("Thrive Internet Marketing"
		// for "… Agency", "Tạp chí Biên phòng" for "… Online"): at least
		// two words and three fifths of its letters.
		if kr, nr := len([]rune(k)), len([]rune(nk)); strings.HasPrefix(nk, k) && len(strings.Fields(s)) >= 2 && 5*kr >= 3*nr &&
			strings.HasPrefix(compareKey(firstWords(n, len(strings.Fields(s)))), k) {
			return true
		}
	}
	fk := foldKey(s)
	for _, label := range hostLabels(host) {
		if len(label) < 4 {
			continue
		}
		if fk == label || strings.Contains(label, fk) && len(fk) >= 5 {
			return true
		}
	}
	return spelledByHost(s, host)
}

// siteWords are the words a site adds to its host's name ("Báo … điện
// tử", "Tuổi Trẻ Online", "The … Times"), folded.
var siteWords = map[string]bool{"bao": true, "dien": true, "tu": true, "online": true, "tap": true, "chi": true,
	"news": true, "the": true, "daily": true, "times": true, "post": true, "magazine": true, "media": true,
	"blog": true, "official": true, "site": true, "website": true, "com": true, "net": true, "org": true, "vn": true}

// spelledByHost: s is made of the host's labels ("Harvard Health" on
// health.harvard.edu, "Dân trí" on dantri.com.vn), with at least one of
// them, and words sites add to their names. A headline that starts with
// the place a host is named after ("Thường Xuân ra quân…" on
// thuongxuan.thanhhoa.gov.vn) is not the site's name.
func spelledByHost(s, host string) bool {
	words := strings.FieldsFunc(textnorm.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var labels []string
	for _, l := range hostLabels(host) {
		if len(l) >= 4 {
			labels = append(labels, l)
		}
	}
	named := false
	for i := 0; i < len(words); {
		j := i
		for _, l := range labels {
			joined := ""
			for k := i; k < len(words) && len(joined) < len(l); k++ {
				if joined += words[k]; joined == l {
					j = k + 1
					break
				}
			}
			if j > i {
				break
			}
		}
		switch {
		case j > i:
			named, i = true, j
		case siteWords[words[i]]:
			i++
		default:
			return false
		}
	}
	return named
}

// firstWords is the first n words of s.
func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

// hostLabels returns the distinctive labels of a host name ("www" and the
// public suffix left out), and the labels joined ("baothanhhoa").
func hostLabels(host string) []string {
	host = strings.ToLower(strings.TrimPrefix(host, "www."))
	parts := strings.Split(host, ".")
	var out []string
	for i, p := range parts {
		if i == len(parts)-1 || len(p) <= 3 && i >= len(parts)-2 || p == "www" || p == "m" || p == "amp" {
			continue
		}
		out = append(out, strings.ReplaceAll(p, "-", ""))
		if strings.Contains(p, "-") { // "rust-lang": "rust" and "lang" too
			out = append(out, strings.Split(p, "-")...)
		}
	}
	return out
}

// compareKey is the form titles are compared in: lower case, letters and
// digits only (quotes, dashes, spaces and punctuation ignored).
func compareKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(textnorm.Normalize(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldKey is compareKey without diacritics (đ → d).
func foldKey(s string) string {
	return strings.ReplaceAll(textnorm.Fold(s), " ", "")
}

// readHeadlines returns the text of the page's <h1> elements (and <h2>
// elements) that can be an article headline, in document order.
func readHeadlines(doc *goquery.Document) (h1s, h2s, h2Titled []string) {
	collect := func(sel string, limit int) []string {
		var out []string
		doc.Find(sel).EachWithBreak(func(_ int, s *goquery.Selection) bool {
			if hiddenOrChrome(s) {
				return true
			}
			t := titleText(visibleText(s.Nodes[0]))
			if t != "" && len(t) <= 400 {
				out = append(out, t)
			}
			return len(out) < limit
		})
		return out
	}
	return collect("body h1", 6), collect("body h2", 10),
		collect(`body h2[class*="title"], body h2[class*="tieude"], body h2[class*="tieu-de"], body h2[class*="headline"], body h2[id*="title"]`, 2)
}

// placed is a headline's text and its element's place in document order.
type placed struct {
	text string
	at   int
}

// reTitleClass: a class or id that names a title or headline ("title",
// "post-title", "tieu-de"; not "subtitle").
var reTitleClass = regexp.MustCompile(`(?i)(^|[^a-z])(title|headline|tieude|tieu-de)`)

// readTitled returns the document places of the h1 elements that
// readHeadlines lists, and the other headings (h2–h4, or elements whose
// class or id names a title or headline) with theirs, in document order.
func readTitled(doc *goquery.Document) (h1At []int, titled []placed) {
	i := 0
	doc.Find("body *").Each(func(_ int, s *goquery.Selection) {
		i++
		n := s.Nodes[0]
		heading := false
		switch n.Data {
		case "h1":
			if len(h1At) < 6 && !hiddenOrChrome(s) {
				if t := titleText(visibleText(n)); t != "" && len(t) <= 400 {
					h1At = append(h1At, i)
				}
			}
			return
		case "h2", "h3", "h4":
			heading = true
		case "a", "li", "body", "main", "article", "section", "script", "style", "meta", "link", "img", "input", "button", "form":
			return
		}
		if !heading && !reTitleClass.MatchString(s.AttrOr("class", "")+" "+s.AttrOr("id", "")) {
			return
		}
		if len(titled) >= 40 || hiddenOrChrome(s) {
			return
		}
		if t := titleText(visibleText(n)); len([]rune(t)) >= 8 && len(t) <= 400 {
			titled = append(titled, placed{t, i})
		}
	})
	return h1At, titled
}

// hiddenOrChrome: headlines inside navigation, footers, asides, or hidden.
func hiddenOrChrome(s *goquery.Selection) bool {
	for n := s.Nodes[0]; n != nil; n = n.Parent {
		if n.Type != xhtml.ElementNode {
			continue
		}
		switch n.Data {
		case "nav", "footer", "aside":
			return true
		}
		for _, a := range n.Attr {
			switch a.Key {
			case "hidden":
				return true
			case "style":
				v := strings.ReplaceAll(strings.ToLower(a.Val), " ", "")
				if strings.Contains(v, "display:none") || strings.Contains(v, "visibility:hidden") ||
					strings.Contains(v, "clip:rect(0,0,0,0)") || strings.Contains(v, "clip:rect(0000)") || strings.Contains(v, "clip:rect(1px,1px,1px,1px)") {
					return true // visually hidden: for screen readers only
				}
			case "class":
				v := strings.ToLower(a.Val)
				if strings.Contains(v, "sr-only") || strings.Contains(v, "visually-hidden") || strings.Contains(v, "screen-reader") {
					return true
				}
			}
		}
	}
	return false
}

// visibleText is the text of n without scripts and styles, <br> as a space.
// Where an element ends or begins between a lower-case letter and a
// capital ("Alternatives<span class="block">Top …"), the two are lines of
// their own: a space between them.
func visibleText(n *xhtml.Node) string {
	var b strings.Builder
	var last rune    // the last rune written
	boundary := true // an element began or ended since the last text
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		switch n.Type {
		case xhtml.TextNode:
			if n.Data == "" {
				return
			}
			first, _ := utf8.DecodeRuneInString(n.Data)
			if boundary && unicode.IsLower(last) && unicode.IsUpper(first) {
				b.WriteByte(' ')
			}
			b.WriteString(n.Data)
			last, _ = utf8.DecodeLastRuneInString(n.Data)
			boundary = false
			return
		case xhtml.ElementNode:
			switch n.Data {
			case "script", "style", "noscript", "template", "svg":
				return
			case "br":
				b.WriteByte(' ')
				last = ' '
			}
		}
		boundary = true
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		boundary = true
	}
	walk(n)
	return b.String()
}

// siteNamesOf lists the names the page gives its site, then the
// source's name.
func siteNamesOf(doc *goquery.Document, m pageMeta, src Source) []string {
	out := pageSiteNames(doc, m)
	docTitle := doc.Find("head title").First().Text()
	for _, t := range []string{m.ogTitle, m.ldHeadline} {
		if n := titleAffix(titleText(docTitle), titleText(t)); n != "" {
			out = append(out, n)
		}
	}
	if n := strings.TrimSpace(src.Name); n != "" {
		out = append(out, n)
	}
	return out
}

// titleAffix returns what the <title> adds before or after the metadata
// title t ("Engora Data Blog" in "Engora Data Blog: Small adventures…"
// when og:title is "Small adventures…"): the site's name, written once
// more. "" when the <title> is not t with a short name beside it.
func titleAffix(doc, t string) string {
	if len([]rune(compareKey(t))) < 12 || len(doc) <= len(t) {
		return ""
	}
	var rest string
	switch {
	case strings.HasPrefix(doc, t):
		rest = doc[len(t):]
	case strings.HasSuffix(doc, t):
		rest = doc[:len(doc)-len(t)]
	default:
		return ""
	}
	rest = strings.TrimFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if rest == "" || len([]rune(rest)) > 60 || len(strings.Fields(rest)) > 8 {
		return ""
	}
	return rest
}

// pageSiteNames lists the names the page itself gives its site.
func pageSiteNames(doc *goquery.Document, m pageMeta) []string {
	var out []string
	for _, s := range []string{
		doc.Find(`meta[property="og:site_name"]`).First().AttrOr("content", ""),
		doc.Find(`meta[name="application-name"]`).First().AttrOr("content", ""),
		doc.Find(`meta[name="apple-mobile-web-app-title"]`).First().AttrOr("content", ""),
		m.ldPublisher,
	} {
		if s = strings.TrimSpace(html.UnescapeString(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func hostOf(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Hostname()
}
