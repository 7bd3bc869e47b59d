package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/report"
)

// Reports builds and renders period reports; cmd wires the index, the alert
// store, the rule set's gazetteer and the office's issuer behind it.
type Reports interface {
	// Report gathers the report of p.
	Report(ctx context.Context, p report.Params) (report.Report, error)
	// Render writes r as "pdf", "docx" or "xlsx".
	Render(r report.Report, format string) ([]byte, error)
}

// Exporter visits every hit of a query, newest first (indexer.Index.Each).
type Exporter interface {
	Each(ctx context.Context, q indexer.Query, fn func(indexer.Doc) error) error
}

type reportsData struct {
	Year, From, To, Topic string
	All                   bool
	Error                 string
	Report                *report.Report
	Query                 template.URL // the form's query string, for charts and downloads
	Topics                []facetView
}

// reportParams reads year | from&to, topic and all from v, the period by
// the rules of the report command (report.ParsePeriod; a year wins over
// from and to); ok false when the form was not submitted yet.
func (s *Server) reportParams(v url.Values) (report.Params, bool, error) {
	year, from, to := v.Get("year"), v.Get("from"), v.Get("to")
	if year == "" && from == "" && to == "" {
		return report.Params{Loc: s.cfg.Location}, false, nil
	}
	if year != "" {
		from, to = "", ""
	}
	p, err := report.ParsePeriod(year, from, to, s.cfg.Location)
	switch {
	case err == nil:
	case year != "":
		return p, true, errBadParam{"năm không hợp lệ"}
	case errors.Is(err, report.ErrToBeforeFrom):
		return p, true, errBadParam{"đến ngày trước từ ngày"}
	default:
		return p, true, errBadParam{"ngày phải có dạng YYYY-MM-DD (cả từ ngày và đến ngày)"}
	}
	if p.To.Sub(p.From) > maxReportPeriod {
		return p, true, errBadParam{"kỳ báo cáo dài nhất 3 năm"}
	}
	p.Topic, p.All = strings.TrimSpace(v.Get("topic")), v.Get("all") == "1"
	return p, true, nil
}

// maxReportPeriod is the longest period report.Build accepts (it refuses
// a longer one with an internal error).
const maxReportPeriod = 3 * 366 * 24 * time.Hour

// requestReportParams is reportParams for the request's user: a topic
// hidden from them (given only by police-only rules, see visibility.go)
// cannot be reported on, as it cannot be searched or exported.
func (s *Server) requestReportParams(r *http.Request) (report.Params, bool, error) {
	p, ok, err := s.reportParams(r.URL.Query())
	if err == nil && ok && p.Topic != "" && s.hiddenTopics(r)[p.Topic] {
		return p, ok, errBadParam{"chủ đề không hợp lệ"}
	}
	return p, ok, err
}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	d := reportsData{Year: v.Get("year"), From: v.Get("from"), To: v.Get("to"), Topic: v.Get("topic"), All: v.Get("all") == "1"}
	d.Topics = s.topicChoices(r, func(t string) bool { return d.Topic == t })
	code := http.StatusOK
	p, ok, err := s.requestReportParams(r)
	switch {
	case s.deps.Reports == nil:
		d.Error = "Chức năng báo cáo chưa được bật."
		code = http.StatusServiceUnavailable
	case err != nil:
		d.Error = err.Error()
		code = http.StatusBadRequest
	case ok:
		rep, err := s.deps.Reports.Report(r.Context(), p)
		if err != nil {
			s.log.Error("report", "err", err)
			d.Error = "Không lập được báo cáo: " + err.Error()
			code = http.StatusInternalServerError
			break
		}
		d.Report = &rep
		q := url.Values{}
		for _, k := range []string{"year", "from", "to", "topic", "all"} {
			if v.Get(k) != "" {
				q.Set(k, v.Get(k))
			}
		}
		d.Query = template.URL(q.Encode()) // built by url.Values: safe in a query string
	}
	s.render(w, r, code, "reports", d)
}

// reportFile answers /reports/chart/{name} (SVG) and /reports/file/{format}
// (pdf, docx, xlsx as an attachment).
func (s *Server) reportFile(w http.ResponseWriter, r *http.Request) {
	if s.deps.Reports == nil {
		http.Error(w, "báo cáo chưa được bật", http.StatusServiceUnavailable)
		return
	}
	p, ok, err := s.requestReportParams(r)
	if err != nil || !ok {
		http.Error(w, "thiếu hoặc sai kỳ báo cáo", http.StatusBadRequest)
		return
	}
	rep, err := s.deps.Reports.Report(r.Context(), p)
	if err != nil {
		s.log.Error("report", "err", err)
		http.Error(w, "không lập được báo cáo", http.StatusInternalServerError)
		return
	}
	if name := r.PathValue("name"); name != "" {
		svg, err := report.Chart(rep, strings.TrimSuffix(name, ".svg"), "svg")
		if err != nil {
			http.Error(w, "không vẽ được biểu đồ", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		_, _ = w.Write(svg)
		return
	}
	format := r.PathValue("format")
	types := map[string]string{
		"pdf":  "application/pdf",
		"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	}
	ct, ok := types[format]
	if !ok {
		http.Error(w, "định dạng phải là pdf, docx hoặc xlsx", http.StatusNotFound)
		return
	}
	b, err := s.deps.Reports.Render(rep, format)
	if err != nil {
		s.log.Error("report render", "format", format, "err", err)
		http.Error(w, "không xuất được báo cáo", http.StatusInternalServerError)
		return
	}
	name := fmt.Sprintf("bao-cao-%s-%s.%s", p.From.Format("20060102"), p.To.Format("20060102"), format)
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = w.Write(b)
}

// searchExport answers /search/export?format=csv|xlsx|json&… with every hit
// of the search (not one page).
func (s *Server) searchExport(w http.ResponseWriter, r *http.Request) {
	if s.deps.Exporter == nil {
		http.Error(w, "xuất dữ liệu chưa được bật", http.StatusServiceUnavailable)
		return
	}
	q, err := s.parseQuery(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	format := r.URL.Query().Get("format")
	types := map[string]string{"csv": "text/csv; charset=utf-8", "json": "application/json",
		"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
	ct, ok := types[format]
	if !ok {
		http.Error(w, "format phải là csv, xlsx hoặc json", http.StatusBadRequest)
		return
	}
	rows := []report.ExportRow{}
	visible, hidden := s.exportVisibility(r)
	q, ok = visibleQuery(q, hidden)
	if ok {
		err = s.deps.Exporter.Each(r.Context(), q, func(d indexer.Doc) error { rows = append(rows, visible(report.RowOf(d))); return nil })
	}
	if err != nil && isBadQuery(err) { // a local *indexer.QueryError or the index role's answer to one
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err != nil {
		s.log.Error("export", "err", err)
		http.Error(w, "không xuất được", http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	if err := report.WriteExport(&b, format, rows, s.cfg.Location); err != nil {
		s.log.Error("export", "err", err)
		http.Error(w, "không xuất được", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="ket-qua-tim-kiem.`+format+`"`)
	w.Header().Set("X-Diembao-Rows", strconv.Itoa(len(rows))) // the CLI reports the count
	_, _ = w.Write(b.Bytes())
}

// exportQuery keeps the filters of a search's query string (not its page).
func exportQuery(v url.Values) string {
	q := url.Values{}
	for _, k := range []string{"q", "from", "to", "source", "topic", "area"} {
		for _, x := range v[k] {
			q.Add(k, x)
		}
	}
	return q.Encode()
}

// exportVisibility returns what an export row shows the request's user, as
// the search page does (visibility.go), and the topics hidden from them,
// both from one listing of the rules: for an analyst, no hidden topic and
// no severity above the highest of the open rules of the row's topics (an
// index document records only its highest severity, which may come from a
// police-only rule; the cap never shows more than the open rules could
// give; rules that cannot be listed show no severity, and hide topics as
// hiddenTopics does then). Police and
// administrators see rows as they are.
func (s *Server) exportVisibility(r *http.Request) (visible func(report.ExportRow) report.ExportRow, hidden map[string]bool) {
	if seesRestricted(r) {
		return func(row report.ExportRow) report.ExportRow { return row }, nil
	}
	var open map[string]string // topic → highest severity of its open rules; nil: no rules wired
	if s.deps.Rules != nil {
		open = map[string]string{} // the rules unlistable: no severity shown (fail closed)
		if list, err := s.deps.Rules.List(r.Context()); err != nil {
			s.log.Warn("list rules for export visibility", "err", err)
		} else {
			hidden = s.hiddenIn(list)
			for _, ru := range list {
				restricted := (article.Match{Audiences: ru.Audiences}).Restricted(s.cfg.SensitiveAudiences)
				if !restricted && article.SeverityRank(ru.Severity) > article.SeverityRank(open[ru.Topic]) {
					open[ru.Topic] = ru.Severity
				}
			}
		}
	}
	return func(row report.ExportRow) report.ExportRow {
		if len(hidden) > 0 {
			row.Topics = slices.DeleteFunc(slices.Clone(row.Topics), func(t string) bool { return hidden[t] })
		}
		if open != nil && row.Severity != "" {
			limit := ""
			for _, t := range row.Topics {
				if article.SeverityRank(open[t]) > article.SeverityRank(limit) {
					limit = open[t]
				}
			}
			if article.SeverityRank(row.Severity) > article.SeverityRank(limit) {
				row.Severity = limit
			}
		}
		return row
	}, hidden
}
