package digest

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/officedoc"
)

func title(d Digest) string {
	last := d.To.AddDate(0, 0, -1)
	if !IsWeek(d.Week) {
		if last.Equal(d.From) {
			return fmt.Sprintf("BẢN TIN ĐIỂM BÁO NGÀY %s", d.From.Format("02/01/2006"))
		}
		return fmt.Sprintf("BẢN TIN ĐIỂM BÁO (%s – %s)", d.From.Format("02/01/2006"), last.Format("02/01/2006"))
	}
	_, w := d.From.ISOWeek()
	return fmt.Sprintf("BẢN TIN ĐIỂM BÁO TUẦN %d (%s – %s)", w, d.From.Format("02/01/2006"), last.Format("02/01/2006"))
}

func cut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

var funcs = template.FuncMap{
	"title":      title,
	"topics":     topicSummary,
	"topicsNote": func() string { return topicsNote },
	"cut":        cut,
	"date":       func(t time.Time) string { return t.Format("02/01/2006") },
	"hm":         func(t time.Time, loc *time.Location) string { return t.In(loc).Format("15:04 02/01") },
	"when":       when,
	"sev":        alerts.SeverityName,
	"add":        func(a, b int) int { return a + b },
	"bar": func(n, max int) int {
		if max == 0 {
			return 0
		}
		return n * 200 / max
	},
	"maxcount": func(cs []Count) int {
		m := 0
		for _, c := range cs {
			m = max(m, c.N)
		}
		return m
	},
	"join": func(s []string) string { return strings.Join(s, ", ") },
	"sources": func(its []Item) string {
		var s []string
		for _, it := range its {
			s = append(s, it.SourceLabel())
		}
		return strings.Join(s, ", ")
	},
}

const htmlTmpl = `<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{{title .D}}</title></head>
<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222;background:#fff">
<div style="max-width:760px;margin:0 auto">
<p style="margin:0;font-size:13px;font-weight:bold;text-transform:uppercase">{{.D.Issuer}}</p>
<h1 style="font-size:20px;text-align:center;margin:16px 0 4px">{{title .D}}</h1>
<p style="text-align:center;color:#555;margin:0 0 16px">{{.D.Stories}} tin ({{.D.Articles}} bài) · {{len .D.Alerts}} cảnh báo</p>
<h2 style="font-size:16px;border-bottom:1px solid #ccc">Thống kê trong tuần</h2>
<table style="border-collapse:collapse;font-size:13px" role="presentation">
{{$m := maxcount .D.ByDay}}{{range .D.ByDay}}<tr><td style="padding:2px 8px 2px 0">{{.Label}}</td><td><div style="background:#2a6fb0;height:12px;width:{{bar .N $m}}px"></div></td><td style="padding-left:6px">{{.N}}</td></tr>
{{end}}</table>
<p style="font-size:13px">Theo chủ đề: {{topics .D.ByTopic}}<br>
<span style="color:#555">{{topicsNote}}</span><br>
Theo nguồn: {{range $i, $c := .D.BySource}}{{if $i}}, {{end}}{{$c.Label}} {{$c.N}}{{end}}</p>
{{$n := 0}}{{range .D.Topics}}<h2 style="font-size:16px;border-bottom:1px solid #ccc;margin-top:24px">{{.Name}} ({{.Count}})</h2>
{{range .Days}}<h3 style="font-size:14px;color:#555;margin:12px 0 4px">{{date .Date}}</h3>
{{range .Stories}}{{$n = add $n 1}}<div style="margin:0 0 12px">
<p style="margin:0"><b>{{$n}}. <a href="{{.URL}}" style="color:#1a4f8a">{{.Title}}</a></b></p>
<p style="margin:2px 0;font-size:12px;color:#555">{{.SourceLabel}} · {{when .Item $.Loc "15:04 02/01"}}{{if .AlsoCarried}} · cũng đăng trên {{len .AlsoCarried}} báo khác: {{sources .AlsoCarried}}{{end}}</p>
<p style="margin:2px 0">{{cut .Lead 320}}</p>
{{if .AlsoUnder}}<p style="margin:2px 0;font-size:12px;color:#555">Cũng thuộc chủ đề: {{join .AlsoUnder}}</p>{{end}}
{{if .Terms}}<p style="margin:2px 0;font-size:12px;color:#555">Từ khóa: {{join .Terms}}</p>{{end}}
</div>
{{end}}{{end}}{{end}}
<h2 style="font-size:16px;border-bottom:1px solid #ccc;margin-top:24px">Cảnh báo trong tuần ({{len .D.Alerts}})</h2>
<table style="border-collapse:collapse;font-size:13px;width:100%">
{{range .D.Alerts}}<tr><td style="padding:3px;border-bottom:1px solid #eee">{{hm .Received $.Loc}}</td><td style="padding:3px;border-bottom:1px solid #eee">{{.Title}} <span style="color:#555">({{.SourceLabel}}, {{sev .Severity}})</span></td><td style="padding:3px;border-bottom:1px solid #eee">{{if .Acked}}Đã xác nhận{{if .AckedBy}} ({{.AckedBy}}){{end}}{{else}}<b style="color:#b00">Chưa xác nhận</b>{{end}}</td></tr>
{{end}}</table>
<p style="font-size:11px;color:#888;margin-top:24px">Bản tin tự động từ diembao.</p>
</div></body></html>
`

var htmlT = template.Must(template.New("digest.html").Funcs(funcs).Parse(htmlTmpl))

// HTML renders d as a mail-ready page with inline CSS. Crawled text is escaped.
func HTML(d Digest, loc *time.Location) (string, error) {
	var b bytes.Buffer
	if err := htmlT.Execute(&b, struct {
		D   Digest
		Loc *time.Location
	}{d, loc}); err != nil {
		return "", fmt.Errorf("digest html: %w", err)
	}
	return b.String(), nil
}

// Text renders a short plain-text version for the mail's text part.
func Text(d Digest, loc *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n\n", d.Issuer, title(d))
	n := 0
	for _, g := range d.Topics {
		fmt.Fprintf(&b, "== %s (%d) ==\n", g.Name, g.Count)
		for _, day := range g.Days {
			for _, s := range day.Stories {
				n++
				fmt.Fprintf(&b, "%d. %s\n   %s, %s\n   %s\n", n, cut(s.Title, 200), s.SourceLabel(), when(s.Item, loc, "15:04 02/01"), s.URL)
				if len(s.AlsoCarried) > 0 {
					fmt.Fprintf(&b, "   Cũng đăng trên %d báo khác\n", len(s.AlsoCarried))
				}
				if len(s.AlsoUnder) > 0 {
					fmt.Fprintf(&b, "   Cũng thuộc chủ đề: %s\n", strings.Join(s.AlsoUnder, ", "))
				}
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Cảnh báo trong tuần: %d\n", len(d.Alerts))
	return b.String()
}

// PDF renders d as an administrative document (Decree 30/2020 layout,
// Liberation Serif) with d.Issuer as the issuing body; PDFAs takes the full
// issuer from configuration.
func PDF(d Digest, loc *time.Location) ([]byte, error) {
	return PDFAs(d, loc, officedoc.Issuer{Name: d.Issuer})
}

// PDFAs renders d as an administrative PDF issued by is.
func PDFAs(d Digest, loc *time.Location, is officedoc.Issuer) ([]byte, error) {
	var b bytes.Buffer
	if err := officedoc.WritePDF(&b, Document(d, loc, is)); err != nil {
		return nil, fmt.Errorf("digest pdf: %w", err)
	}
	return b.Bytes(), nil
}

// DOCX renders d as an administrative Word document issued by is.
func DOCX(d Digest, loc *time.Location, is officedoc.Issuer) ([]byte, error) {
	var b bytes.Buffer
	if err := officedoc.WriteDOCX(&b, Document(d, loc, is)); err != nil {
		return nil, fmt.Errorf("digest docx: %w", err)
	}
	return b.Bytes(), nil
}

// topicsNote says how the topic counts are made.
const topicsNote = "Mỗi tin chỉ được liệt kê và tính một lần, ở chủ đề đầu tiên của tin; \"và N tin ở mục trước\" là số tin cũng thuộc chủ đề đó nhưng đã tính ở mục trước."

// topicSummary is "Biên giới 3; Lào – Sầm Tớ 2 (và 3 tin ở mục trước)".
func topicSummary(cs []Count) string {
	var parts []string
	for _, c := range cs {
		p := fmt.Sprintf("%s %d", c.Label, c.N)
		if c.Also > 0 {
			p += fmt.Sprintf(" (và %d tin ở mục trước)", c.Also)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// Document lays d out as a THÔNG BÁO-style digest of is: the administrative
// heading, the week's figures, one section per topic, the alerts, Nơi nhận
// and signature. The date line is the day after the period.
func Document(d Digest, loc *time.Location, is officedoc.Issuer) officedoc.Document {
	doc := officedoc.Document{Issuer: is, Type: "BẢN TIN", Date: d.To.In(loc), Summary: strings.TrimPrefix(title(d), "BẢN TIN ")}
	add := func(b officedoc.Block) { doc.Blocks = append(doc.Blocks, b) }
	add(officedoc.Block{Para: fmt.Sprintf("Trong kỳ có %d tin (%d bài) liên quan địa bàn và các chủ đề theo dõi; %d cảnh báo.", d.Stories, d.Articles, len(d.Alerts))})
	if len(d.ByTopic) > 0 {
		add(officedoc.Block{Para: "Theo chủ đề: " + topicSummary(d.ByTopic) + ". " + topicsNote})
	}
	n := 0
	for gi, g := range d.Topics {
		add(officedoc.Block{Heading: fmt.Sprintf("%s. %s (%d)", roman(gi+1), strings.ToUpper(g.Name), g.Count)})
		for _, day := range g.Days {
			for _, s := range day.Stories {
				n++
				add(officedoc.Block{Para: fmt.Sprintf("%d. %s", n, cut(s.Title, 300))})
				meta := fmt.Sprintf("%s, %s", s.SourceLabel(), when(s.Item, loc, "15:04 02/01/2006"))
				if len(s.AlsoCarried) > 0 {
					meta += fmt.Sprintf("; cũng đăng trên %d báo khác: %s", len(s.AlsoCarried), sourcesOf(s.AlsoCarried))
				}
				if len(s.AlsoUnder) > 0 {
					meta += "; cũng thuộc chủ đề: " + strings.Join(s.AlsoUnder, ", ")
				}
				lines := []string{meta}
				if s.Lead != "" {
					lines = append(lines, cut(s.Lead, 320))
				}
				lines = append(lines, s.URL)
				add(officedoc.Block{Bullets: lines})
			}
		}
	}
	add(officedoc.Block{Heading: fmt.Sprintf("%s. CẢNH BÁO TRONG KỲ (%d)", roman(len(d.Topics)+1), len(d.Alerts))})
	if len(d.Alerts) == 0 {
		add(officedoc.Block{Para: "Không có cảnh báo."})
	} else {
		t := &officedoc.Table{Header: []string{"Thời điểm", "Bài viết", "Nguồn", "Mức độ", "Xác nhận"}, Widths: []float64{1.3, 4, 1.5, 1.2, 1.5}}
		for _, a := range d.Alerts {
			st := "Chưa xác nhận"
			if a.Acked {
				st = "Đã xác nhận"
			}
			t.Rows = append(t.Rows, []string{a.Received.In(loc).Format("15:04 02/01"), cut(a.Title, 200), a.SourceLabel(), alerts.SeverityName(a.Severity), st})
		}
		add(officedoc.Block{Table: t})
	}
	return doc
}

func sourcesOf(its []Item) string {
	var s []string
	for _, it := range its {
		s = append(s, it.SourceLabel())
	}
	return strings.Join(s, ", ")
}

func roman(n int) string {
	r := []string{"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"}
	if n < len(r) {
		return r[n]
	}
	return fmt.Sprint(n)
}

// when is the time a digest shows for it, in loc: its publication, or the
// time it was found ("ngày phát hiện …") when the page states no date.
func when(it Item, loc *time.Location, layout string) string {
	t := it.Published.In(loc).Format(layout)
	if it.PublishedFrom == article.DateFetched {
		return "ngày phát hiện " + t
	}
	return t
}
