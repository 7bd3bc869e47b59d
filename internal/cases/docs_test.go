package cases

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/piprate/json-gold/ld"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/officedoc"
)

// verifiedCase opens a case from the alert, adds a hand-fetched URL and a
// clarification, and verifies it as false.
func verifiedCase(t *testing.T, f *fixture) Case {
	t.Helper()
	ctx := context.Background()
	c, _, err := f.svc.Open(ctx, Intake{By: "lan", AlertID: "al1", Claim: "Cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn </script><b>x</b>"})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = f.svc.AddItem(ctx, c.ID, Intake{By: "lan", URL: "https://mxh.example/post/1"}); err != nil {
		t.Fatal(err)
	}
	pubAt := f.clock.Now()
	c, err = f.svc.Edit(ctx, c.ID, "lan", Patch{ClarText: ptr("Cửa khẩu phụ Khẹo vẫn hoạt động bình thường.\nĐề nghị người dân không chia sẻ."),
		PublishedURL: ptr("https://thuongxuan.thanhhoa.gov.vn/lam-ro-1"), PublishedAt: &pubAt,
		AddContact: &Contact{Agency: "Báo Mẫu"}, ReportNumber: ptr("7")})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = f.svc.Move(ctx, c.ID, "lan", StatusVerified, VerdictFalse, "Đồn Biên phòng xác nhận"); err != nil {
		t.Fatal(err)
	}
	return c
}

func issuer() officedoc.Issuer { return officedoc.IssuerFrom(config.Default().Office) }

func TestClaimReviewIsValidJSONLD(t *testing.T) {
	f := newFixture(t, kv.NewMemory())
	c := verifiedCase(t, f)
	html, ct, name, err := f.svc.Render(c, DocClaimReview, "html", issuer())
	if err != nil || !strings.HasPrefix(ct, "text/html") || !strings.HasSuffix(name, ".html") {
		t.Fatalf("render: %v %s %s", err, ct, name)
	}
	if bytes.Contains(html, []byte("</script><b>")) {
		t.Fatalf("claim text not escaped:\n%s", html)
	}
	m := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindSubmatch(html)
	if m == nil {
		t.Fatalf("no JSON-LD script in\n%s", html)
	}
	var doc map[string]any
	if err := json.Unmarshal(m[1], &doc); err != nil {
		t.Fatalf("JSON-LD does not parse: %v\n%s", err, m[1])
	}
	if doc["@context"] != "https://schema.org" || doc["@type"] != "ClaimReview" || doc["claimReviewed"] != c.Claim ||
		doc["url"] != "https://thuongxuan.thanhhoa.gov.vn/lam-ro-1" || doc["datePublished"] == "" {
		t.Errorf("ClaimReview fields: %v", doc)
	}
	rating := doc["reviewRating"].(map[string]any)
	if rating["alternateName"] != "Sai sự thật" || rating["@type"] != "Rating" {
		t.Errorf("reviewRating = %v", rating)
	}
	author := doc["author"].(map[string]any)
	if author["@type"] != "Organization" || author["name"] != "Ủy ban nhân dân xã Thường Xuân" {
		t.Errorf("author = %v", author)
	}
	item := doc["itemReviewed"].(map[string]any)
	apps := item["appearance"].([]any)
	if item["@type"] != "Claim" || len(apps) != 2 || item["firstAppearance"] == nil {
		t.Errorf("itemReviewed = %v", item)
	}
	// Expand it as JSON-LD, with schema.org's context served locally (a
	// test must not reach the internet): every term must map to an IRI.
	proc := ld.NewJsonLdProcessor()
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = schemaLoader{}
	expanded, err := proc.Expand(doc, opts)
	if err != nil {
		t.Fatalf("expand: %v", err)
	}
	out, _ := json.Marshal(expanded)
	for _, iri := range []string{"https://schema.org/ClaimReview", "https://schema.org/claimReviewed", "https://schema.org/itemReviewed",
		"https://schema.org/appearance", "https://schema.org/firstAppearance", "https://schema.org/reviewRating",
		"https://schema.org/alternateName", "https://schema.org/author", "https://schema.org/datePublished"} {
		if !bytes.Contains(out, []byte(iri)) {
			t.Errorf("expanded JSON-LD lacks %s", iri)
		}
	}
}

// schemaLoader serves a minimal schema.org context: every term in the
// schema.org vocabulary, url as an @id.
type schemaLoader struct{}

func (schemaLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	if strings.TrimRight(u, "/") != "https://schema.org" {
		return nil, errors.New("offline: " + u)
	}
	ctx := map[string]any{"@context": map[string]any{"@vocab": "https://schema.org/", "url": map[string]any{"@id": "https://schema.org/url", "@type": "@id"}}}
	return &ld.RemoteDocument{DocumentURL: u, Document: ctx}, nil
}

func TestClaimReviewNeedsVerdict(t *testing.T) {
	f := newFixture(t, kv.NewMemory())
	c, _, err := f.svc.Open(context.Background(), Intake{By: "lan", Text: "x", Claim: "Tin"})
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{DocClaimReview, DocResponse} {
		format := map[string]string{DocClaimReview: "html", DocResponse: "pdf"}[kind]
		if _, _, _, err := f.svc.Render(c, kind, format, issuer()); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s before verification: %v", kind, err)
		}
	}
	if _, _, _, err := f.svc.Render(c, "memo", "pdf", issuer()); !errors.Is(err, ErrBadInput) {
		t.Errorf("unknown kind: %v", err)
	}
}

func TestLetterAndReportPDFAndDOCX(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed; .ci/run installs it")
	}
	f := newFixture(t, kv.NewMemory())
	c := verifiedCase(t, f)
	checks := map[string][]string{
		DocResponse: {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Kính gửi", "V/v làm rõ thông tin sai sự thật", "Báo Mẫu", "Cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn", "https://mxh.example/post/1", "Nơi nhận"},
		DocReport:   {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO", "Số: 07/BC-UBND", "I. TÌNH HÌNH", "II. KẾT QUẢ XÁC MINH", "III. KẾT QUẢ XỬ LÝ", "Cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn", "sai sự thật"},
	}
	for kind, want := range checks {
		for _, format := range []string{"pdf", "docx"} {
			b, _, name, err := f.svc.Render(c, kind, format, issuer())
			if err != nil {
				t.Fatalf("%s %s: %v", kind, format, err)
			}
			var text string
			if format == "pdf" {
				text = PDFText(t, b)
			} else {
				text = DOCXText(t, b)
			}
			flat := strings.Join(strings.Fields(text), " ")
			for _, w := range want {
				if !strings.Contains(flat, w) {
					t.Errorf("%s (%s) lacks %q", name, format, w)
				}
			}
		}
	}
}

// PDFText extracts a PDF's text with pdftotext.
func PDFText(t *testing.T, pdf []byte) string {
	t.Helper()
	p := t.TempDir() + "/d.pdf"
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// DOCXText is the text of word/document.xml's runs.
func DOCXText(t *testing.T, docx []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatalf("docx is not a zip: %v", err)
	}
	for _, f := range zr.File {
		if f.Name != "word/document.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		s := regexp.MustCompile(`</w:p>`).ReplaceAllString(string(b), "\n")
		s = regexp.MustCompile(`<w:tab/>`).ReplaceAllString(s, " ")
		s = regexp.MustCompile(`<[^>]+>`).ReplaceAllString(s, "")
		r := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'")
		return r.Replace(s)
	}
	t.Fatal("docx without word/document.xml")
	return ""
}

// TestDocumentsWithHostileText: text pasted from social media (emoji and
// flags beyond the Basic Multilingual Plane, right-to-left and zero-width
// marks, control characters, decomposed Vietnamese, Lao and Arabic script,
// XML markup, a long run without spaces) in the claim, an item's title,
// the clarification, a press agency and a recipient still makes every
// document: the PDF without what its font cannot carry, the DOCX with it.
func TestDocumentsWithHostileText(t *testing.T) {
	f := newFixture(t, kv.NewMemory())
	ctx := context.Background()
	hostile := "Biên giới 🚫🇻🇳 A\u202eB\u200bC\x01\x0bD Thu\u031bo\u031b\u0300ng Xua\u0302n ສະບາຍດີ مرحبا <w:t>&amp;</w:t> " + strings.Repeat("x", 3000)
	f.fetch.pages["https://mxh.example/post/2"] = article.Article{ID: "p2", URL: "https://mxh.example/post/2", Title: "Nóng 🔥🔥 " + hostile, Body: claimBody}
	c, _, err := f.svc.Open(ctx, Intake{By: "lan", URL: "https://mxh.example/post/2", Claim: hostile})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("ư😀", 5000)
	if _, err := f.svc.Edit(ctx, c.ID, "lan", Patch{ClarText: &long, AddContact: &Contact{Agency: hostile}, ReportRecipients: &[]string{hostile}}); err != nil {
		t.Fatal(err)
	}
	if c, err = f.svc.Move(ctx, c.ID, "lan", StatusVerified, VerdictFalse, "lý do 🙏"); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{DocResponse, DocReport} {
		for _, format := range []string{"pdf", "docx"} {
			b, _, name, err := renderRecovered(f.svc, c, kind, format)
			if err != nil {
				t.Errorf("%s %s: %v", kind, format, err)
				continue
			}
			var text string
			if format == "pdf" {
				text = PDFText(t, b)
			} else {
				text = DOCXText(t, b)
			}
			if !strings.Contains(text, "Biên giới") || !strings.Contains(text, "Thường Xuân") {
				t.Errorf("%s lacks the claim", name)
			}
			if format == "docx" && !strings.Contains(text, "🚫") {
				t.Errorf("%s lost the emoji", name)
			}
		}
	}
}

// renderRecovered is Render with a panic turned into an error.
func renderRecovered(s *Service, c Case, kind, format string) (b []byte, ct, name string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return s.Render(c, kind, format, issuer())
}

// TestDocumentsNameSources: the report to the province lists where the
// claim appeared by the sources' names; a source without one (or a post
// with no source) reads as before.
func TestDocumentsNameSources(t *testing.T) {
	f := newFixture(t, kv.NewMemory())
	f.svc.d.Issuer = issuer()
	f.svc.d.SourceNames = func() map[string]string { return map[string]string{"baomau": "Báo Mẫu điện tử"} }
	c := verifiedCase(t, f)
	b, _, _, err := f.svc.Render(c, DocReport, "docx", issuer())
	if err != nil {
		t.Fatal(err)
	}
	text := DOCXText(t, b)
	if !strings.Contains(text, "Báo Mẫu điện tử") {
		t.Errorf("report does not name the source:\n%s", text)
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "baomau" {
			t.Errorf("report shows the source id")
		}
	}
}
