package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "diembao.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsNeedNoFile(t *testing.T) {
	cfg, err := Load(filepath.Join(t.TempDir(), "absent.yaml"), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Errorf("missing optional file did not give the defaults")
	}
	if _, err := Load(filepath.Join(t.TempDir(), "absent.yaml"), true, nil); err == nil {
		t.Error("a named config file that does not exist must be an error")
	}
}

// The example file documents the defaults: loading it must give them.
func TestExampleFileIsTheDefaults(t *testing.T) {
	cfg, err := Load("../../diembao.example.yaml", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Errorf("diembao.example.yaml differs from Default():\n%+v\n%+v", cfg, Default())
	}
}

func TestOverridesAndEnv(t *testing.T) {
	p := write(t, "data_dir: /srv/diembao\nalerts: {group_wait: 5s}\nsmtp: {host: mail.example.org, port: 465, tls: tls}\n")
	env := map[string]string{"DIEMBAO_SMTP_PASSWORD": "s3cret", "DIEMBAO_NATS_URL": "nats://n:4222"}
	cfg, err := Load(p, true, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/srv/diembao" || cfg.Alerts.GroupWait.D() != 5*time.Second || cfg.SMTP.Port != 465 || cfg.SMTP.TLS != "tls" {
		t.Errorf("file values not applied: %+v", cfg)
	}
	if cfg.Alerts.Repeat.D() != 168*time.Hour {
		t.Errorf("unset key lost its default: repeat=%v", cfg.Alerts.Repeat.D())
	}
	if cfg.SMTP.Password != "s3cret" || cfg.NATS.URL != "nats://n:4222" {
		t.Errorf("environment not applied: %+v", cfg.SMTP)
	}
}

func TestErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", "data_dir: x\nsmpt: {host: a}\n", ":2:"},
		{"unknown nested key", "smtp:\n  host: a\n  prot: 25\n", ":3:"},
		{"bad duration", "alerts:\n  group_wait: soon\n", ":2:"},
		{"wrong type", "smtp: {port: many}\n", ":1:"},
		{"unknown audience in route", "routes:\n  - {match: {topics: [border]}, audiences: [mayor]}\n", `unknown audience "mayor"`},
		{"bad tls", "smtp: {tls: ssl}\n", `smtp.tls: "ssl"`},
		{"bad metrics listener", "metrics: {listen: \"9464\"}\n", `metrics.listen "9464": want host:port`},
		{"bad severity", "routes:\n  - {match: {severity: urgent}, audiences: [office]}\n", `severity: "urgent"`},
		{"bad timezone", "timezone: Mars/Olympus\n", "timezone"},
		{"bad email", "audiences: {office: {emails: [nobody]}}\ndigest: {audiences: [office]}\nroutes: []\n", "not an email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(t, tt.yaml)
			_, err := Load(p, true, nil)
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

func TestBadEnvPort(t *testing.T) {
	_, err := Load("", false, func(k string) string {
		if k == "DIEMBAO_SMTP_PORT" {
			return "twenty-five"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "DIEMBAO_SMTP_PORT") {
		t.Fatalf("err = %v", err)
	}
}

// TestAudienceNames: an audience is shown by its configured name, else by
// its id (an operator's file may leave names out).
func TestAudienceNames(t *testing.T) {
	p := write(t, "audiences:\n  office: {name: \" Văn phòng UBND xã \", emails: [a@example.org]}\n  tuyen-giao: {emails: [b@example.org]}\nroutes:\n  - {match: {topics: [border]}, audiences: [office, tuyen-giao]}\ndigest: {audiences: [office]}\ncases: {office: office}\n")
	cfg, err := Load(p, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"office": "Văn phòng UBND xã", "tuyen-giao": "tuyen-giao"}
	if got := cfg.AudienceNames(); !reflect.DeepEqual(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
	if Default().AudienceNames()["police"] != "Công an xã" {
		t.Error("the default police audience has no name")
	}
}

// TestByteOrderMark: a file saved with a byte order mark (Windows Notepad)
// reads as the same file without it, and errors keep their positions.
func TestByteOrderMark(t *testing.T) {
	cfg, err := Load(write(t, "\xef\xbb\xbfdata_dir: /srv/diembao\n"), true, nil)
	if err != nil || cfg.DataDir != "/srv/diembao" {
		t.Errorf("with a BOM: data_dir %q, err %v", cfg.DataDir, err)
	}
	_, err = Load(write(t, "\xef\xbb\xbfdata_dir: /srv/diembao\nbogus: 1\n"), true, nil)
	if err == nil || !strings.Contains(err.Error(), ":2:1:") || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("error after a BOM: %v, want it at 2:1 naming bogus", err)
	}
}
