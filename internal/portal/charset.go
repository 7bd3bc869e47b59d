package portal

import (
	"net/http"

	"github.com/diembao/diembao/internal/pagecharset"
)

// utf8Body returns a page body as UTF-8 for the HTML parser, which reads
// bytes as UTF-8 whatever the page declares: the charset is found as the
// crawler finds it for articles (pagecharset.Decode).
func utf8Body(body []byte, header http.Header) []byte {
	text, _ := pagecharset.Decode(body, header.Get("Content-Type"))
	return []byte(text)
}
