package portal

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// DiffLine is one line of a diff between two saved copies: Op is ' '
// (context), '+' (only in the new copy) or '-' (only in the old one), or
// '~' for a marker of skipped unchanged lines. Text is untrusted page
// content: escape it when shown.
type DiffLine struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// Limits of a diff kept with a finding.
const (
	maxDiffLines = 400
	maxLineLen   = 300
	maxLCS       = 3000 // lines of each side compared exactly
	diffContext  = 2
)

// htmlLines renders a page as one line per tag and per text run, so that an
// injected block shows as whole lines whatever the page's own layout.
func htmlLines(body []byte) []string {
	z := html.NewTokenizer(bytes.NewReader(body))
	var out []string
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.TextToken:
			t := strings.Join(strings.Fields(string(z.Text())), " ")
			if t != "" {
				out = append(out, clipText(t, maxLineLen))
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			out = append(out, clipText(strings.Join(strings.Fields(z.Token().String()), " "), maxLineLen))
		}
	}
}

// diffLines returns the changed hunks between two line lists, with
// diffContext lines of context, at most maxDiffLines lines.
func diffLines(a, b []string) []DiffLine {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	var mid []DiffLine
	if len(ma) <= maxLCS && len(mb) <= maxLCS {
		mid = lcsDiff(ma, mb)
	} else {
		for _, x := range ma {
			mid = append(mid, DiffLine{"-", x})
		}
		for _, x := range mb {
			mid = append(mid, DiffLine{"+", x})
		}
	}
	all := make([]DiffLine, 0, len(mid)+2*diffContext)
	for i := max(0, pre-diffContext); i < pre; i++ {
		all = append(all, DiffLine{" ", a[i]})
	}
	all = append(all, mid...)
	for i := len(a) - suf; i < len(a) && i < len(a)-suf+diffContext; i++ {
		all = append(all, DiffLine{" ", a[i]})
	}
	// Keep changes and their context; mark skipped runs.
	keep := make([]bool, len(all))
	for i, l := range all {
		if l.Op != " " {
			for j := max(0, i-diffContext); j <= min(len(all)-1, i+diffContext); j++ {
				keep[j] = true
			}
		}
	}
	var out []DiffLine
	skipped := false
	for i, l := range all {
		if !keep[i] {
			skipped = true
			continue
		}
		if skipped && len(out) > 0 {
			out = append(out, DiffLine{"~", "…"})
		}
		skipped = false
		out = append(out, l)
		if len(out) >= maxDiffLines {
			out = append(out, DiffLine{"~", "… (còn nữa)"})
			break
		}
	}
	return out
}

// lcsDiff is the classic longest-common-subsequence diff.
func lcsDiff(a, b []string) []DiffLine {
	n, m := len(a), len(b)
	w := m + 1
	t := make([]uint16, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				t[i*w+j] = t[(i+1)*w+j+1] + 1
			} else {
				t[i*w+j] = max(t[(i+1)*w+j], t[i*w+j+1])
			}
		}
	}
	var out []DiffLine
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, DiffLine{" ", a[i]})
			i++
			j++
		case t[(i+1)*w+j] >= t[i*w+j+1]:
			out = append(out, DiffLine{"-", a[i]})
			i++
		default:
			out = append(out, DiffLine{"+", b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, DiffLine{"-", a[i]})
	}
	for ; j < m; j++ {
		out = append(out, DiffLine{"+", b[j]})
	}
	return out
}
