package crawler

import (
	"encoding/json"
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
// item, a forum thread, a question page or a listing.
var nonArticleTypes = map[string]bool{"Product": true, "ProductGroup": true, "SomeProducts": true,
	"IndividualProduct": true, "QAPage": true, "DiscussionForumPosting": true, "CollectionPage": true,
	"SearchResultsPage": true, "ProfilePage": true}

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
