package cases

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/kv"
)

func TestReadIntake(t *testing.T) {
	dir := t.TempDir()
	shot := filepath.Join(dir, "anh chup.png")
	if err := os.WriteFile(shot, []byte("\x89PNG\r\n\x1a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := ReadIntake(IntakeFiles{TextFile: "-", File: shot, URL: "https://x.vn/a"}, strings.NewReader("Bài đăng"))
	if err != nil {
		t.Fatal(err)
	}
	if in.Text != "Bài đăng" || in.URL != "https://x.vn/a" || in.File == nil || in.File.Name != "anh chup.png" || len(in.File.Data) != 8 {
		t.Errorf("intake %+v", in)
	}
	blank := filepath.Join(dir, "blank.txt")
	if err := os.WriteFile(blank, []byte(" \n\t"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		f    IntakeFiles
		want string
	}{
		{IntakeFiles{TextFile: blank}, "--text " + blank + " is empty"},
		{IntakeFiles{TextFile: filepath.Join(dir, "none.txt")}, "--text " + filepath.Join(dir, "none.txt") + ": open"},
		{IntakeFiles{File: filepath.Join(dir, "none.png")}, "--file: open"},
	} {
		_, err := ReadIntake(tt.f, strings.NewReader(""))
		if err == nil || !errors.Is(err, ErrBadInput) || !CallerFault(err) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%+v: %v; want a bad input starting %q", tt.f, err, tt.want)
		}
	}
}

func TestCommandText(t *testing.T) {
	var b bytes.Buffer
	WriteOpened(&b, Case{ID: "VV-2026-001"}, false)
	WriteOpened(&b, Case{ID: "VV-2026-001"}, true)
	if b.String() != "VV-2026-001\tmở mới\nVV-2026-001\tđã có (tiếp nhận trùng, gắn vào vụ việc đang mở)\n" {
		t.Errorf("opened lines %q", b.String())
	}
	b.Reset()
	if err := WriteListJSON(&b, nil, Counts{Total: 2, Open: 1}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), `{"cases":[],"counts":{`) || !strings.Contains(b.String(), `"total":2`) {
		t.Errorf("empty list JSON %q", b.String())
	}
	b.Reset()
	if err := WriteJSON(&b, Case{ID: "VV-2026-001", Claim: "a < b & c"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"claim":"a < b & c"`) || strings.Count(b.String(), "\n") != 1 {
		t.Errorf("case JSON %q: want one line, HTML characters as typed", b.String())
	}
	b.Reset()
	Counts{Total: 3, Open: 2, Overdue: 1}.WriteText(&b)
	if b.String() != "3 vụ việc, 2 đang xử lý, 1 quá hạn\n" {
		t.Errorf("counts %q", b.String())
	}
}

// TestWriteDocument: the format follows the extension, and a refused
// document leaves no file.
func TestWriteDocument(t *testing.T) {
	f := newFixture(t, kv.NewMemory())
	f.svc.d.Issuer = issuer()
	c := verifiedCase(t, f)
	dir := t.TempDir()
	pdf := filepath.Join(dir, "Bao-Cao.PDF")
	n, err := f.svc.WriteDocument(c, DocReport, pdf)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(pdf)
	if err != nil || len(data) != n || !bytes.HasPrefix(data, []byte("%PDF")) {
		t.Errorf("wrote %d bytes, file %d bytes (%v), PDF %v", n, len(data), err, bytes.HasPrefix(data, []byte("%PDF")))
	}
	bad := filepath.Join(dir, "claim.pdf")
	if _, err := f.svc.WriteDocument(c, DocClaimReview, bad); !errors.Is(err, ErrBadInput) {
		t.Errorf("claimreview as PDF: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("files left: %v", ents)
	}
}
