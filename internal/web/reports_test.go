package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/officedoc"
	"github.com/diembao/diembao/internal/report"
)

type tagMap map[string]indexer.Tags

func (m tagMap) Classify(a article.Article) ([]string, bool) { return m[a.ID].Topics, m[a.ID].Area }
func (m tagMap) Tags(a article.Article) indexer.Tags         { return m[a.ID] }

// testReports is web.Reports over a real index, as cmd wires it.
type testReports struct{ idx *indexer.Index }

func (r testReports) Report(ctx context.Context, p report.Params) (report.Report, error) {
	return report.Build(ctx, report.Deps{Counter: r.idx, TopicNames: topicNames}, p)
}

func (r testReports) Render(rep report.Report, format string) ([]byte, error) {
	var b bytes.Buffer
	is := officedoc.Issuer{Name: "ỦY BAN NHÂN DÂN XÃ THƯỜNG XUÂN", Abbrev: "UBND", Place: "Thường Xuân"}
	var err error
	switch format {
	case "pdf":
		err = report.WritePDF(&b, rep, is, time.Date(2026, 12, 5, 0, 0, 0, 0, hcm))
	case "docx":
		err = report.WriteDOCX(&b, rep, is, time.Date(2026, 12, 5, 0, 0, 0, 0, hcm))
	case "xlsx":
		err = report.WriteXLSX(&b, rep)
	}
	return b.Bytes(), err
}

// reportsEnv is a server whose Reports page and search export run on a real
// in-memory index of 240 articles (two a month per topic pair).
func reportsEnv(t *testing.T) *testEnv {
	t.Helper()
	tags := tagMap{}
	var batch []indexer.ArticleAt
	for i := range 240 {
		id := fmt.Sprintf("w%03d", i)
		a := article.Article{V: 1, ID: id, URL: "https://baothanhhoa.vn/" + id, Source: []string{"baothanhhoa", "vnexpress"}[i%2],
			SourceKind: article.KindPress, Title: "Tuần tra biên giới " + id, Body: "biên giới Bát Mọt", Revision: 1,
			Published: time.Date(2026, time.Month(1+i%12), 1+i%28, 9, 0, 0, 0, hcm)}
		tags[id] = indexer.Tags{Area: true, Topics: [][]string{{"border"}, {"border", "laos"}, {"ethnic"}}[i%3], Communes: []string{"bat-mot"}}
		batch = append(batch, indexer.ArticleAt{Article: a, Seq: uint64(i + 1)})
	}
	idx, err := indexer.Open(indexer.Config{}, tags, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	if err := idx.Index(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	acc := NewAccounts(kv.NewMemory())
	acc.cost = bcrypt.MinCost
	srv, err := New(Config{}, Deps{Accounts: acc, Searcher: idx, Reports: testReports{idx}, Exporter: idx}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, srv: srv, accounts: acc, pw: map[string]string{"an": GeneratePassword()}}
	if err := acc.Add(context.Background(), "an", RoleAnalyst, e.pw["an"]); err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

func fetchAll(t *testing.T, c *http.Client, u string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestReportsPageAndExports(t *testing.T) {
	e := reportsEnv(t)
	c := e.login("an")
	code, _, page := fetchAll(t, c, e.ts.URL+"/reports?year=2026")
	if code != 200 || !bytes.Contains(page, []byte(`/reports/chart/months.svg?year=2026`)) || !bytes.Contains(page, []byte("Kết quả theo dõi thông tin báo chí năm 2026")) {
		t.Fatalf("reports page %d: %s", code, page)
	}
	code, h, svg := fetchAll(t, c, e.ts.URL+"/reports/chart/months.svg?year=2026")
	if code != 200 || h.Get("Content-Type") != "image/svg+xml" || !bytes.Contains(svg, []byte("<svg")) {
		t.Errorf("chart: %d %s", code, h.Get("Content-Type"))
	}
	code, _, xl := fetchAll(t, c, e.ts.URL+"/reports/file/xlsx?year=2026&topic=laos")
	f, err := excelize.OpenReader(bytes.NewReader(xl))
	if code != 200 || err != nil {
		t.Fatalf("xlsx: %d %v", code, err)
	}
	if v, _ := f.GetCellValue("Tổng hợp", "B3"); v != "80" {
		t.Errorf("laos total %q, want 80", v)
	}
	f.Close()
	if code, _, _ := fetchAll(t, c, e.ts.URL+"/reports?from=2026-05-01&to=2026-04-01"); code != 400 {
		t.Errorf("reversed dates: %d", code)
	}
	// A period longer than a report may cover is the user's to fix: 400
	// saying so, not 500 with the builder's English error.
	if code, _, b := fetchAll(t, c, e.ts.URL+"/reports?from=1900-01-01&to=2099-12-31"); code != 400 || !bytes.Contains(b, []byte("3 năm")) {
		t.Errorf("two centuries: %d", code)
	}
	if code, _, _ := fetchAll(t, c, e.ts.URL+"/reports/file/pdf?from=1900-01-01&to=2099-12-31"); code != 400 {
		t.Errorf("two centuries as a file: %d", code)
	}
	code, h, csvb := fetchAll(t, c, e.ts.URL+"/search/export?format=csv&topic=border&q=bi%C3%AAn+gi%E1%BB%9Bi")
	if code != 200 || !bytes.HasPrefix(csvb, []byte("\xEF\xBB\xBF")) || strings.Count(string(csvb), "\r\n") != 161 {
		t.Errorf("csv export %d %s: %d lines, want 160 hits + header", code, h.Get("Content-Type"), strings.Count(string(csvb), "\r\n"))
	}
	code, _, search := fetchAll(t, c, e.ts.URL+"/?q=bi%C3%AAn+gi%E1%BB%9Bi&topic=border")
	if code != 200 || !bytes.Contains(search, []byte(`/search/export?format=xlsx&amp;q=bi%C3%AAn&#43;gi%E1%BB%9Bi&amp;topic=border`)) && !bytes.Contains(search, []byte(`id="export-xlsx"`)) {
		t.Errorf("search page lacks the export link")
	}
}

func TestBrowserReportsPage(t *testing.T) {
	e := reportsEnv(t)
	ctx := browser(t, nil)
	do(t, ctx, browserLogin(e, "an"),
		chromedp.Navigate(e.ts.URL+"/reports"),
		chromedp.WaitVisible(chromedp.ID("year")),
		chromedp.SendKeys(chromedp.ID("year"), "2026"),
		chromedp.Click(chromedp.ID("make-report")),
		chromedp.WaitVisible(chromedp.ID("chart-months")),
	)
	run(t, ctx, chromedp.Poll[bool](`document.getElementById("chart-months").complete && document.getElementById("chart-sources").complete`))
	do(t, ctx, screenshot(t, "10-reports"))
	widths := run(t, ctx, chromedp.Evaluate[[]int](`[...document.querySelectorAll("img.chart")].map(i => i.naturalWidth)`))
	if len(widths) != 2 || widths[0] == 0 || widths[1] == 0 {
		t.Errorf("charts not drawn: natural widths %v", widths)
	}
	for _, id := range []string{"dl-pdf", "dl-docx", "dl-xlsx"} {
		got := run(t, ctx, chromedp.Evaluate[[]string](fmt.Sprintf(`fetch(document.getElementById(%q).href).then(async r => [String(r.status), r.headers.get("Content-Disposition") || "", String((await r.arrayBuffer()).byteLength)])`, id), chromedp.EvalAwaitPromise))
		if len(got) != 3 || got[0] != "200" || !strings.Contains(got[1], "attachment") || got[2] == "0" {
			t.Errorf("%s download: %v", id, got)
		}
	}
}

// topicReports records the topics reports were asked for and makes an
// empty report (which the page may fail to draw: only the topics asked
// for are checked).
type topicReports struct {
	mu     sync.Mutex
	topics []string
}

func (r *topicReports) Report(_ context.Context, p report.Params) (report.Report, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.topics = append(r.topics, p.Topic)
	return report.Report{Params: p}, nil
}

func (r *topicReports) Render(report.Report, string) ([]byte, error) { return []byte("x"), nil }

// TestReportOnHiddenTopicRefused: a topic that only police-only rules give
// cannot be reported on by an analyst (the page, its charts and files),
// as it cannot be searched or exported; the police can.
func TestReportOnHiddenTopicRefused(t *testing.T) {
	rep := &topicReports{}
	e := newEnv(t, Config{}, func(d *Deps) { d.Rules = restrictedRules{}; d.Reports = rep })
	an, police := e.login("an"), e.login("congan")
	for _, p := range []string{"/reports?year=2026&topic=laos", "/reports/chart/months.svg?year=2026&topic=laos", "/reports/file/xlsx?year=2026&topic=laos"} {
		if resp, _ := get(t, an, e.ts.URL+p); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("analyst %s: %d, want 400", p, resp.StatusCode)
		}
	}
	if resp, _ := get(t, an, e.ts.URL+"/reports?year=2026&topic=border"); resp.StatusCode == http.StatusBadRequest {
		t.Errorf("analyst report on an open topic: %d", resp.StatusCode)
	}
	get(t, police, e.ts.URL+"/reports?year=2026&topic=laos")
	rep.mu.Lock()
	defer rep.mu.Unlock()
	if !slices.Equal(rep.topics, []string{"border", "laos"}) {
		t.Errorf("reports made for topics %v, want border (analyst) and laos (police)", rep.topics)
	}
}
