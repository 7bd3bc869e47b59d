package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/diembao/diembao/internal/officedoc"
)

// Golden tests of the renderers. Each renderer's output is reduced to a
// normalised text (see normalise*) and compared with a checked-in file under
// testdata/render-*.golden.*. DIEMBAO_UPDATE_GOLDEN=1 rewrites the files
// instead of comparing; read the diff of testdata before committing it.

const updateGoldenEnv = "DIEMBAO_UPDATE_GOLDEN"

// goldenDate is the date line of the golden report.
var goldenDate = time.Date(2026, 12, 5, 0, 0, 0, 0, ict)

// goldenIssuer is the issuing commune office of the golden report: parent
// body, name, signer on behalf of the committee, and recipients.
func goldenIssuer() officedoc.Issuer {
	return officedoc.Issuer{
		Parent:      "ỦY BAN NHÂN DÂN TỈNH THANH HÓA",
		Name:        "ỦY BAN NHÂN DÂN XÃ THƯỜNG XUÂN",
		Abbrev:      "UBND",
		Place:       "Thường Xuân",
		Authority:   "TM. ỦY BAN NHÂN DÂN",
		SignerTitle: "CHỦ TỊCH",
		SignerName:  "Lê Văn Bình",
		Recipients:  []string{"Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa", "Thường trực Đảng ủy xã"},
	}
}

// goldenReport is a fixed year report touching every section of the
// renderers: months and topics, sources with uptime, communes and old names,
// alerts, stories, cases and portal duties of every status.
func goldenReport() Report {
	topics := []Row{
		{ID: "border", Label: "Biên giới", N: 412},
		{ID: "ethnic", Label: "Dân tộc thiểu số", N: 268},
		{ID: "land", Label: "Đất đai", N: 95},
	}
	r := Report{
		Params:    Year(2026, ict),
		Generated: time.Date(2026, 12, 5, 8, 30, 0, 0, ict),
		Total:     1234,
		Months:    months(Year(2026, ict)),
		Topics:    topics,
		Sources: []Row{
			{ID: "baothanhhoa", Label: "Báo Thanh Hóa", N: 640, Note: "99,2%"},
			{ID: "nhandan", Label: "Báo Nhân Dân", N: 402, Note: "97,5%"},
			{ID: "cong-tinh", Label: "Cổng TTĐT tỉnh Thanh Hóa", N: 192},
		},
		Communes: []Row{
			{ID: "thuong-xuan", Label: "Thường Xuân", N: 530},
			{ID: "luan-thanh", Label: "Luận Thành", N: 211, Note: "gồm địa danh cũ: Xuân Cao"},
		},
		OldNames: []Row{{ID: "xuan-cao", Label: "Xuân Cao", N: 37, Note: "nay là Luận Thành"}},
		MonthRows: [][]int{
			{80, 30, 20, 5}, {95, 31, 22, 6}, {110, 40, 25, 7}, {102, 35, 21, 9},
			{99, 33, 24, 8}, {120, 45, 26, 10}, {88, 29, 19, 6}, {101, 36, 23, 8},
			{107, 38, 22, 9}, {115, 40, 24, 11}, {109, 34, 21, 9}, {108, 21, 21, 7},
		},
		Alerts: AlertFigures{
			Known: true, Total: 14, Acked: 12,
			BySeverity: []Row{{ID: "critical", Label: "khẩn cấp", N: 2}, {ID: "high", Label: "cao", N: 5}, {ID: "medium", Label: "trung bình", N: 7}},
			ByAudience: []Row{{ID: "lanh-dao", Label: "Lãnh đạo UBND xã", N: 9}, {ID: "van-phong", Label: "Văn phòng HĐND và UBND", N: 14}},
			MedianAck:  35 * time.Minute, P90Ack: 5*time.Hour + 10*time.Minute,
		},
		Stories: []Story{
			{Title: "Bộ đội biên phòng Bát Mọt giúp dân thu hoạch lúa", URL: "https://baothanhhoa.vn/bat-mot-thu-hoach.htm", Source: "baothanhhoa",
				Published: time.Date(2026, 9, 14, 7, 0, 0, 0, ict), Outlets: 3, Sources: []string{"Báo Nhân Dân", "Báo Quân đội nhân dân", "Báo Thanh Hóa"}},
			{Title: "Thường Xuân khánh thành cầu treo Xuân Chinh", URL: "https://nhandan.vn/cau-treo-xuan-chinh.html", Source: "nhandan",
				Published: time.Date(2026, 6, 2, 9, 0, 0, 0, ict), Outlets: 2, Sources: []string{"Báo Nhân Dân", "Báo Thanh Hóa"}},
		},
		Cases: &Cases{
			Total: 2, MedianResponse: 26 * time.Hour, P90Response: 50 * time.Hour,
			Lines: []CaseLine{
				{ID: "VV-2026-01", Claim: "Tin đồn thu hồi đất làm sân golf ở Xuân Dương", Where: "Xuân Dương", Verdict: "Sai sự thật", Outcome: "Đã đăng thông tin chính thức"},
				{ID: "VV-2026-02", Claim: "Clip cắt ghép về lũ quét ở Bát Mọt", Where: "Bát Mọt", Verdict: "Xuyên tạc", Outcome: "Đã đề nghị gỡ bỏ"},
			},
		},
		Duties: []DutyRow{
			{Portal: "Cổng TTĐT xã Thường Xuân", Duty: "Công khai ngân sách", Period: "Quý III/2026", Status: "published", URL: "https://thuongxuan.thanhhoa.gov.vn/ngan-sach-q3"},
			{Portal: "Cổng TTĐT xã Thường Xuân", Duty: "Lịch tiếp công dân", Period: "Tháng 11/2026", Status: "late", URL: "https://thuongxuan.thanhhoa.gov.vn/lich-tiep-dan"},
			{Portal: "Cổng TTĐT xã Thường Xuân", Duty: "Kế hoạch sử dụng đất", Period: "Năm 2026", Status: "missing"},
		},
		TopicName: func(id string) string { return id },
	}
	r.Narrative = narrative(r)
	return r
}

// rendered is one renderer's output in its normalised, comparable form.
type rendered struct {
	file string // golden file name under testdata
	text string
}

// goldenSparse is a three-month report of one topic with nothing found:
// no topics, sources, communes, stories or alert figures, no cases and no
// portals watched; it pins every "none" branch of the renderers.
func goldenSparse() Report {
	p := Params{From: time.Date(2026, 3, 1, 0, 0, 0, 0, ict), To: time.Date(2026, 5, 31, 0, 0, 0, 0, ict), Topic: "border", Loc: ict}
	r := Report{
		Params:    p,
		Generated: time.Date(2026, 6, 1, 8, 0, 0, 0, ict),
		Months:    months(p),
		MonthRows: [][]int{{0}, {0}, {0}},
		TopicName: func(string) string { return "Biên giới" },
	}
	r.Narrative = narrative(r)
	return r
}

// goldenCases are the golden reports by the name their files start with.
var goldenCases = []struct {
	name   string
	report func() Report
}{{"render-year", goldenReport}, {"render-sparse", goldenSparse}}

// renderAll renders r in every format and normalises each output, naming
// the golden files after base.
func renderAll(t *testing.T, r Report, base string) []rendered {
	t.Helper()
	var out []rendered
	for _, name := range []string{ChartMonths, ChartSources} {
		svg, err := Chart(r, name, "svg")
		if err != nil {
			t.Fatalf("chart %s: %v", name, err)
		}
		out = append(out, rendered{base + "-chart-" + name + ".golden.svg", string(svg)})
	}
	var docx, xlsx, pdf bytes.Buffer
	if err := WriteDOCX(&docx, r, goldenIssuer(), goldenDate); err != nil {
		t.Fatal(err)
	}
	out = append(out, rendered{base + ".golden.docx.txt", mustNormalise(t, normaliseZip, docx.Bytes())})
	if err := WriteXLSX(&xlsx, r); err != nil {
		t.Fatal(err)
	}
	out = append(out, rendered{base + ".golden.xlsx.txt", mustNormalise(t, normaliseXLSX, xlsx.Bytes())})
	if err := WritePDF(&pdf, r, goldenIssuer(), goldenDate); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Log("pdftotext not installed: PDF golden not compared")
		return out
	}
	return append(out, rendered{base + ".golden.pdf.txt", mustNormalise(t, normalisePDF, pdf.Bytes())})
}

func mustNormalise(t *testing.T, f func([]byte) (string, error), b []byte) string {
	t.Helper()
	s, err := f(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// xmlTimestamps are the creation and modification times excelize writes
// from the clock; they are replaced by a fixed mark.
var xmlTimestamps = regexp.MustCompile(`(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)`)

// normaliseZip lists an Office zip's parts sorted by name, without zip
// headers or timestamps: XML parts as text with one tag per line, PNG parts
// as their pixel size (the chart itself is covered by the SVG goldens;
// rasterised pixels may differ between machines).
func normaliseZip(b []byte) (string, error) {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return "", fmt.Errorf("open zip: %w", err)
	}
	files := slices.Clone(z.File)
	slices.SortFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	var s strings.Builder
	for _, f := range files {
		data, err := readPart(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&s, "=== %s\n", f.Name)
		switch {
		case strings.HasSuffix(f.Name, ".png"):
			cfg, err := png.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				return "", fmt.Errorf("%s: %w", f.Name, err)
			}
			fmt.Fprintf(&s, "PNG %d×%d px\n", cfg.Width, cfg.Height)
		default:
			x := xmlTimestamps.ReplaceAllString(string(data), "${1}TIMESTAMP${2}")
			s.WriteString(strings.ReplaceAll(x, "><", ">\n<"))
			s.WriteString("\n")
		}
	}
	return s.String(), nil
}

// normaliseXLSX is a workbook's cells as a reader sees them (sheet by sheet
// in workbook order, a row per line, cells separated by " | "), then its
// parts as normaliseZip lists them.
func normaliseXLSX(b []byte) (string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("open xlsx: %w", err)
	}
	defer f.Close()
	var s strings.Builder
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			return "", fmt.Errorf("sheet %s: %w", name, err)
		}
		fmt.Fprintf(&s, "=== sheet %s\n", name)
		for _, row := range rows {
			s.WriteString(strings.Join(row, " | ") + "\n")
		}
	}
	parts, err := normaliseZip(b)
	if err != nil {
		return "", err
	}
	return s.String() + parts, nil
}

func readPart(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	return data, nil
}

// normalisePDF describes a PDF by what poppler reads from it: the metadata
// and page count (pdfinfo, without the file size), the pictures per page
// (pdfimages -list without object numbers and compressed sizes: fpdf writes
// pictures of equal width in map order) and the text laid out (pdftotext
// -layout).
func normalisePDF(b []byte) (string, error) {
	dir, err := os.MkdirTemp("", "diembao-golden-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	f := filepath.Join(dir, "r.pdf")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		return "", err
	}
	var s strings.Builder
	info, err := poppler("pdfinfo", f)
	if err != nil {
		return "", err
	}
	s.WriteString("=== pdfinfo\n")
	for _, l := range strings.Split(info, "\n") {
		k, _, _ := strings.Cut(l, ":")
		if slices.Contains([]string{"Title", "Author", "Creator", "CreationDate", "ModDate", "Pages", "Page size"}, k) {
			s.WriteString(l + "\n")
		}
	}
	s.WriteString("=== pdfimages -list\n")
	if list, err := poppler("pdfimages", "-list", f); err == nil {
		for _, l := range strings.Split(strings.TrimSpace(list), "\n") {
			if fs := strings.Fields(l); len(fs) >= 14 && !strings.HasPrefix(l, "---") {
				s.WriteString(strings.Join(append(fs[:10:10], fs[12:14]...), " ") + "\n")
			}
		}
	} else {
		s.WriteString("(pdfimages not installed)\n")
	}
	text, err := poppler("pdftotext", "-layout", "-enc", "UTF-8", f, "-")
	if err != nil {
		return "", err
	}
	s.WriteString("=== pdftotext -layout\n")
	for _, l := range strings.Split(text, "\n") {
		s.WriteString(strings.TrimRight(l, " ") + "\n")
	}
	return s.String(), nil
}

// poppler runs a poppler tool in UTC (pdfinfo prints dates in local time).
func poppler(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return string(out), nil
}

// goldenDiff returns "" when got equals want, else the first differing line
// of each with its number.
func goldenDiff(want, got string) string {
	if want == got {
		return ""
	}
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		w, g := lineAt(wl, i), lineAt(gl, i)
		if w != g {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, w, g)
		}
	}
	return "same lines, different bytes"
}

func lineAt(ls []string, i int) string {
	if i < len(ls) {
		return ls[i]
	}
	return "<end of file>"
}

// TestRenderGolden compares every renderer's normalised output for each
// golden report with testdata.
func TestRenderGolden(t *testing.T) {
	for _, gc := range goldenCases {
		t.Run(gc.name, func(t *testing.T) { compareGolden(t, renderAll(t, gc.report(), gc.name)) })
	}
}

// compareGolden compares outs with their golden files, or rewrites the
// files when DIEMBAO_UPDATE_GOLDEN=1.
func compareGolden(t *testing.T, outs []rendered) {
	t.Helper()
	update := os.Getenv(updateGoldenEnv) == "1"
	for _, out := range outs {
		path := filepath.Join("testdata", out.file)
		if update {
			if err := os.WriteFile(path, []byte(out.text), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with %s=1 to create it)", err, updateGoldenEnv)
		}
		if d := goldenDiff(string(want), out.text); d != "" {
			t.Errorf("%s differs from the rendered report (%s=1 rewrites it), %s", out.file, updateGoldenEnv, d)
		}
	}
}

// TestRenderGoldenCatchesChange: the golden comparison is not vacuous. Each
// crafted change to the report makes exactly the outputs that show it differ
// from their golden files, and leaves the others identical.
func TestRenderGoldenCatchesChange(t *testing.T) {
	months := "render-year-chart-" + ChartMonths + ".golden.svg"
	sources := "render-year-chart-" + ChartSources + ".golden.svg"
	tests := []struct {
		name   string
		change func(*Report)
		same   []string // the golden files that must still match
	}{
		{"source row dropped", func(r *Report) { r.Sources = slices.Delete(slices.Clone(r.Sources), 1, 2) }, []string{months}},
		{"December total changed", func(r *Report) {
			r.MonthRows = slices.Clone(r.MonthRows)
			r.MonthRows[11] = []int{180, 21, 21, 7}
		}, []string{sources}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := goldenReport()
			tc.change(&r)
			for _, out := range renderAll(t, r, "render-year") {
				want, err := os.ReadFile(filepath.Join("testdata", out.file))
				if err != nil {
					t.Fatal(err)
				}
				d := goldenDiff(string(want), out.text)
				if same := slices.Contains(tc.same, out.file); same && d != "" {
					t.Errorf("%s changed: %s", out.file, d)
				} else if !same && d == "" {
					t.Errorf("%s matches its golden file after the change", out.file)
				}
			}
		})
	}
}
