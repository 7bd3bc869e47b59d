package officedoc

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/config"
)

func TestDateLine(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	tests := []struct {
		place string
		t     time.Time
		want  string
	}{
		{"Thường Xuân", time.Date(2026, 12, 5, 9, 0, 0, 0, ict), "Thường Xuân, ngày 05 tháng 12 năm 2026"},
		{"Thường Xuân", time.Date(2027, 1, 15, 9, 0, 0, 0, ict), "Thường Xuân, ngày 15 tháng 01 năm 2027"},
		{"Thường Xuân", time.Date(2027, 2, 28, 9, 0, 0, 0, ict), "Thường Xuân, ngày 28 tháng 02 năm 2027"},
		{"Thường Xuân", time.Date(2026, 3, 9, 9, 0, 0, 0, ict), "Thường Xuân, ngày 09 tháng 3 năm 2026"},
		{"", time.Date(2026, 11, 30, 9, 0, 0, 0, ict), "Ngày 30 tháng 11 năm 2026"},
	}
	for _, tt := range tests {
		if got := DateLine(tt.place, tt.t); got != tt.want {
			t.Errorf("DateLine(%q, %s) = %q, want %q", tt.place, tt.t, got, tt.want)
		}
	}
	if got := DateLine("Thường Xuân", time.Time{}); !strings.HasPrefix(got, "Thường Xuân, ngày ") || strings.ContainsAny(got, "123456789") {
		t.Errorf("zero date = %q, want blanks to fill by hand", got)
	}
}

func TestNumberLine(t *testing.T) {
	is := Issuer{Name: "ỦY BAN NHÂN DÂN XÃ THƯỜNG XUÂN", Abbrev: "UBND"}
	tests := []struct {
		d    Document
		want string
	}{
		{Document{Issuer: is, TypeAbbrev: "BC", Number: "12"}, "Số: 12/BC-UBND"},
		{Document{Issuer: is, TypeAbbrev: "BC", Number: "5"}, "Số: 05/BC-UBND"},
		{Document{Issuer: is, Number: "123"}, "Số: 123/UBND"},
		{Document{Issuer: is, TypeAbbrev: "TB"}, "Số:       /TB-UBND"},
	}
	for _, tt := range tests {
		if got := NumberLine(tt.d); got != tt.want {
			t.Errorf("NumberLine(%+v) = %q, want %q", tt.d.Number, got, tt.want)
		}
	}
}

func TestCheckRefusesBadDocuments(t *testing.T) {
	good := sample(t, 1)
	bad := []struct {
		name string
		edit func(*Document)
	}{
		{"no issuer", func(d *Document) { d.Issuer.Name = " " }},
		{"two fields in a block", func(d *Document) { d.Blocks = []Block{{Heading: "I.", Para: "x"}} }},
		{"empty block", func(d *Document) { d.Blocks = []Block{{}} }},
		{"table without columns", func(d *Document) { d.Blocks = []Block{{Table: &Table{}}} }},
	}
	for _, tt := range bad {
		d := good
		tt.edit(&d)
		if err := WritePDF(io.Discard, d); err == nil {
			t.Errorf("%s: WritePDF accepted it", tt.name)
		}
		if err := WriteDOCX(io.Discard, d); err == nil {
			t.Errorf("%s: WriteDOCX accepted it", tt.name)
		}
	}
	d := good
	d.Blocks = []Block{{Image: &Image{PNG: []byte("not a png")}}}
	if err := WriteDOCX(io.Discard, d); err == nil {
		t.Error("WriteDOCX accepted a broken PNG")
	}
	if err := WritePDF(io.Discard, d); err == nil {
		t.Error("WritePDF accepted a broken PNG")
	}
}

// sample is a report with every kind of block; paras repeats the long
// paragraph to make the body span pages.
func sample(t *testing.T, paras int) Document {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 300, 150))
	for x := range 300 {
		for y := range 150 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var pb bytes.Buffer
	if err := png.Encode(&pb, img); err != nil {
		t.Fatal(err)
	}
	blocks := []Block{
		{Heading: "I. TÌNH HÌNH BÁO CHÍ PHẢN ÁNH VỀ ĐỊA BÀN"},
	}
	for range paras {
		blocks = append(blocks, Block{Para: "Trong năm 2026, hệ thống ghi nhận 1.234 bài viết của 17 cơ quan báo chí phản ánh về địa bàn xã Thường Xuân, trong đó chủ đề biên giới chiếm nhiều nhất; các bài viết về đồng bào dân tộc thiểu số và tôn giáo được theo dõi thường xuyên, kịp thời báo cáo lãnh đạo."})
	}
	blocks = append(blocks,
		Block{Bullets: []string{"Biên giới: 120 bài;", "Dân tộc: 45 bài."}},
		Block{Table: &Table{Header: []string{"Tháng", "Biên giới", "Lào – Sầm Tớ"}, Rows: [][]string{{"Tháng 01", "12", "3"}, {"Tháng 02", "7", "1"}}, Widths: []float64{2, 1, 1}}},
		Block{Image: &Image{PNG: pb.Bytes(), WidthMM: 120, Caption: "Hình 1. Số bài theo tháng"}},
		Block{Heading: "II. KIẾN NGHỊ, ĐỀ XUẤT"},
		Block{Para: "Đề nghị Sở Văn hóa, Thể thao và Du lịch tiếp tục hướng dẫn nghiệp vụ."},
	)
	return Document{
		Issuer: Issuer{
			Parent:      "ỦY BAN NHÂN DÂN TỈNH THANH HÓA",
			Name:        "ỦY BAN NHÂN DÂN XÃ THƯỜNG XUÂN",
			Abbrev:      "UBND",
			Place:       "Thường Xuân",
			Authority:   "TM. ỦY BAN NHÂN DÂN",
			SignerTitle: "CHỦ TỊCH",
			SignerName:  "Nguyễn Văn Ánh",
			Recipients:  []string{"Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa", "Đảng ủy xã"},
		},
		Type:       "BÁO CÁO",
		TypeAbbrev: "BC",
		Number:     "7",
		Date:       time.Date(2026, 12, 5, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600)),
		Summary:    "Kết quả theo dõi thông tin báo chí năm 2026",
		Blocks:     blocks,
	}
}

// mustContain fails for each want missing from text; spaces are collapsed so
// line breaks and justification do not matter.
func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	flat := strings.Join(strings.Fields(text), " ")
	for _, w := range wants {
		if !strings.Contains(flat, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

var commonWants = []string{
	"ỦY BAN NHÂN DÂN TỈNH THANH HÓA",
	"ỦY BAN NHÂN DÂN XÃ THƯỜNG XUÂN",
	CountryLine,
	MottoLine,
	"Số: 07/BC-UBND",
	"Thường Xuân, ngày 05 tháng 12 năm 2026",
	"BÁO CÁO",
	"Kết quả theo dõi thông tin báo chí năm 2026",
	"I. TÌNH HÌNH BÁO CHÍ PHẢN ÁNH VỀ ĐỊA BÀN",
	"đồng bào dân tộc thiểu số",
	"- Biên giới: 120 bài;",
	"Lào – Sầm Tớ", // dashes kept as written
	"Hình 1. Số bài theo tháng",
	"Nơi nhận:",
	"- Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa;",
	"- Đảng ủy xã;",
	"- Lưu: VT.",
	"TM. ỦY BAN NHÂN DÂN",
	"CHỦ TỊCH",
	"Nguyễn Văn Ánh",
}

func pdfText(t *testing.T, pdf []byte, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed (Debian poppler-utils)")
	}
	f := filepath.Join(t.TempDir(), "d.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, append(args, f, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestWritePDF(t *testing.T) {
	d := sample(t, 14)
	var b bytes.Buffer
	if err := WritePDF(&b, d); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	if !bytes.Contains(b.Bytes(), []byte("liberationserif")) {
		t.Error("Liberation Serif not embedded")
	}
	text := pdfText(t, b.Bytes())
	mustContain(t, "PDF", text, commonWants...)
	// Page numbers from page 2 only, in the top margin.
	p1 := strings.Fields(pdfText(t, b.Bytes(), "-layout", "-f", "1", "-l", "1"))
	p2 := strings.Fields(pdfText(t, b.Bytes(), "-layout", "-f", "2", "-l", "2"))
	if len(p1) == 0 || p1[0] == "1" {
		t.Errorf("page 1 starts with %q, want no page number", p1[:min(1, len(p1))])
	}
	if len(p2) == 0 || p2[0] != "2" {
		t.Errorf("page 2 starts with %q, want the page number 2", p2[:min(3, len(p2))])
	}
	// The same document gives the same bytes.
	var again bytes.Buffer
	if err := WritePDF(&again, d); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), again.Bytes()) {
		t.Error("two renderings of one document differ")
	}
}

func TestWritePDFLetter(t *testing.T) {
	d := sample(t, 1)
	d.Type, d.TypeAbbrev, d.Number = "", "", "123"
	d.Summary = "phản hồi thông tin báo chí nêu"
	d.To = []string{"Báo Thanh Hóa", "Tạp chí Điện tử Sức khỏe"}
	d.Recipients = []string{"Như trên", "Lưu: VT"}
	var b bytes.Buffer
	if err := WritePDF(&b, d); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes())
	mustContain(t, "letter PDF", text, "Số: 123/UBND", "V/v phản hồi thông tin báo chí nêu", "Kính gửi:", "- Báo Thanh Hóa;", "- Tạp chí Điện tử Sức khỏe.", "- Như trên;", "- Lưu: VT.")
	if strings.Count(text, "Lưu: VT") != 1 {
		t.Errorf("Lưu: VT printed %d times", strings.Count(text, "Lưu: VT"))
	}
}

// docxText returns the text of word/document.xml, one line per paragraph,
// after checking that every XML part of the package parses.
func docxText(t *testing.T, docx []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatalf("docx is not a zip: %v", err)
	}
	var text strings.Builder
	seen := map[string]bool{}
	for _, f := range z.File {
		seen[f.Name] = true
		if !strings.HasSuffix(f.Name, ".xml") && !strings.HasSuffix(f.Name, ".rels") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(rc)
		inT := false
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			if f.Name != "word/document.xml" {
				continue
			}
			switch v := tok.(type) {
			case xml.StartElement:
				inT = v.Name.Local == "t"
			case xml.EndElement:
				inT = false
				if v.Name.Local == "p" {
					text.WriteString("\n")
				}
			case xml.CharData:
				if inT {
					text.Write(v)
				}
			}
		}
		rc.Close()
	}
	for _, want := range []string{"[Content_Types].xml", "word/document.xml", "word/styles.xml", "word/header1.xml", "word/media/image1.png"} {
		if !seen[want] {
			t.Errorf("docx lacks %s", want)
		}
	}
	return text.String()
}

func TestWriteDOCX(t *testing.T) {
	d := sample(t, 3)
	var b bytes.Buffer
	if err := WriteDOCX(&b, d); err != nil {
		t.Fatal(err)
	}
	text := docxText(t, b.Bytes())
	mustContain(t, "DOCX", text, commonWants...)
	if !strings.Contains(text, "\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n") {
		t.Error("the country line is not a paragraph of its own")
	}
	var again bytes.Buffer
	if err := WriteDOCX(&again, d); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), again.Bytes()) {
		t.Error("two renderings of one document differ")
	}
	// pandoc reads it as Word does: the text and the table come back.
	bin, err := exec.LookPath("pandoc")
	if err != nil {
		t.Log("pandoc not installed: checked document.xml only")
		return
	}
	f := filepath.Join(t.TempDir(), "d.docx")
	if err := os.WriteFile(f, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-f", "docx", "-t", "plain", "--wrap=none", f).Output()
	if err != nil {
		t.Fatalf("pandoc: %v", err)
	}
	mustContain(t, "pandoc", string(out), commonWants[1:]...) // the parent sits beside the country line in a table cell
	mustContain(t, "pandoc", string(out), "Tháng 01", "Biên giới")
}

func TestEscapesCrawledText(t *testing.T) {
	d := sample(t, 1)
	d.Blocks = append(d.Blocks, Block{Para: `<script>alert("x")</script> & "quotes" ` + "\x01ctl"})
	var b bytes.Buffer
	if err := WriteDOCX(&b, d); err != nil {
		t.Fatal(err)
	}
	text := docxText(t, b.Bytes()) // fails on malformed XML
	mustContain(t, "DOCX", text, `<script>alert("x")</script> & "quotes" ctl`)
}

func TestIssuerFromConfig(t *testing.T) {
	o := config.Default().Office
	o.Signer.Name = "Nguyễn Văn Ánh"
	is := IssuerFrom(o)
	if is.Name != o.Name || is.Abbrev != o.Abbrev || is.SignerTitle != o.Signer.Title || is.SignerName != "Nguyễn Văn Ánh" || len(is.Recipients) != len(o.Recipients) {
		t.Errorf("IssuerFrom(%+v) = %+v", o, is)
	}
	is.Recipients[0] = "changed"
	if o.Recipients[0] == "changed" {
		t.Error("IssuerFrom shares the recipients slice with the config")
	}
}

// TestPDFLeavesOutEmoji: characters beyond U+FFFF (emoji, flags: common in
// crawled titles and pasted posts) in any part of a document do not stop the
// PDF (fpdf's font map panicked on them); they are left out of it and kept
// in the DOCX.
func TestPDFLeavesOutEmoji(t *testing.T) {
	d := sample(t, 1)
	d.Summary = "Về bài viết 🔥 sai sự thật"
	d.Blocks = append(d.Blocks, Block{Heading: "III. 🇻🇳 PHỤ LỤC"}, Block{Para: "Tiêu đề: “Cửa khẩu đóng cửa 😱” đăng lại"},
		Block{Bullets: []string{"Bài 1 👍"}}, Block{Table: &Table{Header: []string{"Bài", "Nguồn"}, Rows: [][]string{{"Tin nóng 🚨", "Báo 📰"}}}})
	d.Issuer.Recipients = append(d.Issuer.Recipients, "Công an xã 🚓")
	var pdf, docx bytes.Buffer
	if err := WritePDF(&pdf, d); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf.Bytes())
	for _, want := range []string{"sai sự thật", "Cửa khẩu đóng cửa", "Tin nóng", "Công an xã"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q", want)
		}
	}
	if strings.ContainsAny(text, "🔥😱👍🚨📰🚓") {
		t.Errorf("PDF holds an emoji")
	}
	if err := WriteDOCX(&docx, d); err != nil {
		t.Fatal(err)
	}
	if dt := docxText(t, docx.Bytes()); !strings.Contains(dt, "😱") {
		t.Errorf("DOCX lost the emoji")
	}
}
