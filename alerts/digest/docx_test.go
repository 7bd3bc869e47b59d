package digest

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/officedoc"
)

func TestDOCXAdministrativeLayout(t *testing.T) {
	_, d := buildSample(t)
	is := officedoc.Issuer{Name: "ỦY BAN NHÂN DÂN XÃ THƯỜNG XUÂN", Abbrev: "UBND", Place: "Thường Xuân", SignerTitle: "CHỦ TỊCH", Recipients: []string{"Công an xã"}}
	docx, err := DOCX(d, ict, is)
	if err != nil {
		t.Fatal(err)
	}
	text := docxText(t, docx)
	for _, w := range []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Thường Xuân, ngày 23 tháng 11 năm 2026", "BẢN TIN", "Nơi nhận:", "- Công an xã;", "CHỦ TỊCH", "mục trước"} {
		if !strings.Contains(text, w) {
			t.Errorf("digest DOCX lacks %q", w)
		}
	}
}

// A story whose page states no date shows the time it was found as
// "ngày phát hiện …" in the mail's HTML and text and in the DOCX; a dated
// story does not.
func TestUndatedStoryShowsWhenFound(t *testing.T) {
	a := sample()
	a.items[2].PublishedFrom = article.DateFetched // a3, the ethnic festival, 20/11 08:00
	b, err := NewBuilder(a, ict, "UBND xã Thường Xuân")
	if err != nil {
		t.Fatal(err)
	}
	d, err := b.Build(context.Background(), "2026-W47")
	if err != nil {
		t.Fatal(err)
	}
	html, err := HTML(d, ict)
	if err != nil {
		t.Fatal(err)
	}
	docx, err := DOCX(d, ict, officedoc.Issuer{Name: "UBND XÃ THƯỜNG XUÂN", Place: "Thường Xuân"})
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"html": html, "text": Text(d, ict), "docx": docxText(t, docx)} {
		if !strings.Contains(out, "thuongxuan · ngày phát hiện 08:00 20/11") && !strings.Contains(out, "thuongxuan, ngày phát hiện 08:00 20/11") {
			t.Errorf("%s: the undated story does not say when it was found", name)
		}
		if n := strings.Count(out, "ngày phát hiện"); n != 1 {
			t.Errorf("%s: %d stories marked found, want 1", name, n)
		}
	}
}

// docxText returns the text of word/document.xml, tags spaced out.
func docxText(t *testing.T, docx []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			raw, _ := io.ReadAll(rc)
			rc.Close()
			return strings.Join(strings.Fields(strings.NewReplacer("<", " <", ">", "> ").Replace(string(raw))), " ")
		}
	}
	t.Fatal("no word/document.xml")
	return ""
}
