package report

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/officedoc"
)

var ict = time.FixedZone("ICT", 7*3600)

type tagger map[string]indexer.Tags

func (t tagger) Classify(a article.Article) ([]string, bool) { return t[a.ID].Topics, t[a.ID].Area }
func (t tagger) Tags(a article.Article) indexer.Tags         { return t[a.ID] }

type alertList []alerts.Record

func (l alertList) Alerts(context.Context, time.Time, time.Time) ([]alerts.Record, error) {
	return l, nil
}

// genIndex indexes n generated articles of 2026 and returns the index.
func genIndex(t *testing.T, n int) *indexer.Index {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 9))
	tags := tagger{}
	var batch []indexer.ArticleAt
	topics := []string{"border", "laos", "ethnic", "disinfo"}
	communes := [][2]string{{"bat-mot", "bat-mot"}, {"luan-thanh", "xuan-cao"}, {"tan-thanh", "tan-thanh"}}
	for i := range n {
		id := fmt.Sprintf("r%05d", i)
		a := article.Article{V: 1, ID: id, URL: "https://example.vn/" + id, Source: []string{"baothanhhoa", "vnexpress", "dantri"}[r.IntN(3)],
			SourceKind: article.KindPress, Title: "Tin " + id, Body: "Nội dung " + id, Revision: 1,
			Published: time.Date(2026, 1, 1, 0, 0, 0, 0, ict).Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))}
		tg := indexer.Tags{Area: r.IntN(5) != 0, Severity: []string{"", "high", "low"}[r.IntN(3)]}
		for _, tp := range topics {
			if r.IntN(3) == 0 {
				tg.Topics = append(tg.Topics, tp)
			}
		}
		if tg.Area {
			c := communes[r.IntN(len(communes))]
			tg.Communes, tg.Places = []string{c[0]}, []string{c[1]}
		}
		tags[id] = tg
		batch = append(batch, indexer.ArticleAt{Article: a, Seq: uint64(i + 1)})
	}
	x, err := indexer.Open(indexer.Config{}, tags, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	if err := x.Index(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	return x
}

var gazetteer = []Place{
	{ID: "bat-mot", Name: "Bát Mọt", Communes: []string{"bat-mot"}, Current: true},
	{ID: "luan-thanh", Name: "Luận Thành", Communes: []string{"luan-thanh"}, Current: true},
	{ID: "tan-thanh", Name: "Tân Thành", Communes: []string{"tan-thanh"}, Current: true},
	{ID: "xuan-cao", Name: "Xuân Cao", Communes: []string{"luan-thanh"}},
}

func sampleReport(t *testing.T, x *indexer.Index) Report {
	t.Helper()
	recv := time.Date(2026, 3, 2, 8, 0, 0, 0, ict)
	recs := alertList{
		{Alert: article.Alert{ID: "a1", ArticleID: "x1", Title: "Bắt giữ đối tượng vận chuyển ma túy qua biên giới Bát Mọt", Snippet: "Đồn Biên phòng Bát Mọt phối hợp bắt giữ đối tượng vận chuyển trái phép chất ma túy qua biên giới", Source: "baothanhhoa", Severity: "high", Topics: []string{"border"}},
			Audiences: []string{"office", "police"}, Received: recv, Acked: true, AckedAt: recv.Add(30 * time.Minute)},
		{Alert: article.Alert{ID: "a2", ArticleID: "x2", Title: "Bắt giữ đối tượng vận chuyển ma túy qua biên giới Bát Mọt", Snippet: "Đồn Biên phòng Bát Mọt phối hợp bắt giữ đối tượng vận chuyển trái phép chất ma túy qua biên giới", Source: "vnexpress", Severity: "critical", Topics: []string{"border"}},
			Audiences: []string{"office"}, Received: recv.Add(time.Hour), Acked: true, AckedAt: recv.Add(4 * time.Hour)},
		{Alert: article.Alert{ID: "a3", ArticleID: "x3", Title: "Lễ hội ở Sầm Tớ", Source: "dantri", Severity: "low", Topics: []string{"laos"}},
			Audiences: []string{"office"}, Received: recv.Add(2 * time.Hour)},
	}
	r, err := Build(context.Background(), Deps{Counter: x, Alerts: recs, Gazetteer: gazetteer,
		AudienceNames: map[string]string{"police": "Công an xã"},
		TopicNames:    map[string]string{"border": "Biên giới", "laos": "Lào – Sầm Tớ", "ethnic": "Dân tộc", "disinfo": "Thông tin sai sự thật"}}, Year(2026, ict))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReportReconcilesWithSearch(t *testing.T) {
	x := genIndex(t, 2500)
	r := sampleReport(t, x)
	ctx := context.Background()
	yes := true
	if len(r.Months) != 12 || len(r.MonthRows) != 12 {
		t.Fatalf("months %v", r.Months)
	}
	nonzero := 0
	for i, m := range r.Months {
		start, _ := time.ParseInLocation("2006-01", m, ict)
		for ti, tp := range r.Topics {
			res, err := x.Search(ctx, indexer.Query{Topics: []string{tp.ID}, Area: &yes, From: start, To: start.AddDate(0, 1, -1), Size: 1})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.MonthRows[i][ti+1]; got != int(res.Total) {
				t.Errorf("%s %s: report %d, search total %d", m, tp.ID, got, res.Total)
			} else if got > 0 {
				nonzero++
			}
		}
	}
	if nonzero < 30 {
		t.Errorf("only %d non-empty cells compared", nonzero)
	}
	res, err := x.Search(ctx, indexer.Query{Area: &yes, From: r.Params.From, To: r.Params.To, Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != int(res.Total) || r.Total == 0 {
		t.Errorf("report total %d, search total %d", r.Total, res.Total)
	}
	if r.Alerts.Total != 3 || r.Alerts.Acked != 2 || r.Alerts.MedianAck != 30*time.Minute || r.Alerts.P90Ack != 3*time.Hour {
		t.Errorf("alerts %+v", r.Alerts)
	}
	wantAud := []Row{{ID: "office", Label: "office", N: 3}, {ID: "police", Label: "Công an xã", N: 1}}
	if !slices.Equal(r.Alerts.ByAudience, wantAud) {
		t.Errorf("alerts by audience %+v, want %+v (named where a name is configured)", r.Alerts.ByAudience, wantAud)
	}
	if len(r.Stories) == 0 || r.Stories[0].Outlets != 2 {
		t.Errorf("stories most carried %+v, want the Bát Mọt story carried by 2", r.Stories)
	}
	var lt *Row
	for i := range r.Communes {
		if r.Communes[i].ID == "luan-thanh" {
			lt = &r.Communes[i]
		}
	}
	if lt == nil || !strings.Contains(lt.Note, "Xuân Cao") {
		t.Errorf("communes %+v: Luận Thành should name its old commune Xuân Cao", r.Communes)
	}
}

func issuer() officedoc.Issuer {
	return officedoc.Issuer{Name: "ỦY BAN NHÂN DÂN XÃ THƯỜNG XUÂN", Abbrev: "UBND", Place: "Thường Xuân", SignerTitle: "CHỦ TỊCH", Recipients: []string{"Sở Văn hóa, Thể thao và Du lịch"}}
}

func TestReportFiles(t *testing.T) {
	x := genIndex(t, 800)
	r := sampleReport(t, x)
	date := time.Date(2026, 12, 5, 0, 0, 0, 0, ict)
	wants := []string{"BÁO CÁO", "Kết quả theo dõi thông tin báo chí năm 2026", "Tháng 3/2026", "Biên giới", "Lào – Sầm Tớ", "Luận Thành", "Nơi nhận:", "Hệ thống đã phát 3 cảnh báo"}
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }

	svg, err := Chart(r, ChartMonths, "svg")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("Số bài theo tháng")) {
		t.Error("months chart SVG lacks its Vietnamese title")
	}

	var pdf bytes.Buffer
	if err := WritePDF(&pdf, r, issuer(), date); err != nil {
		t.Fatal(err)
	}
	if bin, err := exec.LookPath("pdftotext"); err == nil {
		f := filepath.Join(t.TempDir(), "r.pdf")
		if err := os.WriteFile(f, pdf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, f, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range wants {
			if !strings.Contains(flat(string(out)), w) {
				t.Errorf("PDF lacks %q", w)
			}
		}
	} else {
		t.Log("pdftotext not installed: PDF text not checked")
	}

	var docx bytes.Buffer
	if err := WriteDOCX(&docx, r, issuer(), date); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(docx.Bytes()), int64(docx.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var doc string
	images := 0
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "word/media/") {
			images++
		}
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			doc = string(b)
		}
	}
	if images != 2 {
		t.Errorf("DOCX holds %d charts, want 2", images)
	}
	text := flat(strings.NewReplacer("<", " <", ">", "> ").Replace(doc))
	for _, w := range []string{"BÁO CÁO", "Tháng 3/2026", "Luận Thành", "Nơi nhận:"} {
		if !strings.Contains(text, w) {
			t.Errorf("DOCX lacks %q", w)
		}
	}

	var xb bytes.Buffer
	if err := WriteXLSX(&xb, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Theo tháng")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 13 || rows[0][0] != "Tháng" || rows[3][0] != "2026-03" || rows[3][1] != fmt.Sprint(r.MonthRows[2][0]) {
		t.Errorf("sheet Theo tháng = %v", rows[:min(len(rows), 4)])
	}
	if v, _ := f.GetCellValue("Tổng hợp", "B3"); v != fmt.Sprint(r.Total) {
		t.Errorf("Tổng hợp!B3 = %q, want %d", v, r.Total)
	}
	if v, _ := f.GetCellValue("Chủ đề", "B1"); v != "Chủ đề" {
		t.Errorf("Chủ đề!B1 = %q", v)
	}
}
