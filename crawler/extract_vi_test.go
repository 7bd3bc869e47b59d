package crawler

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
)

// TestPagesAsPublished extracts the real-shaped pages of testdata/vi and
// checks the title, publication time (with the page's own offset) and date
// method: the visible headline against a different <title>, the VnExpress
// date line, "Cập nhật" beside the real date, a lunar date, related news and
// comments full of dates, a page without a date, Lao text, US English pages.
func TestPagesAsPublished(t *testing.T) {
	tests := []struct {
		file, title, published, from string
	}{
		{"h1-title", "Đồn Biên phòng Bát Mọt “mang luật về bản” – hơn 200 người dân tham dự", "2020-10-26T22:21:00+07:00", article.DateText},
		{"cap-nhat", "Thường Xuân trao quà cho hộ nghèo vùng biên", "2020-10-26T10:15:00+07:00", article.DateText},
		{"am-lich", "Người Thái ở Thường Xuân đón Tết Trung thu", "2024-09-17T07:30:00+07:00", article.DateText},
		{"lien-quan", "Cửa khẩu phụ Khẹo thông quan trở lại", "2020-11-05T14:05:00+07:00", article.DateText},
		{"khong-ngay", "Giới thiệu xã Bát Mọt", testNow.Format(time.RFC3339), article.DateFetched},
		{"lao", "ແຂວງຫົວພັນ ແລະ ແຂວງແທງຮວາ ຮ່ວມມືກັນ", "2024-03-12T09:30:00+07:00", article.DateMeta},
		// The meta gives the instant in UTC; the page writes it at −05:00,
		// on 22 October (in Vietnam it is already the 23rd).
		{"en-us", "Border trade rises in Thanh Hoa", "2025-10-22T19:00:00-05:00", article.DateMeta},
		{"en-us-numeric", "Market day at the border – a photo essay", "2025-03-04T00:00:00+07:00", article.DateText},
		// The date line above the headline wins over a JSON-LD
		// datePublished that is the time the page was generated; the
		// site header's today and the dates in the body are not read.
		{"byline-truoc", "Tuyên truyền pháp luật biên giới ở Bát Mọt", "2020-10-26T22:21:00+07:00", article.DateText},
		// The header shows only "Cập nhật …": the metadata's first
		// publication wins over the update line.
		{"chi-cap-nhat", "Tuyên truyền pháp luật biên giới ở Bát Mọt", "2020-10-26T22:21:00+07:00", article.DateMeta},
		// A banner <h1> with today's date beside it above the article:
		// the header read is the one of the h1 the metadata title names.
		{"h1-banner", "Xã Bát Mọt ra quân làm đường giao thông nông thôn", "2026-11-20T08:30:00+07:00", article.DateMeta},
		// Plain "en": the page's unambiguous 25/09/2023 makes 03/10/2023
		// the 3rd of October.
		{"en-dmy", "How many rice varieties grow in Thanh Hoa?", "2023-10-03T00:00:00+07:00", article.DateText},
		// A forum thread at an article-shaped URL: the members' join dates
		// ("Tham gia: 12/3/2015") are not its date.
		{"dien-dan", "Hỏi về thủ tục qua cửa khẩu Khẹo", testNow.Format(time.RFC3339), article.DateFetched},
		// A WordPress page (Yoast's graph): the WebPage's datePublished.
		{"wordpress-webpage", "Xã Bát Mọt tổ chức hội nghị tiếp xúc cử tri", "2023-08-15T09:00:00+07:00", article.DateJSONLD},
		// A section label inside the h1 is not part of the headline.
		{"h1-chuyen-muc", "Thường Xuân trao quà cho hộ nghèo vùng biên", "2020-10-26T10:15:00+07:00", article.DateMeta},
		// A newsletter box's h1 says nothing the metadata says: the
		// headline is the h2 the metadata names.
		{"h1-keu-goi", "Cửa khẩu phụ Khẹo thông quan trở lại", "2020-11-05T14:05:00+07:00", article.DateMeta},
		// A district portal: the site's name in a banner h1, the headline
		// in an h2, "Ngày đăng" below it, og:type website.
		{"cong-ttdt", "Tập huấn chuyển đổi số cho cán bộ xã", "2020-10-26T00:00:00+07:00", article.DateText},
		// A "Tin mới" column with dates before the headline, no date line
		// after it: the metadata's date, not a teaser's.
		{"sidebar-truoc", "Thường Xuân trao quà cho hộ nghèo vùng biên", "2020-10-26T10:15:00+07:00", article.DateMeta},
		// A WordPress page built with Elementor: the body's layout
		// classes ("has-sidebar") and the "elementor-widget" wrappers of
		// the headline and its date line are not a sidebar; the date
		// line under the headline wins over a later metadata time.
		{"wp-elementor", "Xã Bát Mọt tổ chức ngày hội đại đoàn kết toàn dân tộc", "2020-11-18T09:30:00+07:00", article.DateText},
		// The theme writes the update date first, marked only by its
		// class and itemprop, and a hidden machine copy of another:
		// the date marked published is the one.
		{"cap-nhat-class", "Cửa khẩu phụ Khẹo đón đoàn doanh nghiệp Lào", "2020-11-26T22:21:00+07:00", article.DateText},
		// The metadata writes the publication in UTC; another date of
		// the page (the update) is at +07:00. The publication keeps the
		// offset it was written with (its Vietnam day, the 26th, is a
		// conversion the reader of the field makes).
		{"utc-meta", "Đồn Biên phòng Bát Mọt khám bệnh miễn phí cho người dân", "2020-10-25T18:30:00Z", article.DateMeta},
		// The same on an English page whose update is at −07:00: the
		// publication's UTC day, not the day in the update's zone.
		{"en-utc-meta", "What to expect on a first trip across the Laos border", "2015-05-12T06:05:27Z", article.DateMeta},
		// A US page's header shows "December 9, 2021" with no time; the
		// meta tag says 02:17 UTC on the 10th, the same publication in a
		// zone the page does not name (in Indochina Time the header's day
		// would be wrong): the metadata's instant, as written.
		{"en-utc-header", "Cooking with sticky rice from the Lao border", "2021-12-10T02:17:00Z", article.DateMeta},
		// A Vietnamese page's header shows 27/10; the meta tag says 17:30
		// UTC on the 26th, 00:30 on the 27th in Vietnam: the same
		// instant, kept on the header's day in the header's zone.
		{"utc-header", "Xã Xuân Liên trồng mới 50 ha rừng gỗ lớn", "2020-10-27T00:30:00+07:00", article.DateMeta},
		// A shop's blog (Shopify's theme): the date under the headline
		// sits in a "caption-with-letter-spacing" span, a style, not a
		// photo caption; it shows the 26th where the machine copy is the
		// 25th in UTC.
		{"shopify-caption", "Mật ong rừng Xuân Liên vào mùa thu hoạch", "2020-10-26T00:00:00+07:00", article.DateText},
		// An old commune portal laid out in tables: no heading element,
		// the headline in a cell the <title> names, "Ngày đăng" under
		// it; the "Tin mới" column's dates come before it.
		{"cong-bang", "Xã Yên Nhân tổ chức hội nghị tiếp xúc cử tri cuối năm", "2023-12-22T15:40:00+07:00", article.DateText},
		// A sapo (standfirst) between the headline and the date line is
		// read past; the date line wins over the metadata's draft time.
		{"sapo-byline", "Thường Xuân mở lớp dạy chữ Thái cho học sinh vùng biên", "2025-11-25T05:00:00+07:00", article.DateText},
		// The date line above the headline (VnExpress's layout); the
		// sapo below it names an event's date, which is not read.
		{"sapo-ngay", "Bát Mọt hoàn thành tuyến đường vào thôn Vịn", "2025-11-24T22:21:00+07:00", article.DateText},
		// The header shows only "Cập nhật … 12/11/2025" and the JSON-LD
		// says published on the 13th: a page is not published after its
		// last update, the header's day wins (see chi-cap-nhat for an
		// earlier metadata date, which wins).
		{"cap-nhat-truoc", "Thực đơn 7 ngày tiết kiệm cho gia đình vùng cao", "2025-11-12T16:30:00+07:00", article.DateText},
		// "Đăng <time pubdate>" under the article (HTML's publication
		// marker) wins over a JSON-LD datePublished equal to the last
		// save; the related box's <time pubdate> is another story's.
		{"pubdate", "Hướng dẫn thủ tục qua cửa khẩu phụ Khẹo cho người dân hai bên biên giới", "2020-10-26T10:15:00+07:00", article.DateText},
		// The page's layout wrapper says it has a sidebar
		// ("c-layout-sidebar-left"): it holds the article too; only the
		// <aside> is the sidebar.
		{"layout-sidebar", "Xã Bát Mọt tập huấn phòng chống cháy rừng mùa khô", "2024-03-18T08:40:00+07:00", article.DateText},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "vi", tt.file+".html"))
			if err != nil {
				t.Fatal(err)
			}
			pageURL := "https://baomau.vn/thoi-su/" + tt.file + "-2001.htm"
			if strings.HasPrefix(tt.file, "en-") {
				pageURL = "https://news.example.com/world/" + tt.file
			}
			a, err := extract(pageURL, body, http.Header{"Content-Type": {"text/html; charset=utf-8"}}, Source{ID: "mau", Name: "Báo Mẫu"}, testEnv())
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != tt.title {
				t.Errorf("title %q, want %q", a.Title, tt.title)
			}
			want := tt.published
			if tt.from == article.DateFetched {
				want = testNow.In(article.Vietnam()).Format(time.RFC3339)
			}
			if got := a.Published.Format(time.RFC3339); got != want || a.PublishedFrom != tt.from {
				t.Errorf("published %s via %q, want %s via %q", got, a.PublishedFrom, want, tt.from)
			}
		})
	}
}

// TestLaoStoredAsPublished: the Lao page keeps ຳ (U+0EB3) and ໜ (U+0EDC) in
// the stored body; compatibility folding happens only in search keys.
func TestLaoStoredAsPublished(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "vi", "lao.html"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := extract("https://kpl.example.la/news-1.htm", body, http.Header{}, Source{ID: "kpl"}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"ຊຳໃຕ້", "ຊຳເໜືອ", "ເຈົ້າໜ້າທີ່"} {
		if !strings.Contains(a.Body, w) {
			t.Errorf("body lost %q: %q", w, a.Body)
		}
	}
	if a.Lang != "lo" {
		t.Errorf("lang %q", a.Lang)
	}
}

// TestPagesNotArticles: pages that state no type but are a forum thread
// (by the URL shape of forum software), a shop item (a buy button, no
// date; or a buy button at a /san-pham/ URL) or a section listing
// (teasers, mostly links, no date) are refused as not articles.
func TestPagesNotArticles(t *testing.T) {
	for _, tt := range []struct{ file, url string }{
		{"dien-dan", "https://diendanmau.vn/threads/hoi-ve-thu-tuc-qua-cua-khau-kheo.12345/"},
		{"dien-dan", "https://forum.mau.vn/t/hoi-ve-thu-tuc-qua-cua-khau-kheo/678"},
		{"ban-hang", "https://dacsanmau.vn/mat-ong-rung-xuan-lien-500ml"},
		{"chuyen-muc", "https://baomau.vn/thoi-su/"},
		{"ban-hang", "https://dacsanmau.vn/san-pham/mat-ong-rung-xuan-lien-500ml"},
		// Stories in <article> elements, each with its linked headline
		// and date, under the listing's own <h1>: the first story's
		// date is not the page's.
		{"tin-tuc-article", "https://baomau.vn/tin-tuc/"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "vi", tt.file+".html"))
			if err != nil {
				t.Fatal(err)
			}
			a, err := extract(tt.url, body, http.Header{}, Source{ID: "mau"}, testEnv())
			if !errors.Is(err, ErrNotArticle) {
				t.Errorf("%s: err %v (title %q), want ErrNotArticle", tt.url, err, a.Title)
			}
		})
	}
}

// TestURLDayOfUTC: a UTC metadata time just after midnight belongs to the
// previous day when the URL's date path says so; not otherwise.
func TestURLDayOfUTC(t *testing.T) {
	env := testEnv()
	utc := time.Date(2020, 2, 18, 2, 18, 0, 0, time.UTC)
	if d, ok := urlDayOfUTC(utc, "https://news.example.com/2020/02/17/slug/", env); !ok || d.Format("2006-01-02") != "2020-02-17" {
		t.Errorf("got %v %v, want 2020-02-17", d, ok)
	}
	for _, c := range []struct {
		t time.Time
		u string
	}{
		{utc, "https://news.example.com/2020/02/18/slug/"},                                        // same day
		{utc, "https://news.example.com/news/slug-1"},                                             // no date in the URL
		{utc.In(time.FixedZone("", 7*3600)), "https://news.example.com/2020/02/17/slug/"},         // the page gave an offset
		{time.Date(2020, 2, 18, 12, 0, 0, 0, time.UTC), "https://news.example.com/2020/02/17/x/"}, // midday: no zone moves it a day
	} {
		if d, ok := urlDayOfUTC(c.t, c.u, env); ok {
			t.Errorf("%v %s: got %v, want no change", c.t, c.u, d)
		}
	}
}

// TestKindPath: URL paths that name a shop item, a section or an offer,
// and article paths that only contain such a word deeper or in a slug.
func TestKindPath(t *testing.T) {
	for _, c := range []struct{ u, want string }{
		{"https://dacsanmau.vn/san-pham/mat-ong-rung-xuan-lien", "product"},
		{"https://shop.example.com/products/yoga-mat", "product"},
		{"https://baomau.vn/chuyen-muc/thoi-su", "section"},
		{"https://baomau.vn/tag/bat-mot", "section"},
		{"https://congty.vn/dich-vu/", "section"},
		{"https://baomau.vn/tin-tuc/", "section"},
		{"https://news.example.com/hub/science", "section"},
		{"https://news.example.com/hub/technology/what-is-mesh-wifi/", ""},
		{"https://baomau.vn/thoi-su/dich-vu-cong-truc-tuyen-o-thuong-xuan-2001.htm", ""},
		{"https://baomau.vn/thoi-su/tin-tuc-moi-2001.htm", ""},
		{"https://shop.example.com/products", ""}, // the word alone, last: a section page or an article slug
		{"https://baomau.vn/", ""},
	} {
		u, _ := url.Parse(c.u)
		if got := kindPath(u); got != c.want {
			t.Errorf("%s: %q, want %q", c.u, got, c.want)
		}
	}
	for _, c := range []struct {
		u    string
		root bool
	}{
		{"https://baomau.vn/", true},
		{"https://baomau.vn/?utm_source=zalo&srsltid=abc", true},
		{"https://baomau.vn/?p=123", false},
		{"https://baomau.vn/thoi-su/", false},
	} {
		if got := isSiteRoot(c.u); got != c.root {
			t.Errorf("isSiteRoot(%s) = %v, want %v", c.u, got, c.root)
		}
	}
}

// TestPickTitleRules: the headline's date, site name or page-kind word
// is not part of the title when the metadata title is the rest; an h1
// that shares no words with the metadata titles is not the headline; a
// breadcrumb or an introducing line is not a headline; the page's section
// after a metadata title goes, not from the visible h1; UTF-8 read as
// Latin-1 is repaired.
func TestPickTitleRules(t *testing.T) {
	site := []string{"Báo Mẫu"}
	for _, c := range []struct {
		name string
		in   titleInput
		want string
	}{
		{"date before the headline", titleInput{h1s: []string{"26/10/2020 Xã Bát Mọt ra quân làm đường"}, og: "Xã Bát Mọt ra quân làm đường - Báo Mẫu", siteNames: site, host: "baomau.vn"},
			"Xã Bát Mọt ra quân làm đường"},
		{"section word before the headline", titleInput{h1s: []string{"Tin tức: Xã Bát Mọt ra quân làm đường"}, doc: "Xã Bát Mọt ra quân làm đường | Báo Mẫu", siteNames: site, host: "baomau.vn"},
			"Xã Bát Mọt ra quân làm đường"},
		{"other words after the headline stay", titleInput{h1s: []string{"Xã Bát Mọt ra quân làm đường giao thông"}, og: "Xã Bát Mọt ra quân làm đường", siteNames: site, host: "baomau.vn"},
			"Xã Bát Mọt ra quân làm đường giao thông"},
		{"a call to action as h1", titleInput{h1s: []string{"Đăng ký nhận bản tin ngay hôm nay"}, og: "Thường Xuân trao quà cho hộ nghèo vùng biên", siteNames: site, host: "baomau.vn"},
			"Thường Xuân trao quà cho hộ nghèo vùng biên"},
		{"an SEO title that rewords the headline loses", titleInput{h1s: []string{"Thường Xuân: trao 300 suất quà cho hộ nghèo"}, og: "Trao quà hộ nghèo Thường Xuân 2024 | tin mới nhất", siteNames: site, host: "baomau.vn"},
			"Thường Xuân: trao 300 suất quà cho hộ nghèo"},
		{"a breadcrumb h1", titleInput{h1s: []string{"Thời sự > Biên giới", "Cửa khẩu phụ Khẹo thông quan trở lại"}, og: "Cửa khẩu phụ Khẹo thông quan trở lại", siteNames: site, host: "baomau.vn"},
			"Cửa khẩu phụ Khẹo thông quan trở lại"},
		{"the section after the metadata title", titleInput{og: "Xã Bát Mọt ra quân làm đường - Thời sự - Báo Mẫu", siteNames: site, host: "baomau.vn", sections: sectionKeys(mustURL(t, "https://baomau.vn/thoi-su/xa-bat-mot-2001.htm"))},
			"Xã Bát Mọt ra quân làm đường"},
		{"a section the h1 shows stays", titleInput{h1s: []string{"Xã Bát Mọt ra quân làm đường | Thời sự"}, og: "Xã Bát Mọt ra quân làm đường | Thời sự", host: "baomau.vn", sections: sectionKeys(mustURL(t, "https://baomau.vn/thoi-su/xa-bat-mot-2001.htm"))},
			"Xã Bát Mọt ra quân làm đường | Thời sự"},
		{"mojibake", titleInput{h1s: []string{"A DIY Investor\u00e2\u0080\u0099s Guide"}, host: "example.com"},
			"A DIY Investor’s Guide"},
	} {
		for i, h := range c.in.h1s {
			c.in.h1s[i] = titleText(h)
		}
		if got := pickTitle(c.in); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestURLConfirmsMetadata: a URL's date path that names the metadata's
// day beats a different date in the header (a theme showing the last
// edit), and puts a numeric date it contradicts in the other order.
func TestURLConfirmsMetadata(t *testing.T) {
	for _, c := range []struct {
		file, url, published, from string
	}{
		{"url-xac-nhan", "https://baomau.vn/2020/10/26/bat-mot-tuyen-truyen-phap-luat/", "2020-10-26T08:00:00+07:00", article.DateMeta},
		// Without the URL's word, the header's date wins.
		{"url-xac-nhan", "https://baomau.vn/thoi-su/bat-mot-tuyen-truyen-phap-luat-2001.htm", "2020-11-09T00:00:00+07:00", article.DateText},
		// en-US reads 03/10/2023 as 10 March; the URL says 3 October.
		{"en-url-thang", "https://news.example.com/blog/2023/october/03/rice-varieties/", "2023-10-03T00:00:00+07:00", article.DateText},
		{"en-url-thang", "https://news.example.com/blog/rice-varieties/", "2023-03-10T00:00:00+07:00", article.DateText},
	} {
		body, err := os.ReadFile(filepath.Join("testdata", "vi", c.file+".html"))
		if err != nil {
			t.Fatal(err)
		}
		a, err := extract(c.url, body, http.Header{}, Source{ID: "mau", Name: "Báo Mẫu"}, testEnv())
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Published.Format(time.RFC3339); got != c.published || a.PublishedFrom != c.from {
			t.Errorf("%s: published %s via %q, want %s via %q", c.url, got, a.PublishedFrom, c.published, c.from)
		}
	}
}

// TestPagesStillArticles: pages that carry a not-an-article signal beside
// a real story stay articles: a district portal's dated story with a
// shop banner and og:type website, a story deeper under a /dich-vu/ or
// /tag/ path, a WordPress page whose JSON-LD states only a WebPage.
func TestPagesStillArticles(t *testing.T) {
	for _, c := range []struct{ file, url string }{
		{"cong-ttdt", "https://thuongxuan.thanhhoa.gov.vn/portal/Pages/2020-10-26/Tap-huan-chuyen-doi-so.aspx"},
		{"h1-title", "https://baomau.vn/dich-vu/cong-truc-tuyen/tuyen-truyen-phap-luat-bien-gioi-2001.htm"},
		{"wordpress-webpage", "https://batmot.example.vn/hoi-nghi-tiep-xuc-cu-tri/"},
		{"lien-quan", "https://baomau.vn/tag/kheo/cua-khau-phu-kheo-thong-quan-tro-lai-2001.htm"},
	} {
		body, err := os.ReadFile(filepath.Join("testdata", "vi", c.file+".html"))
		if err != nil {
			t.Fatal(err)
		}
		a, err := extract(c.url, body, http.Header{}, Source{ID: "mau"}, testEnv())
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if a.PublishedFrom == article.DateFetched {
			t.Errorf("%s: no date found", c.url)
		}
	}
}

// TestOriginallyPublished: a republished story's "đăng lần đầu" line
// gives its first publication, over the metadata's republication date.
func TestOriginallyPublished(t *testing.T) {
	page := `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Chuyện người giữ rừng ở Xuân Liên - Báo Mẫu</title>
<meta property="article:published_time" content="2024-03-01T08:00:00+07:00">
</head><body><h1>Chuyện người giữ rừng ở Xuân Liên</h1><div class="meta">08:00 01/03/2024</div>
<div class="content"><p>Ông Lò Văn Thắng đã gắn bó với rừng Xuân Liên hơn ba mươi năm, từ ngày còn là một thanh niên theo cha đi tuần tra những cánh rừng già giáp biên giới Việt – Lào.</p>
<p><em>Bài viết đăng lần đầu ngày 26/10/2020, nay được đăng lại nhân dịp kỷ niệm ngày thành lập khu bảo tồn.</em></p></div></body></html>`
	a, err := extract("https://baomau.vn/phong-su/nguoi-giu-rung-2001.htm", []byte(page), http.Header{}, Source{ID: "mau"}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Published.Format("2006-01-02"); got != "2020-10-26" {
		t.Errorf("published %s via %q, want 2020-10-26", got, a.PublishedFrom)
	}
}

// TestForumSite: a thread on a site whose own name says "Forum" (or at a
// Lobsters URL) is not an article; a newspaper called "Diễn đàn …" and a
// source the operator named "… Forum" still publish articles.
func TestForumSite(t *testing.T) {
	read := func(file string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "vi", file+".html"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	thread := read("dien-dan")
	named := strings.Replace(thread, "</head>", `<meta property="og:site_name" content="Mẫu Forums"></head>`, 1)
	for _, c := range []struct{ body, url string }{
		{named, "https://diendanmau.vn/hoi-ve-thu-tuc-qua-cua-khau-kheo-12345.html"},
		{thread, "https://lobste.rs/s/ab12cd/hoi_ve_thu_tuc"},
	} {
		if _, err := extract(c.url, []byte(c.body), http.Header{}, Source{ID: "mau"}, testEnv()); !errors.Is(err, ErrNotArticle) {
			t.Errorf("%s: err %v, want ErrNotArticle", c.url, err)
		}
	}
	if _, err := extract("https://diendanmau.vn/hoi-ve-thu-tuc-qua-cua-khau-kheo-12345.html", []byte(thread), http.Header{}, Source{ID: "mau", Name: "Mẫu Forum"}, testEnv()); err != nil {
		t.Errorf("source named Forum: %v", err)
	}
	paper := strings.Replace(read("cap-nhat"), `content="Cổng TTĐT Mẫu"`, `content="Diễn đàn Doanh nghiệp"`, 1)
	if !strings.Contains(paper, "Diễn đàn Doanh nghiệp") {
		t.Fatal("fixture cap-nhat changed")
	}
	if _, err := extract("https://baomau.vn/thoi-su/trao-qua-2001.htm", []byte(paper), http.Header{}, Source{ID: "mau"}, testEnv()); err != nil {
		t.Errorf("newspaper called Diễn đàn: %v", err)
	}
}
