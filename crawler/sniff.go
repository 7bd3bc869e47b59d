package crawler

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
)

// errNotText marks a body that is not text (binary, or text that decodes to
// control characters): it is never published.
var errNotText = errors.New("body is not text")

// sniffBody refuses a fetched body that is not text whatever its
// Content-Type says: a binary signature in its first 512 bytes (images,
// PDF, archives, fonts, media — or the control bytes that make Go's sniffer
// answer application/octet-stream), a NUL byte anywhere, or more than 1 %
// control or undecodable characters once decoded with its charset.
func sniffBody(body []byte, contentType string) error {
	if mt := http.DetectContentType(body[:min(len(body), 512)]); binaryType(mt) {
		return fmt.Errorf("%w: sniffed %s", errNotText, mt)
	}
	if bytes.IndexByte(body, 0) >= 0 {
		return fmt.Errorf("%w: NUL bytes", errNotText)
	}
	text, _ := decodeBody(body, contentType)
	total, bad := 0, 0
	for _, r := range text {
		total++
		if r == unicode.ReplacementChar || (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' && r != '\f') {
			bad++
		}
	}
	if total > 0 && bad*100 > total {
		return fmt.Errorf("%w: %d of %d characters are control or undecodable", errNotText, bad, total)
	}
	return nil
}

func binaryType(mt string) bool {
	mt, _, _ = strings.Cut(mt, ";")
	for _, p := range []string{"image/", "audio/", "video/", "font/"} {
		if strings.HasPrefix(mt, p) {
			return true
		}
	}
	switch mt {
	case "application/octet-stream", "application/pdf", "application/zip", "application/x-gzip",
		"application/x-rar-compressed", "application/ogg", "application/wasm", "application/vnd.ms-fontobject",
		"application/postscript":
		return true
	}
	return false
}

// mostlyLetters reports whether at least half of the text's non-space
// characters are letters (combining marks count with their letter). An
// empty text passes: extraction decides about empty bodies.
func mostlyLetters(s string) bool {
	letters, other := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			letters++
		default:
			other++
		}
	}
	return letters >= other
}

// checkExtractedText refuses an extracted article whose title or body is
// not mostly letters.
func checkExtractedText(title, body string) error {
	if !mostlyLetters(body) {
		return fmt.Errorf("%w: the extracted body is not mostly letters", errNotText)
	}
	if !mostlyLetters(title) {
		return fmt.Errorf("%w: the extracted title is not mostly letters", errNotText)
	}
	return nil
}
