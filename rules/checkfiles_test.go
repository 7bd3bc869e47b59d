package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
)

func writeTestFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWriteCheck: inputs are read in order (stdin as "-"), each gives one
// JSON line of the contract's shape, and the text form explains each.
func TestWriteCheck(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	txt := writeTestFile(t, dir, "a.txt", "Đồn Biên phòng Bát Mọt tuần tra biên giới.")
	js, _ := json.Marshal(article.Article{Title: "Tin", Body: "Lào Cai"})
	art := writeTestFile(t, dir, "c.json", string(js))
	ins, err := ReadInputs([]string{txt, art, "-"}, strings.NewReader("tin giá hôm nay"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 3 || !ins[0].Plain || ins[1].Plain || ins[1].Article.Title != "Tin" || ins[2].Name != "-" {
		t.Fatalf("inputs %+v", ins)
	}
	var out bytes.Buffer
	if err := set.WriteCheck(&out, ins, true); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines, got %q", out.String())
	}
	var first CheckOut
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Input != txt || !first.Area || len(first.Matches) == 0 || first.Matches[0].Rule != "border.core" {
		t.Errorf("first: %s", lines[0])
	}
	if lines[1] != `{"input":"`+art+`","area":false,"topics":[],"matches":[]}` {
		t.Errorf("json article: %s", lines[1])
	}
	out.Reset()
	if err := set.WriteCheck(&out, ins[:1], false); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.HasPrefix(s, txt+": area yes") || !strings.Contains(s, "border.core v1 [high]") {
		t.Errorf("text: %s", s)
	}
}

// TestReadInputsErrors: the caller's mistakes are errkind.Invalid and name
// the input; nothing is returned for a run with one bad input.
func TestReadInputsErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeTestFile(t, dir, "a.txt", "biên giới")
	badJSON := writeTestFile(t, dir, "a.json", "{\"title\": \"x\",\n \"body\": 3}")
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, bytes.Repeat([]byte("a"), MaxInput+1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		want string
	}{
		{filepath.Join(dir, "nope.txt"), "nope.txt: no such file"},
		{badJSON, "a.json: invalid article JSON: line 2"},
		{big, "big.txt: input too large (over 32 MB)"},
	} {
		ins, err := ReadInputs([]string{good, tt.name}, nil)
		if err == nil || !errkind.IsInvalid(err) || !strings.Contains(err.Error(), tt.want) || ins != nil {
			t.Errorf("%s: %v (invalid %v), %d inputs; want an Invalid error with %q", tt.name, err, errkind.IsInvalid(err), len(ins), tt.want)
		}
	}
	if _, err := ReadInputs([]string{dir}, nil); err == nil || errkind.IsInvalid(err) {
		t.Errorf("a folder read as input: %v; want a read error that is not Invalid", err)
	}
}

func TestLintFolder(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, dir, "x.yaml", "rules:\n  - {id: local.chu, topic: border, query: '\"sông Chu\" AND \"lũ\"'}\n")
	res, err := Lint(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res.WriteText(&out, dir)
	if !strings.HasPrefix(out.String(), dir+": ok (1 rules here, ") {
		t.Errorf("lint text %q", out.String())
	}
	if _, err := Lint(filepath.Join(dir, "none")); !errkind.IsInvalid(err) || !strings.Contains(err.Error(), "no such file or folder") {
		t.Errorf("missing folder: %v", err)
	}
	bad := t.TempDir()
	writeTestFile(t, bad, "x.yaml", "rules:\n  - id: x\n    topic: border\n    query: '\"a\" \"b\"'\n")
	if _, err := Lint(bad); !errkind.IsInvalid(err) || !strings.Contains(err.Error(), "x.yaml:4:12:") {
		t.Errorf("bad rule: %v", err)
	}
}

func TestBacktestFile(t *testing.T) {
	dir := t.TempDir()
	file := writeTestFile(t, dir, "new.yaml", "rules:\n  - {id: local.flood, topic: border, area: true, disabled: true, query: '\"lũ quét\"'}\n")
	empty := writeTestFile(t, dir, "empty.yaml", "rules: []\n")
	since := time.Date(2026, 10, 27, 0, 0, 0, 0, time.UTC)
	var gotSince time.Time
	arch := ArchiveFunc(func(ctx context.Context, s time.Time, fn func(article.Article) error) error {
		gotSince = s
		for _, a := range []article.Article{{ID: "1", Title: "Lũ quét ở xã Bát Mọt"}, {ID: "2", Title: "Lũ quét ở Yên Bái"}} {
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	})
	rep, err := BacktestFile(context.Background(), arch, nil, file, since, 5)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Scanned != 2 || rep.Alerted != 1 || len(rep.Rules) != 1 || rep.Rules[0] != "local.flood" || !gotSince.Equal(since) {
		t.Errorf("report %+v, since %v", rep, gotSince)
	}
	for _, tt := range []struct{ file, want string }{
		{filepath.Join(dir, "none.yaml"), "not a rule file"},
		{dir, "not a rule file"},
		{empty, "no rules to backtest"},
	} {
		if _, err := BacktestFile(context.Background(), arch, nil, tt.file, since, 5); !errkind.IsInvalid(err) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want Invalid %q", tt.file, err, tt.want)
		}
	}
	_, err = BacktestFile(context.Background(), nil, nil, file, since, 5)
	if err == nil || errkind.IsInvalid(err) || !strings.Contains(err.Error(), "no archive") {
		t.Errorf("no archive: %v", err)
	}
}
