package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/alerts/digest"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/bus/bustest"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/internal/webdata"
)

var digestICT = time.FixedZone("ICT", 7*3600)

const digestBody = "Sáng 18/11, Đồn Biên phòng Bát Mọt phối hợp với lực lượng chức năng huyện Sầm Tớ, tỉnh Hủa Phăn (Lào) " +
	"tổ chức tuần tra song phương trên tuyến biên giới, kiểm tra hệ thống mốc quốc giới và tuyên truyền cho bà con " +
	"hai bên biên giới về quy chế quản lý biên giới."

// Titles the digest of 2026-W47 must carry exactly.
const (
	titleBorder   = "Tuần tra song phương biên giới Việt – Lào"
	titleEthnic   = "Lễ hội Mường xã Vạn Xuân thu hút du khách"
	titleReligion = "Giáo xứ Thường Xuân khánh thành nhà thờ mới"
	titleUnsafe   = "<script>alert(1)</script>Đồng bào Mông ở Bát Mọt"
)

// digestWeek is a week of sample articles (2026-W47: 16–22 November) with a
// reprint, an irrelevant article and neighbours just outside the week, the
// topics the classifier gives them, and the week's alert records.
func digestWeek() ([]article.Article, map[string][]string, []alerts.Record) {
	d := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, digestICT) }
	art := func(id, src, title, lead, body string, pub time.Time) article.Article {
		return article.Article{V: 1, ID: id, URL: "https://" + src + ".example.vn/" + id + ".htm", Source: src, Title: title,
			Lead: lead, Body: body, Published: pub, Revision: 1}
	}
	arts := []article.Article{
		art("a1", "baothanhhoa", titleBorder, "Lực lượng hai bên <b>tuần tra</b> song phương.", digestBody, d(18, 9, 0)),
		art("a2", "vnexpress", "Tuần tra song phương trên biên giới Việt - Lào", "Tin đăng lại.", digestBody+" Bài viết được đăng lại.", d(18, 14, 0)),
		art("a3", "thuongxuan", titleEthnic, "Đồng bào dân tộc Thái, Mường.",
			"Lễ hội truyền thống của đồng bào dân tộc Mường ở xã Vạn Xuân diễn ra trong ba ngày với nhiều hoạt động văn hóa, thể thao và ẩm thực đặc sắc.", d(20, 8, 0)),
		art("a4", "baothanhhoa", titleReligion, "",
			"Giáo xứ tổ chức lễ khánh thành nhà thờ mới với sự tham dự của đông đảo giáo dân và chính quyền địa phương.", d(21, 10, 0)),
		art("a5", "dantri", titleUnsafe, `Lead with "quotes" & <img src=x onerror=alert(2)>`,
			"Bà con dân tộc Mông ở xã Bát Mọt chuyển đổi cơ cấu cây trồng, nâng cao thu nhập và ổn định cuộc sống lâu dài.", d(22, 23, 59)),
		art("x1", "vnexpress", "Giá vàng hôm nay", "Không liên quan.", "Giá vàng trong nước tăng nhẹ.", d(19, 8, 0)),
		art("x2", "baothanhhoa", "Tuần trước: biên giới", "", "Bài của tuần trước về biên giới.", d(15, 23, 30)),
		art("x3", "baothanhhoa", "Tuần sau: biên giới", "", "Bài của tuần sau về biên giới.", d(23, 0, 0)),
	}
	arts[4].URL = "javascript:alert(3)"
	topics := map[string][]string{"a1": {"laos", "border"}, "a2": {"border"}, "a3": {"ethnic"}, "a4": {"religion"}, "a5": {"ethnic"},
		"x2": {"border"}, "x3": {"border"}}
	recs := []alerts.Record{
		{Alert: article.Alert{ID: "al1", ArticleID: "a1", Title: titleBorder, Source: "baothanhhoa", Severity: "high", Topics: []string{"border"},
			Matches: []article.Match{{Rule: "border.core", Topic: "border", Terms: []article.Term{{Text: "biên giới"}, {Text: "Sầm Tớ"}}}}},
			Audiences: []string{"office", "police"}, Received: d(18, 9, 1), Acked: true, AckedBy: "lan"},
		{Alert: article.Alert{ID: "al2", ArticleID: "a5", Title: "Cảnh báo chỉ dành cho công an", Source: "dantri", Severity: "critical", Topics: []string{"disinfo"}},
			Audiences: []string{"police"}, Received: d(22, 23, 59)},
		{Alert: article.Alert{ID: "al0", ArticleID: "x2", Title: "Cảnh báo tuần trước", Source: "baothanhhoa", Severity: "low"},
			Audiences: []string{"office"}, Received: d(15, 23, 31)},
	}
	return arts, topics, recs
}

func digestLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// fillDigestArchive indexes the sample week into idx and writes the alert
// records into the "alerts" bucket.
func fillDigestArchive(t *testing.T, idx *indexer.Index, alertKV kv.Store) {
	t.Helper()
	ctx := context.Background()
	arts, _, recs := digestWeek()
	var batch []indexer.ArticleAt
	for i, a := range arts {
		batch = append(batch, indexer.ArticleAt{Article: a, Seq: uint64(i + 1)})
	}
	if err := idx.Index(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		data, _ := json.Marshal(r)
		if _, err := alertKV.Put(ctx, "alert."+r.Alert.ID, data); err != nil {
			t.Fatal(err)
		}
	}
}

func digestClassifier() indexer.Classifier {
	_, topics, _ := digestWeek()
	return indexer.ClassifierFunc(func(a article.Article) ([]string, bool) {
		return topics[a.ID], len(topics[a.ID]) > 0
	})
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (Debian poppler-utils) not installed")
	}
	p := filepath.Join(t.TempDir(), "d.pdf")
	if err := os.WriteFile(p, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", "-raw", p, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestDigestArchiveGroupsTheWeek(t *testing.T) {
	ctx := context.Background()
	idx, err := indexer.Open(indexer.Config{}, digestClassifier(), digestLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	alertKV := kv.NewMemory()
	fillDigestArchive(t, idx, alertKV)
	cfg := config.Default()
	b, _, err := node.DigestScheduler(cfg, node.DigestDeps{Index: idx, Alerts: alertKV, Digests: kv.NewMemory(),
		Outbox: alerts.OutboxFunc(func(context.Context, alerts.Mail) error { return nil })}, digestLogger())
	if err != nil {
		t.Fatal(err)
	}
	d, err := b.Build(ctx, "2026-W47")
	if err != nil {
		t.Fatal(err)
	}
	if d.Articles != 5 || d.Stories != 4 {
		t.Fatalf("articles %d stories %d, want 5 and 4 (a1..a5, a2 a reprint of a1)", d.Articles, d.Stories)
	}
	var groups []string
	for _, g := range d.Topics {
		var ids []string
		for _, day := range g.Days {
			for _, s := range day.Stories {
				id := s.ID
				for _, r := range s.AlsoCarried {
					id += "+" + r.ID
				}
				ids = append(ids, id)
			}
		}
		groups = append(groups, g.Topic+":"+strings.Join(ids, ","))
	}
	if got, want := strings.Join(groups, " "), "border:a1+a2 ethnic:a3,a5 religion:a4"; got != want { // a1 is laos too: listed once
		t.Errorf("groups = %s, want %s", got, want)
	}
	if s := d.Topics[0].Days[0].Stories[0]; strings.Join(s.Terms, "|") != "biên giới|sầm tớ" || s.Lead == "" {
		t.Errorf("story a1: terms %q lead %q", s.Terms, s.Lead)
	}
	if len(d.Alerts) != 2 || d.Alerts[0].ID != "al1" || !d.Alerts[0].Acked {
		t.Errorf("alerts = %+v", d.Alerts)
	}

	// Crawled text is escaped in the HTML digest; police-only alerts stay
	// out of the office's mail and of the archive copy.
	html, err := digest.HTML(digest.Public(d, node.SensitiveAudiences(cfg)), cfg.Location())
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>", "<b>tuần", "<img", "javascript:", `"quotes"`, "Cảnh báo chỉ dành cho công an"} {
		if strings.Contains(html, bad) {
			t.Errorf("html digest contains %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;Đồng bào Mông ở Bát Mọt", "&lt;img src=x onerror=alert(2)&gt;",
		titleBorder, "cũng đăng trên 1 báo khác: vnexpress", "Từ khóa: biên giới, sầm tớ"} {
		if !strings.Contains(html, want) {
			t.Errorf("html digest lacks %q", want)
		}
	}
	police, _ := digest.HTML(digest.ForAudience(d, "police"), cfg.Location())
	if !strings.Contains(police, "Cảnh báo chỉ dành cho công an") {
		t.Error("the police digest lacks its own alert")
	}

	// The same archive gives the same bytes.
	d2, err := b.Build(ctx, "2026-W47")
	if err != nil {
		t.Fatal(err)
	}
	html2, _ := digest.HTML(digest.Public(d2, node.SensitiveAudiences(cfg)), cfg.Location())
	pdf1, err := digest.PDF(d, cfg.Location())
	if err != nil {
		t.Fatal(err)
	}
	pdf2, _ := digest.PDF(d2, cfg.Location())
	if html != html2 || !bytes.Equal(pdf1, pdf2) {
		t.Error("the same week built twice differs")
	}
	text := pdfText(t, pdf1)
	for _, want := range []string{"BẢN TIN ĐIỂM BÁO TUẦN 47", titleBorder, titleEthnic, titleReligion, "Đồng bào Mông ở Bát Mọt"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdf text lacks %q:\n%s", want, text)
		}
	}
}

// outboxMails reads the OUTBOX work queue without consuming it.
func outboxMails(t *testing.T, b *bus.Bus) []alerts.Mail {
	t.Helper()
	ctx := context.Background()
	st, err := b.JetStream().Stream(ctx, bus.StreamOutbox)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []alerts.Mail
	for seq := info.State.FirstSeq; seq > 0 && seq <= info.State.LastSeq; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			continue
		}
		var mail alerts.Mail
		if err := json.Unmarshal(m.Data, &mail); err != nil {
			t.Fatal(err)
		}
		out = append(out, mail)
	}
	return out
}

func TestDigestSchedulerSendsThroughTheOutbox(t *testing.T) {
	ctx := context.Background()
	b := bustest.Open(t, t.TempDir())
	defer b.Close()
	idx, err := indexer.Open(indexer.Config{}, digestClassifier(), digestLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	alertKV, err := b.KV(ctx, node.BucketAlerts)
	if err != nil {
		t.Fatal(err)
	}
	digests, err := b.KV(ctx, node.BucketDigests)
	if err != nil {
		t.Fatal(err)
	}
	fillDigestArchive(t, idx, alertKV)
	now := time.Date(2026, 11, 23, 7, 0, 30, 0, digestICT) // Monday 07:00
	deps := node.DigestDeps{Index: idx, Alerts: alertKV, Digests: digests, Outbox: node.Outbox(b), Now: func() time.Time { return now }}
	_, s, err := node.DigestScheduler(config.Default(), deps, digestLogger())
	if err != nil {
		t.Fatal(err)
	}
	if w, err := s.Tick(ctx); err != nil || w != "2026-W47" {
		t.Fatalf("tick = %q, %v", w, err)
	}
	now = now.Add(3 * 24 * time.Hour) // a restart later in the week
	_, s2, _ := node.DigestScheduler(config.Default(), deps, digestLogger())
	if w, err := s2.Tick(ctx); err != nil || w != "" {
		t.Fatalf("second tick = %q, %v: sent twice", w, err)
	}
	mails := outboxMails(t, b)
	if len(mails) != 2 {
		t.Fatalf("%d mails on the OUTBOX, want 2 (office, police)", len(mails))
	}
	for _, m := range mails {
		police := strings.Contains(m.HTML, "Cảnh báo chỉ dành cho công an")
		if m.Kind != "digest" || len(m.Attachments) != 1 || m.Attachments[0].ContentType != "application/pdf" ||
			police != (m.Audience == "police") || m.MessageID == "" {
			t.Errorf("mail %s to %s: kind %q, %d attachments, police alert shown %v", m.ID, m.Audience, m.Kind, len(m.Attachments), police)
		}
	}
	// The UI archive lists it.
	infos, err := webdata.DigestsFrom(digest.Shelf{St: digests}).List(ctx)
	if err != nil || len(infos) != 1 || infos[0].ID != "2026-W47" || infos[0].Articles != 5 {
		t.Fatalf("archive = %+v, %v", infos, err)
	}
	html, err := webdata.DigestsFrom(digest.Shelf{St: digests}).Get(ctx, "2026-W47")
	if err != nil || !strings.Contains(string(html), titleBorder) || strings.Contains(string(html), "Cảnh báo chỉ dành cho công an") {
		t.Errorf("archived html: %v", err)
	}
}

func runDigestCmd(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := realMain(context.Background(), append([]string{"digest"}, args...), strings.NewReader(""), &out, &errb,
		func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func TestDigestCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	idx, err := indexer.Open(indexer.Config{Dir: filepath.Join(data, "index")}, digestClassifier(), digestLogger())
	if err != nil {
		t.Fatal(err)
	}
	b := bustest.Open(t, filepath.Join(data, "nats"))
	alertKV, err := b.KV(ctx, node.BucketAlerts)
	if err != nil {
		t.Fatal(err)
	}
	fillDigestArchive(t, idx, alertKV)
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	b.Close()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DIEMBAO_HTTP_BASE_URL": "http://" + l.Addr().String()} // nothing answers there
	l.Close()
	dir := t.TempDir()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, name := range []string{"a.html", "b.html", "a.pdf", "b.pdf"} {
		if code, _, errs := runDigestCmd(t, env, "--data", data, "--week", "2026-W47", "--out", filepath.Join(dir, name)); code != 0 {
			t.Fatalf("digest --out %s: code %d: %s", name, code, errs)
		}
	}
	if !bytes.Equal(read("a.html"), read("b.html")) || !bytes.Equal(read("a.pdf"), read("b.pdf")) {
		t.Error("digest of one week regenerated differently")
	}
	if h := string(read("a.html")); !strings.Contains(h, titleEthnic) || strings.Contains(h, "<script>") {
		t.Error("html digest lacks a title or is not escaped")
	}
	text := pdfText(t, read("a.pdf"))
	for _, want := range []string{titleBorder, titleEthnic, titleReligion, "ỦY BAN NHÂN DÂN XÃ THƯỜNG XUÂN", "Nơi nhận:"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdf text lacks %q", want)
		}
	}
	// A range of days, HTML on stdout.
	code, out, errs := runDigestCmd(t, env, "--data", data, "--from", "2026-11-20", "--to", "2026-11-20", "--out", "-")
	if code != 0 || !strings.Contains(out, titleEthnic) || strings.Contains(out, titleBorder) || !strings.Contains(out, "NGÀY 20/11/2026") {
		t.Errorf("--from/--to: code %d err %s", code, errs)
	}

	if code, _, errs := runDigestCmd(t, env, "--data", data, "--week", "2026-W47", "--send"); code != 0 {
		t.Fatalf("--send: code %d: %s", code, errs)
	}
	if code, _, errs := runDigestCmd(t, env, "--data", data, "--week", "2026-W47", "--send"); code != cli.ExitError || !strings.Contains(errs, "already sent") {
		t.Errorf("second --send: code %d: %s", code, errs)
	}
	for _, bad := range [][]string{{"--week", "2026-W54"}, {"--week", "2026-W47", "--from", "2026-11-16"}, {"--from", "2026-11-16"},
		{"--out", "x.doc"}, {"--resend"}, {"extra"}} {
		if code, _, _ := runDigestCmd(t, env, append([]string{"--data", data}, bad...)...); code != cli.ExitUsage {
			t.Errorf("digest %v: code %d, want %d", bad, code, cli.ExitUsage)
		}
	}

	b = bustest.Open(t, filepath.Join(data, "nats"))
	defer b.Close()
	mails := outboxMails(t, b)
	if len(mails) != 2 || mails[0].Kind != "digest" || !strings.Contains(mails[0].Subject, "BẢN TIN ĐIỂM BÁO TUẦN 47") {
		t.Fatalf("OUTBOX holds %d mails: %+v", len(mails), mails)
	}
	digests, err := b.KV(ctx, node.BucketDigests)
	if err != nil {
		t.Fatal(err)
	}
	if infos, err := (webdata.DigestsFrom(digest.Shelf{St: digests})).List(ctx); err != nil || len(infos) != 1 || infos[0].ID != "2026-W47" {
		t.Errorf("archive = %+v, %v", infos, err)
	}
}

func TestDigestCommandEmptyArchiveAndRunningServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DIEMBAO_HTTP_BASE_URL": "http://" + l.Addr().String()}
	l.Close()
	out := filepath.Join(t.TempDir(), "w.html")
	if code, _, errs := runDigestCmd(t, env, "--data", t.TempDir(), "--week", "2026-W47", "--out", out); code != 0 {
		t.Fatalf("empty archive: code %d: %s", code, errs)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(indexer.Result{})
	}))
	defer srv.Close()
	env["DIEMBAO_HTTP_BASE_URL"] = srv.URL
	code, _, errs := runDigestCmd(t, env, "--data", t.TempDir(), "--week", "2026-W47", "--out", "-")
	if code != cli.ExitError || !strings.Contains(errs, "stop it first") || !strings.Contains(errs, "--nats") {
		t.Errorf("with a running server: code %d: %s", code, errs)
	}
}
