package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
)

// ExportHeader names the columns of a search export.
var ExportHeader = []string{"Ngày đăng (giờ Việt Nam)", "Nguồn", "Tiêu đề", "URL", "Chủ đề", "Xã", "Mức cảnh báo cao nhất"}

// ExportRow is one hit of a search export.
type ExportRow struct {
	Published time.Time `json:"published"`
	// PublishedFrom is "fetched" when the page states no date and
	// Published is when it was found; its cell then says so.
	PublishedFrom string   `json:"published_from,omitempty"`
	Source        string   `json:"source"`
	Title         string   `json:"title"`
	URL           string   `json:"url"`
	Topics        []string `json:"topics"`
	Communes      []string `json:"communes"`
	Severity      string   `json:"severity"`
}

// RowOf converts an indexed article to an export row.
func RowOf(d indexer.Doc) ExportRow {
	return ExportRow{Published: d.Article.Published, PublishedFrom: d.Article.PublishedFrom, Source: d.Article.Source, Title: d.Article.Title, URL: d.Article.URL,
		Topics: d.Topics, Communes: d.Communes, Severity: d.Severity}
}

func (r ExportRow) cells(loc *time.Location) []string {
	date := ""
	if !r.Published.IsZero() {
		date = r.Published.In(loc).Format("2006-01-02 15:04")
		if r.PublishedFrom == article.DateFetched {
			date += " (ngày phát hiện)"
		}
	}
	sev := ""
	if r.Severity != "" {
		sev = alerts.SeverityName(r.Severity)
	}
	return []string{date, r.Source, r.Title, r.URL, strings.Join(r.Topics, ", "), strings.Join(r.Communes, ", "), sev}
}

// WriteExport writes rows as "csv" (UTF-8 with a byte-order mark, so Excel
// reads Vietnamese), "xlsx" or "json" (one array). Dates are in loc.
func WriteExport(w io.Writer, format string, rows []ExportRow, loc *time.Location) error {
	switch format {
	case "csv":
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return fmt.Errorf("export csv: %w", err)
		}
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		if err := cw.Write(ExportHeader); err != nil {
			return fmt.Errorf("export csv: %w", err)
		}
		for _, r := range rows {
			if err := cw.Write(r.cells(loc)); err != nil {
				return fmt.Errorf("export csv: %w", err)
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("export csv: %w", err)
		}
		return nil
	case "xlsx":
		f := excelize.NewFile()
		defer f.Close()
		const sheet = "Kết quả"
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			return fmt.Errorf("export xlsx: %w", err)
		}
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return fmt.Errorf("export xlsx: %w", err)
		}
		row := func(i int, cells []string) error {
			vals := make([]any, len(cells))
			for j, c := range cells {
				vals[j] = c
			}
			name, _ := excelize.CoordinatesToCellName(1, i)
			return sw.SetRow(name, vals)
		}
		if err := row(1, ExportHeader); err != nil {
			return fmt.Errorf("export xlsx: %w", err)
		}
		for i, r := range rows {
			if err := row(i+2, r.cells(loc)); err != nil {
				return fmt.Errorf("export xlsx: %w", err)
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("export xlsx: %w", err)
		}
		if _, err := f.WriteTo(w); err != nil {
			return fmt.Errorf("export xlsx: %w", err)
		}
		return nil
	case "json":
		if rows == nil {
			rows = []ExportRow{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		if err := enc.Encode(rows); err != nil {
			return fmt.Errorf("export json: %w", err)
		}
		return nil
	}
	return fmt.Errorf("export: format %q: want csv, xlsx or json", format)
}
