package crawler

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
)

// HandIn is a page handed in by an analyst (a case intake): the extracted
// article, when extraction worked, and the raw page kept as its saved copy.
type HandIn struct {
	Article     article.Article
	Raw         []byte // the page as served (decompressed), for the saved copy and its hash
	ContentType string
	Status      int
}

// FetchOnce fetches one handed-in URL through the same guarded fetch as the
// crawl (robots.txt, size limit, redirects, politeness). Private, loopback
// and link-local addresses are refused (ErrPrivateAddress) unless the URL
// belongs to a configured source with allow_private. It publishes nothing
// and writes no crawl state. The page need not belong to a source; the
// article's ID is the hash of its canonical URL, as for crawled pages. A page
// that does not answer 2xx is an error wrapping errkind.Permanent.
func (c *Crawler) FetchOnce(ctx context.Context, pageURL string) (HandIn, error) {
	src, ok := c.sourceFor(pageURL)
	if !ok {
		src = Source{ID: "handin", Name: "handin", Kind: article.KindPress}
	}
	src.Delay = 0
	res, err := c.f.get(ctx, pageURL, nil, src)
	if err != nil {
		return HandIn{}, err
	}
	h := HandIn{Raw: res.Body, ContentType: res.Header.Get("Content-Type"), Status: res.Status}
	if res.Status < 200 || res.Status > 299 {
		return h, fmt.Errorf("fetch %s: %w: status %d", pageURL, errkind.Permanent, res.Status)
	}
	a, err := extract(res.FinalURL, res.Body, res.Header, src, extractEnv{loc: c.loc, now: res.Fetched, fastDate: true})
	if err != nil {
		// A page we cannot extract (a social network's shell) is still kept.
		a = article.Article{V: article.Version, ID: article.ID(CanonicalURL(res.FinalURL)), URL: res.FinalURL,
			CanonicalURL: CanonicalURL(res.FinalURL), Fetched: res.Fetched.In(c.loc)}
	}
	if !ok {
		a.Source = handinHost(res.FinalURL)
	}
	h.Article = a
	return h, nil
}

// handinHost is the host of u without "www.", the source name of a handed-in
// page that belongs to no configured source.
func handinHost(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(p.Hostname()), "www.")
}
