package report

import (
	"bytes"
	"errors"
	"image/png"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/diembao/diembao/internal/officedoc"
)

// TestChartRejects: an unknown chart name and an unknown image format are
// errors that name what was asked for.
func TestChartRejects(t *testing.T) {
	r := goldenReport()
	if _, err := Chart(r, "pie", "svg"); err == nil || !strings.Contains(err.Error(), `"pie"`) {
		t.Errorf("unknown chart: err %v", err)
	}
	for _, name := range []string{ChartMonths, ChartSources} {
		if _, err := Chart(r, name, "bmp"); err == nil || !strings.Contains(err.Error(), "chart "+name) {
			t.Errorf("%s as bmp: err %v", name, err)
		}
	}
}

// TestDocumentCasesWithoutLines: cases counted but none listed give the
// figures paragraph and no table (an empty table would print a bare header).
func TestDocumentCasesWithoutLines(t *testing.T) {
	r := goldenSparse()
	r.Cases = &Cases{Total: 0}
	d, err := Document(r, goldenIssuer(), goldenDate)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range d.Blocks {
		if b.Heading != "IV. XỬ LÝ THÔNG TIN SAI SỰ THẬT" {
			continue
		}
		if p := d.Blocks[i+1].Para; !strings.HasPrefix(p, "Tổng số vụ việc: 0;") {
			t.Errorf("after the cases heading %q", p)
		}
		if next := d.Blocks[i+2]; next.Heading == "" {
			t.Errorf("after the cases figures %+v, want the next heading", next)
		}
		return
	}
	t.Fatal("no cases heading")
}

// TestDutyStatus: the three known statuses read in Vietnamese; another
// shows as stored rather than disappearing.
func TestDutyStatus(t *testing.T) {
	for in, want := range map[string]string{"published": "Đã đăng", "late": "Đăng muộn", "missing": "Chưa đăng", "withdrawn": "withdrawn"} {
		if got := dutyStatus(in); got != want {
			t.Errorf("dutyStatus(%q) = %q, want %q", in, got, want)
		}
	}
}

// failWriter refuses every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestWritersReportWriteErrors: a failing destination is an error of each
// writer, carrying the cause.
func TestWritersReportWriteErrors(t *testing.T) {
	r := goldenSparse()
	for name, write := range map[string]func(io.Writer) error{
		"pdf":  func(w io.Writer) error { return WritePDF(w, r, goldenIssuer(), goldenDate) },
		"docx": func(w io.Writer) error { return WriteDOCX(w, r, goldenIssuer(), goldenDate) },
		"xlsx": func(w io.Writer) error { return WriteXLSX(w, r) },
	} {
		if err := write(failWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

// TestChartWithoutMonths: a report without months draws both charts as
// empty axes saying there are no figures (it used to panic in NominalX),
// and its documents say so under the month heading.
func TestChartWithoutMonths(t *testing.T) {
	r := Report{Params: Year(2026, ict), TopicName: func(id string) string { return id }}
	for _, name := range []string{ChartMonths, ChartSources} {
		b, err := Chart(r, name, "png")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		svg, err := Chart(r, name, "svg")
		if err != nil || !bytes.Contains(svg, []byte("Không có số liệu")) {
			t.Errorf("%s SVG: err %v, no line saying there are no figures", name, err)
		}
	}
	d, err := Document(r, goldenIssuer(), goldenDate)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(d.Blocks, func(b officedoc.Block) bool { return b.Heading == "1. Theo tháng và chủ đề" }); i < 0 || d.Blocks[i+1].Para != "Không có số liệu." {
		t.Errorf("month section %+v", d.Blocks)
	}
	var b bytes.Buffer
	if err := WritePDF(&b, r, goldenIssuer(), goldenDate); err != nil {
		t.Error(err)
	}
	if err := WriteXLSX(&b, r); err != nil {
		t.Error(err)
	}
}

// TestMonthCountsMismatch: month counts that do not match the months or the
// topics are an error of every renderer that reads them, not a panic.
func TestMonthCountsMismatch(t *testing.T) {
	short := goldenReport()
	short.MonthRows = short.MonthRows[:11]
	narrow := goldenReport()
	narrow.MonthRows = slices.Clone(narrow.MonthRows)
	narrow.MonthRows[3] = []int{102, 35}
	for name, r := range map[string]Report{"11 rows for 12 months": short, "April without two topics": narrow} {
		if _, err := Chart(r, ChartMonths, "svg"); err == nil || !strings.Contains(err.Error(), "month") {
			t.Errorf("%s: chart err %v", name, err)
		}
		if _, err := Chart(r, ChartSources, "svg"); err != nil {
			t.Errorf("%s: the sources chart does not read months: %v", name, err)
		}
		if _, err := Document(r, goldenIssuer(), goldenDate); err == nil {
			t.Errorf("%s: document accepted", name)
		}
		if err := WriteDOCX(io.Discard, r, goldenIssuer(), goldenDate); err == nil {
			t.Errorf("%s: DOCX accepted", name)
		}
		if err := WriteXLSX(io.Discard, r); err == nil || !strings.HasPrefix(err.Error(), "report xlsx: ") {
			t.Errorf("%s: XLSX err %v", name, err)
		}
	}
}

// TestEmptyDuties: portals watched but nothing due in the period still give
// the workbook its portal sheet, with the header and a "Không có" line, and
// the document a sentence instead of a bare table header; no portals
// watched say that instead.
func TestEmptyDuties(t *testing.T) {
	for _, tc := range []struct {
		duties []DutyRow
		cell   string
		para   string
	}{
		{[]DutyRow{}, "Không có", "Không có nội dung nào phải đăng trong kỳ báo cáo."},
		{nil, "Chưa theo dõi cổng thông tin nào.", "Chưa theo dõi cổng thông tin nào."},
	} {
		r := goldenReport()
		r.Duties = tc.duties
		var b bytes.Buffer
		if err := WriteXLSX(&b, r); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&b)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("Cổng TTĐT")
		f.Close()
		if err != nil || len(rows) != 2 || rows[0][0] != "Cổng" || len(rows[0]) != 5 || !slices.Equal(rows[1], []string{tc.cell}) {
			t.Errorf("duties %#v: sheet Cổng TTĐT %q, err %v", tc.duties, rows, err)
		}
		d, err := Document(r, goldenIssuer(), goldenDate)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(d.Blocks, func(b officedoc.Block) bool { return strings.HasPrefix(b.Heading, "V. ") })
		if i < 0 || d.Blocks[i+1].Para != tc.para {
			t.Errorf("duties %#v: section V starts %+v", tc.duties, d.Blocks[i+1])
		}
	}
}
