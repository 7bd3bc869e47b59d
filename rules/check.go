package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/diembao/diembao/internal/article"
)

// ParseInput turns an input of `rules check` into an article: article JSON (an object with
// "title" or "body"), HTML (title and visible body text) or plain text.
func ParseInput(name string, b []byte) (a article.Article, plain bool, err error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	trim := bytes.TrimSpace(b)
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case len(trim) > 0 && trim[0] == '{':
		dec := json.NewDecoder(bytes.NewReader(trim))
		if err := dec.Decode(&a); err != nil {
			return a, false, fmt.Errorf("%s: invalid article JSON: %v", name, jsonErrLine(trim, err))
		}
		return a, false, nil
	case ext == ".html" || ext == ".htm" || (len(trim) > 0 && trim[0] == '<'):
		title, body := htmlText(trim)
		return article.Article{Title: title, Body: body}, false, nil
	}
	return article.Article{Body: strings.ToValidUTF8(string(b), "\uFFFD")}, true, nil
}

// jsonErrLine adds the line number to a JSON syntax error.
func jsonErrLine(b []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(b[:min(int(se.Offset), len(b))], []byte("\n"))
		return fmt.Sprintf("line %d: %v", line, err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		line := 1 + bytes.Count(b[:min(int(te.Offset), len(b))], []byte("\n"))
		return fmt.Sprintf("line %d: field %s: want %s", line, te.Field, te.Type)
	}
	return err.Error()
}

// htmlText returns the page title (<title>, else the first <h1>) and the
// visible text of the page, one block per line.
func htmlText(b []byte) (title, body string) {
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		return "", string(b)
	}
	var h1 string
	var sb strings.Builder
	var walk func(n *html.Node, inBody bool)
	walk = func(n *html.Node, inBody bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "noscript", "template", "svg":
				return
			case "title":
				if title == "" {
					title = strings.TrimSpace(textOf(n))
				}
				return
			case "h1":
				if h1 == "" {
					h1 = strings.TrimSpace(textOf(n))
				}
			case "body":
				inBody = true
			}
		}
		if n.Type == html.TextNode && inBody {
			if t := strings.TrimSpace(n.Data); t != "" {
				sb.WriteString(t)
				sb.WriteByte(' ')
			}
		}
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			walk(k, inBody)
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "section", "article", "header", "footer":
				sb.WriteByte('\n')
			}
		}
	}
	walk(doc, false)
	if title == "" {
		title = h1
	}
	lines := strings.Split(sb.String(), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return title, strings.Join(out, "\n")
}

func textOf(n *html.Node) string {
	var sb strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
		}
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	return sb.String()
}

// CheckOut is what `rules check --json` prints per input, the JSON shape of DESIGN.md: {"input", "area", "topics", "matches":
// [{"rule", "topic", "severity", "terms": [{"text", "start", "end"}]}]}.
// Terms found outside the body carry "field" ("title" or "lead").
type CheckOut struct {
	Input   string       `json:"input"`
	Area    bool         `json:"area"`
	Topics  []string     `json:"topics"`
	Matches []CheckMatch `json:"matches"`
}

// CheckMatch is one rule that fired, in CheckOut.
type CheckMatch struct {
	Rule     string      `json:"rule"`
	Topic    string      `json:"topic"`
	Severity string      `json:"severity"`
	Terms    []CheckTerm `json:"terms"`
}

// CheckTerm is one matched term, in CheckMatch.
type CheckTerm struct {
	Text  string `json:"text"`
	Field string `json:"field,omitempty"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// CheckJSON turns the result of matching input name into its CheckOut;
// plain says the input was plain text (its terms carry no field).
func CheckJSON(name string, r Result, plain bool) CheckOut {
	out := CheckOut{Input: name, Area: r.Area, Topics: r.Topics, Matches: []CheckMatch{}}
	if out.Topics == nil {
		out.Topics = []string{}
	}
	for _, m := range r.Matches {
		cm := CheckMatch{Rule: m.Rule, Topic: m.Topic, Severity: m.Severity, Terms: []CheckTerm{}}
		for _, t := range m.Terms {
			f := t.Field
			if f == FieldBody || plain {
				f = ""
			}
			cm.Terms = append(cm.Terms, CheckTerm{Text: t.Text, Field: f, Start: t.Start, End: t.End})
		}
		out.Matches = append(out.Matches, cm)
	}
	return out
}

// Explain prints a result for people (`rules check` without --json).
func Explain(w io.Writer, name string, r Result) {
	if r.Area {
		fmt.Fprintf(w, "%s: area yes: %s\n", name, TermList(r.AreaTerms))
	} else {
		fmt.Fprintf(w, "%s: area no\n", name)
	}
	if len(r.Topics) > 0 {
		fmt.Fprintf(w, "  topics: %s\n", strings.Join(r.Topics, ", "))
	}
	for _, m := range r.Matches {
		aud := ""
		if len(m.Audiences) > 0 {
			aud = " → " + strings.Join(m.Audiences, ", ")
		}
		fmt.Fprintf(w, "  %s v%d [%s] %s%s: %s\n", m.Rule, m.Version, m.Severity, m.Topic, aud, TermList(m.Terms))
	}
	if len(r.Matches) == 0 {
		if len(r.Topics) > 0 {
			fmt.Fprintln(w, "  no alert: the matching rules need the area")
		} else {
			fmt.Fprintln(w, "  no rule matched")
		}
	}
}

// TermList lists terms for people: "text" field start-end, comma-separated.
func TermList(ts []article.Term) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		f := t.Field
		if f == "" {
			f = FieldBody
		}
		parts[i] = fmt.Sprintf("%q %s %d-%d", t.Text, f, t.Start, t.End)
	}
	return strings.Join(parts, ", ")
}

// ParseSince accepts 30d, 2w, 12h (any time.ParseDuration) or a date.
func ParseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateOnly, s, now.Location()); err == nil {
		return t, nil
	}
	if n := len(s); n > 1 && (s[n-1] == 'd' || s[n-1] == 'w') {
		k, err := strconv.Atoi(s[:n-1])
		if err == nil && k >= 0 {
			days := k
			if s[n-1] == 'w' {
				days *= 7
			}
			return now.AddDate(0, 0, -days), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return time.Time{}, fmt.Errorf("--since %q: want 30d, 2w, 12h or YYYY-MM-DD", s)
	}
	return now.Add(-d), nil
}
