package alerts

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"sort"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/diembao/diembao/internal/article"
)

// TopicName returns a Vietnamese name for a topic id of the default pack,
// for callers without the loaded rule pack (see Topics).
func TopicName(id string) string {
	switch id {
	case "border":
		return "Biên giới"
	case "ethnic":
		return "Dân tộc thiểu số"
	case "religion":
		return "Tôn giáo"
	case "laos":
		return "Lào – Sầm Tớ"
	case "disinfo":
		return "Thông tin sai lệch"
	case "portal":
		return "Cổng TTĐT của địa phương" // own-portal findings (internal/portal)
	}
	return id
}

// SeverityName returns the Vietnamese name of a severity.
func SeverityName(s string) string {
	switch s {
	case "info":
		return "thông tin"
	case "low":
		return "thấp"
	case "medium":
		return "trung bình"
	case "high":
		return "cao"
	case "critical":
		return "khẩn cấp"
	}
	return s
}

type alertView struct {
	ID        string
	Topics    string
	Severity  string
	Title     string
	Source    string
	Time      string
	URL       string
	SafeURL   bool
	Snippet   template.HTML // escaped, with <mark>
	SnipText  string        // plain, terms in «»
	Rules     string
	Terms     string
	UILink    string
	Published time.Time
}

type mailView struct {
	Audience  string
	Sensitive bool
	Count     int
	Alerts    []alertView
	// BySeverity and ByTopic count the alerts of a sensitive audience's mail.
	BySeverity []labelCount
	ByTopic    []labelCount
}

type labelCount struct {
	Label string
	N     int
}

const htmlTmpl = `<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Cảnh báo điểm báo</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222;max-width:720px">
<h2 style="font-size:18px;margin:0 0 12px">diembao – {{.Count}} cảnh báo mới</h2>
{{if .Sensitive}}<p style="color:#555">Thư này chỉ ghi số lượng và đường dẫn; nội dung bài viết chỉ xem trên hệ thống (đăng nhập để xem).</p>
<table style="border-collapse:collapse;margin:0 0 10px"><caption style="text-align:left;font-weight:bold">Theo mức độ</caption>
{{range .BySeverity}}<tr><td style="padding:2px 12px 2px 0">{{.Label}}</td><td style="text-align:right">{{.N}}</td></tr>
{{end}}</table>
<table style="border-collapse:collapse;margin:0 0 10px"><caption style="text-align:left;font-weight:bold">Theo chủ đề</caption>
{{range .ByTopic}}<tr><td style="padding:2px 12px 2px 0">{{.Label}}</td><td style="text-align:right">{{.N}}</td></tr>
{{end}}</table>
<ol>{{range .Alerts}}<li><a href="{{.UILink}}">Cảnh báo mức {{.Severity}} – {{.Topics}}</a></li>
{{end}}</ol>
{{else}}{{range .Alerts}}<div style="border-left:4px solid #b00;padding:6px 10px;margin:10px 0">
<p style="margin:0 0 4px;font-size:12px;color:#555">Chủ đề: <b>{{.Topics}}</b> · Mức độ: <b>{{.Severity}}</b></p>
<h3 style="font-size:16px;margin:0 0 4px">{{if .SafeURL}}<a href="{{.URL}}">{{.Title}}</a>{{else}}{{.Title}}{{end}}</h3>
<p style="margin:0 0 4px;font-size:12px;color:#555">Nguồn: {{.Source}} · Thời gian: {{.Time}}</p>
<p style="margin:0 0 6px">{{.Snippet}}</p>
<p style="margin:0;font-size:12px;color:#555">Từ khóa: {{.Terms}} · Quy tắc: {{.Rules}}</p>
<p style="margin:4px 0 0;font-size:12px">Đường dẫn: {{.URL}} · <a href="{{.UILink}}">Xem và xác nhận trên hệ thống</a></p>
</div>
{{end}}{{end}}<p style="font-size:11px;color:#888">Thư tự động từ diembao gửi nhóm nhận “{{.Audience}}”. Vui lòng không trả lời thư này.</p>
</body></html>
`

const textTmpl = `diembao – {{.Count}} cảnh báo mới
{{if .Sensitive}}Thư này chỉ ghi số lượng và đường dẫn; nội dung bài viết chỉ xem trên hệ thống (đăng nhập để xem).

Theo mức độ:
{{range .BySeverity}}  {{.Label}}: {{.N}}
{{end}}
Theo chủ đề:
{{range .ByTopic}}  {{.Label}}: {{.N}}
{{end}}
{{range $i, $a := .Alerts}}{{add $i 1}}. Cảnh báo mức {{$a.Severity}} – {{$a.Topics}}: {{$a.UILink}}
{{end}}{{else}}{{range .Alerts}}
==============================
Chủ đề: {{.Topics}}
Mức độ: {{.Severity}}
Tiêu đề: {{.Title}}
Nguồn: {{.Source}}
Thời gian: {{.Time}}
Đường dẫn: {{.URL}}

{{.SnipText}}

Từ khóa: {{.Terms}}
Quy tắc: {{.Rules}}
Xem và xác nhận: {{.UILink}}
{{end}}{{end}}
--
Thư tự động từ diembao gửi nhóm nhận "{{.Audience}}".
`

type renderer struct {
	html    *template.Template
	text    *texttemplate.Template
	baseURL string
	loc     *time.Location
	topics  Topics
	sources article.SourceNames
}

func newRenderer(baseURL string, loc *time.Location, topics Topics, sources article.SourceNames) *renderer {
	return &renderer{
		html:    template.Must(template.New("mail.html").Parse(htmlTmpl)),
		text:    texttemplate.Must(texttemplate.New("mail.txt").Funcs(texttemplate.FuncMap{"add": func(a, b int) int { return a + b }}).Parse(textTmpl)),
		baseURL: baseURL,
		loc:     loc,
		topics:  topics,
		sources: sources,
	}
}

// render builds the mail of one group. Alerts are shown highest severity first.
func (r *renderer) render(audience string, sensitive bool, alerts []article.Alert) (subject, text, html string, err error) {
	as := append([]article.Alert(nil), alerts...)
	sort.SliceStable(as, func(i, j int) bool {
		ri, rj := article.SeverityRank(as[i].Severity), article.SeverityRank(as[j].Severity)
		if ri != rj {
			return ri > rj
		}
		return as[i].Published.Before(as[j].Published)
	})
	mv := mailView{Audience: audience, Sensitive: sensitive, Count: len(as)}
	for _, a := range as {
		mv.Alerts = append(mv.Alerts, r.view(a))
	}
	if sensitive {
		mv.BySeverity, mv.ByTopic = sensitiveCounts(as, r.topics)
	}
	var hb, tb bytes.Buffer
	if err := r.html.Execute(&hb, mv); err != nil {
		return "", "", "", fmt.Errorf("render html: %w", err)
	}
	if err := r.text.Execute(&tb, mv); err != nil {
		return "", "", "", fmt.Errorf("render text: %w", err)
	}
	return r.subject(sensitive, as), tb.String(), hb.String(), nil
}

func (r *renderer) subject(sensitive bool, as []article.Alert) string {
	if sensitive {
		if len(as) == 1 {
			return "[diembao] Cảnh báo mới – xem trên hệ thống"
		}
		return fmt.Sprintf("[diembao] %d cảnh báo mới – xem trên hệ thống", len(as))
	}
	top := as[0]
	if len(as) == 1 {
		return fmt.Sprintf("[diembao] %s (%s): %s", r.topicsVN(top), SeverityName(top.Severity), oneLine(top.Title, 120))
	}
	var topics []string
	for _, a := range as {
		for _, t := range a.Topics {
			if n := r.topics.Name(t); !slices.Contains(topics, n) {
				topics = append(topics, n)
			}
		}
	}
	return fmt.Sprintf("[diembao] %d cảnh báo: %s (cao nhất: %s)", len(as), strings.Join(topics, ", "), SeverityName(top.Severity))
}

func (r *renderer) topicsVN(a article.Alert) string {
	names := make([]string, 0, len(a.Topics))
	for _, t := range a.Topics {
		names = append(names, r.topics.Name(t))
	}
	if len(names) == 0 {
		return "Cảnh báo"
	}
	return strings.Join(names, ", ")
}

func (r *renderer) view(a article.Alert) alertView {
	var rules, terms []string
	for _, m := range a.Matches {
		if !slices.Contains(rules, m.Rule) {
			rules = append(rules, m.Rule)
		}
		for _, t := range m.Terms {
			if t.Text != "" && !slices.Contains(terms, t.Text) {
				terms = append(terms, t.Text)
			}
		}
	}
	snippet := a.Snippet
	if snippet == "" {
		snippet = a.Lead
	}
	snippet = oneLine(snippet, 600)
	u, _ := url.Parse(a.URL)
	safe := u != nil && (u.Scheme == "http" || u.Scheme == "https")
	return alertView{
		ID:       a.ID,
		Topics:   r.topicsVN(a),
		Severity: SeverityName(a.Severity),
		Title:    oneLine(a.Title, 300),
		Source:   r.sources.Name(a.Source),
		Time:     foundPrefix(a.PublishedFrom) + a.Published.In(r.loc).Format("15:04 02/01/2006") + " (giờ Việt Nam)",
		URL:      a.URL,
		SafeURL:  safe,
		Snippet:  highlightHTML(snippet, terms),
		SnipText: highlightText(snippet, terms),
		Rules:    strings.Join(rules, ", "),
		Terms:    strings.Join(terms, ", "),
		UILink:   AlertLink(r.baseURL, a.ID),
	}
}

// oneLine collapses white space and cuts s to at most n runes, adding "…".
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	cut := string(rs[:n])
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

type span struct{ start, end int }

// findTerms returns the non-overlapping spans of terms in s, matched case
// insensitively on whole syllables.
func findTerms(s string, terms []string) []span {
	low := strings.ToLower(s)
	if len(low) != len(s) { // a case mapping changed byte lengths: no offsets
		return nil
	}
	var spans []span
	for _, t := range terms {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" {
			continue
		}
		for from := 0; from < len(low); {
			i := strings.Index(low[from:], t)
			if i < 0 {
				break
			}
			st, en := from+i, from+i+len(t)
			before, _ := utf8.DecodeLastRuneInString(low[:st])
			after, _ := utf8.DecodeRuneInString(low[en:])
			if (st == 0 || !isWordRune(before)) && (en == len(low) || !isWordRune(after)) {
				spans = append(spans, span{st, en})
			}
			from = en
		}
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].end > spans[j].end
	})
	var out []span
	for _, sp := range spans {
		if len(out) > 0 && sp.start < out[len(out)-1].end {
			continue
		}
		out = append(out, sp)
	}
	return out
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// highlightHTML escapes s and wraps the terms in <mark>.
func highlightHTML(s string, terms []string) template.HTML {
	var b strings.Builder
	last := 0
	for _, sp := range findTerms(s, terms) {
		b.WriteString(template.HTMLEscapeString(s[last:sp.start]))
		b.WriteString(`<mark style="background:#ffe58f">`)
		b.WriteString(template.HTMLEscapeString(s[sp.start:sp.end]))
		b.WriteString("</mark>")
		last = sp.end
	}
	b.WriteString(template.HTMLEscapeString(s[last:]))
	return template.HTML(b.String())
}

// highlightText wraps the terms in «».
func highlightText(s string, terms []string) string {
	var b strings.Builder
	last := 0
	for _, sp := range findTerms(s, terms) {
		b.WriteString(s[last:sp.start])
		b.WriteString("«" + s[sp.start:sp.end] + "»")
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// foundPrefix labels the time of an article without a date of its own:
// it is the day the page was found.
func foundPrefix(from string) string {
	if from == article.DateFetched {
		return "ngày phát hiện "
	}
	return ""
}
