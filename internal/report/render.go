package report

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/diembao/diembao/internal/officedoc"
)

// Chart names.
const (
	ChartMonths  = "months"  // articles per month, one line per topic
	ChartSources = "sources" // share by source (bars, percent)
)

var palette = []color.RGBA{{42, 111, 176, 255}, {200, 70, 50, 255}, {60, 150, 80, 255}, {230, 150, 30, 255}, {120, 80, 160, 255}, {90, 90, 90, 255}}

// fonts is a gonum font cache holding Liberation Serif (every Vietnamese letter).
func fonts() (*font.Cache, font.Font, error) {
	ff := font.Font{Typeface: "Liberation", Variant: "Serif"}
	face, err := opentype.Parse(officedoc.SerifTTF(""))
	if err != nil {
		return nil, ff, fmt.Errorf("chart font: %w", err)
	}
	return font.NewCache(font.Collection{{Font: ff, Face: face}}), ff, nil
}

func styled(p *plot.Plot, cache *font.Cache, ff font.Font) {
	h := text.Plain{Fonts: cache}
	p.TextHandler = h
	set := func(s *text.Style, size vg.Length) {
		s.Handler = h
		s.Font = font.From(ff, size)
	}
	set(&p.Title.TextStyle, 13)
	set(&p.X.Label.TextStyle, 10)
	set(&p.Y.Label.TextStyle, 10)
	set(&p.X.Tick.Label, 9)
	set(&p.Y.Tick.Label, 9)
	set(&p.Legend.TextStyle, 9)
}

// Chart draws one chart of r as "svg" or "png" (16 × 8 cm).
func Chart(r Report, name, format string) ([]byte, error) {
	cache, ff, err := fonts()
	if err != nil {
		return nil, err
	}
	p := plot.New()
	styled(p, cache, ff)
	switch name {
	case ChartMonths:
		err = plotMonths(p, r)
	case ChartSources:
		err = plotSources(p, r)
	default:
		return nil, fmt.Errorf("report: unknown chart %q", name)
	}
	if err != nil {
		return nil, err
	}
	return drawChart(p, name, format)
}

// plotMonths fills p with the articles per month: the total in black and
// one coloured line per topic (the first five), each in the legend. A
// report without months gets the title and empty axes.
func plotMonths(p *plot.Plot, r Report) error {
	if err := checkMonths(r); err != nil {
		return err
	}
	p.Title.Text = "Số bài theo tháng và chủ đề"
	p.Y.Label.Text = "Số bài"
	if len(r.Months) == 0 {
		emptyAxes(p)
		return nil
	}
	if err := addMonthLines(p, r); err != nil {
		return err
	}
	p.Legend.Top = true
	p.Y.Min = 0
	return nil
}

// emptyAxes draws p's axes from 0 to 1 without ticks, saying under them
// that there are no figures.
func emptyAxes(p *plot.Plot) {
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.ConstantTicks(nil), plot.ConstantTicks(nil)
	p.X.Label.Text = "Không có số liệu"
}

// checkMonths returns an error unless r has one row of counts per month,
// each holding the total and one count per topic (as Build makes them).
func checkMonths(r Report) error {
	if len(r.MonthRows) != len(r.Months) {
		return fmt.Errorf("report: %d months but %d rows of month counts", len(r.Months), len(r.MonthRows))
	}
	for i, row := range r.MonthRows {
		if len(row) != 1+len(r.Topics) {
			return fmt.Errorf("report: month %s has %d counts, want %d (the total and one per topic)", r.Months[i], len(row), 1+len(r.Topics))
		}
	}
	return nil
}

// addMonthLines names r's months on the X axis and adds the total and the
// first five topics as lines; r has at least one month.
func addMonthLines(p *plot.Plot, r Report) error {
	p.NominalX(monthTicks(r.Months)...)
	if err := addLine(p, monthSeries(r, 0), color.Black, vg.Points(1.5), "Tổng số"); err != nil {
		return err
	}
	for ti, t := range r.Topics[:min(len(r.Topics), 5)] {
		if err := addLine(p, monthSeries(r, ti+1), palette[ti%len(palette)], vg.Points(1.2), t.Label); err != nil {
			return err
		}
	}
	return nil
}

// monthTicks labels each "2026-03" month as "T3".
func monthTicks(months []string) []string {
	var labels []string
	for _, m := range months {
		t, _ := time.Parse("2006-01", m)
		labels = append(labels, fmt.Sprintf("T%d", int(t.Month())))
	}
	return labels
}

// monthSeries is column col of r.MonthRows (0 the total, i+1 topic i),
// one point per month.
func monthSeries(r Report, col int) plotter.XYs {
	xy := make(plotter.XYs, len(r.Months))
	for i := range r.Months {
		xy[i] = plotter.XY{X: float64(i), Y: float64(r.MonthRows[i][col])}
	}
	return xy
}

// addLine adds xy to p as a line of colour c and width w, named label in
// the legend.
func addLine(p *plot.Plot, xy plotter.XYs, c color.Color, w vg.Length, label string) error {
	l, err := plotter.NewLine(xy)
	if err != nil {
		return err
	}
	l.Color, l.Width = c, w
	p.Add(l)
	p.Legend.Add(label, l)
	return nil
}

// plotSources fills p with the share of articles of the first ten sources,
// as horizontal bars in percent of r.Total; a report without sources gets
// the title and empty axes.
func plotSources(p *plot.Plot, r Report) error {
	p.Title.Text = "Tỷ lệ bài viết theo nguồn (%)"
	rows := r.Sources[:min(len(r.Sources), 10)]
	if len(rows) == 0 {
		emptyAxes(p)
		return nil
	}
	if err := addShareBars(p, rows, r.Total); err != nil {
		return err
	}
	p.X.Min = 0
	return nil
}

// addShareBars adds rows to p as horizontal bars of their percent of total
// (0 when total is 0), labelled on the Y axis.
func addShareBars(p *plot.Plot, rows []Row, total int) error {
	vals := make(plotter.Values, len(rows))
	var labels []string
	for i, s := range rows {
		if total > 0 {
			vals[i] = 100 * float64(s.N) / float64(total)
		}
		labels = append(labels, s.Label)
	}
	b, err := plotter.NewBarChart(vals, vg.Points(12))
	if err != nil {
		return err
	}
	b.Horizontal = true
	b.Color = palette[0]
	b.LineStyle.Width = 0
	p.Add(b)
	p.NominalY(labels...)
	return nil
}

// drawChart draws p on a 16 × 8 cm canvas of format and returns the image;
// the months chart gets its legend beside the plot.
func drawChart(p *plot.Plot, name, format string) ([]byte, error) {
	w, h := 16*vg.Centimeter, 8*vg.Centimeter
	wt, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", name, err)
	}
	dc := draw.New(wt)
	if name != ChartMonths { // the only chart with a legend
		p.Draw(dc)
	} else {
		drawLegendBeside(p, dc, w)
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("chart %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// drawLegendBeside draws p on dc (w wide) with its legend in a 4 cm column
// on the right, never over the lines.
func drawLegendBeside(p *plot.Plot, dc draw.Canvas, w vg.Length) {
	leg := p.Legend
	p.Legend = plot.NewLegend()
	side := 4 * vg.Centimeter
	p.Draw(draw.Crop(dc, 0, -side, 0, 0))
	leg.Top, leg.Left = true, true
	leg.Draw(draw.Crop(dc, w-side+vg.Points(6), 0, 0, -vg.Points(20)))
}

// blocks collects a document's body in order.
type blocks []officedoc.Block

func (bs *blocks) add(b officedoc.Block)     { *bs = append(*bs, b) }
func (bs *blocks) heading(s string)          { bs.add(officedoc.Block{Heading: s}) }
func (bs *blocks) para(s string)             { bs.add(officedoc.Block{Para: s}) }
func (bs *blocks) table(t *officedoc.Table)  { bs.add(officedoc.Block{Table: t}) }
func (bs *blocks) image(im *officedoc.Image) { bs.add(officedoc.Block{Image: im}) }

// Document lays r out as an administrative report (BÁO CÁO) of issuer:
// I overview, II article figures with the charts, III alerts and stories,
// IV cases, V own portals, VI difficulties (left to the office). r's month
// counts must match its months and topics (checkMonths). On an error the
// document holds the blocks laid out so far.
func Document(r Report, is officedoc.Issuer, date time.Time) (officedoc.Document, error) {
	d := officedoc.Document{Issuer: is, Type: "BÁO CÁO", TypeAbbrev: "BC", Date: date, Summary: r.Title()}
	if err := checkMonths(r); err != nil {
		return d, err
	}
	var bs blocks
	bs.heading("I. KHÁI QUÁT")
	for _, p := range r.Narrative {
		bs.para(p)
	}
	err := bs.articles(r)
	d.Blocks = bs
	if err != nil {
		return d, err
	}
	bs.alerts(r.Alerts, r.Stories)
	bs.cases(r.Cases)
	bs.duties(r.Duties)
	bs.heading("VI. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ")
	bs.para("(Văn phòng bổ sung.)")
	d.Blocks = bs
	return d, nil
}

// articles is section II: the month table, the two charts and the tables
// by topic, source, commune and old name.
func (bs *blocks) articles(r Report) error {
	bs.heading("II. SỐ LIỆU BÀI VIẾT")
	bs.heading("1. Theo tháng và chủ đề")
	if len(r.Months) == 0 {
		bs.para("Không có số liệu.")
	} else {
		bs.table(monthTable(r))
	}
	for i, name := range []string{ChartMonths, ChartSources} {
		png, err := Chart(r, name, "png")
		if err != nil {
			return err
		}
		caption := []string{"Hình 1. Số bài theo tháng và chủ đề", "Hình 2. Tỷ lệ bài viết theo nguồn"}[i]
		bs.image(&officedoc.Image{PNG: png, WidthMM: 150, Caption: caption})
	}
	bs.rows("2. Theo chủ đề", r.Topics, "Chủ đề", "Ghi chú")
	bs.rows("3. Theo nguồn tin", r.Sources, "Nguồn tin", "Tỷ lệ hoạt động")
	bs.rows("4. Theo xã (địa giới hiện nay)", r.Communes, "Xã", "Địa danh cũ")
	bs.rows("5. Địa danh cũ được nhắc đến", r.OldNames, "Địa danh cũ", "Hiện nay")
	return nil
}

// monthHead is the header of the month table: month, total, each topic.
func monthHead(topics []Row) []string {
	head := []string{"Tháng", "Tổng số"}
	for _, t := range topics {
		head = append(head, t.Label)
	}
	return head
}

// monthTable is r's counts per month ("Tháng 3/2026"), total then topics.
func monthTable(r Report) *officedoc.Table {
	mt := &officedoc.Table{Header: monthHead(r.Topics)}
	for i, m := range r.Months {
		row := []string{MonthLabel(m)}
		for _, n := range r.MonthRows[i] {
			row = append(row, num(n))
		}
		mt.Rows = append(mt.Rows, row)
	}
	return mt
}

// rows adds a titled table of rs (label, count, note) or, for none, a line
// saying there are no figures.
func (bs *blocks) rows(title string, rs []Row, labelHead, noteHead string) {
	bs.heading(title)
	if len(rs) == 0 {
		bs.para("Không có số liệu.")
		return
	}
	t := &officedoc.Table{Header: []string{labelHead, "Số bài", noteHead}, Widths: []float64{3, 1, 3}}
	for _, x := range rs {
		t.Rows = append(t.Rows, []string{x.Label, num(x.N), x.Note})
	}
	bs.table(t)
}

// alerts is section III: the alert figures and their table by severity and
// audience (or a line saying they are unknown), then the stories most
// carried, if any.
func (bs *blocks) alerts(a AlertFigures, stories []Story) {
	bs.heading("III. CẢNH BÁO VÀ TIN ĐƯỢC ĐĂNG LẠI NHIỀU")
	if !a.Known {
		bs.para(noAlerts)
	} else {
		bs.para(fmt.Sprintf("Tổng số cảnh báo: %s; đã xác nhận: %s; thời gian xác nhận trung vị: %s; 90%% cảnh báo được xác nhận trong: %s.", num(a.Total), num(a.Acked), dur(a.MedianAck), dur(a.P90Ack)))
		bs.table(alertTable(a))
	}
	if len(stories) > 0 {
		bs.table(storyTable(stories))
	}
}

// alertTable counts a's alerts by severity, then by audience.
func alertTable(a AlertFigures) *officedoc.Table {
	t := &officedoc.Table{Header: []string{"Mức độ / nhóm nhận", "Số cảnh báo"}}
	for _, x := range a.BySeverity {
		t.Rows = append(t.Rows, []string{"Mức " + x.Label, num(x.N)})
	}
	for _, x := range a.ByAudience {
		t.Rows = append(t.Rows, []string{"Gửi " + x.Label, num(x.N)})
	}
	return t
}

// storyTable lists each story with how many outlets ran it and which.
func storyTable(stories []Story) *officedoc.Table {
	t := &officedoc.Table{Header: []string{"Tin", "Số báo đăng", "Các báo"}, Widths: []float64{4, 1, 3}}
	for _, s := range stories {
		t.Rows = append(t.Rows, []string{s.Title, num(s.Outlets), strings.Join(s.Sources, ", ")})
	}
	return t
}

// cases is section IV: the case figures and one line per case, or a line
// saying none are recorded (c nil).
func (bs *blocks) cases(c *Cases) {
	bs.heading("IV. XỬ LÝ THÔNG TIN SAI SỰ THẬT")
	if c == nil {
		bs.para(noCases)
		return
	}
	bs.para(fmt.Sprintf("Tổng số vụ việc: %s; thời gian phản hồi trung vị: %s; 90%% vụ việc được phản hồi trong: %s.", num(c.Total), dur(c.MedianResponse), dur(c.P90Response)))
	if len(c.Lines) == 0 {
		return
	}
	t := &officedoc.Table{Header: []string{"Nội dung", "Địa bàn", "Kết luận", "Kết quả xử lý"}}
	for _, l := range c.Lines {
		t.Rows = append(t.Rows, []string{l.Claim, l.Where, l.Verdict, l.Outcome})
	}
	bs.table(t)
}

// duties is section V: the own-portal duties of the period, or a line
// saying no portal is watched (duties nil) or nothing was due (empty).
func (bs *blocks) duties(duties []DutyRow) {
	bs.heading("V. CỔNG THÔNG TIN ĐIỆN TỬ CỦA ĐƠN VỊ")
	if duties == nil {
		bs.para(noPortals)
		return
	}
	if len(duties) == 0 {
		bs.para("Không có nội dung nào phải đăng trong kỳ báo cáo.")
		return
	}
	t := &officedoc.Table{Header: []string{"Cổng", "Nội dung phải đăng", "Kỳ", "Tình trạng"}}
	for _, x := range duties {
		t.Rows = append(t.Rows, []string{x.Portal, x.Duty, x.Period, dutyStatus(x.Status)})
	}
	bs.table(t)
}

func dutyStatus(s string) string {
	switch s {
	case "published":
		return "Đã đăng"
	case "late":
		return "Đăng muộn"
	case "missing":
		return "Chưa đăng"
	}
	return s
}

// WritePDF writes r as an administrative PDF.
func WritePDF(w io.Writer, r Report, is officedoc.Issuer, date time.Time) error {
	d, err := Document(r, is, date)
	if err != nil {
		return err
	}
	return officedoc.WritePDF(w, d)
}

// WriteDOCX writes r as an administrative DOCX.
func WriteDOCX(w io.Writer, r Report, is officedoc.Issuer, date time.Time) error {
	d, err := Document(r, is, date)
	if err != nil {
		return err
	}
	return officedoc.WriteDOCX(w, d)
}

// Lines standing for a table without rows.
const (
	noneLine  = "Không có"                                         // a table with nothing in the period
	noPortals = "Chưa theo dõi cổng thông tin nào."                // Duties nil
	noCases   = "Chưa có vụ việc nào được ghi nhận trên hệ thống." // Cases nil
	noAlerts  = "Chưa có số liệu cảnh báo."                        // alert figures unknown
)

// WriteXLSX writes r's tables as a workbook: one sheet per table, numbers as
// numbers, every sheet present; a table without rows has one line saying
// why (noneLine, or that no portal, case or alert figure is known). r's
// month counts must match its months and topics (checkMonths).
func WriteXLSX(w io.Writer, r Report) error {
	if err := checkMonths(r); err != nil {
		return fmt.Errorf("report xlsx: %w", err)
	}
	f := excelize.NewFile()
	defer f.Close()
	for _, s := range sheets(r) {
		if err := s.write(f); err != nil {
			return fmt.Errorf("report xlsx: %w", err)
		}
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return fmt.Errorf("report xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("report xlsx: %w", err)
	}
	return nil
}

// sheet is one worksheet: its name, header row and data rows.
type sheet struct {
	name string
	head []string
	rows [][]any
}

// write adds s to f: the header in row 1, the data from row 2; no data
// is one row reading noneLine.
func (s sheet) write(f *excelize.File) error {
	if _, err := f.NewSheet(s.name); err != nil {
		return err
	}
	if err := f.SetSheetRow(s.name, "A1", &s.head); err != nil {
		return err
	}
	rows := s.rows
	if len(rows) == 0 {
		rows = [][]any{{noneLine}}
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(s.name, cell, &row); err != nil {
			return err
		}
	}
	return nil
}

// sheets are r's worksheets in order.
func sheets(r Report) []sheet {
	return []sheet{
		{"Tổng hợp", []string{"Mục", "Giá trị"}, summaryCells(r)},
		{"Theo tháng", monthHead(r.Topics), monthCells(r)},
		{"Chủ đề", []string{"Mã", "Chủ đề", "Số bài", "Ghi chú"}, rowCells(r.Topics)},
		{"Nguồn", []string{"Mã", "Nguồn", "Số bài", "Tỷ lệ hoạt động"}, rowCells(r.Sources)},
		{"Xã", []string{"Mã", "Xã (hiện nay)", "Số bài", "Địa danh cũ"}, rowCells(r.Communes)},
		{"Địa danh cũ", []string{"Mã", "Địa danh", "Số bài", "Hiện nay"}, rowCells(r.OldNames)},
		{"Cảnh báo", []string{"Mục", "Giá trị"}, alertCells(r.Alerts)},
		{"Tin đăng lại", []string{"Tin", "URL", "Số báo", "Các báo"}, storyCells(r.Stories)},
		{"Vụ việc", []string{"Số", "Nội dung sai sự thật", "Địa bàn", "Kết luận", "Kết quả xử lý"}, caseCells(r.Cases)},
		{"Cổng TTĐT", []string{"Cổng", "Nội dung phải đăng", "Kỳ", "Tình trạng", "Địa chỉ"}, dutyCells(r.Duties)},
	}
}

// summaryCells are the title, the total and the narrative paragraphs.
func summaryCells(r Report) [][]any {
	out := [][]any{{"Tiêu đề", r.Title()}, {"Tổng số bài", r.Total}}
	for _, p := range r.Narrative {
		out = append(out, []any{"Nhận định", p})
	}
	return out
}

// monthCells are one row per month ("2026-03"): total, then each topic.
func monthCells(r Report) [][]any {
	var out [][]any
	for i, m := range r.Months {
		row := []any{m}
		for _, n := range r.MonthRows[i] {
			row = append(row, n)
		}
		out = append(out, row)
	}
	return out
}

// rowCells are rs as id, label, count, note.
func rowCells(rs []Row) [][]any {
	var out [][]any
	for _, x := range rs {
		out = append(out, []any{x.ID, x.Label, x.N, x.Note})
	}
	return out
}

// alertCells are a's totals and acknowledgement times in minutes, then the
// counts by severity and by audience; unknown figures are one line saying so
// (zeros would read as "no alerts").
func alertCells(a AlertFigures) [][]any {
	if !a.Known {
		return [][]any{{noAlerts}}
	}
	out := [][]any{{"Tổng số", a.Total}, {"Đã xác nhận", a.Acked},
		{"Trung vị thời gian xác nhận (phút)", a.MedianAck.Minutes()}, {"P90 thời gian xác nhận (phút)", a.P90Ack.Minutes()}}
	for _, x := range a.BySeverity {
		out = append(out, []any{"Mức " + x.Label, x.N})
	}
	for _, x := range a.ByAudience {
		out = append(out, []any{"Gửi " + x.Label, x.N})
	}
	return out
}

// storyCells are the stories as title, URL, outlet count and outlets.
func storyCells(stories []Story) [][]any {
	var out [][]any
	for _, s := range stories {
		out = append(out, []any{s.Title, s.URL, s.Outlets, strings.Join(s.Sources, ", ")})
	}
	return out
}

// caseCells are one row per case, or a line saying no case is recorded
// (c nil).
func caseCells(c *Cases) [][]any {
	if c == nil {
		return [][]any{{noCases}}
	}
	var out [][]any
	for _, l := range c.Lines {
		out = append(out, []any{l.ID, l.Claim, l.Where, l.Verdict, l.Outcome})
	}
	return out
}

// dutyCells are one row per duty, its status in Vietnamese, or a line
// saying no portal is watched (duties nil).
func dutyCells(duties []DutyRow) [][]any {
	if duties == nil {
		return [][]any{{noPortals}}
	}
	var out [][]any
	for _, d := range duties {
		out = append(out, []any{d.Portal, d.Duty, d.Period, dutyStatus(d.Status), d.URL})
	}
	return out
}
