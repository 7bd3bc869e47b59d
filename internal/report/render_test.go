package report

import (
	"errors"
	"io"
	"strings"
	"testing"
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
