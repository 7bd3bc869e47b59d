package portal

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/textnorm"
	"github.com/diembao/diembao/rules"
)

//go:embed packs/spam.yaml
var spamPack []byte

// loadSpam compiles the embedded spam vocabulary with the rules package.
func loadSpam() (*rules.Set, error) {
	set, err := rules.LoadFS(oneFile{name: "spam.yaml", data: spamPack})
	if err != nil {
		return nil, fmt.Errorf("portal: spam pack: %w", err)
	}
	return set, nil
}

// oneFile is a read-only file system holding one file, for rules.LoadFS.
type oneFile struct {
	name string
	data []byte
}

func (o oneFile) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid} // ReadFile and ReadDir serve every use
}

func (o oneFile) ReadFile(name string) ([]byte, error) {
	if name != o.name {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	return bytes.Clone(o.data), nil
}

func (o oneFile) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return []fs.DirEntry{fs.FileInfoToDirEntry(fileInfo(o))}, nil
}

type fileInfo oneFile

func (f fileInfo) Name() string       { return f.name }
func (f fileInfo) Size() int64        { return int64(len(f.data)) }
func (f fileInfo) Mode() fs.FileMode  { return 0o444 }
func (f fileInfo) ModTime() time.Time { return time.Time{} }
func (f fileInfo) IsDir() bool        { return false }
func (f fileInfo) Sys() any           { return nil }

// Features is what the change watch remembers of one page copy. Every list
// is sorted and without duplicates.
type Features struct {
	Scripts []string `json:"scripts,omitempty"` // external src (no query), or "inline:<hash>" for suspicious inline code
	Iframes []string `json:"iframes,omitempty"` // src without query
	Hidden  []string `json:"hidden,omitempty"`  // links inside hidden elements: "href text"
	Hosts   []string `json:"hosts,omitempty"`   // hosts of outbound links, scripts, iframes, forms
	// Spam are spam-pack terms (normalised text) in hidden text or in
	// outbound links ("strong"), and SpamVisible those in the visible text.
	Spam        []string `json:"spam,omitempty"`
	SpamVisible []string `json:"spam_visible,omitempty"`
	// Words are the distinct syllable keys of the visible text (for the
	// size of a change of the home page).
	Words []string `json:"words,omitempty"`
	Title string   `json:"title,omitempty"`
}

var (
	hiddenStyleRe = regexp.MustCompile(`(?i)display\s*:\s*none|visibility\s*:\s*hidden|(left|top|right|margin-left|margin-top)\s*:\s*-\s*\d{3,}|text-indent\s*:\s*-\s*\d{3,}|font-size\s*:\s*[0-2](\.\d+)?\s*(px|pt)?\s*(;|$|!)|(width|height)\s*:\s*[01]px[^}]*overflow\s*:\s*hidden|opacity\s*:\s*0(\.0+)?\s*(;|$|!)`)
	cssRuleRe     = regexp.MustCompile(`([^{}]+)\{([^{}]*)\}`)
	simpleSelRe   = regexp.MustCompile(`^\s*([a-z0-9]*)([.#][A-Za-z0-9_-]+)\s*$`)
	suspiciousJS  = regexp.MustCompile(`(?i)document\.write|eval\s*\(|atob\s*\(|fromCharCode|unescape\s*\(|window\.location|location\.href\s*=|\.src\s*=\s*['"]https?:`)
)

// hiddenSelectors returns the simple selectors (".cls", "#id", "div.cls")
// that <style> blocks hide.
func hiddenSelectors(doc *goquery.Document) []string {
	var out []string
	doc.Find("style").Each(func(_ int, s *goquery.Selection) {
		for _, m := range cssRuleRe.FindAllStringSubmatch(s.Text(), -1) {
			if !hiddenStyleRe.MatchString(m[2]) {
				continue
			}
			for sel := range strings.SplitSeq(m[1], ",") {
				if simpleSelRe.MatchString(sel) {
					out = append(out, strings.TrimSpace(sel))
				}
			}
		}
	})
	return out
}

// analyse parses a page and extracts its Features. pageURL (or the page's
// <base href>) resolves relative links; host is the portal's host.
func analyse(body []byte, pageURL, host string, spam *rules.Set) (Features, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return Features{}, fmt.Errorf("parse %s: %w", pageURL, err)
	}
	base, err := url.Parse(pageURL)
	if err != nil {
		return Features{}, fmt.Errorf("parse %s: %w", pageURL, err)
	}
	if b, ok := doc.Find("base[href]").Attr("href"); ok {
		if bu, err := base.Parse(b); err == nil {
			base = bu
		}
	}
	s := pageScan{base: base, host: host, hidden: hiddenNodes(doc)}
	s.f.Title = strings.TrimSpace(doc.Find("title").First().Text())
	s.embeds(doc)
	s.anchors(doc)
	for _, n := range doc.Nodes {
		s.text(n, false)
	}
	return s.features(spam), nil
}

// pageScan gathers one page's Features. Outbound hosts, scripts, iframes
// and hidden links go straight into f; the text that weighs as spam
// (hidden text, outbound and hidden links) into strong and the rest of the
// text into visible, for features to match.
type pageScan struct {
	base    *url.URL
	host    string
	hidden  map[*html.Node]bool // elements hidden by style, attribute or <style> rule
	f       Features
	strong  strings.Builder
	visible strings.Builder
}

// hiddenNodes returns the elements hidden by their style attribute, the
// hidden attribute or a simple selector that a <style> block hides (their
// descendants are not listed).
func hiddenNodes(doc *goquery.Document) map[*html.Node]bool {
	hidden := map[*html.Node]bool{}
	mark := func(s *goquery.Selection) {
		s.Each(func(_ int, e *goquery.Selection) { hidden[e.Get(0)] = true })
	}
	doc.Find("[style]").Each(func(_ int, s *goquery.Selection) {
		if st, _ := s.Attr("style"); hiddenStyleRe.MatchString(st) {
			mark(s)
		}
	})
	mark(doc.Find("[hidden]"))
	for _, sel := range hiddenSelectors(doc) {
		mark(doc.Find(sel))
	}
	return hidden
}

// isHidden reports whether n or one of its ancestors is hidden.
func (s *pageScan) isHidden(n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if s.hidden[n] {
			return true
		}
	}
	return false
}

// abs resolves ref against the page's base; nil unless http or https.
func (s *pageScan) abs(ref string) *url.URL {
	u, err := s.base.Parse(strings.TrimSpace(ref))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil
	}
	return u
}

// outbound reports whether u is on a host other than the portal's.
func (s *pageScan) outbound(u *url.URL) bool { return u != nil && !sameHost(u.Hostname(), s.host) }

// embeds records external scripts (and suspicious inline ones), frames and
// embedded objects, and the outbound hosts of these and of forms.
func (s *pageScan) embeds(doc *goquery.Document) {
	doc.Find("script").Each(func(_ int, e *goquery.Selection) {
		if src, ok := e.Attr("src"); ok {
			if u := s.abs(src); u != nil {
				s.f.Scripts = append(s.f.Scripts, stripQuery(u))
				if s.outbound(u) {
					s.f.Hosts = append(s.f.Hosts, hostKey(u.Hostname()))
				}
			}
			return
		}
		code := e.Text()
		if suspiciousJS.MatchString(code) {
			sum := sha256.Sum256([]byte(strings.Join(strings.Fields(code), " ")))
			s.f.Scripts = append(s.f.Scripts, "inline:"+hex.EncodeToString(sum[:6]))
		}
	})
	doc.Find("iframe[src], frame[src], object[data], embed[src]").Each(func(_ int, e *goquery.Selection) {
		src := e.AttrOr("src", e.AttrOr("data", ""))
		if u := s.abs(src); u != nil {
			s.f.Iframes = append(s.f.Iframes, stripQuery(u))
			if s.outbound(u) {
				s.f.Hosts = append(s.f.Hosts, hostKey(u.Hostname()))
			}
		}
	})
	doc.Find("form[action]").Each(func(_ int, e *goquery.Selection) {
		if u := s.abs(e.AttrOr("action", "")); s.outbound(u) {
			s.f.Hosts = append(s.f.Hosts, hostKey(u.Hostname()))
		}
	})
}

// anchors records the http(s) links: hidden ones, outbound hosts, and the
// text and host words of hidden or outbound links as strong text.
func (s *pageScan) anchors(doc *goquery.Document) {
	doc.Find("a[href]").Each(func(_ int, e *goquery.Selection) {
		u := s.abs(e.AttrOr("href", ""))
		if u == nil {
			return
		}
		text := strings.Join(strings.Fields(e.Text()), " ")
		hid := s.isHidden(e.Get(0))
		if hid {
			s.f.Hidden = append(s.f.Hidden, clipText(u.String()+" "+text, 300))
		}
		if s.outbound(u) {
			s.f.Hosts = append(s.f.Hosts, hostKey(u.Hostname()))
		}
		if hid || s.outbound(u) {
			s.strong.WriteString(text + " " + strings.NewReplacer(".", " ", "/", " ", "-", " ").Replace(u.Host+u.Path) + "\n")
		}
	})
}

// text walks n's subtree and writes its text lines to strong when hidden
// (hid, or under a hidden element), to visible otherwise; scripts, styles
// and the head are skipped.
func (s *pageScan) text(n *html.Node, hid bool) {
	if n.Type == html.ElementNode {
		switch n.Data {
		case "script", "style", "noscript", "template", "head":
			return
		}
		hid = hid || s.hidden[n]
	}
	if n.Type == html.TextNode {
		if t := strings.TrimSpace(n.Data); t != "" {
			if hid {
				s.strong.WriteString(t + "\n")
			} else {
				s.visible.WriteString(t + "\n")
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		s.text(c, hid)
	}
}

// features completes f with the spam terms of the strong and the visible
// text and the visible words, and returns it with every list sorted and
// without duplicates.
func (s *pageScan) features(spam *rules.Set) Features {
	f := s.f
	f.Spam = spamTerms(spam, s.strong.String())
	f.SpamVisible = spamTerms(spam, s.visible.String())
	vis := textnorm.Normalize(s.visible.String())
	seen := map[string]bool{}
	for _, t := range textnorm.Tokens(vis) {
		if !seen[t.Key] {
			seen[t.Key] = true
			f.Words = append(f.Words, t.Key)
		}
	}
	for _, l := range []*[]string{&f.Scripts, &f.Iframes, &f.Hidden, &f.Hosts, &f.Spam, &f.SpamVisible, &f.Words} {
		slices.Sort(*l)
		*l = slices.Compact(*l)
	}
	return f
}

// spamTerms returns the distinct spam terms found in text, as written
// (NFC, lower case).
func spamTerms(set *rules.Set, text string) []string {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	res := set.Match(article.Article{Body: text})
	var out []string
	for _, m := range res.Matches {
		for _, t := range m.Terms {
			out = append(out, strings.ToLower(t.Text))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// sameHost compares hosts ignoring a leading "www.".
func sameHost(a, b string) bool { return hostKey(a) == hostKey(b) }

func hostKey(h string) string { return strings.TrimPrefix(strings.ToLower(h), "www.") }

func stripQuery(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment = "", ""
	return c.String()
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8Start(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	if len(s) > 0 {
		s = s[:len(s)-1]
	}
	return s + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// links returns the same-host page links of a document (no assets, no
// fragments), resolved against pageURL, in document order.
func links(body []byte, pageURL, host string) []string {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
		u, err := base.Parse(strings.TrimSpace(s.AttrOr("href", "")))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !sameHost(u.Hostname(), host) {
			return
		}
		u.Fragment = ""
		p := strings.ToLower(u.Path)
		for _, ext := range []string{".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".gif", ".zip", ".rar", ".css", ".js", ".mp4", ".mp3"} {
			if strings.HasSuffix(p, ext) {
				return
			}
		}
		k := u.String()
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	})
	return out
}

// added returns the items of now that are not in before (both sorted).
func added(before, now []string) []string {
	var out []string
	for _, x := range now {
		if _, ok := slices.BinarySearch(before, x); !ok {
			out = append(out, x)
		}
	}
	return out
}

// similarity is the Jaccard index of two sorted word sets (1 when both are empty).
func similarity(a, b []string) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter := 0
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); ok {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// analyseText returns the visible text of a page (no script, style or
// hidden elements marked inline), one text run per line.
func analyseText(body []byte) (string, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	doc.Find("script, style, noscript, template, head, [hidden], nav, header, .menu, #menu").Remove()
	doc.Find("[style]").Each(func(_ int, s *goquery.Selection) {
		if st, _ := s.Attr("style"); hiddenStyleRe.MatchString(st) {
			s.Remove()
		}
	})
	var b strings.Builder
	doc.Find("body").Each(func(_ int, s *goquery.Selection) {
		for _, n := range s.Nodes {
			var walk func(*html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.TextNode {
					if t := strings.Join(strings.Fields(n.Data), " "); t != "" {
						b.WriteString(t + "\n")
					}
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(n)
		}
	})
	return b.String(), nil
}
