// Package pagecharset reads a fetched web page's bytes as UTF-8 text, for
// the crawler's articles and the own-portal watch alike.
// In: the body and its Content-Type header. Out: valid UTF-8 text and the
// name of the charset it was read in.
package pagecharset

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/transform"
)

// Decode turns a page body into UTF-8 using, in order, the BOM (dropped),
// the Content-Type header, the <meta> charset, and a sniff. A page labelled
// with a single-byte Western charset whose bytes are valid multi-byte UTF-8
// is read as UTF-8: a wrong label is far more common than Latin-1 text that
// happens to be valid UTF-8. Bytes that cannot be decoded become U+FFFD.
func Decode(body []byte, contentType string) (text, name string) {
	enc, name, _ := charset.DetermineEncoding(body, contentType)
	name = strings.ToLower(name)
	if name == "utf-8" || (isWestern(name) && utf8.Valid(body) && hasMultibyte(body)) {
		return strings.ToValidUTF8(string(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))), "\uFFFD"), "utf-8"
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), body)
	if err != nil {
		return strings.ToValidUTF8(string(body), "\uFFFD"), "utf-8"
	}
	return string(out), name
}

func isWestern(name string) bool {
	switch name {
	case "windows-1252", "iso-8859-1", "us-ascii", "latin1", "iso-8859-15", "windows-1258":
		return true
	}
	return false
}

func hasMultibyte(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}
