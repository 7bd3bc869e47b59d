package config

import (
	"strings"
	"testing"
)

func TestPortalsDecode(t *testing.T) {
	p := write(t, `portals:
  - id: xa-thuong-xuan
    name: Cổng TTĐT xã Thường Xuân
    url: https://thuongxuan.thanhhoa.gov.vn/
    pages: ["/", "/tin-tuc"]
    duties: default
  - id: xa-bat-mot
    name: Cổng TTĐT xã Bát Mọt
    url: https://batmot.thanhhoa.gov.vn/
    duties:
      - default
      - {id: ke-hoach-cds, name: "Kế hoạch chuyển đổi số năm {year}", query: '"chuyển đổi số" AND "{year}"', due: "03-31", every: year}
  - id: xa-van-xuan
    name: Cổng TTĐT xã Vạn Xuân
    url: http://vanxuan.example.org
    duties:
      - {id: quy, name: Báo cáo quý, query: '"báo cáo" AND "quý {quarter}"', due: "04-15", every: quarter}
`)
	cfg, err := Load(p, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Portals) != 3 {
		t.Fatalf("portals = %d", len(cfg.Portals))
	}
	a, b, c := cfg.Portals[0], cfg.Portals[1], cfg.Portals[2]
	if !a.Duties.Default || len(a.Duties.List) != 0 || a.Line != 2 {
		t.Errorf("first portal: %+v", a)
	}
	if got := a.WatchedPages(); len(got) != 2 || got[1] != "https://thuongxuan.thanhhoa.gov.vn/tin-tuc" {
		t.Errorf("watched pages = %v", got)
	}
	if !b.Duties.Default || len(b.Duties.List) != 1 || b.Duties.List[0].Line != 12 {
		t.Errorf("second portal: %+v", b.Duties)
	}
	if got := b.WatchedPages(); len(got) != 1 || got[0] != "https://batmot.thanhhoa.gov.vn/" {
		t.Errorf("default page = %v", got)
	}
	if c.Duties.Default || len(c.Duties.List) != 1 || c.Duties.List[0].Every != EveryQuarter {
		t.Errorf("a list without default replaces the set: %+v", c.Duties)
	}
}

func TestPortalsErrorsNameFileAndLine(t *testing.T) {
	head := "portals:\n  - id: p\n    name: P\n    url: https://p.example.org/\n"
	tests := []struct{ name, yaml, want string }{
		{"bad id", "portals:\n  - {id: P_1, name: P, url: https://p.example.org/}\n", ":2:"},
		{"bad url", "portals:\n  - {id: p, name: P, url: ftp://p.example.org/}\n", `url "ftp://p.example.org/"`},
		{"page on another host", head + "    pages: [\"https://evil.example.com/\"]\n", "not on p.example.org"},
		{"unknown key", head + "    colour: red\n", ":5:"},
		{"bad duties word", head + "    duties: all\n", ":5:"},
		{"bad every", head + "    duties:\n      - {id: d, name: D, query: x, due: \"01-31\", every: week}\n", ":6:"},
		{"bad due", head + "    duties:\n      - {id: d, name: D, query: x, due: \"31-01\", every: year}\n", `due "31-01"`},
		{"quarter due too far", head + "    duties:\n      - {id: d, name: D, query: x, due: \"07-01\", every: quarter}\n", `due "07-01"`},
		{"unknown placeholder", head + "    duties:\n      - {id: d, name: D, query: '\"{week}\"', due: \"01-31\", every: year}\n", "{week}"},
		{"no query", head + "    duties:\n      - {id: d, name: D, due: \"01-31\", every: year}\n", "no query"},
		{"duplicate duty", head + "    duties:\n      - {id: d, name: D, query: x, due: \"01-31\", every: year}\n      - {id: d, name: E, query: y, due: \"01-31\", every: year}\n", "already listed at line 6"},
		{"duplicate portal", head + "  - {id: p, name: Q, url: https://q.example.org/}\n", `duplicate portal id "p"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(write(t, tt.yaml), true, nil)
			if err == nil {
				t.Fatalf("no error for %q", tt.yaml)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "diembao.yaml") {
				t.Errorf("error %q should name the file and contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}
