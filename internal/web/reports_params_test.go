package web

import (
	"net/url"
	"testing"
	"time"
)

// TestReportParams: the Reports form reads its period with the report
// command's rules and says what is wrong in Vietnamese.
func TestReportParams(t *testing.T) {
	srv := &Server{cfg: Config{Location: time.FixedZone("ICT", 7*3600)}}
	tests := []struct {
		q      string
		ok     bool
		errMsg string
		from   string
	}{
		{"", false, "", ""},
		{"topic=border", false, "", ""},
		{"year=2026&topic=laos&all=1", true, "", "2026-01-01"},
		{"year=2026&from=x&to=y", true, "", "2026-01-01"}, // a year wins over from and to
		{"year=26", true, "năm không hợp lệ", ""},
		{"from=2026-03-01&to=2026-05-31", true, "", "2026-03-01"},
		{"from=2026-03-01", true, "ngày phải có dạng YYYY-MM-DD (cả từ ngày và đến ngày)", ""},
		{"from=1/3/2026&to=2026-05-31", true, "ngày phải có dạng YYYY-MM-DD (cả từ ngày và đến ngày)", ""},
		{"from=2026-05-31&to=2026-03-01", true, "đến ngày trước từ ngày", ""},
		{"from=2024-01-01&to=2026-12-31", true, "", "2024-01-01"},
		{"from=1900-01-01&to=2099-12-31", true, "kỳ báo cáo dài nhất 3 năm", ""},
		{"from=2023-01-01&to=2026-12-31", true, "kỳ báo cáo dài nhất 3 năm", ""},
	}
	for _, tt := range tests {
		v, _ := url.ParseQuery(tt.q)
		p, ok, err := srv.reportParams(v)
		if ok != tt.ok || (err == nil) != (tt.errMsg == "") || (err != nil && err.Error() != tt.errMsg) {
			t.Errorf("%q: ok %v, err %v; want %v, %q", tt.q, ok, err, tt.ok, tt.errMsg)
			continue
		}
		if tt.from != "" && p.From.Format("2006-01-02") != tt.from {
			t.Errorf("%q: from %s, want %s", tt.q, p.From.Format("2006-01-02"), tt.from)
		}
	}
	p, _, _ := srv.reportParams(url.Values{"year": {"2026"}, "topic": {" laos "}, "all": {"1"}})
	if p.Topic != "laos" || !p.All || p.Loc == nil {
		t.Errorf("topic and all: %+v", p)
	}
}
