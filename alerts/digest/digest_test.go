package digest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/kv"
)

var ict = time.FixedZone("ICT", 7*3600)

type archive struct {
	items []Item
	recs  []alerts.Record
}

func (a archive) Articles(_ context.Context, from, to time.Time) ([]Item, error) {
	var out []Item
	for _, it := range a.items {
		if !it.Published.Before(from) && it.Published.Before(to) {
			out = append(out, it)
		}
	}
	return out, nil
}

func (a archive) Alerts(context.Context, time.Time, time.Time) ([]alerts.Record, error) {
	return a.recs, nil
}

const body1 = "Sáng 18/11, Đồn Biên phòng Bát Mọt phối hợp với lực lượng chức năng huyện Sầm Tớ, tỉnh Hủa Phăn (Lào) tổ chức tuần tra song phương trên tuyến biên giới, kiểm tra hệ thống mốc quốc giới và tuyên truyền cho bà con hai bên biên giới về quy chế quản lý biên giới."

func sample() archive {
	d := func(day, h int) time.Time { return time.Date(2026, 11, day, h, 0, 0, 0, ict) }
	return archive{items: []Item{
		{ID: "a1", URL: "https://baothanhhoa.vn/a1.htm", Title: "Tuần tra song phương biên giới Việt – Lào", Lead: "Lực lượng hai bên <b>tuần tra</b>.", Body: body1, Source: "baothanhhoa", Published: d(18, 9), Area: true, Topics: []string{"border", "laos"}, Terms: []string{"biên giới"}},
		{ID: "a2", URL: "https://vnexpress.net/a2.html", Title: "Tuần tra song phương trên biên giới Việt - Lào", Lead: "Tin đăng lại.", Body: body1 + " Bài viết được đăng lại.", Source: "vnexpress", Published: d(18, 14), Area: true, Topics: []string{"border"}},
		{ID: "a3", URL: "https://thuongxuan.thanhhoa.gov.vn/a3", Title: "Lễ hội Mường xã Vạn Xuân thu hút du khách", Lead: "Đồng bào dân tộc Thái, Mường.", Body: "Lễ hội truyền thống của đồng bào dân tộc Mường ở xã Vạn Xuân diễn ra trong ba ngày với nhiều hoạt động văn hóa, thể thao và ẩm thực đặc sắc.", Source: "thuongxuan", Published: d(20, 8), Area: true, Topics: []string{"ethnic"}},
		{ID: "a4", URL: "https://baothanhhoa.vn/a4.htm", Title: "<script>alert(1)</script>Giáo xứ Thường Xuân khánh thành nhà thờ", Lead: "Tôn giáo.", Body: "Giáo xứ tổ chức lễ khánh thành nhà thờ mới với sự tham dự của đông đảo giáo dân và chính quyền địa phương.", Source: "baothanhhoa", Published: d(21, 10), Area: true, Topics: []string{"religion"}},
		{ID: "old", Title: "Tuần trước", Source: "x", Published: d(15, 10)},
	}, recs: []alerts.Record{{Alert: article.Alert{ID: "al1", Title: "Tuần tra song phương biên giới Việt – Lào", Source: "baothanhhoa", Severity: "high", Topics: []string{"border"}}, Received: d(18, 9), Acked: true, AckedBy: "lan"}}}
}

// buildSample builds week 47 of sample().
func buildSample(t *testing.T) (*Builder, Digest) {
	t.Helper()
	b, err := NewBuilder(sample(), ict, "UBND xã Thường Xuân")
	if err != nil {
		t.Fatal(err)
	}
	d, err := b.Build(context.Background(), "2026-W47")
	if err != nil {
		t.Fatal(err)
	}
	return b, d
}

func TestBuildGroupsReprints(t *testing.T) {
	b, d := buildSample(t)
	if d.Articles != 4 || d.Stories != 3 {
		t.Fatalf("articles %d stories %d, want 4 and 3", d.Articles, d.Stories)
	}
	if d.Topics[0].Topic != "border" || len(d.Topics[0].Days[0].Stories[0].AlsoCarried) != 1 || d.Topics[0].Days[0].Stories[0].AlsoCarried[0].Source != "vnexpress" {
		t.Errorf("border group = %+v", d.Topics[0])
	}
	html, err := HTML(d, ict)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "<b>tuần") || !strings.Contains(html, "cũng đăng trên 1 báo khác: vnexpress") {
		t.Errorf("html not escaped or reprint missing")
	}
	d2, _ := b.Build(context.Background(), "2026-W47")
	html2, _ := HTML(d2, ict)
	if html != html2 {
		t.Error("the same week rendered twice differs")
	}
	pdf, err := PDF(d, ict)
	if err != nil {
		t.Fatal(err)
	}
	// fpdf keeps resources in maps: render a few times, a map order shows.
	for range 5 {
		pdf2, _ := PDF(d2, ict)
		if string(pdf) != string(pdf2) {
			t.Fatal("the same week gave two different PDFs")
		}
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	p := filepath.Join(t.TempDir(), "d.pdf")
	if err := os.WriteFile(p, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", "-raw", p, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"BẢN TIN ĐIỂM BÁO TUẦN 47", "Tuần tra song phương biên giới Việt – Lào", "Lễ hội Mường xã Vạn Xuân thu hút du khách", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "UBND XÃ THƯỜNG XUÂN"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdf text lacks %q:\n%s", want, text)
		}
	}
}

func TestScheduleCatchUpOnce(t *testing.T) {
	now := time.Date(2026, 11, 23, 6, 59, 0, 0, ict) // Monday, a minute early
	var sent []alerts.Mail
	b, _ := NewBuilder(sample(), ict, "UBND xã Thường Xuân")
	st := kv.NewMemory()
	s, err := NewScheduler(SchedulerConfig{Audiences: map[string][]string{"office": {"a@example.org"}}, From: "d@example.org", Now: func() time.Time { return now },
		Since: time.Date(2026, 11, 1, 0, 0, 0, 0, ict)}, // installed weeks ago
		b, st, alerts.OutboxFunc(func(_ context.Context, m alerts.Mail) error { sent = append(sent, m); return nil }), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Installed on Sunday 1 November and down since: the slots of 2, 9 and
	// 16 November were missed; they are caught up, oldest first.
	if w, _ := s.Tick(context.Background()); w != "2026-W46" {
		t.Errorf("tick at 06:59 sent %q, want the missed weeks up to 2026-W46", w)
	}
	now = now.Add(2 * time.Minute)
	if w, _ := s.Tick(context.Background()); w != "2026-W47" {
		t.Errorf("tick at 07:01 sent %q, want 2026-W47", w)
	}
	now = now.Add(48 * time.Hour) // down and up again: never twice
	if w, _ := s.Tick(context.Background()); w != "" {
		t.Errorf("sent %q twice", w)
	}
	var weeks []string
	for _, m := range sent {
		weeks = append(weeks, m.Attachments[0].Name)
	}
	if got := strings.Join(weeks, " "); got != "ban-tin-2026-W44.pdf ban-tin-2026-W45.pdf ban-tin-2026-W46.pdf ban-tin-2026-W47.pdf" || sent[0].Attachments[0].ContentType != "application/pdf" {
		t.Errorf("sent %s", got)
	}
	if _, err := NewScheduler(SchedulerConfig{Schedule: "Monday 7h"}, b, st, alerts.OutboxFunc(func(context.Context, alerts.Mail) error { return nil }), nil); err == nil || !strings.Contains(err.Error(), "digest.schedule") {
		t.Errorf("bad schedule: %v", err)
	}
	if _, _, err := WeekRange("2026-W54", ict); err == nil {
		t.Error("week 54 accepted")
	}
	if f, to, _ := WeekRange("2026-W01", ict); f.Format("2006-01-02") != "2025-12-29" || to.Sub(f) != 7*24*time.Hour {
		t.Errorf("2026-W01 = %v", f)
	}
}

// After a long downtime at most maxCatchUp weeks are sent, and never the
// weeks before one already sent.
func TestScheduleCatchUpBounded(t *testing.T) {
	now := time.Date(2026, 11, 2, 7, 30, 0, 0, ict)
	var weeks []string
	b, _ := NewBuilder(sample(), ict, "UBND xã Thường Xuân")
	st := kv.NewMemory()
	cfg := SchedulerConfig{Audiences: map[string][]string{"office": {"a@example.org"}}, Now: func() time.Time { return now },
		Since: time.Date(2026, 1, 1, 0, 0, 0, 0, ict)}
	out := alerts.OutboxFunc(func(_ context.Context, m alerts.Mail) error { weeks = append(weeks, m.Attachments[0].Name); return nil })
	s, err := NewScheduler(cfg, b, st, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	now = now.AddDate(0, 0, 49) // seven Mondays later
	if _, err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := "ban-tin-2026-W41.pdf ban-tin-2026-W42.pdf ban-tin-2026-W43.pdf ban-tin-2026-W44.pdf " +
		"ban-tin-2026-W48.pdf ban-tin-2026-W49.pdf ban-tin-2026-W50.pdf ban-tin-2026-W51.pdf"
	if got := strings.Join(weeks, " "); got != want {
		t.Errorf("sent\n%s\nwant\n%s", got, want)
	}
}

func TestScheduleNewInstallDoesNotCatchUp(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, ict) // first start on a Wednesday
	var sent []string
	b, _ := NewBuilder(sample(), ict, "UBND xã Thường Xuân")
	st := kv.NewMemory()
	out := alerts.OutboxFunc(func(_ context.Context, m alerts.Mail) error { sent = append(sent, m.Audience); return nil })
	cfg := SchedulerConfig{Audiences: map[string][]string{"office": {"a@example.org"}, "police": {"p@example.org"}}, Now: func() time.Time { return now }}
	s, err := NewScheduler(cfg, b, st, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w, err := s.Tick(context.Background()); w != "" || err != nil {
		t.Fatalf("a new installation sent %q (%v)", w, err)
	}
	now = time.Date(2026, 11, 30, 7, 5, 0, 0, ict) // the next Monday, after a restart
	s, _ = NewScheduler(cfg, b, st, out, nil)
	if w, err := s.Tick(context.Background()); w != "2026-W48" || err != nil {
		t.Fatalf("tick = %q, %v; want 2026-W48", w, err)
	}
	if strings.Join(sent, ",") != "office,police" {
		t.Errorf("mails to %v", sent)
	}
}

// A story with several topics is listed once, under the first of them,
// names the others, and counts under each in the weekly figures.
func TestStoryListedOnce(t *testing.T) {
	_, d := buildSample(t)
	listed, listedStories := 0, 0
	var a1 Story
	for _, g := range d.Topics {
		if g.Topic == "laos" {
			t.Errorf("a laos section although its only story is listed under border: %+v", g)
		}
		for _, day := range g.Days {
			for _, s := range day.Stories {
				listedStories++
				if s.ID == "a1" {
					listed++
					a1 = s
				}
			}
		}
	}
	if listed != 1 || listedStories != d.Stories {
		t.Fatalf("story a1 listed %d times, %d stories listed of %d", listed, listedStories, d.Stories)
	}
	laos := alerts.TopicName("laos")
	if len(a1.AlsoUnder) != 1 || a1.AlsoUnder[0] != laos {
		t.Errorf("a1 also under %v, want [%s]", a1.AlsoUnder, laos)
	}
	counts, also, sum := map[string]int{}, map[string]int{}, 0
	for _, c := range d.ByTopic {
		counts[c.Label], also[c.Label] = c.N, c.Also
		sum += c.N
	}
	if counts[laos] != 0 || also[laos] != 1 || counts[alerts.TopicName("border")] != 1 {
		t.Errorf("weekly counts by topic %v: a story counts once, under the topic it is listed under, and as 'also' under its others", d.ByTopic)
	}
	if sum != d.Stories {
		t.Errorf("topic counts add up to %d, want the %d stories listed", sum, d.Stories)
	}
	html, err := HTML(d, ict)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, "Cũng thuộc chủ đề: "+laos) || !strings.Contains(Text(d, ict), "Cũng thuộc chủ đề: "+laos) {
		t.Error("the mail does not name the story's other topic")
	}
}
