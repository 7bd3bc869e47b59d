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
		p.Title.Text = "Số bài theo tháng và chủ đề"
		p.Y.Label.Text = "Số bài"
		var labels []string
		for _, m := range r.Months {
			t, _ := time.Parse("2006-01", m)
			labels = append(labels, fmt.Sprintf("T%d", int(t.Month())))
		}
		p.NominalX(labels...)
		total := make(plotter.XYs, len(r.Months))
		for i := range r.Months {
			total[i] = plotter.XY{X: float64(i), Y: float64(r.MonthRows[i][0])}
		}
		l, err := plotter.NewLine(total)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = color.Black, vg.Points(1.5)
		p.Add(l)
		p.Legend.Add("Tổng số", l)
		for ti, t := range r.Topics[:min(len(r.Topics), 5)] {
			xy := make(plotter.XYs, len(r.Months))
			for i := range r.Months {
				xy[i] = plotter.XY{X: float64(i), Y: float64(r.MonthRows[i][ti+1])}
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return nil, err
			}
			l.Color, l.Width = palette[ti%len(palette)], vg.Points(1.2)
			p.Add(l)
			p.Legend.Add(t.Label, l)
		}
		p.Legend.Top = true
		p.Y.Min = 0
	case ChartSources:
		p.Title.Text = "Tỷ lệ bài viết theo nguồn (%)"
		rows := r.Sources[:min(len(r.Sources), 10)]
		vals := make(plotter.Values, len(rows))
		var labels []string
		for i, s := range rows {
			if r.Total > 0 {
				vals[i] = 100 * float64(s.N) / float64(r.Total)
			}
			labels = append(labels, s.Label)
		}
		if len(rows) > 0 {
			b, err := plotter.NewBarChart(vals, vg.Points(12))
			if err != nil {
				return nil, err
			}
			b.Horizontal = true
			b.Color = palette[0]
			b.LineStyle.Width = 0
			p.Add(b)
			p.NominalY(labels...)
		}
		p.X.Min = 0
	default:
		return nil, fmt.Errorf("report: unknown chart %q", name)
	}
	w, h := 16*vg.Centimeter, 8*vg.Centimeter
	wt, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", name, err)
	}
	dc := draw.New(wt)
	if name != ChartMonths { // the only chart with a legend
		p.Draw(dc)
	} else {
		// The legend stands beside the plot, never over its lines.
		leg := p.Legend
		p.Legend = plot.NewLegend()
		side := 4 * vg.Centimeter
		p.Draw(draw.Crop(dc, 0, -side, 0, 0))
		leg.Top, leg.Left = true, true
		leg.Draw(draw.Crop(dc, w-side+vg.Points(6), 0, 0, -vg.Points(20)))
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("chart %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// Document lays r out as an administrative report (BÁO CÁO) of issuer.
func Document(r Report, is officedoc.Issuer, date time.Time) (officedoc.Document, error) {
	d := officedoc.Document{Issuer: is, Type: "BÁO CÁO", TypeAbbrev: "BC", Date: date, Summary: r.Title()}
	add := func(b officedoc.Block) { d.Blocks = append(d.Blocks, b) }
	add(officedoc.Block{Heading: "I. KHÁI QUÁT"})
	for _, p := range r.Narrative {
		add(officedoc.Block{Para: p})
	}
	add(officedoc.Block{Heading: "II. SỐ LIỆU BÀI VIẾT"})
	add(officedoc.Block{Heading: "1. Theo tháng và chủ đề"})
	head := []string{"Tháng", "Tổng số"}
	for _, t := range r.Topics {
		head = append(head, t.Label)
	}
	mt := &officedoc.Table{Header: head}
	for i, m := range r.Months {
		row := []string{MonthLabel(m)}
		for _, n := range r.MonthRows[i] {
			row = append(row, num(n))
		}
		mt.Rows = append(mt.Rows, row)
	}
	add(officedoc.Block{Table: mt})
	for i, name := range []string{ChartMonths, ChartSources} {
		png, err := Chart(r, name, "png")
		if err != nil {
			return d, err
		}
		caption := []string{"Hình 1. Số bài theo tháng và chủ đề", "Hình 2. Tỷ lệ bài viết theo nguồn"}[i]
		add(officedoc.Block{Image: &officedoc.Image{PNG: png, WidthMM: 150, Caption: caption}})
	}
	rows := func(title string, rs []Row, labelHead, noteHead string) {
		add(officedoc.Block{Heading: title})
		if len(rs) == 0 {
			add(officedoc.Block{Para: "Không có số liệu."})
			return
		}
		t := &officedoc.Table{Header: []string{labelHead, "Số bài", noteHead}, Widths: []float64{3, 1, 3}}
		for _, x := range rs {
			t.Rows = append(t.Rows, []string{x.Label, num(x.N), x.Note})
		}
		add(officedoc.Block{Table: t})
	}
	rows("2. Theo chủ đề", r.Topics, "Chủ đề", "Ghi chú")
	rows("3. Theo nguồn tin", r.Sources, "Nguồn tin", "Tỷ lệ hoạt động")
	rows("4. Theo xã (địa giới hiện nay)", r.Communes, "Xã", "Địa danh cũ")
	rows("5. Địa danh cũ được nhắc đến", r.OldNames, "Địa danh cũ", "Hiện nay")
	add(officedoc.Block{Heading: "III. CẢNH BÁO VÀ TIN ĐƯỢC ĐĂNG LẠI NHIỀU"})
	if !r.Alerts.Known {
		add(officedoc.Block{Para: "Chưa có số liệu cảnh báo."})
	} else {
		a := r.Alerts
		add(officedoc.Block{Para: fmt.Sprintf("Tổng số cảnh báo: %s; đã xác nhận: %s; thời gian xác nhận trung vị: %s; 90%% cảnh báo được xác nhận trong: %s.", num(a.Total), num(a.Acked), dur(a.MedianAck), dur(a.P90Ack))})
		t := &officedoc.Table{Header: []string{"Mức độ / nhóm nhận", "Số cảnh báo"}}
		for _, x := range a.BySeverity {
			t.Rows = append(t.Rows, []string{"Mức " + x.Label, num(x.N)})
		}
		for _, x := range a.ByAudience {
			t.Rows = append(t.Rows, []string{"Gửi nhóm " + x.Label, num(x.N)})
		}
		add(officedoc.Block{Table: t})
	}
	if len(r.Stories) > 0 {
		t := &officedoc.Table{Header: []string{"Tin", "Số báo đăng", "Các báo"}, Widths: []float64{4, 1, 3}}
		for _, s := range r.Stories {
			t.Rows = append(t.Rows, []string{s.Title, num(s.Outlets), strings.Join(s.Sources, ", ")})
		}
		add(officedoc.Block{Table: t})
	}
	add(officedoc.Block{Heading: "IV. XỬ LÝ THÔNG TIN SAI SỰ THẬT"})
	if r.Cases == nil {
		add(officedoc.Block{Para: "Chưa có vụ việc nào được ghi nhận trên hệ thống."})
	} else {
		c := r.Cases
		add(officedoc.Block{Para: fmt.Sprintf("Tổng số vụ việc: %s; thời gian phản hồi trung vị: %s; 90%% vụ việc được phản hồi trong: %s.", num(c.Total), dur(c.MedianResponse), dur(c.P90Response))})
		if len(c.Lines) > 0 {
			t := &officedoc.Table{Header: []string{"Nội dung", "Địa bàn", "Kết luận", "Kết quả xử lý"}}
			for _, l := range c.Lines {
				t.Rows = append(t.Rows, []string{l.Claim, l.Where, l.Verdict, l.Outcome})
			}
			add(officedoc.Block{Table: t})
		}
	}
	add(officedoc.Block{Heading: "V. CỔNG THÔNG TIN ĐIỆN TỬ CỦA ĐƠN VỊ"})
	if r.Duties == nil {
		add(officedoc.Block{Para: "Chưa theo dõi cổng thông tin nào."})
	} else {
		t := &officedoc.Table{Header: []string{"Cổng", "Nội dung phải đăng", "Kỳ", "Tình trạng"}}
		for _, x := range r.Duties {
			t.Rows = append(t.Rows, []string{x.Portal, x.Duty, x.Period, dutyStatus(x.Status)})
		}
		add(officedoc.Block{Table: t})
	}
	add(officedoc.Block{Heading: "VI. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ"})
	add(officedoc.Block{Para: "(Văn phòng bổ sung.)"})
	return d, nil
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

// WriteXLSX writes r's tables as a workbook: one sheet per table, numbers as
// numbers.
func WriteXLSX(w io.Writer, r Report) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := func(name string, head []string, rows [][]any) error {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := f.SetSheetRow(name, "A1", &head); err != nil {
			return err
		}
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				return err
			}
		}
		return nil
	}
	summary := [][]any{{"Tiêu đề", r.Title()}, {"Tổng số bài", r.Total}}
	for _, p := range r.Narrative {
		summary = append(summary, []any{"Nhận định", p})
	}
	head := []string{"Tháng", "Tổng số"}
	for _, t := range r.Topics {
		head = append(head, t.Label)
	}
	var months [][]any
	for i, m := range r.Months {
		row := []any{m}
		for _, n := range r.MonthRows[i] {
			row = append(row, n)
		}
		months = append(months, row)
	}
	rowsOf := func(rs []Row) [][]any {
		var out [][]any
		for _, x := range rs {
			out = append(out, []any{x.ID, x.Label, x.N, x.Note})
		}
		return out
	}
	var stories [][]any
	for _, s := range r.Stories {
		stories = append(stories, []any{s.Title, s.URL, s.Outlets, strings.Join(s.Sources, ", ")})
	}
	alertsRows := [][]any{{"Tổng số", r.Alerts.Total}, {"Đã xác nhận", r.Alerts.Acked},
		{"Trung vị thời gian xác nhận (phút)", r.Alerts.MedianAck.Minutes()}, {"P90 thời gian xác nhận (phút)", r.Alerts.P90Ack.Minutes()}}
	for _, x := range r.Alerts.BySeverity {
		alertsRows = append(alertsRows, []any{"Mức " + x.Label, x.N})
	}
	for _, x := range r.Alerts.ByAudience {
		alertsRows = append(alertsRows, []any{"Nhóm " + x.Label, x.N})
	}
	steps := []func() error{
		func() error { return sheet("Tổng hợp", []string{"Mục", "Giá trị"}, summary) },
		func() error { return sheet("Theo tháng", head, months) },
		func() error {
			return sheet("Chủ đề", []string{"Mã", "Chủ đề", "Số bài", "Ghi chú"}, rowsOf(r.Topics))
		},
		func() error {
			return sheet("Nguồn", []string{"Mã", "Nguồn", "Số bài", "Tỷ lệ hoạt động"}, rowsOf(r.Sources))
		},
		func() error {
			return sheet("Xã", []string{"Mã", "Xã (hiện nay)", "Số bài", "Địa danh cũ"}, rowsOf(r.Communes))
		},
		func() error {
			return sheet("Địa danh cũ", []string{"Mã", "Địa danh", "Số bài", "Hiện nay"}, rowsOf(r.OldNames))
		},
		func() error { return sheet("Cảnh báo", []string{"Mục", "Giá trị"}, alertsRows) },
		func() error {
			return sheet("Tin đăng lại", []string{"Tin", "URL", "Số báo", "Các báo"}, stories)
		},
	}
	if c := r.Cases; c != nil {
		var rows [][]any
		for _, l := range c.Lines {
			rows = append(rows, []any{l.ID, l.Claim, l.Where, l.Verdict, l.Outcome})
		}
		steps = append(steps, func() error {
			return sheet("Vụ việc", []string{"Số", "Nội dung sai sự thật", "Địa bàn", "Kết luận", "Kết quả xử lý"}, rows)
		})
	}
	if len(r.Duties) > 0 {
		var rows [][]any
		for _, d := range r.Duties {
			rows = append(rows, []any{d.Portal, d.Duty, d.Period, dutyStatus(d.Status), d.URL})
		}
		steps = append(steps, func() error {
			return sheet("Cổng TTĐT", []string{"Cổng", "Nội dung phải đăng", "Kỳ", "Tình trạng", "Địa chỉ"}, rows)
		})
	}
	for _, s := range steps {
		if err := s(); err != nil {
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
