package demosite

import (
	"bytes"
	"cmp"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"slices"
	"strings"
	"time"
)

// NewHandler returns the site as an http.Handler (for httptest servers) and
// the articles it serves, newest first. Absolute URLs in pages, feeds and
// sitemaps are built from each request's Host.
func NewHandler(opt Options) (http.Handler, []Item, error) {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	docs, err := loadDocs(now, opt.Hostile)
	if err != nil {
		return nil, nil, err
	}
	h := &handler{now: now.In(ict), docs: docs, byPath: map[string]*doc{}, pages: map[string]*template.Template{}}
	for _, d := range docs {
		h.byPath[d.Path] = d
	}
	for _, page := range []string{"home", "section", "article", "error", "rssindex"} {
		t, err := template.ParseFS(files, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, nil, fmt.Errorf("demosite: template %s: %w", page, err)
		}
		h.pages[page] = t
	}
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 64, 36))
	for x := range 64 {
		for y := range 36 {
			img.Set(x, y, color.RGBA{0x0b, 0x53, 0x94 + uint8(y), 0xff})
		}
	}
	if err := png.Encode(&buf, img); err != nil {
		return nil, nil, err
	}
	h.png = buf.Bytes()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /robots.txt", h.robots)
	mux.HandleFunc("GET /sitemap.xml", h.sitemapIndex)
	mux.HandleFunc("GET /sitemap-articles.xml", h.sitemapArticles)
	mux.HandleFunc("GET /sitemap-news.xml", h.sitemapNews)
	mux.HandleFunc("GET /rss", h.rssIndex)
	mux.HandleFunc("GET /rss/{feed}", h.feed)
	mux.HandleFunc("GET /images/{name}", h.image)
	mux.HandleFunc("/admin/", h.admin)
	mux.HandleFunc("GET /{page}", h.page)
	mux.HandleFunc("/", h.notFound)

	items := make([]Item, len(docs))
	for i, d := range docs {
		items[i] = d.Item
	}
	return mux, items, nil
}

type handler struct {
	now    time.Time
	docs   []*doc // newest first
	byPath map[string]*doc
	pages  map[string]*template.Template
	png    []byte
}

// listItem is an article as a listing shows it.
type listItem struct {
	Title, Lead, URL, Path, Image, Section, SectionName, Ago, Date string
}

// pageData is what layout.html and the page templates render.
type pageData struct {
	Base, Title, OGTitle, Description, Canonical, PageType, Active, Today string
	Sections                                                              []section
	MostRead                                                              []listItem

	Featured    *listItem
	List        []listItem
	SectionName string

	// article pages
	A                         *doc
	Keywords, Visible         string
	PublishedISO, ModifiedISO string
	AuthorLine                string
	JSONLD, Breadcrumb        template.JS
	Raw                       template.HTML
	Related                   []listItem

	// error pages
	Heading, Message string
}

func baseURL(r *http.Request) string {
	return "http://" + r.Host
}

func (h *handler) item(base string, d *doc) listItem {
	return listItem{
		Title:       d.Title,
		Lead:        d.Lead,
		URL:         base + d.Path,
		Path:        d.Path,
		Image:       d.Image,
		Section:     d.Section,
		SectionName: sectionName(d.Section),
		Ago:         relativeTime(d.Published, h.now),
		Date:        d.Published.Format("02/01/2006 15:04"),
	}
}

// compatible reports whether a link to b may appear around a: b's title
// brings no topic or area that a does not have, so boilerplate that an
// extractor fails to drop cannot change what a matches.
func compatible(a, b *doc) bool {
	if a == b || b.Hostile || (b.Area && !a.Area) {
		return false
	}
	for _, t := range b.Topics {
		if !slices.Contains(a.Topics, t) {
			return false
		}
	}
	return true
}

// mostRead picks up to five compatible articles in a fixed pseudo-random order.
func (h *handler) mostRead(base string, around *doc) []listItem {
	type scored struct {
		d *doc
		k uint32
	}
	var c []scored
	for _, d := range h.docs {
		if compatible(around, d) {
			f := fnv.New32a()
			f.Write([]byte(d.ID))
			c = append(c, scored{d, f.Sum32()})
		}
	}
	slices.SortFunc(c, func(a, b scored) int { return cmp.Compare(a.k, b.k) })
	var out []listItem
	for i := 0; i < len(c) && i < 5; i++ {
		out = append(out, h.item(base, c[i].d))
	}
	return out
}

func (h *handler) data(r *http.Request, pageType string, around *doc) pageData {
	base := baseURL(r)
	return pageData{
		Base:      base,
		PageType:  pageType,
		Canonical: base + r.URL.Path,
		Today:     fmt.Sprintf("%s, %d/%d/%d", vnWeekdays[h.now.Weekday()], h.now.Day(), int(h.now.Month()), h.now.Year()),
		Sections:  sections,
		MostRead:  h.mostRead(base, around),
	}
}

func (h *handler) render(w http.ResponseWriter, r *http.Request, page string, status int, mod time.Time, d pageData) {
	var buf bytes.Buffer
	if err := h.pages[page].ExecuteTemplate(&buf, "layout", d); err != nil {
		http.Error(w, "Lỗi máy chủ", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	if status != http.StatusOK {
		w.WriteHeader(status)
		_, _ = w.Write(buf.Bytes())
		return
	}
	http.ServeContent(w, r, "", mod, bytes.NewReader(buf.Bytes()))
}

func (h *handler) newest() time.Time {
	if len(h.docs) == 0 {
		return h.now
	}
	return h.docs[0].Published
}

func (h *handler) home(w http.ResponseWriter, r *http.Request) {
	d := h.data(r, "home", &doc{})
	d.Title = "Báo Tin Mẫu - Tin tức thời sự, kinh tế, xã hội mới nhất"
	d.OGTitle = d.Title
	d.Description = "Trang báo điện tử mẫu: tin thời sự, quốc phòng, dân tộc - miền núi, kinh tế, xã hội, giáo dục, văn hóa."
	for i, doc := range h.docs {
		it := h.item(d.Base, doc)
		if i == 0 {
			d.Featured = &it
			continue
		}
		d.List = append(d.List, it)
	}
	h.render(w, r, "home", http.StatusOK, h.newest(), d)
}

func (h *handler) page(w http.ResponseWriter, r *http.Request) {
	p := "/" + r.PathValue("page")
	if doc, ok := h.byPath[p]; ok {
		h.article(w, r, doc)
		return
	}
	if name := sectionName(p[1:]); name != "" {
		h.section(w, r, p[1:], name)
		return
	}
	h.notFound(w, r)
}

func (h *handler) section(w http.ResponseWriter, r *http.Request, slug, name string) {
	d := h.data(r, "category", &doc{})
	d.Title = name + " - Báo Tin Mẫu"
	d.OGTitle = d.Title
	d.Description = "Tin tức " + name + " mới nhất trên Báo Tin Mẫu."
	d.Active = slug
	d.SectionName = name
	mod := h.now.Add(-14 * 24 * time.Hour)
	for _, doc := range h.docs {
		if doc.Section == slug {
			d.List = append(d.List, h.item(d.Base, doc))
			if doc.Published.After(mod) {
				mod = doc.Published
			}
		}
	}
	h.render(w, r, "section", http.StatusOK, mod, d)
}

func (h *handler) article(w http.ResponseWriter, r *http.Request, doc *doc) {
	d := h.data(r, "detail", doc)
	d.A = doc
	d.Title = doc.Title + " - Báo Tin Mẫu"
	d.OGTitle = doc.Title
	d.Description = doc.Lead
	d.Active = doc.Section
	d.SectionName = sectionName(doc.Section)
	d.Keywords = strings.Join(doc.Tags, ", ")
	d.Visible = visibleDate(doc.Published, doc.Visible)
	d.PublishedISO = doc.Published.Format(time.RFC3339)
	if !doc.Modified.IsZero() {
		d.ModifiedISO = doc.Modified.Format(time.RFC3339)
	}
	d.AuthorLine = strings.Join(doc.Authors, " - ")
	if doc.Format == "html" {
		d.Raw = template.HTML(doc.RawBody) // the hostile page: untrusted on purpose
	}
	for _, o := range h.docs {
		if o.Section == doc.Section && compatible(doc, o) && len(d.Related) < 4 {
			d.Related = append(d.Related, h.item(d.Base, o))
		}
	}
	url := d.Base + doc.Path
	var authors []map[string]string
	for _, a := range doc.Authors {
		authors = append(authors, map[string]string{"@type": "Person", "name": a})
	}
	ld := map[string]any{
		"@context":         "https://schema.org",
		"@type":            "NewsArticle",
		"mainEntityOfPage": map[string]string{"@type": "WebPage", "@id": url},
		"headline":         doc.Title,
		"description":      doc.Lead,
		"image":            []string{d.Base + doc.Image},
		"datePublished":    d.PublishedISO,
		"author":           authors,
		"articleSection":   d.SectionName,
		"inLanguage":       "vi",
		"keywords":         d.Keywords,
		"publisher": map[string]any{
			"@type": "Organization",
			"name":  "Báo Tin Mẫu",
			"logo":  map[string]string{"@type": "ImageObject", "url": d.Base + "/images/logo.png"},
		},
	}
	if d.ModifiedISO != "" {
		ld["dateModified"] = d.ModifiedISO
	}
	d.JSONLD = jsonJS(ld)
	d.Breadcrumb = jsonJS(map[string]any{
		"@context": "https://schema.org",
		"@type":    "BreadcrumbList",
		"itemListElement": []map[string]any{
			{"@type": "ListItem", "position": 1, "name": "Trang chủ", "item": d.Base + "/"},
			{"@type": "ListItem", "position": 2, "name": d.SectionName, "item": d.Base + "/" + doc.Section},
		},
	})
	mod := doc.Published
	if !doc.Modified.IsZero() {
		mod = doc.Modified
	}
	h.render(w, r, "article", http.StatusOK, mod, d)
}

// jsonJS marshals v for a <script type="application/ld+json"> element;
// encoding/json escapes <, > and &, so no value can close the element.
func jsonJS(v any) template.JS {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "{}"
	}
	return template.JS(b)
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	d := h.data(r, "error", &doc{})
	d.Title = "Không tìm thấy trang - Báo Tin Mẫu"
	d.OGTitle = d.Title
	d.Heading = "Không tìm thấy trang"
	d.Message = "Trang bạn tìm không tồn tại hoặc đã bị gỡ bỏ."
	h.render(w, r, "error", http.StatusNotFound, time.Time{}, d)
}

func (h *handler) admin(w http.ResponseWriter, r *http.Request) {
	d := h.data(r, "error", &doc{})
	d.Title = "Cấm truy cập - Báo Tin Mẫu"
	d.OGTitle = d.Title
	d.Heading = "Cấm truy cập"
	d.Message = "Khu vực quản trị chỉ dành cho biên tập viên."
	h.render(w, r, "error", http.StatusForbidden, time.Time{}, d)
}

func (h *handler) rssIndex(w http.ResponseWriter, r *http.Request) {
	d := h.data(r, "rss", &doc{})
	d.Title = "RSS - Báo Tin Mẫu"
	d.OGTitle = d.Title
	d.Description = "Danh sách kênh RSS của Báo Tin Mẫu."
	h.render(w, r, "rssindex", http.StatusOK, h.newest(), d)
}

func (h *handler) image(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.PathValue("name"), ".png") {
		h.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, "", h.now.Add(-30*24*time.Hour), bytes.NewReader(h.png))
}

func (h *handler) robots(w http.ResponseWriter, r *http.Request) {
	body := "User-agent: *\nDisallow: /admin/\nDisallow: /tim-kiem\nAllow: /\n\n" +
		"User-agent: BadBot\nDisallow: /\n\n" +
		"Sitemap: " + baseURL(r) + "/sitemap.xml\n"
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(body))
}

// RSS 2.0 documents.
type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	Copyright     string    `xml:"copyright"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Generator     string    `xml:"generator"`
	TTL           int       `xml:"ttl"`
	AtomLink      atomLink  `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	GUID        rssGUID `xml:"guid"`
	Description cdata   `xml:"description"`
	PubDate     string  `xml:"pubDate"`
	Category    string  `xml:"category"`
	Author      string  `xml:"author,omitempty"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type cdata struct {
	Value string `xml:",cdata"`
}

// feedTitle is the title as the CMS writes it into the feed: some titles
// carry HTML entities that an XML parser leaves in place (as Thanh Niên's
// feeds do), so a reader must HTML-unescape after XML decoding.
func feedTitle(d *doc) string {
	if !d.FeedEntities {
		return d.Title
	}
	r := strings.NewReplacer(`"`, "&quot;", "–", "&#8211;", "“", "&#8220;", "”", "&#8221;", "'", "&#39;")
	return r.Replace(d.Title)
}

func (h *handler) feed(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("feed"), ".rss")
	title := "Tin mới nhất"
	if ok && name != "home" {
		title = sectionName(name)
	}
	if !ok || title == "" {
		h.notFound(w, r)
		return
	}
	base := baseURL(r)
	ch := rssChannel{
		Title:       "Báo Tin Mẫu - " + title,
		Link:        base + "/",
		Description: "Báo Tin Mẫu - " + title,
		Language:    "vi-VN",
		Copyright:   "Báo Tin Mẫu (nội dung hư cấu)",
		Generator:   "Tin Mẫu CMS 3.2",
		TTL:         10,
		AtomLink:    atomLink{Href: base + r.URL.Path, Rel: "self", Type: "application/rss+xml"},
	}
	mod := h.now.Add(-14 * 24 * time.Hour)
	for _, d := range h.docs {
		if name != "home" && d.Section != name {
			continue
		}
		if d.Published.After(mod) {
			mod = d.Published
		}
		link := base + d.Path
		desc := fmt.Sprintf(`<a href="%s"><img src="%s" width="180" height="110" /></a>&nbsp;%s`,
			link, base+d.Image, template.HTMLEscapeString(d.Lead))
		ch.Items = append(ch.Items, rssItem{
			Title:       feedTitle(d),
			Link:        link,
			GUID:        rssGUID{IsPermaLink: "true", Value: link},
			Description: cdata{desc},
			PubDate:     d.Published.Format(time.RFC1123Z),
			Category:    sectionName(d.Section),
			Author:      strings.Join(d.Authors, ", "),
		})
	}
	ch.LastBuildDate = mod.Format(time.RFC1123Z)
	h.writeXML(w, r, "application/rss+xml; charset=utf-8", mod, rssDoc{Version: "2.0", Atom: "http://www.w3.org/2005/Atom", Channel: ch})
}

func (h *handler) writeXML(w http.ResponseWriter, r *http.Request, ctype string, mod time.Time, v any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		http.Error(w, "Lỗi máy chủ", http.StatusInternalServerError)
		return
	}
	buf.WriteByte('\n')
	w.Header().Set("Content-Type", ctype)
	http.ServeContent(w, r, "", mod, bytes.NewReader(buf.Bytes()))
}

// Sitemaps.
type sitemapIndexDoc struct {
	XMLName  xml.Name     `xml:"sitemapindex"`
	NS       string       `xml:"xmlns,attr"`
	Sitemaps []sitemapRef `xml:"sitemap"`
}

type sitemapRef struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod"`
}

type urlSet struct {
	XMLName xml.Name `xml:"urlset"`
	NS      string   `xml:"xmlns,attr"`
	NewsNS  string   `xml:"xmlns:news,attr,omitempty"`
	URLs    []urlRef `xml:"url"`
}

type urlRef struct {
	Loc        string    `xml:"loc"`
	LastMod    string    `xml:"lastmod,omitempty"`
	ChangeFreq string    `xml:"changefreq,omitempty"`
	Priority   string    `xml:"priority,omitempty"`
	News       *newsInfo `xml:"news:news,omitempty"`
}

type newsInfo struct {
	Publication struct {
		Name     string `xml:"news:name"`
		Language string `xml:"news:language"`
	} `xml:"news:publication"`
	PublicationDate string `xml:"news:publication_date"`
	Title           string `xml:"news:title"`
	Keywords        string `xml:"news:keywords,omitempty"`
}

const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

func (h *handler) sitemapIndex(w http.ResponseWriter, r *http.Request) {
	base := baseURL(r)
	last := h.newest().Format(time.RFC3339)
	h.writeXML(w, r, "application/xml; charset=utf-8", h.newest(), sitemapIndexDoc{
		NS: sitemapNS,
		Sitemaps: []sitemapRef{
			{Loc: base + "/sitemap-news.xml", LastMod: last},
			{Loc: base + "/sitemap-articles.xml", LastMod: last},
		},
	})
}

func (h *handler) sitemapArticles(w http.ResponseWriter, r *http.Request) {
	base := baseURL(r)
	set := urlSet{NS: sitemapNS}
	set.URLs = append(set.URLs, urlRef{Loc: base + "/", ChangeFreq: "hourly", Priority: "1.0"})
	for _, s := range sections {
		set.URLs = append(set.URLs, urlRef{Loc: base + "/" + s.Slug, ChangeFreq: "hourly", Priority: "0.8"})
	}
	for _, d := range h.docs {
		mod := d.Published
		if !d.Modified.IsZero() {
			mod = d.Modified
		}
		set.URLs = append(set.URLs, urlRef{Loc: base + d.Path, LastMod: mod.Format(time.RFC3339), ChangeFreq: "daily", Priority: "0.6"})
	}
	h.writeXML(w, r, "application/xml; charset=utf-8", h.newest(), set)
}

// sitemapNews lists the articles of the last two days, as Google News
// sitemaps do.
func (h *handler) sitemapNews(w http.ResponseWriter, r *http.Request) {
	base := baseURL(r)
	set := urlSet{NS: sitemapNS, NewsNS: "http://www.google.com/schemas/sitemap-news/0.9"}
	for _, d := range h.docs {
		if h.now.Sub(d.Published) > 48*time.Hour {
			continue
		}
		n := &newsInfo{PublicationDate: d.Published.Format(time.RFC3339), Title: d.Title, Keywords: strings.Join(d.Tags, ", ")}
		n.Publication.Name = "Báo Tin Mẫu"
		n.Publication.Language = "vi"
		set.URLs = append(set.URLs, urlRef{Loc: base + d.Path, News: n})
	}
	h.writeXML(w, r, "application/xml; charset=utf-8", h.newest(), set)
}
