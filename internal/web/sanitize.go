package web

import (
	"bytes"
	"html"
	"html/template"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"

	"github.com/diembao/diembao/internal/article"
)

// sanitizeSnippet lets through only balanced <mark> and </mark>; every other
// byte is unescaped and escaped again, so no tag or entity trick survives.
func sanitizeSnippet(s string) string {
	var b strings.Builder
	open := false
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(html.EscapeString(html.UnescapeString(s)))
			break
		}
		b.WriteString(html.EscapeString(html.UnescapeString(s[:i])))
		s = s[i:]
		switch {
		case strings.HasPrefix(s, "<mark>"):
			if !open {
				b.WriteString("<mark>")
				open = true
			}
			s = s[len("<mark>"):]
		case strings.HasPrefix(s, "</mark>"):
			if open {
				b.WriteString("</mark>")
				open = false
			}
			s = s[len("</mark>"):]
		default:
			b.WriteString("&lt;")
			s = s[1:]
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

// highlight escapes text and wraps the terms of field (byte offsets into
// text) in <mark>. Terms out of range, inside a UTF-8 sequence or
// overlapping an earlier term are ignored.
func highlight(text string, terms []article.Term, field string) template.HTML {
	var ts []article.Term
	for _, t := range terms {
		f := t.Field
		if f == "" {
			f = "body"
		}
		if f != field || t.Start < 0 || t.End > len(text) || t.Start >= t.End {
			continue
		}
		if !utf8.RuneStart(text[t.Start]) || (t.End < len(text) && !utf8.RuneStart(text[t.End])) {
			continue
		}
		ts = append(ts, t)
	}
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].Start < ts[j].Start })
	var b strings.Builder
	pos := 0
	for _, t := range ts {
		if t.Start < pos {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:t.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[t.Start:t.End]))
		b.WriteString("</mark>")
		pos = t.End
	}
	b.WriteString(html.EscapeString(text[pos:]))
	return template.HTML(b.String())
}

// Elements kept (without any attribute) in a saved copy.
var keepTags = map[atom.Atom]bool{
	atom.P: true, atom.Br: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true,
	atom.H6: true, atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Blockquote: true, atom.Pre: true,
	atom.Code: true, atom.B: true, atom.Strong: true, atom.I: true, atom.Em: true, atom.U: true, atom.S: true,
	atom.Sub: true, atom.Sup: true, atom.Table: true, atom.Thead: true, atom.Tbody: true, atom.Tfoot: true,
	atom.Tr: true, atom.Td: true, atom.Th: true, atom.Caption: true, atom.Figure: true, atom.Figcaption: true,
	atom.Hr: true, atom.Div: true, atom.Span: true, atom.Section: true, atom.Article: true, atom.Header: true,
	atom.Footer: true, atom.Main: true, atom.Aside: true, atom.Time: true, atom.Small: true, atom.Dl: true,
	atom.Dt: true, atom.Dd: true, atom.Address: true, atom.Cite: true, atom.Q: true, atom.Mark: true,
}

// Elements dropped with everything inside them.
var dropTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Iframe: true,
	atom.Object: true, atom.Embed: true, atom.Svg: true, atom.Math: true, atom.Head: true, atom.Title: true,
	atom.Textarea: true, atom.Select: true, atom.Video: true, atom.Audio: true, atom.Canvas: true,
	atom.Frameset: true, atom.Frame: true, atom.Noframes: true, atom.Applet: true, atom.Xmp: true,
	atom.Plaintext: true, atom.Noembed: true, atom.Form: true, atom.Button: true, atom.Map: true,
}

const savedCopyHead = `<!doctype html><html lang="vi"><head><meta charset="utf-8">` +
	`<meta name="referrer" content="no-referrer">` +
	`<style>body{font:16px/1.55 system-ui,sans-serif;max-width:46rem;margin:1rem auto;padding:0 1rem;color:#222}` +
	`.img{color:#666;font-style:italic}.link{text-decoration:underline dotted}</style></head><body>`

// sanitizeSavedCopy turns a raw crawled page into a harmless document: the
// charset decoded to UTF-8, only structural and text elements kept, every
// attribute dropped, scripts, styles, frames, forms and media removed (an
// image becomes "[ảnh: alt]"), links become plain text. The result loads
// nothing and runs nothing even without the sandbox that also wraps it.
func sanitizeSavedCopy(raw []byte, contentType string) []byte {
	if contentType == "" {
		contentType = "text/html"
	}
	var r io.Reader = bytes.NewReader(raw)
	if !utf8.Valid(raw) { // already-decoded pages are UTF-8 whatever their <meta> says
		if cr, err := charset.NewReader(r, contentType); err == nil {
			r = cr
		}
	}
	z := xhtml.NewTokenizer(r)
	z.SetMaxBuf(16 << 20)
	var b bytes.Buffer
	b.WriteString(savedCopyHead)
	var stack []atom.Atom
	skip := 0 // depth inside dropped elements
	var skipTag atom.Atom
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		tok := z.Token()
		switch tt {
		case xhtml.TextToken:
			if skip == 0 {
				b.WriteString(html.EscapeString(tok.Data))
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			a := tok.DataAtom
			if skip > 0 {
				if a == skipTag && tt == xhtml.StartTagToken {
					skip++
				}
				continue
			}
			if dropTags[a] {
				if tt == xhtml.StartTagToken && !isVoid(a) {
					skip, skipTag = 1, a
				}
				continue
			}
			switch {
			case a == atom.Img:
				alt := strings.TrimSpace(attr(tok, "alt"))
				if alt == "" {
					alt = "ảnh"
				} else {
					alt = "ảnh: " + alt
				}
				b.WriteString(`<span class="img">[` + html.EscapeString(alt) + `]</span>`)
			case a == atom.A:
				b.WriteString(`<span class="link">`)
				stack = append(stack, atom.A)
			case keepTags[a]:
				b.WriteString("<" + a.String() + ">")
				if !isVoid(a) && tt == xhtml.StartTagToken {
					stack = append(stack, a)
				}
			}
		case xhtml.EndTagToken:
			a := tok.DataAtom
			if skip > 0 {
				if a == skipTag {
					skip--
				}
				continue
			}
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] == a {
					for j := len(stack) - 1; j >= i; j-- {
						b.WriteString(closeTag(stack[j]))
					}
					stack = stack[:i]
					break
				}
			}
		}
	}
	for j := len(stack) - 1; j >= 0; j-- {
		b.WriteString(closeTag(stack[j]))
	}
	b.WriteString("</body></html>")
	return b.Bytes()
}

func closeTag(a atom.Atom) string {
	if a == atom.A {
		return "</span>"
	}
	return "</" + a.String() + ">"
}

func isVoid(a atom.Atom) bool { return a == atom.Br || a == atom.Hr || a == atom.Img }

func attr(t xhtml.Token, name string) string {
	for _, a := range t.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}
