// Package officedoc lays out one Vietnamese administrative document in the
// form of Decree 30/2020/NĐ-CP, Appendix I (heading block, number and symbol,
// place and date, type and summary, body, recipients and signature) and writes
// it as PDF (Liberation Serif embedded, metric-compatible with Times New Roman)
// or as DOCX (WordprocessingML naming "Times New Roman", editable in Word and
// LibreOffice). In: a Document. Out: bytes on an io.Writer; WriteFile puts
// any rendered document in a file whole or not at all. No other I/O.
package officedoc

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/config"
)

// Issuer is the issuing body and signer, from config (`office:` in diembao.yaml).
type Issuer struct {
	Parent      string   // parent body, upper case, e.g. "ỦY BAN NHÂN DÂN TỈNH THANH HÓA" (may be empty)
	Name        string   // issuing body, upper case bold, e.g. "ỦY BAN NHÂN DÂN XÃ THƯỜNG XUÂN"
	Abbrev      string   // used in "Số: 12/BC-UBND", e.g. "UBND"
	Place       string   // place in the date line, e.g. "Thường Xuân"
	URL         string   // the body's portal (ClaimReview author.url)
	Authority   string   // signer's authority line, e.g. "TM. ỦY BAN NHÂN DÂN" (may be empty)
	SignerTitle string   // e.g. "CHỦ TỊCH"
	SignerName  string   // e.g. "Nguyễn Văn A"
	Recipients  []string // default "Nơi nhận" lines (without "- " and ";"); "Lưu: VT" is added
}

// Document is one administrative document.
type Document struct {
	Issuer     Issuer
	Type       string    // "BÁO CÁO", "THÔNG BÁO"…; empty for an official letter (công văn)
	TypeAbbrev string    // "BC", "TB"…; empty for a letter (Số: 123/UBND style then)
	Number     string    // the number part, e.g. "12" or "" (printed as "Số:      /BC-UBND" for the office to fill)
	Date       time.Time // the date line; zero prints "ngày    tháng    năm" blanks
	Summary    string    // trích yếu; for a letter printed as "V/v …" under the number
	To         []string  // "Kính gửi:" lines (letters)
	Blocks     []Block
	Recipients []string // Nơi nhận; nil means Issuer.Recipients
}

// Block is one piece of the body: exactly one field set.
type Block struct {
	Heading string   // "I. …" bold section heading (the caller writes the numbering)
	Para    string   // justified paragraph, first-line indent
	Bullets []string // "- …" lines
	Table   *Table
	Image   *Image
}

// Table is a bordered table; the header row is bold and repeats after a page
// break in the PDF. Widths are relative (any positive numbers); nil or a
// wrong length means equal columns.
type Table struct {
	Header []string
	Rows   [][]string
	Widths []float64
}

// Image is a PNG picture (a chart), WidthMM wide (0: the text width), with an
// optional italic caption under it.
type Image struct {
	PNG     []byte
	WidthMM float64
	Caption string
}

// Page geometry (mm) from Decree 30/2020, Appendix I: A4 portrait, margins
// top 20, bottom 20, left 30, right 15.
const (
	pageW, pageH              = 210.0, 297.0
	marginTop, marginBottom   = 20.0, 20.0
	marginLeft, marginRight   = 30.0, 15.0
	textW                     = pageW - marginLeft - marginRight
	leftColW                  = 75.0 // heading and closing blocks: left column (the right one holds the country line at 12 pt bold)
	rightColW                 = textW - leftColW
	indentMM                  = 10.0 // first-line indent of a paragraph (1 cm)
	ptBody, ptHead, ptSmall   = 13.0, 12.0, 11.0
	ptMotto, ptType, ptSigner = 13.0, 14.0, 13.0
)

// Country and motto lines of the heading block.
const (
	CountryLine = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	MottoLine   = "Độc lập - Tự do - Hạnh phúc"
)

// DateLine formats "Thường Xuân, ngày 05 tháng 12 năm 2026" (leading zeros per
// the decree: days below 10, months 1 and 2). A zero t leaves blanks for the
// office to fill by hand; an empty place drops the "Place, " prefix.
func DateLine(place string, t time.Time) string {
	var s string
	if t.IsZero() {
		s = "ngày      tháng      năm        "
	} else {
		m := fmt.Sprint(int(t.Month()))
		if t.Month() <= 2 {
			m = "0" + m
		}
		s = fmt.Sprintf("ngày %02d tháng %s năm %d", t.Day(), m, t.Year())
	}
	if place == "" {
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return place + ", " + s
}

// NumberLine is the "Số: 12/BC-UBND" line: the number (numbers below 10 get a
// leading zero; an empty number leaves a blank), a slash, the type
// abbreviation and a hyphen when there is one, the issuer's abbreviation.
func NumberLine(d Document) string {
	n := strings.TrimSpace(d.Number)
	if len(n) == 1 && n[0] >= '1' && n[0] <= '9' {
		n = "0" + n
	}
	if n == "" {
		n = "      "
	}
	sym := d.Issuer.Abbrev
	if d.TypeAbbrev != "" {
		if sym != "" {
			sym = d.TypeAbbrev + "-" + sym
		} else {
			sym = d.TypeAbbrev
		}
	}
	if sym == "" {
		return "Số: " + n
	}
	return "Số: " + n + "/" + sym
}

// recipientLines is the Nơi nhận list as printed: "- X;" for each recipient and
// "- Lưu: VT." last.
func recipientLines(d Document) []string {
	rs := d.Recipients
	if rs == nil {
		rs = d.Issuer.Recipients
	}
	var out []string
	for _, r := range rs {
		r = strings.TrimRight(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r), "- ")), ";.")
		if r == "" || strings.HasPrefix(r, "Lưu") {
			continue
		}
		out = append(out, "- "+r+";")
	}
	return append(out, "- Lưu: VT.")
}

// toLines is the "Kính gửi:" block of a letter: one addressee on the line
// itself, several as "- X;" lines ending with ".".
func toLines(to []string) []string {
	var clean []string
	for _, t := range to {
		if t = strings.TrimRight(strings.TrimSpace(t), ";."); t != "" {
			clean = append(clean, t)
		}
	}
	switch len(clean) {
	case 0:
		return nil
	case 1:
		return []string{"Kính gửi: " + clean[0] + "."}
	}
	out := []string{"Kính gửi:"}
	for i, t := range clean {
		end := ";"
		if i == len(clean)-1 {
			end = "."
		}
		out = append(out, "- "+t+end)
	}
	return out
}

// check refuses documents the writers cannot lay out.
func (d Document) check() error {
	if strings.TrimSpace(d.Issuer.Name) == "" {
		return errors.New("officedoc: issuer name is empty (set office.name in diembao.yaml)")
	}
	for i, b := range d.Blocks {
		n := 0
		if b.Heading != "" {
			n++
		}
		if b.Para != "" {
			n++
		}
		if b.Bullets != nil {
			n++
		}
		if b.Table != nil {
			n++
		}
		if b.Image != nil {
			n++
		}
		if n != 1 {
			return fmt.Errorf("officedoc: block %d sets %d fields, want exactly one", i, n)
		}
		if b.Image != nil && len(b.Image.PNG) == 0 {
			return fmt.Errorf("officedoc: block %d: empty image", i)
		}
		if t := b.Table; t != nil {
			cols := len(t.Header)
			for _, r := range t.Rows {
				cols = max(cols, len(r))
			}
			if cols == 0 {
				return fmt.Errorf("officedoc: block %d: table without columns", i)
			}
		}
	}
	return nil
}

// columns returns the table's column count and absolute widths summing to total.
func (t *Table) columns(total float64) (int, []float64) {
	cols := len(t.Header)
	for _, r := range t.Rows {
		cols = max(cols, len(r))
	}
	ws := make([]float64, cols)
	sum := 0.0
	ok := len(t.Widths) == cols
	for _, w := range t.Widths {
		if w <= 0 {
			ok = false
		}
		sum += w
	}
	for i := range ws {
		if ok {
			ws[i] = total * t.Widths[i] / sum
		} else {
			ws[i] = total / float64(cols)
		}
	}
	return cols, ws
}

// cell returns row[i], or "" past the end of a short row.
func cell(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// title is the document's metadata title.
func (d Document) title() string {
	t := strings.TrimSpace(d.Type + " " + d.Summary)
	if t == "" {
		t = d.Issuer.Name
	}
	return t
}

// summaryLine is the trích yếu as printed under the number of a letter.
func (d Document) summaryLine() string {
	s := strings.TrimSpace(d.Summary)
	if s == "" {
		return ""
	}
	if strings.HasPrefix(s, "V/v") {
		return s
	}
	return "V/v " + s
}

// IssuerFrom converts the `office:` block of diembao.yaml into an Issuer.
func IssuerFrom(o config.Office) Issuer {
	return Issuer{
		Parent:      o.Parent,
		Name:        o.Name,
		Abbrev:      o.Abbrev,
		Place:       o.Place,
		URL:         o.URL,
		Authority:   o.Signer.Authority,
		SignerTitle: o.Signer.Title,
		SignerName:  o.Signer.Name,
		Recipients:  append([]string(nil), o.Recipients...),
	}
}
