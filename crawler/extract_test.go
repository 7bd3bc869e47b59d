package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/diembao/diembao/internal/article"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

var testNow = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func testEnv() extractEnv { return extractEnv{loc: article.Vietnam(), now: testNow, fastDate: true} }

// TestExtractGolden extracts every testdata/*.html page and compares the
// Article with testdata/NAME.golden.json (refresh with -update).
func TestExtractGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.html")
	if len(files) == 0 {
		t.Fatal("no testdata pages")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".html")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			hdr := http.Header{"Content-Type": {"text/html"}}
			src := Source{ID: "mau", Kind: article.KindPress}
			if strings.HasPrefix(name, "selectors") {
				src.Selectors = Selectors{Title: ".tieu-de", Body: ".noi-dung", Date: ".ngay-dang"}
			}
			a, err := extract("https://baomau.vn/thoi-su/"+name+"-1001.htm", body, hdr, src, testEnv())
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.MarshalIndent(a, "", "  ")
			golden := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if strings.TrimSpace(string(want)) != strings.TrimSpace(string(got)) {
				t.Errorf("%s differs from golden:\n%s", name, got)
			}
		})
	}
}

func TestWrongCharsetLabel(t *testing.T) {
	body := []byte(articleHTML("Xã Bát Mọt đón nhận bằng công nhận", "2026-11-20T08:00:00+07:00", "Người dân xã Bát Mọt, tỉnh Thanh Hóa phấn khởi đón nhận bằng công nhận xã đạt chuẩn nông thôn mới."))
	for _, label := range []string{"text/html; charset=iso-8859-1", "text/html; charset=windows-1252"} {
		a, err := extract("https://baomau.vn/a-1.htm", body, http.Header{"Content-Type": {label}}, Source{ID: "mau"}, testEnv())
		if err != nil {
			t.Fatal(err)
		}
		if a.Title != "Xã Bát Mọt đón nhận bằng công nhận" || a.Charset != "utf-8" {
			t.Errorf("%s: title %q charset %q", label, a.Title, a.Charset)
		}
	}
	// A real Windows-1258 page: decoded, then composed to NFC.
	cp1258, err := charmap.Windows1258.NewEncoder().String(splitTones(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	a, err := extract("https://baomau.vn/a-1.htm", []byte(strings.Replace(cp1258, `charset="utf-8"`, `charset="windows-1258"`, 1)), http.Header{}, Source{ID: "mau"}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Xã Bát Mọt đón nhận bằng công nhận" || a.Charset != "windows-1258" {
		t.Errorf("windows-1258: title %q charset %q", a.Title, a.Charset)
	}
}

// toTCVN3 writes Vietnamese text the way a .VnTime font page stores it.
func toTCVN3(s string) string {
	inv := map[rune]rune{}
	for k, v := range tcvn3 {
		inv[v] = k
	}
	var b strings.Builder
	for _, r := range s {
		if k, ok := inv[r]; ok {
			b.WriteRune(k)
		} else {
			b.WriteRune(r)
		}
	}
	raw, _ := charmap.Windows1252.NewEncoder().String(b.String())
	return raw
}

func TestLegacyEncodings(t *testing.T) {
	title := "Đồn biên phòng tuần tra khu vực biên giới"
	text := "Cán bộ, chiến sĩ đồn biên phòng phối hợp với lực lượng bảo vệ rừng tuần tra khu vực biên giới Việt - Lào, tuyên truyền cho bà con dân tộc về bảo vệ chủ quyền lãnh thổ."
	page := `<html><head><title>` + title + `</title><meta name="description" content=""></head><body><div class="content"><h1>` + title + `</h1><p>` + text + `</p><p>` + text + `</p></div></body></html>`
	tests := []struct {
		name, ctype, body, legacy string
	}{
		{"tcvn3 as latin-1", "text/html; charset=iso-8859-1", toTCVN3(page), LegacyTCVN3},
		{"tcvn3 unlabelled", "text/html", toTCVN3(page), LegacyTCVN3},
		{"utf-8 read as 1252, saved as utf-8", "text/html; charset=utf-8", mojibake(page), LegacyMojibake},
		{"vni", "text/html; charset=windows-1252", func() string {
			r := strings.NewReplacer("Đồn", "Ñoàn", "ồ", "oà", "ê", "eâ", "ò", "oø", "ầ", "aà", "ớ", "ôù", "ự", "öï", "ư", "ö", "ợ", "ôï", "ả", "aû", "ệ", "eä", "ừ", "öø", "ề", "eà", "ủ", "uû", "ổ", "oå", "ộ", "oä", "ĩ", "ó", "ố", "oá", "ế", "eá", "ạ", "aï", "ã", "aõ", "Đ", "Ñ", "đ", "ñ", "ơ", "ô", "ậ", "aä", "à", "aø", "á", "aù", "ú", "uù", "ì", "ì", "ó", "où", "ấ", "aá", "ể", "eå", "ẩ", "aå", "ò", "oø", "ỗ", "oã", "ễ", "eã")
			v, _ := charmap.Windows1252.NewEncoder().String(r.Replace(page))
			return v
		}(), LegacyVNI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := extract("https://baomau.vn/a-1.htm", []byte(tt.body), http.Header{"Content-Type": {tt.ctype}}, Source{ID: "mau"}, testEnv())
			if err != nil {
				t.Fatal(err)
			}
			if a.LegacyEncoding != tt.legacy {
				t.Errorf("legacy %q, want %q", a.LegacyEncoding, tt.legacy)
			}
			want := strings.ToLower(title)
			if tt.legacy != LegacyTCVN3 {
				want = title
			}
			if strings.ToLower(a.Title) != strings.ToLower(want) || !strings.Contains(strings.ToLower(a.Body), "biên giới việt - lào") {
				t.Errorf("title %q body %.120q", a.Title, a.Body)
			}
		})
	}
	// Plain French or Vietnamese Unicode text is left alone.
	for _, s := range []string{"Le café près de l'école était fermé à cause de la grève générale.", "Tiếng Việt rất hay, Thường Xuân, Bát Mọt."} {
		if out, enc := repairLegacy(s); enc != "" || out != s {
			t.Errorf("repairLegacy(%q) = %q, %q", s, out, enc)
		}
	}
}

func TestVietnameseDates(t *testing.T) {
	loc := article.Vietnam()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, loc)
	tests := []struct{ in, want string }{
		{"Thứ tư, 10/1/2024 - 14:30", "2024-01-10T14:30:00+07:00"},
		{"Thứ hai, 10/5/2021, 14:30 (GMT+7)", "2021-05-10T14:30:00+07:00"},
		{"(15:19 30/11/2019)", "2019-11-30T15:19:00+07:00"},
		{"Đăng ngày 11 - 11 - 2023", "2023-11-11T00:00:00+07:00"},
		{"Ngày 26/01/2015 09:25:58", "2015-01-26T09:25:58+07:00"},
		{"Đăng lúc: 06/07/2022 09:48:07 (GMT+7)", "2022-07-06T09:48:07+07:00"},
		{"Fri, 14/04/2017 14:00 | GMT +7", "2017-04-14T14:00:00+07:00"},
		{"10-01-2022 11:08", "2022-01-10T11:08:00+07:00"},
		{"ngày 04 tháng 5 năm 2019", "2019-05-04T00:00:00+07:00"},
		{"Cập nhật 14h30 ngày 3.6.2026", "2026-06-03T14:30:00+07:00"},
		{"2 giờ trước", "2026-11-26T08:00:00+07:00"},
		{"5 phút trước", "2026-11-26T09:55:00+07:00"},
		{"3 tiếng trước", "2026-11-26T07:00:00+07:00"},
		{"hôm qua", "2026-11-25T00:00:00+07:00"},
		{"2026-11-20T08:15:00Z", "2026-11-20T08:15:00Z"}, // the text's own offset
		// Vietnamese month names and orders of WordPress themes.
		{"Tháng Mười 26, 2020", "2020-10-26T00:00:00+07:00"},
		{"26 Tháng Mười, 2020", "2020-10-26T00:00:00+07:00"},
		{"Đăng ngày 3 tháng 11, 2020 lúc 10:15", "2020-11-03T10:15:00+07:00"},
		{"Tháng Mười Hai 5, 2023", "2023-12-05T00:00:00+07:00"},
		{"Tháng 3 14, 2024", "2024-03-14T00:00:00+07:00"},
		// The zone written after the time is the date's offset.
		{"Thứ hai, 26/10/2020, 22:21 (GMT+7)", "2020-10-26T22:21:00+07:00"},
		{"Nov 25, 2025 5:00 am PST", "2025-11-25T05:00:00-08:00"},
		{"26/10/2020 15:21 GMT", "2020-10-26T15:21:00Z"},
		{"26/10/2020 - 09:05 (GMT+9)", "2020-10-26T09:05:00+09:00"},
		// An update cue marks the date after it, not the one after that.
		{"Cập nhật: 28/11/2020 26/11/2020", "2020-11-26T00:00:00+07:00"},
		{"Updated May 21, 2025 April 24, 2025", "2025-04-24T00:00:00+07:00"},
	}
	for _, tt := range tests {
		got, ok := parseVietDate(tt.in, now, loc)
		if !ok || got.Format(time.RFC3339) != tt.want {
			t.Errorf("parseVietDate(%q) = %s, %v; want %s", tt.in, got.Format(time.RFC3339), ok, tt.want)
		}
	}
	for _, bad := range []string{"31/2/2024", "số 12/2024/NĐ-CP", "ngày 7/4", "ngày 15 tháng Chạp năm Giáp Thìn", "3 tháng 2024", "Release Date: 8 Nov, 2021", "Sale ends 31/03/2026.", "Hết hạn đăng ký: 30/11/2025"} {
		if got, ok := parseVietDate(bad, now, loc); ok {
			t.Errorf("parseVietDate(%q) = %s, want no date", bad, got)
		}
	}
	for in, want := range map[string]string{
		"https://dantri.com.vn/xa-hoi/slug-20210402200352849.htm":                 "2021-04-02T20:03:52+07:00",
		"https://thanhhoa.gov.vn/portal/Pages/2023-11-11/Thu-tuong-vi5x3u4r.aspx": "2023-11-11T00:00:00+07:00",
		"https://news.example.com/blog/2023/october/03/rice/":                     "2023-10-03T00:00:00+07:00",
	} {
		got, ok := dateFromURL(in, loc)
		if !ok || got.Format(time.RFC3339) != want {
			t.Errorf("dateFromURL(%q) = %s", in, got.Format(time.RFC3339))
		}
	}
}

func TestCanonicalURL(t *testing.T) {
	for in, want := range map[string]string{
		"HTTPS://Baothanhhoa.VN:443/thoi-su/a-224488.htm?utm_source=fb&fbclid=x#top": "https://baothanhhoa.vn/thoi-su/a-224488.htm",
		"https://vnexpress.net/a-4812345.html?zarsrc=30&utm_medium=z&gidzl=abc":      "https://vnexpress.net/a-4812345.html",
		"https://example.vn/tin?id=5&cat=2":                                          "https://example.vn/tin?cat=2&id=5",
		"https://tuoitre.vn/ten-cu-cua-bai-viet-20210715083324792.htm":               "https://tuoitre.vn/20210715083324792.htm",
		"https://tuoitre.vn/ten-moi-100261005152148723.htm?gidzl=1":                  "https://tuoitre.vn/100261005152148723.htm",
		"https://tuoitre.vn/mot-slug-khac-han-100261005152148723.htm":                "https://tuoitre.vn/100261005152148723.htm",
		"http://example.vn": "http://example.vn/",
	} {
		if got := CanonicalURL(in); got != want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCanonicalLinkAndTuoiTreSlugs(t *testing.T) {
	page := func(canon string) []byte {
		return []byte(strings.Replace(articleHTML("Bài", "2026-11-20T08:00:00+07:00", "Nội dung bài viết về biên giới Việt - Lào ở Thanh Hóa."), "</title>", `</title><link rel="canonical" href="`+canon+`">`, 1))
	}
	a1, _ := extract("https://tuoitre.vn/slug-cu-100261005152148723.htm", page("https://tuoitre.vn/slug-cu-100261005152148723.htm"), nil, Source{ID: "tuoitre"}, testEnv())
	a2, _ := extract("https://tuoitre.vn/slug-moi-100261005152148723.htm?utm_source=x", page("https://tuoitre.vn/slug-moi-100261005152148723.htm"), nil, Source{ID: "tuoitre"}, testEnv())
	if a1.ID == "" || a1.ID != a2.ID {
		t.Errorf("slug change gave ids %q and %q", a1.ID, a2.ID)
	}
	// A canonical link to another site is ignored.
	a3, _ := extract("https://baomau.vn/a-1.htm", page("https://evil.example/a"), nil, Source{ID: "mau"}, testEnv())
	if a3.CanonicalURL != "https://baomau.vn/a-1.htm" {
		t.Errorf("foreign canonical accepted: %q", a3.CanonicalURL)
	}
}

func TestExtractEmptyPageIsPermanent(t *testing.T) {
	_, err := Extract(context.Background(), "https://baomau.vn/x", []byte("<html><body><nav>menu</nav></body></html>"), nil, Source{ID: "mau"})
	if err == nil {
		t.Fatal("no error for an empty page")
	}
}

// splitTones writes text the Windows-1258 way: base letters with their
// vowel marks precomposed, tone marks as combining characters.
func splitTones(s string) string {
	var b strings.Builder
	for _, r := range s {
		d := []rune(norm.NFD.String(string(r)))
		var base []rune
		tone := ""
		for _, x := range d {
			switch x {
			case 0x300, 0x301, 0x303, 0x309, 0x323:
				tone = string(x)
			default:
				base = append(base, x)
			}
		}
		b.WriteString(norm.NFC.String(string(base)) + tone)
	}
	return b.String()
}

// mojibake decodes UTF-8 bytes as Windows-1252 the way browsers do (the
// five undefined bytes become C1 controls).
func mojibake(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		r := charmap.Windows1252.DecodeByte(c)
		if r == utf8.RuneError {
			r = rune(c)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestNonHTMLIsNotAnArticle(t *testing.T) {
	_, err := extract("https://thanhhoa.gov.vn/van-ban.pdf", []byte("%PDF-1.4 ..."), http.Header{"Content-Type": {"application/pdf"}}, Source{ID: "p"}, testEnv())
	if !errors.Is(err, ErrNotArticle) {
		t.Errorf("pdf: %v", err)
	}
	if _, err := extract("https://baomau.vn/", []byte(articleHTML("Trang chủ", "", "Tin tức mới nhất trong ngày về mọi lĩnh vực.")), nil, Source{ID: "p"}, testEnv()); !errors.Is(err, ErrNotArticle) {
		t.Errorf("site root: %v", err)
	}
}

// originallyEnd finds what reOriginally finds, in any case, also when the
// text's lower case has another length (the Kelvin sign K).
func TestOriginallyEndMatchesTheRegexp(t *testing.T) {
	for _, text := range []string{
		"", "nothing here", "This article was Originally Published on 26 Sep 2019",
		"Bài viết ĐĂNG LẦN ĐẦU ngày 26/10/2020", "first published x, originally published y",
		"Xuất bản lần đầu: 01/02/2021", "\u212a first published 2020", "originally  published",
	} {
		var want []int
		if loc := reOriginally.FindStringIndex(text); loc != nil {
			want = []int{loc[1]}
		}
		var got []int
		if end, ok := originallyEnd(text); ok {
			got = []int{end}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: originallyEnd %v, regexp %v", text, got, want)
		}
	}
}
