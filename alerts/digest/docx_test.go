package digest

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/officedoc"
)

func TestDOCXAdministrativeLayout(t *testing.T) {
	_, d := buildSample(t)
	is := officedoc.Issuer{Name: "ỦY BAN NHÂN DÂN XÃ THƯỜNG XUÂN", Abbrev: "UBND", Place: "Thường Xuân", SignerTitle: "CHỦ TỊCH", Recipients: []string{"Công an xã"}}
	docx, err := DOCX(d, ict, is)
	if err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			raw, _ := io.ReadAll(rc)
			rc.Close()
			text = strings.Join(strings.Fields(strings.NewReplacer("<", " <", ">", "> ").Replace(string(raw))), " ")
		}
	}
	for _, w := range []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Thường Xuân, ngày 23 tháng 11 năm 2026", "BẢN TIN", "Nơi nhận:", "- Công an xã;", "CHỦ TỊCH", "mục trước"} {
		if !strings.Contains(text, w) {
			t.Errorf("digest DOCX lacks %q", w)
		}
	}
}
