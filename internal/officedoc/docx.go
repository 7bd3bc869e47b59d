package officedoc

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"strings"
	"time"
)

// DOCX units: twips (1/20 pt) for layout, half-points for font sizes, EMU for
// pictures.
const (
	twipsPerMM = 1440 / 25.4
	emuPerMM   = 36000
)

func tw(mm float64) int { return int(mm*twipsPerMM + 0.5) }

func hp(pt float64) int { return int(pt * 2) }

// WriteDOCX writes d as a WordprocessingML document (Office Open XML) that
// opens and edits in Word and LibreOffice: A4, the decree's margins, Times New
// Roman, the heading and closing blocks as borderless tables, page numbers
// from page 2. The output is deterministic for a given d.
func WriteDOCX(w io.Writer, d Document) error {
	if err := d.check(); err != nil {
		return err
	}
	dw := &docxw{}
	dw.heading(d)
	if err := dw.body(d); err != nil {
		return err
	}
	dw.closing(d)

	mod := d.Date
	if mod.IsZero() {
		mod = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	put := func(name string, data []byte) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: mod})
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	}
	parts := []struct {
		name string
		data []byte
	}{
		{"[Content_Types].xml", []byte(contentTypes)},
		{"_rels/.rels", []byte(rootRels)},
		{"docProps/core.xml", []byte(coreProps(d, mod))},
		{"word/document.xml", dw.document()},
		{"word/_rels/document.xml.rels", dw.rels()},
		{"word/styles.xml", []byte(stylesXML)},
		{"word/settings.xml", []byte(settingsXML)},
		{"word/header1.xml", []byte(headerXML)},
	}
	for i, im := range dw.images {
		parts = append(parts, struct {
			name string
			data []byte
		}{fmt.Sprintf("word/media/image%d.png", i+1), im})
	}
	for _, pt := range parts {
		if err := put(pt.name, pt.data); err != nil {
			return fmt.Errorf("officedoc docx: %s: %w", pt.name, err)
		}
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("officedoc docx: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("officedoc docx: write: %w", err)
	}
	return nil
}

type docxw struct {
	b      strings.Builder
	images [][]byte
}

// esc normalises s and escapes it for XML character data, dropping
// characters XML 1.0 cannot carry.
func esc(s string) string {
	s = norm(s)
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		if r < 0x20 || r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, s)
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// runProps are the formatting of one run.
type runProps struct {
	bold, italic, underline bool
	pt                      float64
}

func (r runProps) xml() string {
	var b strings.Builder
	b.WriteString("<w:rPr>")
	if r.bold {
		b.WriteString("<w:b/><w:bCs/>")
	}
	if r.italic {
		b.WriteString("<w:i/><w:iCs/>")
	}
	if r.underline {
		b.WriteString(`<w:u w:val="single"/>`)
	}
	if r.pt > 0 {
		fmt.Fprintf(&b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/>`, hp(r.pt), hp(r.pt))
	}
	b.WriteString("</w:rPr>")
	return b.String()
}

// paraProps are the layout of one paragraph.
type paraProps struct {
	jc               string // left | center | right | both
	firstLine        float64
	indLeft, indRght float64 // mm
	after            int     // twips of space after
	border           bool    // a bottom line (the short rules of the heading)
	keepNext         bool
}

func (p paraProps) xml() string {
	var b strings.Builder
	b.WriteString("<w:pPr>")
	if p.keepNext {
		b.WriteString("<w:keepNext/>")
	}
	if p.border {
		b.WriteString(`<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>`)
	}
	fmt.Fprintf(&b, `<w:spacing w:before="0" w:after="%d"/>`, p.after)
	if p.firstLine != 0 || p.indLeft != 0 || p.indRght != 0 {
		fmt.Fprintf(&b, `<w:ind w:left="%d" w:right="%d" w:firstLine="%d"/>`, tw(p.indLeft), tw(p.indRght), tw(p.firstLine))
	}
	if p.jc != "" {
		fmt.Fprintf(&b, `<w:jc w:val="%s"/>`, p.jc)
	}
	b.WriteString("</w:pPr>")
	return b.String()
}

// para writes one paragraph with one run of text.
func (dw *docxw) para(pp paraProps, rp runProps, text string) {
	dw.b.WriteString("<w:p>")
	dw.b.WriteString(pp.xml())
	if text != "" {
		dw.b.WriteString("<w:r>")
		dw.b.WriteString(rp.xml())
		fmt.Fprintf(&dw.b, `<w:t xml:space="preserve">%s</w:t>`, esc(text))
		dw.b.WriteString("</w:r>")
	}
	dw.b.WriteString("</w:p>")
}

// rule writes a short line of length l (mm) centred in a column w wide.
func (dw *docxw) rule(w, l float64) {
	side := max(0, (w-l)/2)
	dw.b.WriteString("<w:p>")
	dw.b.WriteString(paraProps{indLeft: side, indRght: side, border: true, after: 0}.xml())
	dw.b.WriteString(`<w:r><w:rPr><w:sz w:val="4"/><w:szCs w:val="4"/></w:rPr></w:r></w:p>`)
}

// layoutTable opens a borderless fixed-width table of two columns.
func (dw *docxw) layoutTableStart(widths ...float64) {
	dw.b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblLayout w:type="fixed"/>`)
	dw.b.WriteString(`<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>`)
	dw.b.WriteString(`<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>`)
	for _, w := range widths {
		fmt.Fprintf(&dw.b, `<w:gridCol w:w="%d"/>`, tw(w))
	}
	dw.b.WriteString(`</w:tblGrid>`)
}

func (dw *docxw) cellStart(w float64) {
	fmt.Fprintf(&dw.b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>`, tw(w))
}

func (dw *docxw) heading(d Document) {
	is := d.Issuer
	c := paraProps{jc: "center"}
	dw.layoutTableStart(leftColW, rightColW)
	// Row 1: issuing body | country and motto.
	dw.b.WriteString("<w:tr>")
	dw.cellStart(leftColW)
	if is.Parent != "" {
		dw.para(c, runProps{pt: ptHead}, strings.ToUpper(is.Parent))
	}
	dw.para(c, runProps{pt: ptHead, bold: true}, strings.ToUpper(is.Name))
	dw.rule(leftColW, leftColW/3)
	dw.b.WriteString("</w:tc>")
	dw.cellStart(rightColW)
	dw.para(c, runProps{pt: ptHead, bold: true}, CountryLine)
	dw.para(c, runProps{pt: ptMotto, bold: true, underline: true}, MottoLine)
	dw.b.WriteString("</w:tc></w:tr>")
	// Row 2: number (and V/v of a letter) | place and date.
	dw.b.WriteString("<w:tr>")
	dw.cellStart(leftColW)
	dw.para(paraProps{jc: "center", after: 0}, runProps{pt: ptBody}, NumberLine(d))
	if d.Type == "" {
		if s := d.summaryLine(); s != "" {
			dw.para(c, runProps{pt: ptHead}, s)
		}
	}
	dw.b.WriteString("</w:tc>")
	dw.cellStart(rightColW)
	dw.para(c, runProps{pt: ptMotto, italic: true}, DateLine(is.Place, d.Date))
	dw.b.WriteString("</w:tc></w:tr></w:tbl>")
	dw.para(paraProps{after: 120}, runProps{}, "")

	if d.Type != "" {
		dw.para(paraProps{jc: "center"}, runProps{pt: ptType, bold: true}, strings.ToUpper(d.Type))
		if s := strings.TrimSpace(d.Summary); s != "" {
			dw.para(paraProps{jc: "center"}, runProps{pt: ptType, bold: true}, s)
		}
		dw.rule(textW, 30)
		dw.para(paraProps{after: 120}, runProps{}, "")
	}
	if to := toLines(d.To); len(to) > 0 {
		if len(to) == 1 {
			dw.para(paraProps{jc: "center", after: 120}, runProps{pt: ptType}, to[0])
		} else {
			dw.para(paraProps{indLeft: 35}, runProps{pt: ptType}, to[0])
			for _, l := range to[1:] {
				dw.para(paraProps{indLeft: 55}, runProps{pt: ptType}, l)
			}
			dw.para(paraProps{after: 120}, runProps{}, "")
		}
	}
}

func (dw *docxw) body(d Document) error {
	body := paraProps{jc: "both", firstLine: indentMM, after: 120}
	for i, b := range d.Blocks {
		switch {
		case b.Heading != "":
			pp := body
			pp.keepNext = true
			dw.para(pp, runProps{pt: ptBody, bold: true}, b.Heading)
		case b.Para != "":
			for _, para := range strings.Split(b.Para, "\n") {
				if strings.TrimSpace(para) != "" {
					dw.para(body, runProps{pt: ptBody}, strings.TrimSpace(para))
				}
			}
		case b.Bullets != nil:
			for _, it := range b.Bullets {
				dw.para(body, runProps{pt: ptBody}, "- "+strings.TrimPrefix(strings.TrimSpace(it), "- "))
			}
		case b.Table != nil:
			dw.table(b.Table)
		case b.Image != nil:
			if err := dw.image(b.Image); err != nil {
				return fmt.Errorf("officedoc docx: block %d: %w", i, err)
			}
		}
	}
	return nil
}

func (dw *docxw) table(t *Table) {
	_, ws := t.columns(textW)
	dw.b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblLayout w:type="fixed"/>`)
	dw.b.WriteString(`<w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		fmt.Fprintf(&dw.b, `<w:%s w:val="single" w:sz="4" w:space="0" w:color="000000"/>`, side)
	}
	dw.b.WriteString(`</w:tblBorders><w:tblCellMar><w:left w:w="70" w:type="dxa"/><w:right w:w="70" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>`)
	for _, w := range ws {
		fmt.Fprintf(&dw.b, `<w:gridCol w:w="%d"/>`, tw(w))
	}
	dw.b.WriteString(`</w:tblGrid>`)
	row := func(cells []string, header bool) {
		dw.b.WriteString("<w:tr>")
		if header {
			dw.b.WriteString(`<w:trPr><w:tblHeader/></w:trPr>`)
		} else {
			dw.b.WriteString(`<w:trPr><w:cantSplit/></w:trPr>`)
		}
		for i, w := range ws {
			dw.cellStart(w)
			s := cell(cells, i)
			jc := "left"
			if header {
				jc = "center"
			} else if isNumber(s) {
				jc = "right"
			}
			dw.para(paraProps{jc: jc}, runProps{pt: ptSmall, bold: header}, s)
			dw.b.WriteString("</w:tc>")
		}
		dw.b.WriteString("</w:tr>")
	}
	if len(t.Header) > 0 {
		row(t.Header, true)
	}
	for _, r := range t.Rows {
		row(r, false)
	}
	dw.b.WriteString("</w:tbl>")
	dw.para(paraProps{after: 60}, runProps{}, "")
}

func (dw *docxw) image(im *Image) error {
	cfg, err := png.DecodeConfig(bytes.NewReader(im.PNG))
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	if cfg.Width == 0 || cfg.Height == 0 {
		return fmt.Errorf("image: empty %dx%d", cfg.Width, cfg.Height)
	}
	dw.images = append(dw.images, im.PNG)
	n := len(dw.images)
	wmm := im.WidthMM
	if wmm <= 0 || wmm > textW {
		wmm = textW
	}
	cx := int(wmm * emuPerMM)
	cy := int(wmm * float64(cfg.Height) / float64(cfg.Width) * emuPerMM)
	dw.b.WriteString(`<w:p>` + paraProps{jc: "center", keepNext: im.Caption != ""}.xml() + `<w:r><w:drawing>`)
	fmt.Fprintf(&dw.b, `<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="%d" cy="%d"/><wp:docPr id="%d" name="Hình %d"/>`, cx, cy, n, n)
	dw.b.WriteString(`<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>`)
	fmt.Fprintf(&dw.b, `<pic:nvPicPr><pic:cNvPr id="%d" name="image%d.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="rIdImg%d"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>`, n, n, n)
	fmt.Fprintf(&dw.b, `<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`, cx, cy)
	if im.Caption != "" {
		dw.para(paraProps{jc: "center", after: 120}, runProps{pt: ptSmall, italic: true}, im.Caption)
	}
	return nil
}

func (dw *docxw) closing(d Document) {
	is := d.Issuer
	dw.para(paraProps{after: 120}, runProps{}, "")
	dw.layoutTableStart(leftColW, rightColW)
	dw.b.WriteString(`<w:tr><w:trPr><w:cantSplit/></w:trPr>`)
	dw.cellStart(leftColW)
	dw.para(paraProps{keepNext: true}, runProps{pt: 12, bold: true, italic: true}, "Nơi nhận:")
	for _, r := range recipientLines(d) {
		dw.para(paraProps{keepNext: true}, runProps{pt: ptSmall}, r)
	}
	dw.b.WriteString("</w:tc>")
	dw.cellStart(rightColW)
	c := paraProps{jc: "center", keepNext: true}
	if is.Authority != "" {
		dw.para(c, runProps{pt: ptSigner, bold: true}, strings.ToUpper(is.Authority))
	}
	if is.SignerTitle != "" {
		dw.para(c, runProps{pt: ptSigner, bold: true}, strings.ToUpper(is.SignerTitle))
	}
	for range 4 {
		dw.para(c, runProps{pt: ptSigner}, "")
	}
	if is.SignerName != "" {
		dw.para(paraProps{jc: "center"}, runProps{pt: ptSigner, bold: true}, is.SignerName)
	}
	dw.b.WriteString("</w:tc></w:tr></w:tbl>")
}

func (dw *docxw) document() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>`)
	b.WriteString(dw.b.String())
	fmt.Fprintf(&b, `<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader"/><w:pgSz w:w="%d" w:h="%d"/>`, tw(pageW), tw(pageH))
	fmt.Fprintf(&b, `<w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="%d" w:footer="%d" w:gutter="0"/><w:titlePg/></w:sectPr>`,
		tw(marginTop), tw(marginRight), tw(marginBottom), tw(marginLeft), tw(9), tw(10))
	b.WriteString(`</w:body></w:document>`)
	return b.Bytes()
}

func (dw *docxw) rels() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	b.WriteString(`<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`)
	b.WriteString(`<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>`)
	b.WriteString(`<Relationship Id="rIdHeader" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>`)
	for i := range dw.images {
		fmt.Fprintf(&b, `<Relationship Id="rIdImg%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image%d.png"/>`, i+1, i+1)
	}
	b.WriteString(`</Relationships>`)
	return b.Bytes()
}

func coreProps(d Document, mod time.Time) string {
	ts := mod.UTC().Format("2006-01-02T15:04:05Z")
	return xml.Header + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + esc(d.title()) + `</dc:title><dc:creator>` + esc(d.Issuer.Name) + `</dc:creator><dc:language>vi-VN</dc:language>` +
		`<dcterms:created xsi:type="dcterms:W3CDTF">` + ts + `</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">` + ts + `</dcterms:modified></cp:coreProperties>`
}

const contentTypes = xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Default Extension="png" ContentType="image/png"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
	`<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`</Types>`

const rootRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`</Relationships>`

const stylesXML = xml.Header + `<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>` +
	`<w:sz w:val="26"/><w:szCs w:val="26"/><w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>` +
	`<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
	`</w:styles>`

const settingsXML = xml.Header + `<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/>` +
	`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>` +
	`</w:settings>`

// headerXML is the header of pages 2 and after (the section has a distinct,
// empty first-page header): the page number, centred, 13 pt.
const headerXML = xml.Header + `<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:p><w:pPr><w:jc w:val="center"/></w:pPr>` +
	`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>` +
	`<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>2</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>` +
	`</w:p></w:hdr>`
