package crawler

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// bylineDates is what the article header shows the reader: the dates
// written within a short run of text after the headline (the byline,
// "Đăng lúc …", "Thứ hai, 26/10/2020, 22:21 (GMT+7)"), or just before it
// when nothing follows. Dates in related-news boxes, comments, sidebars,
// footers and navigation are not read; a date further from the headline
// is not the article's.
type bylineDates struct {
	published time.Time // the first date not marked as an update
	updated   time.Time // the first date marked "Cập nhật", "Updated"…
}

// bylineAfter and bylineBefore bound the text (in runes) read after the
// end of the headline and before its start.
const (
	bylineAfter  = 400
	bylineBefore = 120
	// bylineLongest: a longer run of text is a paragraph of the body.
	bylineLongest = 200
	// bylineSentence: a run of text this long or longer under the
	// headline is a standfirst (a sapo), read past but not for dates
	// (its dates are events).
	bylineSentence = 120
)

// readBylineDates finds the headline <h1> (the one a metadata title
// names, else the first outside page chrome that is not the site's name;
// portals put the site's name or logo in an h1 above the article; without
// one, the <h2> a metadata title names) and reads the dates around it.
func readBylineDates(doc *goquery.Document, siteNames []string, host string, metaTitles []string, env extractEnv) bylineDates {
	var h1, named *html.Node
	doc.Find("body h1").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		t := clean(visibleText(s.Nodes[0]))
		if hiddenOrChrome(s) || !plausibleHeadline(t, siteNames, host) {
			return true
		}
		if h1 == nil {
			h1 = s.Nodes[0]
		}
		k := compareKey(t)
		for _, mt := range metaTitles {
			if mk := compareKey(titleText(mt)); len([]rune(k)) >= 12 && strings.Contains(mk, k) {
				named = s.Nodes[0]
				return false
			}
		}
		return true
	})
	if named != nil {
		h1 = named
	}
	if h1 == nil {
		h1 = namedH2(doc, siteNames, host, metaTitles)
	}
	var b bylineDates
	if h1 != nil {
		b = datesAround(doc, h1, env)
	}
	if named == nil && b.published.IsZero() && b.updated.IsZero() {
		// No heading the metadata names, and no date around the one
		// taken: the headline may be set in another element (a
		// <legend>, a <div class="title">) that the title names.
		if h := namedElement(doc, siteNames, host, metaTitles); h != nil && h != h1 {
			b = datesAround(doc, h, env)
		}
	}
	return b
}

// datesAround reads the dates written around the headline h1 (see
// readBylineDates).
func datesAround(doc *goquery.Document, h1 *html.Node, env extractEnv) bylineDates {
	w := pieceWalker{h1: h1, env: env, pos: -1}
	w.walk(doc.Nodes[0])
	aw, bw := w.windows()
	// Visible dates after the headline, then visible dates before it
	// (bylines set above the headline), then <time datetime> values.
	for _, w := range []struct {
		s               string
		markers, before bool
	}{{aw, false, false}, {bw, false, true}, {aw, true, false}, {bw, true, true}} {
		var b bylineDates
		b.published, b.updated = windowDates(w.s, w.markers, w.before, env)
		if !b.published.IsZero() || !b.updated.IsZero() {
			return b
		}
	}
	return bylineDates{}
}

// piece is one text of the page, marked before / inside / after the
// headline. An empty text marks a teaser of another story (the header
// ends there); "Updated" an element the page marks as its last update;
// "⟨…⟩" the machine form of a <time datetime>.
type piece struct {
	text string
	pos  int // -1 before the headline, 0 inside, 1 after
}

// pieceWalker collects the page's text nodes in order as pieces.
type pieceWalker struct {
	h1     *html.Node
	env    extractEnv
	pos    int
	pieces []piece
}

func (w *pieceWalker) add(text string) { w.pieces = append(w.pieces, piece{text, w.pos}) }

func (w *pieceWalker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		if t := strings.TrimSpace(n.Data); t != "" {
			w.add(t)
		}
		return
	case html.ElementNode:
		if !w.element(n) {
			return
		}
	}
	if n == w.h1 {
		w.pos = 0
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
	if n == w.h1 {
		w.pos = 1
	}
}

// element adds what element n itself says and reports whether its
// children are read: not in chrome, captions, quotes, other stories,
// hidden elements, nor inside a <time> whose machine form was taken.
func (w *pieceWalker) element(n *html.Node) bool {
	switch n.Data {
	case "script", "style", "noscript", "template", "svg", "nav", "aside", "footer", "select", "button",
		"figure", "figcaption", "caption", "blockquote":
		return false // photo captions and quotes carry other dates
	}
	if n != w.h1 && (otherContainer(n) || strings.Contains(strings.ToLower(attr(n, "class")), "caption") && !dateMarked(n)) {
		return false
	}
	if n.Data == "article" && !holds(n, w.h1) && linkedHeadline(n) {
		// A teaser: another story's linked headline and date. After the
		// headline, the article's header has ended.
		w.add("")
		return false
	}
	if n.Data == "li" && teaser(n) {
		return false // a list of other stories ("Tin mới", "Đọc nhiều")
	}
	if hiddenNode(n) && !holds(n, w.h1) {
		return false // not shown to the reader
	}
	if updateMarked(n) {
		// The page marks the element as its last update (class="updated",
		// itemprop="dateModified").
		w.add("Updated")
	}
	// <time datetime> carries the machine form, read when its text is not
	// a date ("2 giờ trước", an icon).
	if v := strings.TrimSpace(attr(n, "datetime")); n.Data == "time" && v != "" && len(dateCands(spacedText(n), w.env.loc, w.env.monthFirst)) == 0 {
		w.add("⟨" + v + "⟩")
		return false
	}
	return true
}

// windows returns the texts read after the headline and before it, joined
// by " ¦ ": up to bylineBefore characters back to a teaser, and up to
// bylineAfter characters on until a teaser or the body's first long
// paragraph (a sentence of bylineSentence characters or more, a sapo,
// stands as "…").
func (w *pieceWalker) windows() (after, before string) {
	var bs, as []string
	n := 0
	for i := len(w.pieces) - 1; i >= 0 && n < bylineBefore; i-- {
		if p := w.pieces[i]; p.pos == -1 {
			if p.text == "" {
				break // a teaser of another story
			}
			bs = append([]string{p.text}, bs...)
			n += len([]rune(p.text))
		}
	}
	n = 0
	for _, p := range w.pieces {
		if p.pos != 1 || n >= bylineAfter {
			continue
		}
		runes := len([]rune(p.text))
		if p.text == "" || runes > bylineLongest {
			break // another story, or the body has begun: its dates are events
		}
		if runes >= bylineSentence {
			n += runes
			as = append(as, "…")
			continue
		}
		as = append(as, p.text)
		if !strings.HasPrefix(p.text, "⟨") {
			n += runes
		}
	}
	return strings.Join(as, " ¦ "), strings.Join(bs, " ¦ ")
}

// namedElement returns the first element outside page chrome, other than
// a link, whose whole text a metadata title names (12 characters or
// more), or nil. Elements holding block children are passed over.
func namedElement(doc *goquery.Document, siteNames []string, host string, metaTitles []string) *html.Node {
	var keys []string
	for _, mt := range metaTitles {
		if mk := compareKey(titleText(mt)); mk != "" {
			keys = append(keys, mk)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	var out *html.Node
	doc.Find("body h3, body h4, body legend, body div, body p, body span, body strong, body b, body td").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if s.Children().Filter("div, p, ul, ol, table, section, article, h1, h2, h3, h4, form").Length() > 0 || s.Find("a").Length() > 0 {
			return true
		}
		t := clean(visibleText(s.Nodes[0]))
		if n := len([]rune(t)); n < 12 || n > 300 || !plausibleHeadline(t, siteNames, host) || hiddenOrChrome(s) {
			return true
		}
		k := compareKey(t)
		for _, mk := range keys {
			if len([]rune(k)) >= 12 && strings.Contains(mk, k) {
				out = s.Nodes[0]
				return false
			}
		}
		return true
	})
	return out
}

// namedH2 returns the first <h2> outside page chrome that a metadata
// title names (portal templates set the headline in an h2), or nil.
func namedH2(doc *goquery.Document, siteNames []string, host string, metaTitles []string) *html.Node {
	var out *html.Node
	doc.Find("body h2").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		t := clean(visibleText(s.Nodes[0]))
		if hiddenOrChrome(s) || !plausibleHeadline(t, siteNames, host) {
			return true
		}
		k := compareKey(t)
		for _, mt := range metaTitles {
			if mk := compareKey(titleText(mt)); len([]rune(k)) >= 12 && strings.Contains(mk, k) {
				out = s.Nodes[0]
				return false
			}
		}
		return true
	})
	return out
}

// windowDates returns the first publication date and the first update
// date written in s.
// With markers false, <time datetime> values are left out; with markers
// true only they are read.
// Before the headline, the date nearest to it counts first (a site
// header's "today" comes earlier).
func windowDates(s string, markers, before bool, env extractEnv) (pub, upd time.Time) {
	cands := dateCands(s, env.loc, env.monthFirst)
	if before {
		slices.Reverse(cands)
	}
	for _, c := range cands {
		if isMarker(s, c.start) != markers {
			continue
		}
		if !pub.IsZero() && !upd.IsZero() {
			break
		}
		if c.update {
			if upd.IsZero() {
				upd = c.t
			}
		} else if pub.IsZero() {
			pub = c.t
		}
	}
	return pub, upd
}

// otherContainer: an element whose class or id marks related news,
// comments, a sidebar or a footer. The classes of <html> and <body>
// describe the page's layout ("has-sidebar", "right-sidebar"), not a box.
func otherContainer(n *html.Node) bool {
	if n.Data == "html" || n.Data == "body" {
		return false
	}
	for _, a := range n.Attr {
		if (a.Key == "class" || a.Key == "id") && otherContent(a.Val) {
			return true
		}
	}
	return false
}

// dateMarked: the page marks the element as one of its own dates (a
// <time>, itemprop="datePublished"…), whatever its class says
// ("caption-with-letter-spacing" is a style, not a photo caption).
func dateMarked(n *html.Node) bool {
	switch strings.ToLower(attr(n, "itemprop")) {
	case "datepublished", "datecreated", "datemodified":
		return true
	}
	return n.Data == "time"
}

// hiddenNode: the element is not shown (hidden attribute, display:none,
// a class that hides it from sight).
func hiddenNode(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "style":
			v := strings.ReplaceAll(strings.ToLower(a.Val), " ", "")
			if strings.Contains(v, "display:none") || strings.Contains(v, "visibility:hidden") {
				return true
			}
		case "class":
			for _, c := range strings.Fields(strings.ToLower(a.Val)) {
				switch c {
				case "hidden", "d-none", "sr-only", "visually-hidden", "screen-reader-text", "rich-snippet-hidden":
					return true
				}
			}
		}
	}
	return false
}

// linkedHeadline: the first <h1>, <h2> or <h3> in n is a link (a
// story's teaser).
func linkedHeadline(n *html.Node) bool {
	h := firstHeading(n)
	if h == nil {
		return false
	}
	t := strings.TrimSpace(visibleText(h))
	return t != "" && linkText(h) == t
}

// firstHeading returns the first <h1>, <h2> or <h3> under n, or nil.
func firstHeading(n *html.Node) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if c.Data == "h1" || c.Data == "h2" || c.Data == "h3" {
			return c
		}
		if h := firstHeading(c); h != nil {
			return h
		}
	}
	return nil
}

// linkText is the trimmed text of the first <a href> in n.
func linkText(n *html.Node) string {
	if n.Type == html.ElementNode && n.Data == "a" && attr(n, "href") != "" {
		return strings.TrimSpace(visibleText(n))
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if t := linkText(c); t != "" {
			return t
		}
	}
	return ""
}

// holds: n is h or one of its ancestors.
func holds(n, h *html.Node) bool {
	for ; h != nil; h = h.Parent {
		if h == n {
			return true
		}
	}
	return false
}

// updateMarked: the element's class or itemprop names it the page's
// modification date ("updated", "date-modified", "ngay-cap-nhat",
// itemprop="dateModified"), and not also its publication.
func updateMarked(n *html.Node) bool {
	if strings.EqualFold(attr(n, "itemprop"), "dateModified") {
		return true
	}
	c := strings.ToLower(attr(n, "class"))
	return reUpdateClass.MatchString(c) && !strings.Contains(c, "publish")
}

// reUpdateClass finds a class token that names a modification date.
var reUpdateClass = regexp.MustCompile(`(^|\s)([\w-]*[_-])?(updated|modified|last-?updated?|date-?updated?|time-?updated?|cap-?nhat|ngay-?cap-?nhat)(\s|$)`)

// teaser: the list item n links to a story (a link with a headline's
// worth of text, five words or more).
func teaser(n *html.Node) bool {
	var found bool
	var walk func(*html.Node)
	walk = func(c *html.Node) {
		if found {
			return
		}
		if c.Type == html.ElementNode && c.Data == "a" && len(strings.Fields(visibleText(c))) >= 5 {
			found = true
			return
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	return found
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// isMarker: the date at byte i of s is a <time datetime> value (⟨…⟩).
func isMarker(s string, i int) bool {
	return strings.HasSuffix(s[:i], "⟨")
}

// spacedText is the text of n with a space between its text nodes
// ("20228:23" would otherwise hide a date).
func spacedText(n *html.Node) string {
	var parts []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			parts = append(parts, n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(parts, " ")
}
