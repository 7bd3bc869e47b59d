package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/rules"
)

// TestReportAndExportCommands indexes real texts through the rule set (the
// classifier the index role uses, with communes) into DATA/index, then runs
// `report` and `search --format`.
func TestReportAndExportCommands(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	rl, err := rules.NewReloader(rules.ReloaderConfig{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := indexer.Open(indexer.Config{Dir: filepath.Join(data, "index")}, node.Classifier{Rules: rl}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ict := time.FixedZone("ICT", 7*3600)
	var batch []indexer.ArticleAt
	for i := range 150 {
		body := "Đồn Biên phòng Bát Mọt tuần tra bảo vệ biên giới, cột mốc tại xã Bát Mọt, tỉnh Thanh Hóa."
		if i%3 == 0 {
			body = "Nhân dân xã Xuân Cao, huyện Thường Xuân, Thanh Hóa đón nhận bằng công nhận."
		}
		a := article.Article{V: 1, ID: fmt.Sprintf("c%03d", i), URL: fmt.Sprintf("https://baothanhhoa.vn/c%03d.htm", i), Source: "baothanhhoa",
			SourceKind: article.KindPress, Title: fmt.Sprintf("Tin số %d về Thường Xuân", i), Body: body, Revision: 1,
			Published: time.Date(2026, time.Month(1+i%12), 1+i%27, 9, 0, 0, 0, ict)}
		batch = append(batch, indexer.ArticleAt{Article: a, Seq: uint64(i + 1)})
	}
	if err := idx.Index(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DIEMBAO_HTTP_BASE_URL": "http://" + l.Addr().String()}
	l.Close()
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := realMain(ctx, append(args, "--data", data), strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
		return code, out.String(), errb.String()
	}
	dir := t.TempDir()
	xl := filepath.Join(dir, "bc.xlsx")
	if code, out, errs := run("report", "--year", "2026", "--out", xl); code != 0 || !strings.Contains(out, xl) {
		t.Fatalf("report: %d %s %s", code, out, errs)
	}
	f, err := excelize.OpenFile(xl)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Xã")
	found := map[string]string{}
	for _, r := range rows[1:] {
		found[r[0]] = r[2]
	}
	if found["bat-mot"] != "100" || found["luan-thanh"] != "50" {
		t.Errorf("communes sheet %v: want bat-mot 100 and luan-thanh 50 (Xuân Cao is now Luận Thành)", rows)
	}
	if v, _ := f.GetCellValue("Tổng hợp", "B3"); v != "150" {
		t.Errorf("total %q, want 150", v)
	}
	for _, ext := range []string{".pdf", ".docx"} {
		p := filepath.Join(dir, "bc"+ext)
		if code, _, errs := run("report", "--from", "2026-03-01", "--to", "2026-05-31", "--out", p); code != 0 {
			t.Fatalf("report %s: %s", ext, errs)
		}
		if st, err := os.Stat(p); err != nil || st.Size() < 2000 {
			t.Errorf("%s: %v", p, err)
		}
	}
	if code, _, _ := run("report", "--year", "2026", "--out", filepath.Join(dir, "x.txt")); code != cli.ExitUsage {
		t.Errorf("report to .txt: exit %d, want %d", code, cli.ExitUsage)
	}

	csvPath := filepath.Join(dir, "kq.csv")
	code, _, errs := run("search", "--format", "csv", "--out", csvPath, "--topic", "border", "biên giới")
	if code != 0 {
		t.Fatalf("search export: %s", errs)
	}
	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 101 || !strings.Contains(recs[1][5], "bat-mot") || recs[1][1] != "baothanhhoa" {
		t.Errorf("CSV has %d rows (want 100 hits + header, more than one page), first %q", len(recs), recs[min(1, len(recs)-1)])
	}
}

// TestReportBadFlags: the caller's mistakes exit 2 with one line naming the
// flag, before anything is opened.
func TestReportBadFlags(t *testing.T) {
	data := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--year", "2026", "--from", "2026-01-01", "--to", "2026-02-01", "--out", "a.pdf"}, "not both"},
		{[]string{"--year", "26", "--out", "a.pdf"}, `--year "26": want a year like 2026`},
		{[]string{"--from", "2026-01-01", "--out", "a.pdf"}, "give --year YYYY or both --from and --to"},
		{[]string{"--from", "2026-02-01", "--to", "2026-01-01", "--out", "a.pdf"}, "--to is before --from"},
		{[]string{"--year", "2026"}, "--out FILE ending .pdf, .docx or .xlsx is required"},
		{[]string{"--year", "2026", "--out", "a.pdf", "extra"}, `unexpected argument "extra"`},
		{[]string{"--year", "2026", "--colour", "red"}, "colour"},
	} {
		var out, errb bytes.Buffer
		code := realMain(context.Background(), append([]string{"--data", data, "report"}, tt.args...), strings.NewReader(""), &out, &errb,
			func(string) string { return "" })
		if code != cli.ExitUsage || !strings.HasPrefix(errb.String(), "diembao: report: ") || !strings.Contains(errb.String(), tt.want) ||
			strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tt.args, code, errb.String(), tt.want)
		}
	}
}
