package portal

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
)

var hcm = time.FixedZone("ICT", 7*3600)

func TestPeriodsAndDue(t *testing.T) {
	at := time.Date(2026, 5, 20, 10, 0, 0, 0, hcm)
	tests := []struct {
		every, due          string
		key, prevKey, label string
		wantDue             string
	}{
		{config.EveryYear, "01-31", "2026", "2025", "năm 2026", "2026-01-31"},
		{config.EveryYear, "14-30", "2026", "2025", "năm 2026", "2027-02-28"},
		{config.EveryQuarter, "04-15", "2026-q2", "2026-q1", "quý II/2026", "2026-07-15"},
		{config.EveryQuarter, "03-31", "2026-q2", "2026-q1", "quý II/2026", "2026-06-30"},
		{config.EveryMonth, "02-10", "2026-05", "2026-04", "tháng 05/2026", "2026-06-10"},
	}
	for _, tt := range tests {
		p := PeriodAt(tt.every, at, hcm)
		if p.Key() != tt.key || p.Prev().Key() != tt.prevKey || p.Label() != tt.label {
			t.Errorf("%s: key %s prev %s label %s", tt.every, p.Key(), p.Prev().Key(), p.Label())
		}
		due, err := Due(config.Duty{Due: tt.due, Every: tt.every}, p)
		if err != nil || due.Format("2006-01-02") != tt.wantDue || due.Hour() != 23 {
			t.Errorf("%s %s: due %v %v, want %s end of day", tt.every, tt.due, due, err, tt.wantDue)
		}
	}
	if k := PeriodAt(config.EveryQuarter, time.Date(2026, 1, 1, 0, 0, 0, 0, hcm), hcm).Prev().Key(); k != "2025-q4" {
		t.Errorf("previous quarter of 2026-q1 = %s", k)
	}
}

func TestExpandQuery(t *testing.T) {
	p := PeriodAt(config.EveryQuarter, time.Date(2026, 8, 1, 0, 0, 0, 0, hcm), hcm)
	tests := []struct{ in, want string }{
		{`"năm {year}" AND "kế hoạch"`, `"năm 2026" AND "kế hoạch"`},
		{`"quý {quarter}/{year}"`, `("quý III/2026" OR "quý 3/2026")`},
		{`"báo cáo" AND {prev_year}`, `"báo cáo" AND "2025"`},
		{`"tháng {month}"`, `("tháng 07" OR "tháng 7")`},
		{`"không đổi" OR x`, `"không đổi" OR x`},
	}
	for _, tt := range tests {
		if got := ExpandQuery(tt.in, p); got != tt.want {
			t.Errorf("ExpandQuery(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if NameFor("Báo cáo quý {quarter}/{year}", p) != "Báo cáo quý III/2026" {
		t.Error(NameFor("Báo cáo quý {quarter}/{year}", p))
	}
}

func TestDefaultDutiesCompileAndMerge(t *testing.T) {
	def, err := DefaultDuties()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, d := range def {
		if err := d.Check(); err != nil {
			t.Errorf("default duty: %v", err)
		}
		ids[d.ID] = true
	}
	for _, want := range []string{"gioi-thieu", "lanh-dao", "tin-tuc", "chi-dao-dieu-hanh", "van-ban", "muc-tieu-kt-xh",
		"ke-hoach-ttdn", "du-an-dau-thau", "thong-ke", "ngan-sach-du-toan", "ngan-sach-quy", "ngan-sach-quyet-toan",
		"dich-vu-cong", "phat-ngon", "hoi-dap"} {
		if !ids[want] {
			t.Errorf("default set lacks %s", want)
		}
	}
	p := config.Portal{ID: "p", Duties: config.Duties{Default: true, List: []config.Duty{
		{ID: "phat-ngon", Name: "Người phát ngôn", Query: `"người phát ngôn"`, Due: "02-01", Every: config.EveryYear},
		{ID: "cds", Name: "Chuyển đổi số", Query: `"chuyển đổi số"`, Due: "03-31", Every: config.EveryYear},
	}}}
	ds, err := CheckDuties(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != len(def)+1 || ds[len(ds)-1].ID != "cds" {
		t.Errorf("extend: %d duties", len(ds))
	}
	i := slices.IndexFunc(ds, func(d config.Duty) bool { return d.ID == "phat-ngon" })
	if ds[i].Due != "02-01" {
		t.Errorf("an item with a default id should replace it: %+v", ds[i])
	}
	bad := config.Portal{ID: "p", Duties: config.Duties{List: []config.Duty{{ID: "x", Name: "X", Query: `"a" "b"`, Due: "01-31", Every: config.EveryYear, Line: 17}}}}
	if _, err := CheckDuties(bad); err == nil || !strings.Contains(err.Error(), "line 17") || !strings.Contains(err.Error(), `duty "x"`) {
		t.Errorf("bad query error = %v", err)
	}
}

func TestAnalyseHiddenAndSpam(t *testing.T) {
	spam, err := loadSpam()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		html    string
		hidden  int
		spam    []string
		visible []string
		scripts int
		iframes int
		hosts   []string
	}{
		{"display none", `<div style="display: none"><a href="https://x.example/">nhà cái</a></div>`, 1, []string{"nhà cái"}, nil, 0, 0, []string{"x.example"}},
		{"tiny font", `<p style="font-size:1px"><a href="/a">slot</a></p>`, 1, []string{"slot"}, nil, 0, 0, nil},
		{"visibility", `<span style="visibility:hidden"><a href="https://y.example/">link</a></span>`, 1, nil, nil, 0, 0, []string{"y.example"}},
		{"class hidden by style block", `<style>.seo-x{position:absolute;left:-10000px}</style><div class="seo-x"><a href="/b">Nổ Hũ</a></div>`, 1, []string{"nổ hũ"}, nil, 0, 0, nil},
		{"visible links only", `<a href="/tin">Tin tức</a> <a href="https://www.portal.example/x">cùng cổng</a>`, 0, nil, nil, 0, 0, nil},
		{"spam in visible text", `<p>Triệt phá đường dây cá cược bóng đá</p>`, 0, nil, []string{"cá cược"}, 0, 0, nil},
		{"no substrings", `<a href="https://ads.example/">timeslot slots casinos</a>`, 0, []string{"slots"}, []string{"slots"}, 0, 0, []string{"ads.example"}},
		{"folded spam", `<div hidden><a href="/c">nha cai uy tin</a></div>`, 1, []string{"nha cai uy tin"}, nil, 0, 0, nil},
		{"base href resolves relative sources", `<base href="https://cdn2.example/x/"><script src="a.js"></script><iframe src="f.html"></iframe>`, 0, nil, nil, 1, 1, []string{"cdn2.example"}},
		{"outbound form, non-http links skipped", `<form action="https://form.example/post"></form><form action="/local"></form><a href="javascript:void(0)">nhà cái</a><a href="mailto:a@b.example">x</a><iframe src="data:text/html,x"></iframe>`, 0, nil, []string{"nhà cái"}, 0, 0, []string{"form.example"}},
		{"scripts and iframe", `<script src="https://cdn.example/a.js?v=1"></script><script>var x=1</script><script>document.write("x")</script><iframe src="https://ifr.example/f"></iframe>`, 0, nil, nil, 2, 1, []string{"cdn.example", "ifr.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := analyse([]byte("<html><body>"+tt.html+"</body></html>"), "https://portal.example/trang", "portal.example", spam)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Hidden) != tt.hidden || !slices.Equal(f.Spam, tt.spam) || !slices.Equal(f.SpamVisible, tt.visible) ||
				len(f.Scripts) != tt.scripts || len(f.Iframes) != tt.iframes || !slices.Equal(f.Hosts, tt.hosts) {
				t.Errorf("features %+v", f)
			}
		})
	}
}

func TestSimilarityAndDiff(t *testing.T) {
	if s := similarity([]string{"a", "b", "c", "d"}, []string{"a", "b", "c", "e"}); s < 0.59 || s > 0.61 {
		t.Errorf("similarity = %v, want 0.6", s)
	}
	old := htmlLines([]byte("<p>một</p><p>hai</p><p>ba</p>"))
	now := htmlLines([]byte("<p>một</p><p>HAI</p><p>ba</p><p>bốn</p>"))
	d := diffLines(old, now)
	var ops []string
	for _, l := range d {
		ops = append(ops, l.Op+l.Text)
	}
	joined := strings.Join(ops, "|")
	for _, want := range []string{"-hai", "+HAI", "+bốn", " ba"} {
		if !strings.Contains(joined, want) {
			t.Errorf("diff %q lacks %q", joined, want)
		}
	}
	if strings.Contains(joined, "-ba") || strings.Contains(joined, "+ba") {
		t.Errorf("unchanged line marked changed: %q", joined)
	}
}

// A Reader given no location counts periods on Vietnam's calendar, as every
// other package does (it counted them in UTC, seven hours late).
func TestReaderDefaultsToVietnam(t *testing.T) {
	r, err := NewReader(nil, kv.NewMemory(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, off := time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC).In(r.loc).Zone(); off != 7*3600 {
		t.Errorf("default location %s: offset %d", r.loc, off)
	}
}
