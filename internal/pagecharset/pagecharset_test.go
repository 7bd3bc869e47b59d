package pagecharset

import (
	"testing"

	"golang.org/x/text/encoding/charmap"
)

func TestDecode(t *testing.T) {
	cp1258, err := charmap.Windows1258.NewEncoder().String("Xuân có mưa") // letters windows-1258 has precomposed
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, body, ctype, text, charset string
	}{
		{"utf-8 header", "Thường Xuân", "text/html; charset=utf-8", "Thường Xuân", "utf-8"},
		{"BOM dropped", "\xef\xbb\xbfThường Xuân", "text/html", "Thường Xuân", "utf-8"},
		{"windows-1258 header", cp1258, "text/html; charset=windows-1258", "Xuân có mưa", "windows-1258"},
		{"windows-1258 meta", `<meta charset="windows-1258">` + cp1258, "text/html", `<meta charset="windows-1258">Xuân có mưa`, "windows-1258"},
		{"latin-1 label on UTF-8 bytes", "Thường Xuân", "text/html; charset=iso-8859-1", "Thường Xuân", "utf-8"},
		{"latin-1 text", "caf\xe9", "text/html; charset=iso-8859-1", "café", "windows-1252"},
		{"invalid UTF-8", "a\xffb", "text/html; charset=utf-8", "a\uFFFDb", "utf-8"},
	} {
		text, name := Decode([]byte(tt.body), tt.ctype)
		if text != tt.text || name != tt.charset {
			t.Errorf("%s: %q (%s), want %q (%s)", tt.name, text, name, tt.text, tt.charset)
		}
	}
}
