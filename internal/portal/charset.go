package portal

import (
	"bytes"
	"net/http"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/transform"
)

// utf8Body returns a page body as UTF-8 for the HTML parser, which reads
// bytes as UTF-8 whatever the page declares. The charset is taken, in
// order, from a BOM, header's Content-Type, a <meta> tag and a sniff (as
// the crawler reads articles); a page labelled with a Western single-byte
// charset whose bytes are valid multi-byte UTF-8 is read as UTF-8, a wrong
// label being far more common. A body that cannot be decoded is returned
// as it is.
func utf8Body(body []byte, header http.Header) []byte {
	enc, name, _ := charset.DetermineEncoding(body, header.Get("Content-Type"))
	name = strings.ToLower(name)
	if name == "utf-8" || westernLabel(name) && utf8.Valid(body) && !isASCII(body) {
		return body
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), body)
	if err != nil {
		return body
	}
	return out
}

func westernLabel(name string) bool {
	switch name {
	case "windows-1252", "iso-8859-1", "us-ascii", "latin1", "iso-8859-15", "windows-1258":
		return true
	}
	return false
}

func isASCII(b []byte) bool {
	return !bytes.ContainsFunc(b, func(r rune) bool { return r >= utf8.RuneSelf })
}
