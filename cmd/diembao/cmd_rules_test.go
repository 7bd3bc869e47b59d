package main

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
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/rules"
)

func runRules(t *testing.T, c rulesCmd, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	c.stdout, c.stderr, c.stdin = &out, &errb, strings.NewReader(stdin)
	if c.now == nil {
		c.now = func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }
	}
	code := c.run(context.Background(), args)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRulesCheckJSON(t *testing.T) {
	dir := t.TempDir()
	txt := writeFile(t, dir, "a.txt", "Đồn Biên phòng Bát Mọt tuần tra biên giới.")
	page := writeFile(t, dir, "b.html", `<html><head><title>Nước bạn Lào</title><script>biên giới</script></head><body><p>Xã Bát Mọt</p></body></html>`)
	js, _ := json.Marshal(article.Article{Title: "Tin", Body: "Lào Cai"})
	art := writeFile(t, dir, "c.json", string(js))
	code, out, errs := runRules(t, rulesCmd{}, "tin giá hôm nay", "check", "--json", txt, page, art, "-")
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 lines, got %q", out)
	}
	var first rules.CheckOut
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Input != txt || !first.Area || len(first.Matches) == 0 || first.Matches[0].Rule != "border.core" {
		t.Errorf("first: %s", lines[0])
	}
	body := "Đồn Biên phòng Bát Mọt tuần tra biên giới."
	for _, m := range first.Matches {
		for _, term := range m.Terms {
			if body[term.Start:term.End] != term.Text || term.Field != "" {
				t.Errorf("term %+v", term)
			}
		}
	}
	if !strings.Contains(lines[1], `"field":"title"`) || !strings.Contains(lines[1], `"laos"`) || strings.Contains(lines[1], "biên giới") {
		t.Errorf("html: %s", lines[1])
	}
	if lines[2] != `{"input":"`+art+`","area":false,"topics":[],"matches":[]}` {
		t.Errorf("json article: %s", lines[2])
	}
	if !strings.HasPrefix(lines[3], `{"input":"-",`) {
		t.Errorf("stdin: %s", lines[3])
	}
}

func TestRulesCheckHuman(t *testing.T) {
	code, out, _ := runRules(t, rulesCmd{}, "Tuần tra biên giới ở xã Bát Mọt", "check", "-")
	if code != cli.ExitOK || !strings.Contains(out, "area yes") || !strings.Contains(out, "border.core v1 [high]") {
		t.Errorf("exit %d: %s", code, out)
	}
}

func TestRulesErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	if err := os.Mkdir(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, bad, "x.yaml", "rules:\n  - id: x\n    topic: border\n    query: '\"a\" \"b\"'\n")
	badJSON := writeFile(t, dir, "a.json", "{\"title\": \"x\",\n \"body\": 3}")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no args", nil, cli.ExitUsage, "usage"},
		{"no input", []string{"check"}, cli.ExitUsage, "no input"},
		{"missing file", []string{"check", filepath.Join(dir, "nope.txt")}, cli.ExitUsage, "nope.txt: no such file"},
		{"bad rules", []string{"check", "--rules", bad, "-"}, cli.ExitUsage, "x.yaml:4:12: rule \"x\": missing operator"},
		{"bad json", []string{"check", badJSON}, cli.ExitUsage, "a.json: invalid article JSON: line 2"},
		{"lint bad", []string{"lint", bad}, cli.ExitUsage, "x.yaml:4:12:"},
		{"lint missing", []string{"lint", filepath.Join(dir, "none")}, cli.ExitUsage, "no such file"},
		{"archive none", []string{"check", "--archive", filepath.Join(bad, "x.yaml")}, cli.ExitUsage, "x.yaml:4:12:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runRules(t, rulesCmd{}, "", tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errs, tt.code, tt.want)
			}
			if strings.Count(strings.TrimSpace(errs), "\n") > 2 {
				t.Errorf("long message: %q", errs)
			}
		})
	}
}

func TestRulesLintOK(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "x.yaml", "rules:\n  - {id: local.chu, topic: border, query: '\"sông Chu\" AND \"lũ\"'}\n")
	code, out, errs := runRules(t, rulesCmd{}, "", "lint", dir)
	if code != cli.ExitOK || !strings.Contains(out, "ok (1 rules here") {
		t.Errorf("exit %d: %s %s", code, out, errs)
	}
	code, out, errs = runRules(t, rulesCmd{}, "", "lint", "../../rules/packs/default")
	if code != cli.ExitOK {
		t.Errorf("default pack copy: exit %d: %s %s", code, out, errs)
	}
}

func TestRulesBacktest(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "new.yaml", "rules:\n  - {id: local.flood, topic: border, area: true, disabled: true, query: '\"lũ quét\"'}\n")
	var gotSince time.Time
	arch := rules.ArchiveFunc(func(ctx context.Context, since time.Time, fn func(article.Article) error) error {
		gotSince = since
		for _, a := range []article.Article{
			{ID: "1", Title: "Lũ quét ở xã Bát Mọt", Source: "baothanhhoa"},
			{ID: "2", Title: "Lũ quét ở Yên Bái"},
			{ID: "3", Title: "Nắng nóng"},
		} {
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	})
	code, out, errs := runRules(t, rulesCmd{archive: arch}, "", "check", "--archive", "--since", "30d", file)
	if code != cli.ExitOK || !strings.Contains(out, "1 of 3 archived articles since 2026-10-27") || !strings.Contains(out, "Lũ quét ở xã Bát Mọt") {
		t.Errorf("exit %d: %s %s", code, out, errs)
	}
	if want := time.Date(2026, 10, 27, 12, 0, 0, 0, time.UTC); !gotSince.Equal(want) {
		t.Errorf("since %v, want %v", gotSince, want)
	}
	code, _, errs = runRules(t, rulesCmd{}, "", "check", "--archive", file)
	if code != cli.ExitError || !strings.Contains(errs, "no archive") {
		t.Errorf("no archive: exit %d %q", code, errs)
	}
}
