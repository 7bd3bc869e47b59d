package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
)

func TestExportEveryHit(t *testing.T) {
	x := genIndex(t, 600)
	yes := true
	q := indexer.Query{Area: &yes, Topics: []string{"border"}}
	var rows []ExportRow
	if err := x.Each(context.Background(), q, func(d indexer.Doc) error { rows = append(rows, RowOf(d)); return nil }); err != nil {
		t.Fatal(err)
	}
	res, err := x.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != int(res.Total) || len(rows) <= 100 {
		t.Fatalf("export has %d rows, search total %d (want more than one page)", len(rows), res.Total)
	}
	rows[0].Title = `Biên giới "Bát Mọt", Sầm Tớ`
	undated := RowOf(indexer.Doc{Article: article.Article{Published: rows[1].Published, PublishedFrom: article.DateFetched}})
	rows[1].PublishedFrom = undated.PublishedFrom // a page without a date: the time it was found
	var c bytes.Buffer
	if err := WriteExport(&c, "csv", rows, ict); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(c.Bytes(), []byte("\xEF\xBB\xBF")) {
		t.Error("CSV lacks the UTF-8 byte-order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(c.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(rows)+1 || recs[1][2] != rows[0].Title || recs[1][0] != rows[0].Published.In(ict).Format("2006-01-02 15:04") {
		t.Errorf("CSV rows %d, first %q", len(recs), recs[1])
	}
	if want := rows[1].Published.In(ict).Format("2006-01-02 15:04") + " (ngày phát hiện)"; recs[2][0] != want {
		t.Errorf("CSV date of an undated page %q, want %q", recs[2][0], want)
	}
	var xb bytes.Buffer
	if err := WriteExport(&xb, "xlsx", rows, ict); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("Kết quả")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows)+1 || got[0][0] != ExportHeader[0] || got[1][2] != rows[0].Title || got[1][4] == "" {
		t.Errorf("XLSX rows %d, first %q", len(got), got[1])
	}
	if err := WriteExport(&xb, "doc", rows, time.UTC); err == nil {
		t.Error("unknown format accepted")
	}
}
