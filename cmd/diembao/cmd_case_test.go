package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/diembao/diembao/internal/cli"
)

// runCase runs `diembao --data DIR case ARGS…` in process (the embedded
// store under DIR) and returns the exit code, stdout and stderr.
func runCase(t *testing.T, data, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"USER": "lan"}
	code := realMain(context.Background(), append([]string{"--data", data, "case"}, args...), strings.NewReader(stdin), &out, &errb,
		func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func TestCaseCommand(t *testing.T) {
	data := t.TempDir()
	code, out, errs := runCase(t, data, "Bài đăng: cửa khẩu phụ Khẹo bị đóng cửa", "add", "--text", "-",
		"--claim", "Cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn", "--json")
	if code != cli.ExitOK {
		t.Fatalf("add: exit %d: %s", code, errs)
	}
	var c struct {
		ID, Claim, Status, Verdict, Owner string
		Due                               *string
		Items                             []struct{ ArticleID, URL, Source, FirstSeen, Kind string }
		History                           []struct{ At, By, From, To, Note string }
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("add --json: %v\n%s", err, out)
	}
	if c.ID != "VV-"+c.History[0].At[:4]+"-001" || c.Status != "received" || c.Owner != "lan" || c.Due == nil ||
		len(c.Items) != 1 || c.Items[0].Kind != "manual" || len(c.History) != 1 || c.History[0].By != "lan" {
		t.Fatalf("add --json = %+v", c)
	}
	for _, tt := range []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"skip without reason", []string{"move", c.ID, "verified", "--verdict", "false"}, cli.ExitUsage, "bỏ qua bước"},
		{"unknown status", []string{"move", c.ID, "done"}, cli.ExitUsage, "không tồn tại"},
		{"unknown case", []string{"show", "VV-1999-999"}, cli.ExitUsage, "not found"},
		{"private URL", []string{"add", "--url", "http://10.0.0.1/x", "--claim", "x"}, cli.ExitUsage, "private"},
		{"no source", []string{"add", "--claim", "x"}, cli.ExitUsage, "đúng một nguồn"},
		{"wrong type", []string{"add", "--text", "-", "--file", filepath.Join(data, "x.html"), "--claim", "x"}, cli.ExitUsage, "not accepted"},
		{"bad list status", []string{"list", "--status", "open"}, cli.ExitUsage, "--status"},
		{"doc before verdict", []string{"doc", c.ID, "--kind", "response", "--out", filepath.Join(data, "r.pdf")}, cli.ExitUsage, "chưa có kết luận"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_ = os.WriteFile(filepath.Join(data, "x.html"), []byte("<html><script>x</script></html>"), 0o600)
			code, _, errs := runCase(t, data, "nội dung", tt.args...)
			if code != tt.want || !strings.Contains(errs, tt.msg) {
				t.Fatalf("exit %d (%q), want %d with %q", code, errs, tt.want, tt.msg)
			}
		})
	}
	for _, mv := range [][]string{{"verifying", "--note", "bắt đầu"}, {"verified", "--verdict", "false", "--note", "đã rõ", "--by", "minh"}} {
		if code, _, errs := runCase(t, data, "", append([]string{"move", c.ID}, mv...)...); code != cli.ExitOK {
			t.Fatalf("move %v: %d %s", mv, code, errs)
		}
	}
	code, out, _ = runCase(t, data, "", "show", c.ID, "--json")
	if code != cli.ExitOK || !strings.Contains(out, `"verdict":"false"`) || !strings.Contains(out, `"by":"minh"`) {
		t.Fatalf("show: %d %s", code, out)
	}
	if code, out, _ := runCase(t, data, "", "list", "--status", "verified"); code != cli.ExitOK || !strings.Contains(out, c.ID) {
		t.Fatalf("list: %d %s", code, out)
	}
	for _, f := range []string{"r.pdf", "r.docx"} {
		p := filepath.Join(data, f)
		if code, _, errs := runCase(t, data, "", "doc", c.ID, "--kind", "report", "--out", p); code != cli.ExitOK {
			t.Fatalf("doc %s: %d %s", f, code, errs)
		}
		if st, err := os.Stat(p); err != nil || st.Size() < 1000 {
			t.Fatalf("doc %s not written: %v", f, err)
		}
	}
	if code, _, errs := runCase(t, data, "", "doc", c.ID, "--kind", "claimreview", "--out", filepath.Join(data, "cr.html")); code != cli.ExitOK {
		t.Fatalf("claimreview: %s", errs)
	}
	// The year report lists the case with its verdict.
	xl := filepath.Join(data, "bc.xlsx")
	var rout, rerr bytes.Buffer
	if code := realMain(context.Background(), []string{"--data", data, "report", "--year", c.History[0].At[:4], "--out", xl},
		strings.NewReader(""), &rout, &rerr, func(string) string { return "" }); code != cli.ExitOK {
		t.Fatalf("report: %d %s", code, rerr.String())
	}
	f, err := excelize.OpenFile(xl)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Vụ việc")
	if len(rows) != 2 || rows[1][0] != c.ID || rows[1][3] != "Sai sự thật" {
		t.Errorf("report cases sheet %q: want the case, judged false", rows)
	}
}
