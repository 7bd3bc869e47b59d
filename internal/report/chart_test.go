package report

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChartsDraw: both charts render as PNG and SVG, with the Vietnamese
// title and every legend label, at the stated size.
func TestChartsDraw(t *testing.T) {
	r := Report{Total: 300, Months: []string{"2026-01", "2026-02", "2026-03"},
		MonthRows: [][]int{{100, 60, 40}, {120, 70, 50}, {80, 30, 50}},
		Topics:    []Row{{ID: "border", Label: "Biên giới", N: 160}, {ID: "ethnic", Label: "Dân tộc thiểu số", N: 140}},
		Sources:   []Row{{ID: "a", Label: "Báo Thanh Hóa", N: 200}, {ID: "b", Label: "Cổng TTĐT huyện", N: 100}}}
	for _, name := range []string{ChartMonths, ChartSources} {
		b, err := Chart(r, name, "png")
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if w := img.Bounds().Dx(); w < 400 {
			t.Errorf("%s: %d px wide", name, w)
		}
		if dir := os.Getenv("DIEMBAO_SCREENSHOTS"); dir != "" {
			_ = os.WriteFile(filepath.Join(dir, "chart-"+name+".png"), b, 0o644)
		}
		svg, err := Chart(r, name, "svg")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"Báo Thanh Hóa"}
		if name == ChartMonths {
			want = []string{"Số bài theo tháng", "Tổng số", "Biên giới", "Dân tộc thiểu số"}
		}
		for _, w := range want {
			if !strings.Contains(string(svg), w) {
				t.Errorf("%s SVG lacks %q", name, w)
			}
		}
	}
}
