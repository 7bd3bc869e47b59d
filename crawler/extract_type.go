package crawler

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// ldTypes returns every JSON-LD @type on the page.
func ldTypes(doc *goquery.Document) []string {
	var out []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 5 {
			return
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case map[string]any:
			switch t := x["@type"].(type) {
			case string:
				out = append(out, t)
			case []any:
				for _, e := range t {
					if s, ok := e.(string); ok {
						out = append(out, s)
					}
				}
			}
			for k, e := range x {
				if k != "@context" {
					walk(e, depth+1)
				}
			}
		}
	}
	doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
		var v any
		if json.Unmarshal([]byte(strings.TrimSpace(s.Text())), &v) == nil {
			walk(v, 0)
		}
	})
	return out
}

// nonArticleTypes are JSON-LD types by which a page says it is a shop
// item, a forum thread, a question page, a listing, or a service or
// application offered (a page about one that is an article says so with
// an article type). Not Course or ProfessionalService: blogs name their
// business and the courses they write about with them.
var nonArticleTypes = map[string]bool{"Product": true, "ProductGroup": true, "SomeProducts": true,
	"IndividualProduct": true, "QAPage": true, "DiscussionForumPosting": true, "CollectionPage": true,
	"SearchResultsPage": true, "ProfilePage": true, "Service": true,
	"SoftwareApplication": true, "WebApplication": true, "MobileApplication": true, "ItemPage": true}

// declaredNotArticle reports why a page states it is not an article: a
// product, forum or listing type in its JSON-LD with no article type, or a
// product og:type. Pages that say nothing are given the benefit of the
// doubt: a monitoring desk would rather read a shop page than miss a story.
func declaredNotArticle(m pageMeta, types []string) (string, bool) {
	if strings.HasPrefix(m.ogType, "product") || strings.HasPrefix(m.ogType, "ebay-objects:item") {
		return "og:type " + m.ogType, true
	}
	if m.ldArticle {
		return "", false
	}
	for _, t := range types {
		if nonArticleTypes[t] {
			return "JSON-LD " + t, true
		}
	}
	return "", false
}

// reForumPath matches the URL shapes of forum and question-and-answer
// software: Discourse /t/slug/123, Lobsters /s/abc123/slug, phpBB
// viewtopic.php, vBulletin showthread.php, XenForo /threads/slug.123/
// (voz.vn), /thread/ and /topic/ pages, Stack Exchange /questions/123/,
// Reddit and Lemmy /comments/ and /post/ pages.
var reForumPath = regexp.MustCompile(`(?i)(^/t/[^/]+/\d+|^/s/[a-z0-9]{6}/|/viewtopic\.php|/showthread\.php|/threads?/[^/]*\.?\d+|/topic/\d+|^/questions/\d+/|/r/[^/]+/comments/|^/post/\d+/?$)`)

// forumPage: the URL is a forum thread or a question page (the path shape,
// or a host or first path segment named "forum").
func forumPage(u *url.URL) bool {
	if u == nil {
		return false
	}
	if reForumPath.MatchString(u.Path) {
		return true
	}
	first, _, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
	return strings.HasPrefix(u.Hostname(), "forum.") || strings.HasPrefix(u.Hostname(), "forums.") ||
		strings.EqualFold(first, "forum") || strings.EqualFold(first, "forums")
}

// reForumName: a site name that says it is a forum ("VOZ Forums",
// "Nairaland Forum"). Only the English word: "Diễn đàn Doanh nghiệp" is
// a newspaper.
var reForumName = regexp.MustCompile(`(?i)\bforums?\b`)

// forumSite: a page that states no article type on a site whose name (as
// its metadata gives it, or a short h1 that is the site's name or shares
// no words with the page's titles) says "forum".
func forumSite(doc *goquery.Document, in titleInput, m pageMeta) bool {
	if m.ldArticle || m.ogType == "article" {
		return false
	}
	for _, n := range pageSiteNames(doc, m) { // not the operator's name for the source
		if reForumName.MatchString(n) {
			return true
		}
	}
	var metas []string
	for _, t := range []string{in.ld, in.og, in.doc} {
		if t = titleText(t); t != "" {
			metas = append(metas, t)
		}
	}
	for _, h := range in.h1s {
		if reForumName.MatchString(h) && len(strings.Fields(h)) <= 4 && (isSiteName(h, in.siteNames, in.host) || unrelated(h, metas)) {
			return true
		}
	}
	return false
}

// reBuyButton: a shop's buy button, in English and Vietnamese.
var reBuyButton = regexp.MustCompile(`(?i)^\s*(add to (cart|basket|bag)|buy now|thêm vào giỏ( hàng)?|mua ngay|đặt mua|chọn mua)\s*$`)

// shopPage: the page has a buy button or a price in microdata.
func shopPage(doc *goquery.Document) bool {
	if doc.Find(`[itemprop="price"], [itemprop="offers"]`).Length() > 0 {
		return true
	}
	found := false
	doc.Find("button, input[type=submit], a[class*=cart], a[class*=buy]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		t := s.Text()
		if goquery.NodeName(s) == "input" {
			t = s.AttrOr("value", "")
		}
		found = reBuyButton.MatchString(t)
		return !found
	})
	return found
}

// listingPage: many teasers (<article> elements, or most of the text in
// links) and no own text to speak of.
func listingPage(doc *goquery.Document) bool {
	a, l, n := listingStats(doc)
	if a == 0 || ownParagraphs(doc) >= 3 {
		return false // an article's own paragraphs, whatever its menus
	}
	return n >= 6 && float64(l)/float64(a) > 0.3 || float64(l)/float64(a) > 0.75
}

// ownParagraphs counts the page's paragraphs of 30 words or more that are
// not links (teasers are short, or links themselves).
func ownParagraphs(doc *goquery.Document) int {
	n := 0
	doc.Find("p").Each(func(_ int, s *goquery.Selection) {
		if s.Closest("a").Length() > 0 {
			return
		}
		words := len(strings.Fields(s.Text())) - len(strings.Fields(s.Find("a").Text()))
		if words >= 30 {
			n++
		}
	})
	return n
}

// listingStats returns the words of the page's body (chrome removed),
// the words in links, and the number of <article> elements.
func listingStats(doc *goquery.Document) (all, linked, articles int) {
	body := doc.Find("body").Clone()
	body.Find("script, style, noscript, nav, header, footer, aside").Remove()
	all = len(strings.Fields(body.Text()))
	linked = len(strings.Fields(body.Find("a").Text()))
	return all, linked, doc.Find("article").Length()
}

// Path segments that name what a page is, when it is not an article, in
// English and Vietnamese. productSegments name a shop item when a segment
// follows them, wherever they stand; sectionSegments name a listing or an offer when at most one
// segment follows them ("/hub/science", "/san-pham/mat-ong",
// "/programs/skin-care"; "/hub/technology/what-is-mesh-wifi" is an article).
var (
	productSegments = map[string]bool{"product": true, "products": true, "san-pham": true, "sanpham": true,
		"item": true, "itm": true}
	sectionSegments = map[string]bool{"hub": true, "catalog": true, "catalogs": true, "catalogue": true,
		"category": true, "categories": true, "danh-muc": true, "chuyen-muc": true, "market": true,
		"trending": true, "tag": true, "tags": true, "collections": true, "shows": true, "programs": true,
		"seminars": true, "courses": true, "khoa-hoc": true, "portfolio": true, "services": true,
		"dich-vu": true, "pricing": true, "bang-gia": true, "search": true, "tim-kiem": true}
)

// kindPath reports what the URL's path names the page as, if not an
// article: "product", "section" (a listing, a catalogue, an offer), or
// "" — a path that is only a section word ("/news", "/tin-tuc/") is a
// section too.
func kindPath(u *url.URL) string {
	if u == nil {
		return ""
	}
	segs := strings.Split(strings.Trim(strings.ToLower(u.Path), "/"), "/")
	for i, s := range segs {
		switch {
		case productSegments[s] && i < len(segs)-1:
			return "product"
		case sectionSegments[s] && len(segs)-i <= 2:
			return "section"
		}
	}
	if len(segs) == 1 && genericHeadings[strings.ReplaceAll(segs[0], "-", "")] {
		return "section"
	}
	return ""
}

// undeclaredNotArticle reports why a page that states no type looks like
// a forum thread, a shop item, a listing or an offer. Forum URL shapes and
// sites that call themselves forums are judged always; a product URL with
// a buy button unless the page has article metadata; everything else only
// on pages with no article metadata and no date in their header, so that
// a story is not lost for a buy button in a sidebar.
func undeclaredNotArticle(u *url.URL, doc *goquery.Document, m pageMeta, in titleInput, dated bool) (string, bool) {
	if forumPage(u) {
		return "forum or question URL", true
	}
	if forumSite(doc, in, m) {
		return "the site calls itself a forum", true
	}
	if m.ldArticle {
		return "", false
	}
	kind := kindPath(u)
	if kind == "product" && shopPage(doc) {
		return "a product URL with a buy button or price", true
	}
	if dated {
		return "", false
	}
	if kind != "" {
		return "a " + kind + " URL, no date", true
	}
	if shopPage(doc) {
		return "buy button or price, no date", true
	}
	if listingPage(doc) {
		a, l, n := listingStats(doc)
		return fmt.Sprintf("teasers and links, no date: %d words, %d in links, %d <article>", a, l, n), true
	}
	return "", false
}
