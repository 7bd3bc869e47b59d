package officedoc

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"

	unorm "golang.org/x/text/unicode/norm"
)

// Liberation Serif 2.1 (SIL OFL, fonts/LICENSE-LiberationFonts.txt): metric-
// compatible with Times New Roman and covering every Vietnamese letter.
var (
	//go:embed fonts/LiberationSerif-Regular.ttf
	serifRegular []byte
	//go:embed fonts/LiberationSerif-Bold.ttf
	serifBold []byte
	//go:embed fonts/LiberationSerif-Italic.ttf
	serifItalic []byte
	//go:embed fonts/LiberationSerif-BoldItalic.ttf
	serifBoldItalic []byte
)

// SerifTTF returns the embedded Liberation Serif font file for a style: "" regular,
// "B" bold, "I" italic, "BI" bold italic. Charts use it so their labels match
// the document. The slice is shared: do not modify it.
func SerifTTF(style string) []byte {
	switch style {
	case "B":
		return serifBold
	case "I":
		return serifItalic
	case "BI", "IB":
		return serifBoldItalic
	}
	return serifRegular
}

const fontFamily = "LiberationSerif"

// lineMM is the line height for a font size in points (single spacing with a
// little leading: 1.25 × size).
func lineMM(pt float64) float64 { return pt * 1.25 * 25.4 / 72 }

// WritePDF writes d as an A4 PDF with Liberation Serif embedded; characters
// beyond U+FFFF (emoji) are left out, which the DOCX keeps. The creation
// date is d.Date and the text and layout depend on d alone; the bytes do not
// when d holds two images of the same width (fpdf writes those image objects
// in map order), so compare PDFs by what a reader extracts, not byte for byte.
func WritePDF(w io.Writer, d Document) error {
	if err := d.check(); err != nil {
		return err
	}
	d = bmpOnly(d)
	p := fpdf.New("P", "mm", "A4", "")
	for _, f := range []struct {
		style string
		b     []byte
	}{{"", serifRegular}, {"B", serifBold}, {"I", serifItalic}, {"BI", serifBoldItalic}} {
		p.AddUTF8FontFromBytes(fontFamily, f.style, f.b)
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("officedoc pdf fonts: %w", err)
	}
	created := d.Date
	if created.IsZero() {
		created = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	p.SetTitle(norm(d.title()), true)
	p.SetAuthor(norm(d.Issuer.Name), true)
	p.SetCreator("diembao", true)
	p.SetCreationDate(created)
	p.SetModificationDate(created)
	p.SetCompression(true)
	p.SetCatalogSort(true)
	p.SetMargins(marginLeft, marginTop, marginRight)
	p.SetAutoPageBreak(true, marginBottom)
	// Page numbers from page 2, centred in the top margin.
	p.SetHeaderFuncMode(func() {
		if p.PageNo() > 1 {
			p.SetFont(fontFamily, "", ptBody)
			p.SetXY(marginLeft, 9)
			p.CellFormat(textW, 5, fmt.Sprint(p.PageNo()), "", 0, "C", false, 0, "")
		}
		p.SetXY(marginLeft, marginTop)
	}, false)
	p.AddPage()
	pw := &pdfw{p: p}
	pw.heading(d)
	pw.body(d)
	pw.closing(d)
	if err := p.Error(); err != nil {
		return fmt.Errorf("officedoc pdf: %w", err)
	}
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		return fmt.Errorf("officedoc pdf: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("officedoc pdf: write: %w", err)
	}
	return nil
}

// norm composes caller text (NFC) so every Vietnamese letter maps to one
// glyph of the font. It is display only: unlike textnorm.Normalize it keeps
// dashes and quotes as written (a title is reproduced as published).
func norm(s string) string { return unorm.NFC.String(strings.ToValidUTF8(s, "\uFFFD")) }

type pdfw struct {
	p   *fpdf.Fpdf
	img int
}

// centred writes text centred in [x, x+w) from the current y, wrapping into
// lines of balanced length, and returns the widest line's width.
func (pw *pdfw) centred(x, w float64, text, style string, pt float64) float64 {
	p := pw.p
	p.SetFont(fontFamily, style, pt)
	widest := 0.0
	text = norm(text)
	lines := pw.breakLines(text, w, w)
	// Balance a wrapped heading ("ỦY BAN NHÂN DÂN / XÃ THƯỜNG XUÂN"): the
	// narrowest limit that still gives as many lines.
	for lim := w - 1; len(lines) > 1 && lim > 10; lim-- {
		l2 := pw.breakLines(text, lim, lim)
		if len(l2) != len(lines) {
			break
		}
		lines = l2
	}
	for _, line := range lines {
		widest = max(widest, p.GetStringWidth(line))
		p.SetX(x)
		p.CellFormat(w, lineMM(pt), line, "", 2, "C", false, 0, "")
	}
	return widest
}

// rule draws a solid line of length l centred in [x, x+w) just below the current y.
func (pw *pdfw) rule(x, w, l float64) {
	y := pw.p.GetY() + 1.0
	pw.p.SetLineWidth(0.3)
	pw.p.Line(x+(w-l)/2, y, x+(w+l)/2, y)
}

func (pw *pdfw) heading(d Document) {
	p := pw.p
	is := d.Issuer
	top := marginTop
	// Left column: parent, issuing body, a short line, then the number.
	p.SetY(top)
	if is.Parent != "" {
		pw.centred(marginLeft, leftColW, strings.ToUpper(is.Parent), "", ptHead)
	}
	nameW := pw.centred(marginLeft, leftColW, strings.ToUpper(is.Name), "B", ptHead)
	pw.rule(marginLeft, leftColW, max(18, nameW/3))
	leftY := p.GetY()
	// Right column: country, motto with a line as long as its text.
	p.SetY(top)
	pw.centred(marginLeft+leftColW, rightColW, CountryLine, "B", ptHead)
	mottoW := pw.centred(marginLeft+leftColW, rightColW, MottoLine, "B", ptMotto)
	pw.rule(marginLeft+leftColW, rightColW, mottoW)
	rightY := p.GetY()

	y := max(leftY, rightY) + 3
	p.SetY(y)
	pw.centred(marginLeft, leftColW, NumberLine(d), "", ptBody)
	if d.Type == "" {
		if s := d.summaryLine(); s != "" {
			pw.centred(marginLeft, leftColW, s, "", ptHead)
		}
	}
	leftY = p.GetY()
	p.SetY(y)
	pw.centred(marginLeft+leftColW, rightColW, DateLine(is.Place, d.Date), "I", ptMotto)
	p.SetY(max(leftY, p.GetY()) + 6)

	if d.Type != "" {
		pw.centred(marginLeft, textW, strings.ToUpper(d.Type), "B", ptType)
		if s := strings.TrimSpace(d.Summary); s != "" {
			pw.centred(marginLeft, textW, s, "B", ptType)
		}
		pw.rule(marginLeft, textW, 30)
		p.Ln(6)
	}
	if to := toLines(d.To); len(to) > 0 {
		p.SetFont(fontFamily, "", ptType)
		lh := lineMM(ptType)
		if len(to) == 1 {
			pw.centred(marginLeft, textW, to[0], "", ptType)
		} else {
			label := to[0] + " "
			x := marginLeft + 35
			p.SetX(x)
			p.CellFormat(p.GetStringWidth(label), lh, label, "", 0, "L", false, 0, "")
			x += p.GetStringWidth(label)
			for _, l := range to[1:] {
				for _, part := range pw.breakLines(norm(l), marginLeft+textW-x, marginLeft+textW-x) {
					p.SetX(x)
					p.CellFormat(marginLeft+textW-x, lh, part, "", 2, "L", false, 0, "")
				}
			}
		}
		p.Ln(4)
	}
}

func (pw *pdfw) body(d Document) {
	for _, b := range d.Blocks {
		switch {
		case b.Heading != "":
			pw.paragraph(b.Heading, "B", ptBody, indentMM, false)
		case b.Para != "":
			for _, para := range strings.Split(b.Para, "\n") {
				if strings.TrimSpace(para) != "" {
					pw.paragraph(para, "", ptBody, indentMM, true)
				}
			}
		case b.Bullets != nil:
			for _, it := range b.Bullets {
				pw.paragraph("- "+strings.TrimPrefix(strings.TrimSpace(it), "- "), "", ptBody, indentMM, true)
			}
		case b.Table != nil:
			pw.table(b.Table)
		case b.Image != nil:
			pw.image(b.Image)
		}
	}
}

// paragraph writes text from the left margin with a first-line indent,
// justified (except the last line) when justify is set, then 6 pt of space.
func (pw *pdfw) paragraph(text, style string, pt, indent float64, justify bool) {
	p := pw.p
	p.SetFont(fontFamily, style, pt)
	lh := lineMM(pt) * 1.1
	lines := pw.breakLines(norm(strings.TrimSpace(text)), textW-indent, textW)
	for i, line := range lines {
		x, w := marginLeft, textW
		if i == 0 {
			x, w = marginLeft+indent, textW-indent
		}
		align := "L"
		if justify && i < len(lines)-1 && strings.Contains(line, " ") {
			align = "J"
		}
		p.SetX(x)
		p.CellFormat(w, lh, line, "", 2, align, false, 0, "")
	}
	p.Ln(2.1) // 6 pt
}

// breakLines splits text into lines no wider than first (the first line) and
// rest (the others) in the current font, at spaces; a word wider than a line
// is cut between letters.
func (pw *pdfw) breakLines(text string, first, rest float64) []string {
	p := pw.p
	words := strings.Fields(text)
	if len(words) == 0 {
		return []string{""}
	}
	space := p.GetStringWidth(" ")
	var lines []string
	var cur strings.Builder
	curW := 0.0
	limit := first
	flush := func() {
		lines = append(lines, cur.String())
		cur.Reset()
		curW = 0
		limit = rest
	}
	for _, word := range words {
		ww := p.GetStringWidth(word)
		if cur.Len() > 0 && curW+space+ww <= limit {
			cur.WriteByte(' ')
			cur.WriteString(word)
			curW += space + ww
			continue
		}
		if cur.Len() > 0 {
			flush()
		}
		for ww > limit && utf8.RuneCountInString(word) > 1 {
			// Cut the longest prefix that fits.
			cutAt, acc := 0, 0.0
			for i, r := range word {
				rw := p.GetStringWidth(string(r))
				if acc+rw > limit && i > 0 {
					break
				}
				acc += rw
				cutAt = i + utf8.RuneLen(r)
			}
			cur.WriteString(word[:cutAt])
			flush()
			word = word[cutAt:]
			ww = p.GetStringWidth(word)
		}
		cur.WriteString(word)
		curW = ww
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

func (pw *pdfw) table(t *Table) {
	p := pw.p
	const pt, pad = ptSmall, 1.2
	lh := lineMM(pt)
	_, ws := t.columns(textW)
	bottom := pageH - marginBottom
	rowLines := func(row []string, style string) ([][]string, float64) {
		p.SetFont(fontFamily, style, pt)
		out := make([][]string, len(ws))
		n := 1
		for i, w := range ws {
			out[i] = pw.breakLines(norm(cell(row, i)), w-2*pad, w-2*pad)
			n = max(n, len(out[i]))
		}
		return out, float64(n)*lh + 2*pad
	}
	drawRow := func(lines [][]string, h float64, style string, header bool) {
		p.SetFont(fontFamily, style, pt)
		y := p.GetY()
		x := marginLeft
		p.SetLineWidth(0.2)
		for i, w := range ws {
			p.Rect(x, y, w, h, "D")
			for j, l := range lines[i] {
				p.SetXY(x+pad, y+pad+float64(j)*lh)
				align := "L"
				if header {
					align = "C"
				} else if isNumber(l) {
					align = "R"
				}
				p.CellFormat(w-2*pad, lh, l, "", 0, align, false, 0, "")
			}
			x += w
		}
		p.SetXY(marginLeft, y+h)
	}
	var head [][]string
	var headH float64
	if len(t.Header) > 0 {
		head, headH = rowLines(t.Header, "B")
		if p.GetY()+headH+lh+2*pad > bottom {
			p.AddPage()
		}
		drawRow(head, headH, "B", true)
	}
	for _, r := range t.Rows {
		lines, h := rowLines(r, "")
		if p.GetY()+h > bottom {
			p.AddPage()
			if head != nil {
				drawRow(head, headH, "B", true)
			}
		}
		drawRow(lines, h, "", false)
	}
	p.Ln(3)
}

// isNumber reports whether a cell holds a figure (digits with separators, an
// optional percent sign), which is right-aligned.
func isNumber(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.' || r == ',' || r == '%' || r == ' ' || r == '-':
		default:
			return false
		}
	}
	return digits > 0
}

func (pw *pdfw) image(im *Image) {
	p := pw.p
	pw.img++
	name := fmt.Sprintf("img%d", pw.img)
	info := p.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(im.PNG))
	if info == nil || p.Err() {
		return // the error is in p.Error()
	}
	w := im.WidthMM
	if w <= 0 || w > textW {
		w = textW
	}
	h := w * info.Height() / info.Width()
	capH := 0.0
	if im.Caption != "" {
		capH = lineMM(ptSmall) * 2
	}
	if p.GetY()+h+capH > pageH-marginBottom {
		p.AddPage()
	}
	y := p.GetY()
	p.ImageOptions(name, marginLeft+(textW-w)/2, y, w, h, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	p.SetY(y + h + 1)
	if im.Caption != "" {
		pw.centred(marginLeft, textW, im.Caption, "I", ptSmall)
	}
	p.Ln(3)
}

func (pw *pdfw) closing(d Document) {
	p := pw.p
	rec := recipientLines(d)
	is := d.Issuer
	lhS := lineMM(ptSmall)
	need := max(lineMM(12)+float64(len(rec))*lhS*1.3, 3*lineMM(ptSigner)+28)
	if p.GetY()+6+need > pageH-marginBottom {
		p.AddPage()
	} else {
		p.Ln(6)
	}
	top := p.GetY()
	// Left: Nơi nhận.
	p.SetFont(fontFamily, "BI", 12)
	p.SetX(marginLeft)
	p.CellFormat(leftColW, lineMM(12), "Nơi nhận:", "", 2, "L", false, 0, "")
	p.SetFont(fontFamily, "", ptSmall)
	for _, r := range rec {
		for _, l := range pw.breakLines(norm(r), leftColW, leftColW-3) {
			p.SetX(marginLeft)
			p.CellFormat(leftColW, lhS, l, "", 2, "L", false, 0, "")
		}
	}
	leftY := p.GetY()
	// Right: authority, title, room for signature and seal, name.
	p.SetY(top)
	x := marginLeft + leftColW
	if is.Authority != "" {
		pw.centred(x, rightColW, strings.ToUpper(is.Authority), "B", ptSigner)
	}
	if is.SignerTitle != "" {
		pw.centred(x, rightColW, strings.ToUpper(is.SignerTitle), "B", ptSigner)
	}
	p.SetY(p.GetY() + 24)
	if is.SignerName != "" {
		pw.centred(x, rightColW, is.SignerName, "B", ptSigner)
	}
	p.SetY(max(leftY, p.GetY()))
}

// bmpOnly returns d without the characters beyond the Basic Multilingual
// Plane (emoji, flags: common in pasted posts and crawled titles), which
// the PDF writer's font map cannot hold (fpdf indexes a 65536-entry table
// by rune and panics). The DOCX keeps them.
func bmpOnly(d Document) Document {
	bmp := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r > 0xFFFF {
				return -1
			}
			return r
		}, s)
	}
	list := func(l []string) []string {
		if l == nil {
			return nil
		}
		out := make([]string, len(l))
		for i, v := range l {
			out[i] = bmp(v)
		}
		return out
	}
	is := &d.Issuer
	is.Parent, is.Name, is.Abbrev, is.Place = bmp(is.Parent), bmp(is.Name), bmp(is.Abbrev), bmp(is.Place)
	is.Authority, is.SignerTitle, is.SignerName, is.Recipients = bmp(is.Authority), bmp(is.SignerTitle), bmp(is.SignerName), list(is.Recipients)
	d.Type, d.TypeAbbrev, d.Number, d.Summary = bmp(d.Type), bmp(d.TypeAbbrev), bmp(d.Number), bmp(d.Summary)
	d.To, d.Recipients = list(d.To), list(d.Recipients)
	blocks := make([]Block, len(d.Blocks))
	for i, b := range d.Blocks {
		b.Heading, b.Para, b.Bullets = bmp(b.Heading), bmp(b.Para), list(b.Bullets)
		if b.Table != nil {
			t := *b.Table
			t.Header = list(t.Header)
			t.Rows = make([][]string, len(b.Table.Rows))
			for j, r := range b.Table.Rows {
				t.Rows[j] = list(r)
			}
			b.Table = &t
		}
		if b.Image != nil {
			im := *b.Image
			im.Caption = bmp(im.Caption)
			b.Image = &im
		}
		blocks[i] = b
	}
	d.Blocks = blocks
	return d
}
