package cases

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao/internal/officedoc"
)

// Document kinds (`diembao case doc --kind`).
const (
	DocResponse    = "response"    // clarification letter to press agencies (công văn)
	DocReport      = "report"      // report on the case to the province (BÁO CÁO)
	DocClaimReview = "claimreview" // HTML snippet with ClaimReview JSON-LD
)

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n])) + "…"
}

func (s *Service) localDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.d.Location).Format("02/01/2006")
}

// itemLines lists where the claim appeared, first appearance first.
func (s *Service) itemLines(c Case) []string {
	var out []string
	for _, it := range sortedItems(c) {
		where := s.sourceName(it.Source)
		if where == "" {
			where = "không rõ nguồn"
		}
		line := s.localDate(it.FirstSeen) + ", " + where
		if it.Title != "" {
			line += ": “" + it.Title + "”"
		}
		if it.URL != "" {
			line += " (" + it.URL + ")"
		} else if it.Text != "" {
			line += ": “" + shorten(it.Text, 200) + "”"
		}
		out = append(out, line)
	}
	return out
}

func paragraphs(text string) []officedoc.Block {
	var out []officedoc.Block
	for _, p := range strings.Split(text, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, officedoc.Block{Para: p})
		}
	}
	return out
}

// ResponseDocument is the clarification letter (công văn) to the press
// agencies that carried the claim: V/v line, Kính gửi, where the claim
// appeared, the verdict and the clarification, the request.
func (s *Service) ResponseDocument(c Case, is officedoc.Issuer, now time.Time) (officedoc.Document, error) {
	if c.Verdict == "" {
		return officedoc.Document{}, inputError("vụ việc %s chưa có kết luận xác minh: chưa thể soạn công văn", c.ID)
	}
	var to []string
	for _, ct := range c.Clarification.Contacts {
		to = append(to, ct.Agency)
	}
	if len(to) == 0 {
		to = []string{"Các cơ quan báo chí, trang thông tin điện tử đã đăng tải thông tin"}
	}
	body := []officedoc.Block{
		{Para: fmt.Sprintf("Thời gian qua, trên một số phương tiện thông tin xuất hiện thông tin cho rằng: “%s”. Thông tin được đăng tải tại:", c.Claim)},
		{Bullets: s.itemLines(c)},
		{Para: fmt.Sprintf("Qua kiểm tra, xác minh, %s khẳng định: thông tin nêu trên là %s.", sentenceName(is.Name), strings.ToLower(VerdictName(c.Verdict)))},
	}
	body = append(body, paragraphs(c.Clarification.Text)...)
	if c.Clarification.PublishedURL != "" {
		body = append(body, officedoc.Block{Para: "Nội dung làm rõ đã được đăng tải trên Cổng thông tin điện tử tại địa chỉ: " + c.Clarification.PublishedURL + "."})
	}
	body = append(body, officedoc.Block{Para: "Đề nghị Quý cơ quan kịp thời gỡ bỏ hoặc cải chính thông tin không chính xác nêu trên, " +
		"đăng tải thông tin chính thống để bạn đọc được biết; đồng thời phối hợp cung cấp thông tin khi cần thiết."})
	return officedoc.Document{
		Issuer:     is,
		Date:       now,
		Summary:    "V/v làm rõ thông tin " + strings.ToLower(VerdictName(c.Verdict)) + " (vụ việc " + c.ID + ")",
		To:         to,
		Blocks:     body,
		Recipients: append([]string{"Như trên"}, is.Recipients...),
	}, nil
}

// ReportDocument is the report on the case to the province (BÁO CÁO).
func (s *Service) ReportDocument(c Case, is officedoc.Issuer, now time.Time) (officedoc.Document, error) {
	date := c.Report.Date
	if date.IsZero() {
		date = now
	}
	verdict := "chưa có kết luận"
	if c.Verdict != "" {
		verdict = strings.ToLower(VerdictName(c.Verdict))
	}
	summary := "Kết quả xử lý thông tin " + verdict + " (vụ việc " + c.ID + ")"
	if c.Verdict == "" {
		summary = "Tình hình xử lý thông tin phản ánh sai lệch (vụ việc " + c.ID + ")"
	}
	rows := [][]string{}
	for i, it := range sortedItems(c) {
		where := it.URL
		if where == "" {
			where = shorten(it.Text, 120)
		}
		rows = append(rows, []string{fmt.Sprint(i + 1), s.localDate(it.FirstSeen), s.sourceName(it.Source), firstNonEmpty(it.Title, "—") + "\n" + where, KindName(it.Kind)})
	}
	blocks := []officedoc.Block{
		{Heading: "I. TÌNH HÌNH"},
		{Para: fmt.Sprintf("Ngày %s, %s tiếp nhận thông tin cho rằng: “%s”. Thông tin xuất hiện tại %d nơi, như sau:",
			s.localDate(c.Opened), sentenceName(is.Name), c.Claim, len(c.Items))},
		{Table: &officedoc.Table{Header: []string{"STT", "Ngày", "Nguồn", "Tiêu đề, địa chỉ", "Loại"}, Rows: rows, Widths: []float64{1, 2, 2.5, 7, 2.5}}},
		{Heading: "II. KẾT QUẢ XÁC MINH"},
		{Para: "Kết luận: thông tin nêu trên là " + verdict + "."},
	}
	for _, n := range c.Notes {
		blocks = append(blocks, officedoc.Block{Para: s.localDate(n.At) + ": " + n.Text})
	}
	blocks = append(blocks, officedoc.Block{Heading: "III. KẾT QUẢ XỬ LÝ"})
	var done []string
	if c.Clarification.PublishedURL != "" {
		done = append(done, "Đăng tải thông tin làm rõ trên Cổng thông tin điện tử: "+c.Clarification.PublishedURL+
			ternary(c.Clarification.PublishedAt.IsZero(), "", " (ngày "+s.localDate(c.Clarification.PublishedAt)+")"))
	}
	for _, ct := range c.Clarification.Contacts {
		done = append(done, "Đã gửi văn bản làm rõ tới "+ct.Agency+" ngày "+s.localDate(ct.At))
	}
	for _, o := range c.Outcome {
		done = append(done, "Kết quả: "+OutcomeName(o))
	}
	if len(done) == 0 {
		done = []string{"Đang tiếp tục xử lý"}
	}
	blocks = append(blocks, officedoc.Block{Bullets: done})
	blocks = append(blocks, paragraphs(c.Clarification.Text)...)
	blocks = append(blocks, officedoc.Block{Heading: "IV. ĐỀ XUẤT, KIẾN NGHỊ"},
		officedoc.Block{Para: "Tiếp tục theo dõi, kịp thời phát hiện và xử lý thông tin sai sự thật liên quan đến địa phương; " +
			"đề nghị cơ quan quản lý báo chí của tỉnh phối hợp yêu cầu các cơ quan báo chí liên quan gỡ bỏ, cải chính thông tin không chính xác."},
		officedoc.Block{Para: sentenceName(is.Name) + " trân trọng báo cáo."})
	return officedoc.Document{
		Issuer:     is,
		Type:       "BÁO CÁO",
		TypeAbbrev: "BC",
		Number:     c.Report.Number,
		Date:       date,
		Summary:    summary,
		Blocks:     blocks,
		Recipients: nilIfEmpty(c.Report.Recipients),
	}, nil
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func ternary(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

// sentenceName turns "ỦY BAN NHÂN DÂN XÃ THƯỜNG XUÂN" into the form used
// inside a sentence, "Ủy ban nhân dân xã Thường Xuân" (place names keep
// their capitals when the issuer is written in mixed case already).
func sentenceName(name string) string {
	if name != strings.ToUpper(name) {
		return name
	}
	words := strings.Fields(strings.ToLower(name))
	// Capitalise the first word and every word after an administrative
	// unit word (xã, tỉnh, huyện, phường, thị trấn): the place name.
	unit := false
	for i, w := range words {
		if i == 0 || unit {
			r, n := utf8.DecodeRuneInString(w)
			words[i] = strings.ToUpper(string(r)) + w[n:]
		}
		if w == "xã" || w == "tỉnh" || w == "huyện" || w == "phường" || w == "trấn" {
			unit = true
		}
	}
	return strings.Join(words, " ")
}

// Render writes a document of the case: kind response or report as "pdf"
// or "docx", claimreview as "html". It returns the bytes, their content type
// and a file name.
func (s *Service) Render(c Case, kind, format string, is officedoc.Issuer) ([]byte, string, string, error) {
	now := s.d.Now()
	base := strings.ToLower(c.ID)
	if kind == DocClaimReview {
		if format != "html" {
			return nil, "", "", inputError("claimreview chỉ xuất HTML")
		}
		b, err := ClaimReviewHTML(c, Publisher{Name: sentenceName(is.Name), URL: is.URL}, now)
		return b, "text/html; charset=utf-8", base + "-claimreview.html", err
	}
	var d officedoc.Document
	var err error
	switch kind {
	case DocResponse:
		d, err = s.ResponseDocument(c, is, now)
		base += "-cong-van"
	case DocReport:
		d, err = s.ReportDocument(c, is, now)
		base += "-bao-cao"
	default:
		return nil, "", "", inputError("loại văn bản %q không có (response, report, claimreview)", kind)
	}
	if err != nil {
		return nil, "", "", err
	}
	var buf bytes.Buffer
	switch format {
	case "pdf":
		err = officedoc.WritePDF(&buf, d)
		return buf.Bytes(), "application/pdf", base + ".pdf", err
	case "docx":
		err = officedoc.WriteDOCX(&buf, d)
		return buf.Bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", base + ".docx", err
	}
	return nil, "", "", inputError("định dạng %q không có (pdf, docx)", format)
}

// Document renders a document of the case with the configured issuer (see Render).
func (s *Service) Document(c Case, kind, format string) ([]byte, string, string, error) {
	return s.Render(c, kind, format, s.d.Issuer)
}
