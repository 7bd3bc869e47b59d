package demosite_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/goccy/go-yaml"
	"github.com/mmcdole/gofeed"
	"golang.org/x/text/unicode/norm"

	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/poll"
)

var ict = time.FixedZone("ICT", 7*3600)

// fixedNow is a Thursday morning, Vietnam time.
var fixedNow = time.Date(2026, 11, 26, 10, 0, 0, 0, ict)

func start(t *testing.T, opt demosite.Options) *demosite.Site {
	t.Helper()
	if opt.Now.IsZero() {
		opt.Now = fixedNow
	}
	s, err := demosite.StartOptions(t.Context(), "127.0.0.1:0", opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func get(t *testing.T, url string, wantStatus int) (string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d", url, resp.StatusCode, wantStatus)
	}
	return string(b), resp.Header
}

func TestArticlesAreDatedInTheLastTwoWeeks(t *testing.T) {
	for _, now := range []time.Time{fixedNow, time.Date(2026, 11, 23, 0, 20, 0, 0, ict), time.Now()} {
		s := start(t, demosite.Options{Now: now})
		items := s.Articles()
		if len(items) < 28 || len(items) > 40 {
			t.Fatalf("%d articles, want about 30", len(items))
		}
		seen := map[string]bool{}
		for i, it := range items {
			if seen[it.Path] {
				t.Errorf("duplicate path %s", it.Path)
			}
			seen[it.Path] = true
			if it.Published.After(now) || now.Sub(it.Published) > 14*24*time.Hour {
				t.Errorf("now %v: %s published %v, want within the last two weeks", now, it.ID, it.Published)
			}
			if _, off := it.Published.Zone(); off != 7*3600 {
				t.Errorf("%s: offset %d, want +07:00", it.ID, off)
			}
			if i > 0 && items[i-1].Published.Before(it.Published) {
				t.Errorf("articles not newest first at %d", i)
			}
			if !it.Modified.IsZero() && (it.Modified.Before(it.Published) || it.Modified.After(now)) {
				t.Errorf("%s: modified %v outside [published, now]", it.ID, it.Modified)
			}
			if it.Hostile {
				t.Errorf("%s: hostile article served without Options.Hostile", it.ID)
			}
		}
	}
}

func TestSiteServesAllParts(t *testing.T) {
	s := start(t, demosite.Options{})
	items := s.Articles()
	base := s.URL()
	linkRE := regexp.MustCompile(`-[0-9]+\.htm$`)

	robots, _ := get(t, base+"/robots.txt", 200)
	for _, want := range []string{"User-agent: *", "Disallow: /admin/", "Sitemap: " + base + "/sitemap.xml"} {
		if !strings.Contains(robots, want) {
			t.Errorf("robots.txt lacks %q:\n%s", want, robots)
		}
	}
	if strings.Contains(strings.ToLower(robots), "crawl-delay") {
		t.Error("robots.txt has a Crawl-delay; the demo must stay fast")
	}
	get(t, base+"/admin/", http.StatusForbidden)
	get(t, base+"/khong-co-trang-nay", http.StatusNotFound)
	get(t, base+"/khong-co-bai-999999.htm", http.StatusNotFound)
	if _, h := get(t, base+"/images/"+items[0].ID+".png", 200); h.Get("Content-Type") != "image/png" {
		t.Errorf("image content type %q", h.Get("Content-Type"))
	}

	// Home and category listings link every article.
	linked := map[string]bool{}
	collect := func(page string) int {
		body, h := get(t, page, 200)
		if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Errorf("%s: content type %q", page, h.Get("Content-Type"))
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		doc.Find(".list-news a[href], .featured a[href]").Each(func(_ int, a *goquery.Selection) {
			href, _ := a.Attr("href")
			if linkRE.MatchString(href) {
				linked[strings.TrimPrefix(href, base)] = true
				n++
			}
		})
		return n
	}
	if collect(base+"/") == 0 {
		t.Error("home page links no article")
	}
	for _, it := range items {
		if !linked[it.Path] {
			t.Errorf("home page does not link %s", it.Path)
		}
	}
	clear(linked)
	sections := map[string]bool{}
	for _, it := range items {
		sections[it.Section] = true
	}
	for sec := range sections {
		if collect(base+"/"+sec) == 0 {
			t.Errorf("category %s links no article", sec)
		}
	}
	for _, it := range items {
		if !linked[it.Path] {
			t.Errorf("no category page links %s", it.Path)
		}
	}

	// Sitemap index → news sitemap and article sitemap.
	type loc struct {
		Loc string `xml:"loc"`
	}
	var index struct {
		XMLName  xml.Name `xml:"sitemapindex"`
		Sitemaps []loc    `xml:"sitemap"`
	}
	body, _ := get(t, base+"/sitemap.xml", 200)
	if err := xml.Unmarshal([]byte(body), &index); err != nil {
		t.Fatalf("sitemap index: %v", err)
	}
	if len(index.Sitemaps) != 2 {
		t.Fatalf("sitemap index lists %d sitemaps, want 2", len(index.Sitemaps))
	}
	inSitemaps := map[string]bool{}
	newsCount := 0
	for _, sm := range index.Sitemaps {
		var set struct {
			XMLName xml.Name `xml:"urlset"`
			URLs    []struct {
				Loc  string `xml:"loc"`
				News *struct {
					Date  string `xml:"publication_date"`
					Title string `xml:"title"`
				} `xml:"news"`
			} `xml:"url"`
		}
		body, _ := get(t, sm.Loc, 200)
		if err := xml.Unmarshal([]byte(body), &set); err != nil {
			t.Fatalf("%s: %v", sm.Loc, err)
		}
		for _, u := range set.URLs {
			inSitemaps[strings.TrimPrefix(u.Loc, base)] = true
			if u.News != nil {
				newsCount++
				if _, err := time.Parse(time.RFC3339, u.News.Date); err != nil {
					t.Errorf("news sitemap date %q: %v", u.News.Date, err)
				}
			}
		}
	}
	if newsCount == 0 {
		t.Error("news sitemap is empty")
	}
	for _, it := range items {
		if !inSitemaps[it.Path] {
			t.Errorf("sitemaps do not list %s", it.Path)
		}
	}

	// Feeds: the home feed carries every article; section feeds parse.
	fp := gofeed.NewParser()
	body, h := get(t, base+"/rss/home.rss", 200)
	if !strings.Contains(h.Get("Content-Type"), "xml") {
		t.Errorf("feed content type %q", h.Get("Content-Type"))
	}
	if !strings.Contains(body, "&amp;quot;") {
		t.Error("home feed carries no HTML entity in a title")
	}
	feed, err := fp.ParseString(body)
	if err != nil {
		t.Fatalf("home feed: %v", err)
	}
	if feed.FeedType != "rss" || feed.FeedVersion != "2.0" {
		t.Errorf("feed type %s %s, want rss 2.0", feed.FeedType, feed.FeedVersion)
	}
	if len(feed.Items) != len(items) {
		t.Fatalf("home feed has %d items, want %d", len(feed.Items), len(items))
	}
	byURL := map[string]demosite.Item{}
	for _, it := range items {
		byURL[base+it.Path] = it
	}
	for _, fi := range feed.Items {
		it, ok := byURL[fi.Link]
		if !ok {
			t.Errorf("feed item links %s, not an article", fi.Link)
			continue
		}
		// A reader must HTML-unescape after XML decoding (N3).
		if got := html.UnescapeString(html.UnescapeString(fi.Title)); got != it.Title {
			t.Errorf("feed title %q, want %q", got, it.Title)
		}
		if fi.PublishedParsed == nil || !fi.PublishedParsed.Equal(it.Published) {
			t.Errorf("%s: feed pubDate %v, want %v", it.ID, fi.PublishedParsed, it.Published)
		}
	}
	for sec := range sections {
		body, _ := get(t, base+"/rss/"+sec+".rss", 200)
		f, err := fp.ParseString(body)
		if err != nil {
			t.Errorf("feed %s: %v", sec, err)
			continue
		}
		if len(f.Items) == 0 {
			t.Errorf("feed %s is empty", sec)
		}
	}
	get(t, base+"/rss/khong-co.rss", http.StatusNotFound)
	get(t, base+"/rss", 200)
}

// vnDate parses the visible dates the pages print.
var vnDate = regexp.MustCompile(`(?:(\d{1,2}):(\d{2}) )?(\d{1,2})/(\d{1,2})/(\d{4})(?:,? -? ?(\d{1,2}):(\d{2}))?`)

func parseVisible(s string) (time.Time, bool) {
	m := vnDate.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	hh, mm := m[1], m[2]
	if hh == "" {
		hh, mm = m[6], m[7]
	}
	tm, err := time.ParseInLocation("2/1/2006 15:04", m[3]+"/"+m[4]+"/"+m[5]+" "+hh+":"+mm, ict)
	return tm, err == nil
}

func TestArticlePages(t *testing.T) {
	s := start(t, demosite.Options{})
	methods := map[string]int{}
	for _, it := range s.Articles() {
		t.Run(it.ID, func(t *testing.T) {
			body, h := get(t, s.URL()+it.Path, 200)
			if h.Get("Last-Modified") == "" {
				t.Error("no Last-Modified header")
			}
			if !norm.NFC.IsNormalString(body) {
				t.Error("page is not NFC")
			}
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(doc.Find("h1.article-title").Text()); got != it.Title {
				t.Errorf("h1 %q, want %q", got, it.Title)
			}
			if got, _ := doc.Find(`link[rel=canonical]`).Attr("href"); got != s.URL()+it.Path {
				t.Errorf("canonical %q", got)
			}
			if got := strings.TrimSpace(doc.Find(".sapo").Text()); got != it.Lead {
				t.Errorf("lead %q, want %q", got, it.Lead)
			}
			if n := doc.Find(".article-body p").Length(); n < 3 {
				t.Errorf("%d body paragraphs", n)
			}
			var newsLD []map[string]any
			doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, sc *goquery.Selection) {
				var v map[string]any
				if err := json.Unmarshal([]byte(sc.Text()), &v); err != nil {
					t.Errorf("JSON-LD: %v", err)
					return
				}
				if v["@type"] == "NewsArticle" {
					newsLD = append(newsLD, v)
				}
			})
			metaDate, hasMeta := doc.Find(`meta[property="article:published_time"]`).Attr("content")
			visible, ok := parseVisible(doc.Find(".article-meta .date").Text())
			if !ok || !visible.Equal(it.Published) {
				t.Errorf("visible date %q gives %v, want %v", doc.Find(".article-meta .date").Text(), visible, it.Published)
			}
			methods[it.DateFrom]++
			switch it.DateFrom {
			case demosite.DateJSONLD:
				if len(newsLD) != 1 {
					t.Fatalf("%d NewsArticle JSON-LD blocks, want 1", len(newsLD))
				}
				pub, err := time.Parse(time.RFC3339, newsLD[0]["datePublished"].(string))
				if err != nil || !pub.Equal(it.Published) {
					t.Errorf("datePublished %v (%v), want %v", pub, err, it.Published)
				}
				if newsLD[0]["headline"] != it.Title {
					t.Errorf("headline %q", newsLD[0]["headline"])
				}
				if hasMeta {
					t.Error("JSON-LD page also has article:published_time")
				}
			case demosite.DateMeta:
				pub, err := time.Parse(time.RFC3339, metaDate)
				if !hasMeta || err != nil || !pub.Equal(it.Published) {
					t.Errorf("article:published_time %q, want %v", metaDate, it.Published)
				}
				if len(newsLD) != 0 {
					t.Error("meta page also has NewsArticle JSON-LD")
				}
			case demosite.DateText:
				if hasMeta || len(newsLD) != 0 || strings.Contains(body, "datePublished") {
					t.Error("text-dated page carries machine-readable dates")
				}
			default:
				t.Errorf("DateFrom %q", it.DateFrom)
			}
		})
	}
	for _, m := range []string{demosite.DateJSONLD, demosite.DateMeta, demosite.DateText} {
		if methods[m] < 2 {
			t.Errorf("only %d pages dated by %s", methods[m], m)
		}
	}
}

func TestHostilePages(t *testing.T) {
	plain := start(t, demosite.Options{})
	hostile := start(t, demosite.Options{Hostile: true})
	var h demosite.Item
	for _, it := range hostile.Articles() {
		if it.Hostile {
			h = it
		}
	}
	if h.ID == "" {
		t.Fatal("no hostile article with Options.Hostile")
	}
	if len(hostile.Articles()) != len(plain.Articles())+1 {
		t.Errorf("hostile site serves %d articles, plain %d", len(hostile.Articles()), len(plain.Articles()))
	}
	get(t, plain.URL()+h.Path, http.StatusNotFound)
	if body, _ := get(t, plain.URL()+"/rss/home.rss", 200); strings.Contains(body, "alert(") {
		t.Error("plain feed carries a payload")
	}

	body, _ := get(t, hostile.URL()+h.Path, 200)
	for _, want := range []string{"<script>document.body", `onerror="alert('body')"`, `href="javascript:alert('link')"`, "<style>body{display:none"} {
		if !strings.Contains(body, want) {
			t.Errorf("hostile page lacks raw %q", want)
		}
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	title := doc.Find("h1").Text()
	for _, want := range []string{"<script>alert('tieu-de')</script>", `"><svg onload=alert(1)>`, "<img src=x onerror=alert('title')>"} {
		if !strings.Contains(title, want) || !strings.Contains(h.Title, want) {
			t.Errorf("hostile title text lacks %q: %q", want, title)
		}
	}
	if !strings.Contains(doc.Find(".author").Text(), "<svg onload=alert('author')>") {
		t.Errorf("hostile author %q", doc.Find(".author").Text())
	}
	feedBody, _ := get(t, hostile.URL()+"/rss/home.rss", 200)
	feed, err := gofeed.NewParser().ParseString(feedBody)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, fi := range feed.Items {
		if strings.HasSuffix(fi.Link, h.Path) {
			found = strings.Contains(html.UnescapeString(fi.Title), "<script>")
		}
	}
	if !found {
		t.Error("hostile feed item missing or without its <script> title")
	}
}

func TestDemoSources(t *testing.T) {
	s := start(t, demosite.Options{})
	var f struct {
		Sources []struct {
			ID       string   `yaml:"id"`
			Name     string   `yaml:"name"`
			Kind     string   `yaml:"kind"`
			Feeds    []string `yaml:"feeds"`
			Sitemaps []string `yaml:"sitemaps"`
			Listings []struct {
				URL   string `yaml:"url"`
				Links string `yaml:"links"`
			} `yaml:"listings"`
			Interval     string `yaml:"interval"`
			Delay        string `yaml:"delay"`
			AllowPrivate bool   `yaml:"allow_private"`
			RequireArea  bool   `yaml:"require_area"`
		} `yaml:"sources"`
	}
	if err := yaml.UnmarshalWithOptions([]byte(demosite.DemoSources(s.URL()+"/")), &f, yaml.DisallowUnknownField()); err != nil {
		t.Fatal(err)
	}
	if len(f.Sources) != 1 {
		t.Fatalf("%d sources", len(f.Sources))
	}
	src := f.Sources[0]
	if src.ID != demosite.SourceID || src.Kind != "press" || !src.AllowPrivate || src.RequireArea {
		t.Errorf("source %+v", src)
	}
	for _, d := range []string{src.Interval, src.Delay} {
		if dd, err := time.ParseDuration(d); err != nil || dd > 5*time.Minute {
			t.Errorf("duration %q: %v", d, err)
		}
	}
	urls := append(append([]string{}, src.Feeds...), src.Sitemaps...)
	for _, l := range src.Listings {
		urls = append(urls, l.URL)
		re, err := regexp.Compile(l.Links)
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(s.Articles()[0].Path) || re.MatchString("/thoi-su") {
			t.Errorf("links %q does not single out article paths", l.Links)
		}
	}
	if len(src.Feeds) == 0 || len(src.Sitemaps) == 0 || len(src.Listings) == 0 {
		t.Errorf("source lacks feeds, sitemaps or listings: %+v", src)
	}
	for _, u := range urls {
		get(t, u, 200)
	}
}

func TestCloseAndContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	s, err := demosite.StartOptions(ctx, "127.0.0.1:0", demosite.Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	get(t, s.URL()+"/", 200)
	cancel()
	poll.True(t, 5*time.Second, "the site to stop serving after its context was cancelled", func() bool {
		resp, err := http.Get(s.URL() + "/")
		if err != nil {
			return true
		}
		resp.Body.Close()
		return false
	})
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	if _, err := demosite.Start(t.Context(), "256.0.0.1:0"); err == nil {
		t.Error("Start on a bad address succeeded")
	}
}
