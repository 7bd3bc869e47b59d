package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
)

func articleHTML(title, date, body string) string {
	return `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>` + title + `</title>` +
		`<meta property="article:published_time" content="` + date + `"></head><body><article><h1>` + title +
		`</h1><p>` + body + `</p><p>` + body + ` Người dân địa phương phấn khởi trước kết quả này.</p></article></body></html>`
}

func TestSitemapIndexGzipAndNews(t *testing.T) {
	s := newSite(t)
	s.static("/sitemap.xml", "application/xml", `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>`+s.url("/sitemap-old.xml")+`</loc><lastmod>2024-01-01</lastmod></sitemap>
  <sitemap><loc>/sitemap-news.xml.gz</loc><lastmod>2026-11-20T10:00:00+07:00</lastmod></sitemap>
</sitemapindex>`)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>` + s.url("/tin/le-hoi-1.htm") + `</loc>
    <news:news><news:publication><news:name>Báo Mẫu</news:name><news:language>vi</news:language></news:publication>
    <news:publication_date>2026-11-20T09:30:00+07:00</news:publication_date><news:title>Lễ hội Mường Xia</news:title></news:news></url>
</urlset>`))
	zw.Close()
	s.handle("/sitemap-news.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/gzip")
		w.Write(gz.Bytes())
	})
	s.static("/sitemap-old.xml", "text/xml", `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>`+s.url("/tin/cu-2.htm")+`</loc><lastmod>2024-01-01</lastmod></url>`+
		`<url><loc>`+s.url("/thoi-su")+`</loc></url><url><loc>`+s.url("/")+`</loc></url></urlset>`)
	s.static("/", "text/html", "<html><head><title>Báo Mẫu</title></head><body><h1>Trang chủ</h1></body></html>")
	// A section page: og:type website, no article metadata.
	s.static("/thoi-su", "text/html", `<html><head><title>Thời sự</title><meta property="og:type" content="website"></head><body><h1>Thời sự</h1>`+
		strings.Repeat(`<p><a href="/tin/a-1.htm">Tin thời sự mới nhất về giao thông, nông nghiệp và đời sống người dân tỉnh Thanh Hóa</a></p>`, 10)+`</body></html>`)
	s.handle("/tin/le-hoi-1.htm", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Replace(articleHTML("Lễ hội Mường Xia", "", "Lễ hội diễn ra tại xã Vạn Xuân, tỉnh Thanh Hóa."), `<meta property="article:published_time" content="">`, "", 1)))
	})
	s.static("/tin/cu-2.htm", "text/html", articleHTML("Tin cũ", "2024-01-01T08:00:00+07:00", "Bài viết cũ về giao thông nông thôn ở Thanh Hóa."))
	src := testSource(s)
	src.Feeds, src.Sitemaps = nil, []string{s.url("/sitemap.xml")}
	c, rec, _ := newTestCrawler(t, testConfig(), src)
	st, err := c.CrawlOnce(context.Background(), "mau")
	if err != nil || st.Found != 4 || st.Published != 2 || st.Skipped != 2 {
		t.Fatalf("%+v %v", st, err)
	}
	var news article.Article
	for _, a := range rec.all() {
		if strings.HasSuffix(a.URL, "le-hoi-1.htm") {
			news = a
		}
	}
	if news.PublishedFrom != article.DateFeed || news.Published.Format(time.RFC3339) != "2026-11-20T09:30:00+07:00" {
		t.Errorf("news sitemap date: %s from %q", news.Published.Format(time.RFC3339), news.PublishedFrom)
	}
}

func TestFeedWithHTMLEntities(t *testing.T) {
	s := newSite(t)
	// Thanh Niên style: HTML entities that XML does not define, CDATA descriptions.
	s.static("/rss/home.rss", "text/xml; charset=utf-8", `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Thanh Ni&ecirc;n</title>
<item><title>Ng&agrave;y h&ocirc;i &nbsp;&ldquo;Đại đo&agrave;n kết&rdquo; ở Thường Xu&acirc;n</title>
<link>`+s.url("/ngay-hoi-185250628095425232.htm")+`</link>
<description><![CDATA[<p>Mô tả &amp; ảnh</p>]]></description>
<pubDate>Sat, 28 Jun 2025 09:54:25 GMT</pubDate></item>
</channel></rss>`)
	src := testSource(s)
	c, _, _ := newTestCrawler(t, testConfig(), src)
	items, err := c.feedItems(context.Background(), s.url("/rss/home.rss"), src)
	if err != nil || len(items) != 1 {
		t.Fatalf("%v %d", err, len(items))
	}
	if got := items[0].Hint.Title; got != "Ngày hôi “Đại đoàn kết” ở Thường Xuân" { // the publisher's quotes kept
		t.Errorf("title %q", got)
	}
	if got := items[0].Hint.Published.Format(time.RFC3339); got != "2025-06-28T16:54:25+07:00" {
		t.Errorf("pubDate %s", got)
	}
}

func TestListingPage(t *testing.T) {
	s := newSite(t)
	s.static("/thoi-su", "text/html", `<html><body><a href="/thoi-su/a-101.htm">A</a><a href="/thoi-su/a-101.htm#comments">A again</a>
<a href="/thoi-su/b-102.htm?utm_source=home">B</a><a href="/lien-he">Liên hệ</a><a href="javascript:void(0)">x</a></body></html>`)
	src := testSource(s)
	src.Feeds = nil
	src.Listings = []Listing{{URL: s.url("/thoi-su"), Links: `-[0-9]+\.htm`}}
	c, _, _ := newTestCrawler(t, testConfig(), src)
	items, errs := c.discover(context.Background(), src)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, it := range items {
		got = append(got, strings.TrimPrefix(it.URL, s.srv.URL))
	}
	sort.Strings(got)
	if strings.Join(got, " ") != "/thoi-su/a-101.htm /thoi-su/b-102.htm?utm_source=home" {
		t.Errorf("listing links %v", got)
	}
}
