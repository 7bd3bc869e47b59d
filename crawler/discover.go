package crawler

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"

	"github.com/diembao/diembao/internal/errkind"
)

// item is one article URL found by discovery.
type item struct {
	URL  string
	Hint hint
}

// discover lists a source's article URLs from its feeds, sitemaps and
// listing pages, newest first when dates are known, deduplicated on the
// canonical URL, all of them (due applies the per-pass cap). errs holds one
// error per discovery URL that failed.
func (c *Crawler) discover(ctx context.Context, src Source) (items []item, errs []error) {
	seen := map[string]bool{}
	for _, u := range src.Feeds { // discovery pages are not articles
		seen[CanonicalURL(u)] = true
	}
	for _, l := range src.Listings {
		seen[CanonicalURL(l.URL)] = true
	}
	add := func(it item) {
		if it.URL == "" {
			return
		}
		k := CanonicalURL(it.URL)
		if seen[k] {
			return
		}
		seen[k] = true
		items = append(items, it)
	}
	for _, f := range src.Feeds {
		if ctx.Err() != nil {
			return items, append(errs, ctx.Err())
		}
		got, err := c.feedItems(ctx, f, src)
		if err != nil {
			errs = append(errs, err)
		}
		for _, it := range got {
			add(it)
		}
	}
	for _, s := range src.Sitemaps {
		if ctx.Err() != nil {
			return items, append(errs, ctx.Err())
		}
		got, err := c.sitemapItems(ctx, s, src, 0)
		if err != nil {
			errs = append(errs, err)
		}
		for _, it := range got {
			add(it)
		}
	}
	for _, l := range src.Listings {
		if ctx.Err() != nil {
			return items, append(errs, ctx.Err())
		}
		got, err := c.listingItems(ctx, l, src)
		if err != nil {
			errs = append(errs, err)
		}
		for _, it := range got {
			add(it)
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Hint.Published.After(items[j].Hint.Published) })
	return items, errs
}

// due keeps, in order, the items a pass should fetch: those never fetched
// or last fetched longer than Config.Revisit ago, at most Config.MaxPerPass.
// The seen filter comes before the cap, so a listing longer than the cap
// drains over passes (newest first where dates are known) instead of
// offering the same first links every time. backlog counts the due items
// left for later passes.
func (c *Crawler) due(ctx context.Context, items []item) (out []item, skipped, backlog int) {
	now := c.cfg.now()
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		us, seen, err := getJSON[urlState](ctx, c.state, urlKey(it.URL))
		if err == nil && seen && now.Sub(us.LastFetch) < c.cfg.Revisit {
			skipped++
			continue
		}
		if len(out) >= c.cfg.MaxPerPass {
			backlog++
			continue
		}
		out = append(out, it)
	}
	return out, skipped, backlog
}

func (c *Crawler) fetchOK(ctx context.Context, u string, src Source, accept string) (*response, error) {
	res, err := c.f.get(ctx, u, http.Header{"Accept": {accept}}, src)
	if err != nil {
		return nil, err
	}
	if res.Status < 200 || res.Status > 299 {
		return nil, fmt.Errorf("fetch %s: status %d", u, res.Status)
	}
	return res, nil
}

// feedItems reads an RSS, Atom or JSON feed.
func (c *Crawler) feedItems(ctx context.Context, feedURL string, src Source) ([]item, error) {
	res, err := c.fetchOK(ctx, feedURL, src, "application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.5")
	if err != nil {
		return nil, err
	}
	return parseFeed(res.FinalURL, res.Body, c.loc)
}

func parseFeed(feedURL string, body []byte, loc *time.Location) ([]item, error) {
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("feed %s: %w: %w", feedURL, errkind.Permanent, err)
	}
	base, _ := url.Parse(feedURL)
	var out []item
	for _, it := range feed.Items {
		link := strings.TrimSpace(it.Link)
		if link == "" && len(it.Links) > 0 {
			link = it.Links[0]
		}
		if link == "" && it.GUID != "" && strings.HasPrefix(it.GUID, "http") {
			link = it.GUID
		}
		link = resolve(base, link)
		if link == "" {
			continue
		}
		var pub time.Time
		if it.PublishedParsed != nil {
			pub = it.PublishedParsed.In(loc)
		} else if it.UpdatedParsed != nil {
			pub = it.UpdatedParsed.In(loc)
		}
		out = append(out, item{URL: link, Hint: hint{Published: pub, Title: clean(it.Title)}})
	}
	return out, nil
}

// sitemap XML: a urlset (with optional news: extension) or a sitemapindex.
type sitemapDoc struct {
	XMLName  xml.Name
	URLs     []sitemapURL `xml:"url"`
	Sitemaps []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"sitemap"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod"`
	News    struct {
		PublicationDate string `xml:"publication_date"`
		Title           string `xml:"title"`
	} `xml:"news"`
}

// maxSitemapDepth bounds sitemap-index recursion.
const maxSitemapDepth = 2

// sitemapItems reads a sitemap (gzip or not); for an index, it follows the
// Config.MaxSitemaps children with the newest lastmod.
func (c *Crawler) sitemapItems(ctx context.Context, smURL string, src Source, depth int) ([]item, error) {
	res, err := c.fetchOK(ctx, smURL, src, "application/xml,text/xml;q=0.9,*/*;q=0.5")
	if err != nil {
		return nil, err
	}
	doc, err := parseSitemap(res.Body)
	if err != nil {
		return nil, fmt.Errorf("sitemap %s: %w: %w", smURL, errkind.Permanent, err)
	}
	base, _ := url.Parse(res.FinalURL)
	var out []item
	for _, u := range doc.URLs {
		link := resolve(base, u.Loc)
		if link == "" {
			continue
		}
		pub, _ := parseMachineDate(firstNonEmpty(u.News.PublicationDate, u.LastMod), c.loc)
		out = append(out, item{URL: link, Hint: hint{Published: pub, Title: clean(u.News.Title), Sitemap: true}})
	}
	if len(doc.Sitemaps) > 0 && depth < maxSitemapDepth {
		children := doc.Sitemaps
		sort.SliceStable(children, func(i, j int) bool {
			a, _ := parseMachineDate(children[i].LastMod, c.loc)
			b, _ := parseMachineDate(children[j].LastMod, c.loc)
			return a.After(b)
		})
		var firstErr error
		for i, ch := range children {
			if i >= c.cfg.MaxSitemaps || ctx.Err() != nil {
				break
			}
			link := resolve(base, ch.Loc)
			if link == "" {
				continue
			}
			got, err := c.sitemapItems(ctx, link, src, depth+1)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			out = append(out, got...)
		}
		if len(out) == 0 && firstErr != nil {
			return nil, firstErr
		}
	}
	return out, nil
}

func parseSitemap(body []byte) (sitemapDoc, error) {
	var doc sitemapDoc
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) { return charsetReader(label, r) }
	if err := dec.Decode(&doc); err != nil {
		return doc, err
	}
	if doc.XMLName.Local != "urlset" && doc.XMLName.Local != "sitemapindex" {
		return doc, fmt.Errorf("root element <%s> is not urlset or sitemapindex", doc.XMLName.Local)
	}
	return doc, nil
}

// listingItems collects links on a listing page that match its pattern.
func (c *Crawler) listingItems(ctx context.Context, l Listing, src Source) ([]item, error) {
	re, err := regexp.Compile(l.Links)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w: %w", l.URL, errkind.Permanent, err)
	}
	res, err := c.fetchOK(ctx, l.URL, src, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
	if err != nil {
		return nil, err
	}
	text, _ := decodeBody(res.Body, res.Header.Get("Content-Type"))
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", l.URL, err)
	}
	base, _ := url.Parse(res.FinalURL)
	var out []item
	doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
		link := resolve(base, s.AttrOr("href", ""))
		if link == "" || !re.MatchString(link) {
			return
		}
		if u, err := url.Parse(link); err == nil {
			u.Fragment = ""
			link = u.String()
		}
		out = append(out, item{URL: link, Hint: hint{Title: clean(s.Text())}})
	})
	return out, nil
}
