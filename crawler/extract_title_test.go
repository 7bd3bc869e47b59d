package crawler

import (
	"net/http"
	"testing"
)

// titlePage is a Vietnamese article page: head holds the <head> tags
// beyond the charset and the publication time, top what the body shows
// before the article's text.
func titlePage(head, top string) []byte {
	return []byte(`<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
` + head + `
<meta property="article:published_time" content="2024-03-12T09:30:00+07:00">
</head><body>
` + top + `
<div class="content">
<p>Sáng 12/3, tại xã Bát Mọt, tỉnh Thanh Hóa, Đồn Biên phòng Bát Mọt phối hợp với chính quyền địa phương tổ chức tuyên truyền pháp luật về biên giới quốc gia cho hơn 200 người dân các thôn giáp biên.</p>
<p>Cán bộ đồn đã phổ biến các quy định về quản lý, bảo vệ đường biên, mốc quốc giới và xuất nhập cảnh qua cửa khẩu phụ Khẹo – Tha Lấu, đồng thời hướng dẫn người dân nhận biết thông tin sai sự thật trên mạng xã hội.</p>
<p>Dịp này, đơn vị trao 50 suất quà cho các hộ nghèo, mỗi suất trị giá 500.000 đồng, góp phần củng cố tình đoàn kết quân dân nơi biên giới.</p>
</div>
</body></html>`)
}

// TestTitleOnVietnamesePages: the headline that each rule of pickTitle
// picks on a Vietnamese page.
func TestTitleOnVietnamesePages(t *testing.T) {
	for _, c := range []struct {
		name, url, head, top, want string
	}{
		// An h1 typed in capitals says nothing of case: the metadata's
		// spelling of the same characters.
		{"capitals h1", "https://baomau.vn/thoi-su/tuyen-truyen-2001.htm",
			`<title>Tuyên truyền pháp luật biên giới ở Bát Mọt - Báo Mẫu</title>`,
			`<h1 class="title-detail">TUYÊN TRUYỀN PHÁP LUẬT BIÊN GIỚI Ở BÁT MỌT</h1>`,
			"Tuyên truyền pháp luật biên giới ở Bát Mọt"},
		// Capitals with other words than the metadata's: the h1 as typed.
		{"capitals h1, other words", "https://baomau.vn/thoi-su/tuyen-truyen-2001.htm",
			`<title>Tuyên truyền pháp luật ở Bát Mọt - Báo Mẫu</title>`,
			`<h1 class="title-detail">TUYÊN TRUYỀN PHÁP LUẬT BIÊN GIỚI Ở BÁT MỌT</h1>`,
			"TUYÊN TRUYỀN PHÁP LUẬT BIÊN GIỚI Ở BÁT MỌT"},
		// An h1 in lower case against "Headline | Subtitle | Site".
		{"lower-case h1", "https://baomau.vn/thoi-su/tuyen-truyen-2001.htm",
			`<meta property="og:title" content="Tuyên truyền pháp luật biên giới ở Bát Mọt | Tin ảnh, video | Báo Mẫu">`,
			`<h1>tuyên truyền pháp luật biên giới ở bát mọt</h1>`,
			"Tuyên truyền pháp luật biên giới ở Bát Mọt"},
		// A template that wrote the h1 through a legacy charset: '?' for
		// each letter it could not encode.
		{"broken letters in the h1", "https://baomau.vn/thoi-su/tuyen-truyen-2001.htm",
			`<meta property="og:title" content="Đồn Biên phòng Bát Mọt “mang luật về bản”">`,
			`<h1>?ồn Biên phòng Bát M?t ?mang lu?t v? b?n?</h1>`,
			"Đồn Biên phòng Bát Mọt “mang luật về bản”"},
		// A question mark that is the headline's own stays.
		{"a real question mark", "https://baomau.vn/thoi-su/tuyen-truyen-2001.htm",
			`<meta property="og:title" content="Vì sao người dân Bát Mọt tin biên phòng? Chuyện ở bản giáp biên">`,
			`<h1>Vì sao người dân Bát Mọt tin biên phòng? Chuyện ở bản giáp biên</h1>`,
			"Vì sao người dân Bát Mọt tin biên phòng? Chuyện ở bản giáp biên"},
		// A question mark where the metadata has a colon, and nothing
		// else broken: the headline's own question mark.
		{"a question mark for a colon", "https://baomau.vn/thoi-su/tuyen-truyen-2001.htm",
			`<meta property="og:title" content="Vì sao người dân Bát Mọt tin biên phòng: chuyện ở bản giáp biên">`,
			`<h1>Vì sao người dân Bát Mọt tin biên phòng? chuyện ở bản giáp biên</h1>`,
			"Vì sao người dân Bát Mọt tin biên phòng? chuyện ở bản giáp biên"},
		// The site's name shortened in the title ("Tạp chí Biên phòng"
		// for og:site_name "Tạp chí Biên phòng Online"), on a host that
		// does not spell it.
		{"shortened site name", "https://bienphongvietnam.gov.vn/tin-tuc/tuan-tra-song-phuong-2001.html",
			`<title>Tuần tra song phương đoạn biên giới Việt – Lào | Tạp chí Biên phòng</title>
<meta property="og:site_name" content="Tạp chí Biên phòng Online">`,
			`<div class="logo">Tạp chí Biên phòng</div>`,
			"Tuần tra song phương đoạn biên giới Việt – Lào"},
		// A suffix that only starts like the site's name is the headline's.
		{"a suffix that is not the site's name", "https://bienphongvietnam.gov.vn/tin-tuc/tuan-tra-song-phuong-2001.html",
			`<title>Tuần tra song phương | Tạp chí Biên cương</title>
<meta property="og:site_name" content="Tạp chí Biên phòng Online">`,
			``,
			"Tuần tra song phương | Tạp chí Biên cương"},
		// The host name written before the headline with only a space.
		{"host name before the headline", "https://baomau.vn/thoi-su/tuyen-truyen-2001.htm",
			`<title>baomau.vn Tuyên truyền pháp luật biên giới ở Bát Mọt</title>`,
			`<h1 class="logo">baomau.vn</h1>`,
			"Tuyên truyền pháp luật biên giới ở Bát Mọt"},
		// A blog theme: the site's name is the h1, the post's title an
		// h3.post-title that the metadata names, the post's sections h1s.
		{"h1s as the body's section headings", "https://baomau.blogspot.com/2024/03/tuyen-truyen.html",
			`<title>Báo Mẫu: Tuyên truyền pháp luật biên giới ở Bát Mọt</title>
<meta property="og:title" content="Tuyên truyền pháp luật biên giới ở Bát Mọt">`,
			`<header><h1 class="title">Báo Mẫu</h1></header>
<div class="post hentry"><h3 class="post-title entry-title">Tuyên truyền pháp luật biên giới ở Bát Mọt</h3>
<div class="post-body entry-content"><h1>Pháp luật biên giới qua lời người dân Bát Mọt</h1><p>Buổi tuyên truyền kéo dài cả buổi sáng.</p><h1>Những việc cần làm tiếp</h1></div></div>`,
			"Tuyên truyền pháp luật biên giới ở Bát Mọt"},
		// The h1 is the headline; the SEO title, also a section heading
		// further down, does not beat it.
		{"an SEO title shown below the h1", "https://baomau.vn/thoi-su/tuyen-truyen-2001.htm",
			`<title>Biên phòng Bát Mọt mang luật về bản - Báo Mẫu</title>`,
			`<h1 class="title-detail">Hơn 200 người dân Bát Mọt nghe tuyên truyền pháp luật biên giới</h1>
<h2>Biên phòng Bát Mọt mang luật về bản</h2>`,
			"Hơn 200 người dân Bát Mọt nghe tuyên truyền pháp luật biên giới"},
		// The blog's name is in no metadata but the <title>, before the
		// og:title: the header h1 with that name is not the headline.
		{"site name only in the <title>", "https://nhatkybienphong.example.vn/2024/03/tuyen-truyen.html",
			`<title>Nhật ký Biên cương: Tuyên truyền pháp luật biên giới ở Bát Mọt</title>
<meta property="og:title" content="Tuyên truyền pháp luật biên giới ở Bát Mọt">`,
			`<header><h1 class="title">Nhật ký Biên cương</h1></header>
<div class="post hentry"><h3 class="post-title entry-title">Tuyên truyền pháp luật biên giới ở Bát Mọt</h3></div>`,
			"Tuyên truyền pháp luật biên giới ở Bát Mọt"},
		// A commune portal named after its place: a short headline that
		// starts with the place's name is not the portal's name.
		{"a headline that starts with the host's place", "https://thuongxuan.thanhhoa.gov.vn/tin-tuc/ra-quan-lam-duong-2001.html",
			`<title>Cổng thông tin điện tử huyện Thường Xuân</title>`,
			`<div class="banner"><span>Cổng thông tin điện tử huyện Thường Xuân</span></div>
<h1>Thường Xuân ra quân làm đường</h1>`,
			"Thường Xuân ra quân làm đường"},
		// The host's name and the words sites add to it: the site's name.
		{"host name with site words", "https://baomau.vn/thoi-su/tuyen-truyen-2001.htm",
			`<title>Tuyên truyền pháp luật biên giới ở Bát Mọt - Báo Mẫu điện tử</title>`,
			``,
			"Tuyên truyền pháp luật biên giới ở Bát Mọt"},
		// A line of the h1 in its own element, written with no space.
		{"a second line in the h1", "https://baomau.vn/thoi-su/ra-quan-2001.htm",
			`<title>Thường Xuân ra quân làm đường | Báo Mẫu</title>`,
			`<h1>Thường Xuân ra quân làm đường<span class="d-block">Hơn 200 người dân tham gia</span></h1>`,
			"Thường Xuân ra quân làm đường Hơn 200 người dân tham gia"},
		// An h1 for screen readers only (clipped to nothing) is not the
		// headline the reader sees.
		{"a visually hidden h1", "https://baomau.vn/thoi-su/nghe-phap-luat-2001.htm",
			`<meta property="og:title" content="Thanh Hóa: hơn 200 người dân Bát Mọt nghe tuyên truyền pháp luật">`,
			`<h1 style="position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0, 0, 0, 0)">Tin Thanh Hóa hôm nay</h1>
<h2 class="title-detail">Thanh Hóa: hơn 200 người dân Bát Mọt nghe tuyên truyền pháp luật</h2>`,
			"Thanh Hóa: hơn 200 người dân Bát Mọt nghe tuyên truyền pháp luật"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := extract(c.url, titlePage(c.head, c.top), http.Header{"Content-Type": {"text/html; charset=utf-8"}}, Source{ID: "mau"}, testEnv())
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != c.want {
				t.Errorf("title %q, want %q", a.Title, c.want)
			}
		})
	}
}
