package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/demosite"
)

func TestPortalsCheckJSON(t *testing.T) {
	site, err := demosite.StartPortal(t.Context(), "127.0.0.1:0", demosite.PortalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "diembao.yaml")
	yaml := fmt.Sprintf(`portals:
  - id: xa-xuan-mau
    name: Cổng TTĐT xã Xuân Mẫu
    url: %s/
    pages: ["/", "/tin-tuc", "/gioi-thieu"]
    duties: default
    delay: 10ms
    allow_private: true
`, site.URL())
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := realMain(context.Background(), []string{"--config", cfgPath, "--data", filepath.Join(dir, "data"), "portals", "check", "--json"},
		strings.NewReader(""), &out, &errb, func(string) string { return "" })
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 16 { // one per duty of the default set
		t.Fatalf("want 16 lines (one per default duty), got %d:\n%s", len(lines), out.String())
	}
	seen := map[string]bool{}
	for _, l := range lines {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		for _, k := range []string{"portal", "duty", "period", "status", "url", "published"} {
			if _, ok := r[k]; !ok {
				t.Errorf("line %s lacks %q", l, k)
			}
		}
		duty := r["duty"].(string)
		seen[duty] = true
		switch {
		case duty == "ke-hoach-ttdn":
			if r["status"] != "missing" || r["published"] != nil {
				t.Errorf("the sample portal never publishes the plan: %s", l)
			}
		case r["status"] == "published":
			if !strings.HasPrefix(r["url"].(string), site.URL()) {
				t.Errorf("published duty without the portal's URL: %s", l)
			}
		}
	}
	if !seen["muc-tieu-kt-xh"] || !seen["phat-ngon"] {
		t.Errorf("duties missing from the output: %v", seen)
	}
	if !strings.Contains(errb.String(), "finding(s) raised") {
		t.Errorf("the overdue plan should be raised as a finding: %s", errb.String())
	}

	// A second check of the unchanged portal raises nothing new.
	out.Reset()
	errb.Reset()
	code = realMain(context.Background(), []string{"--config", cfgPath, "--data", filepath.Join(dir, "data"), "portals", "check", "--portal", "xa-xuan-mau"},
		strings.NewReader(""), &out, &errb, func(string) string { return "" })
	if code != cli.ExitOK || strings.Contains(errb.String(), "raised") || !strings.Contains(out.String(), "ke-hoach-ttdn") {
		t.Errorf("second check: exit %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}

	code = realMain(context.Background(), []string{"--config", cfgPath, "--data", filepath.Join(dir, "data"), "portals", "check", "--portal", "nope"},
		strings.NewReader(""), &out, &errb, func(string) string { return "" })
	if code != cli.ExitUsage {
		t.Errorf("unknown portal: exit %d", code)
	}
}
