package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCasesConfig(t *testing.T) {
	dir := t.TempDir()
	load := func(body string) (Config, error) {
		p := filepath.Join(dir, "d.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return Load(p, true, nil)
	}
	cfg, err := load("cases:\n  deadlines:\n    high: {verify: 6h}\n  owners: {lan: lan@example.org}\n")
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Cases.WithDefaults()
	if c.Deadlines["high"].Verify.D() != 6*time.Hour || c.Deadlines["high"].Respond.D() != 48*time.Hour ||
		c.Deadlines["critical"].Verify.D() != 12*time.Hour || c.Office != "office" || c.MaxUpload != 5<<20 || c.RemindAt != "08:00" {
		t.Errorf("WithDefaults = %+v", c)
	}
	for body, want := range map[string]string{
		"cases: {deadlines: {urgent: {verify: 1h}}}": "unknown severity",
		"cases: {owners: {lan: not-an-address}}":     "not an email address",
		"cases: {office: press}":                     "unknown audience",
		"cases: {max_upload: 99999999}":              "max_upload",
		"cases: {remind_at: 8am}":                    "remind_at",
		"cases: {deadline: {}}":                      "unknown field",
	} {
		if _, err := load(body); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", body, err, want)
		}
	}
}
