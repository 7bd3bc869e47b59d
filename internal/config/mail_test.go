package config

import (
	"strings"
	"testing"
	"time"
)

// Mistakes in the mail settings are refused by Load with the file, the
// line of the key's value and the key itself, whichever road (alerts, digest,
// cases) would have used them.
func TestMailConfigErrorsNameLineAndKey(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"route without audiences",
			"routes:\n  - match: {topics: [border]}\n",
			[]string{"diembao.yaml:2:", "routes[0]: a route needs audiences or child routes"}},
		{"nested route without audiences",
			"routes:\n  - match: {topics: [border]}\n    routes:\n      - match: {severity: high}\n",
			[]string{"diembao.yaml:4:", "routes[0].routes[0]: a route needs audiences"}},
		{"empty topic",
			"routes:\n  - audiences: [office]\n    match:\n      topics: [border, \"\"]\n",
			[]string{"diembao.yaml:4:", `routes[0].match.topics: empty topic`}},
		{"unknown audience in route",
			"routes:\n  - audiences: [office]\n  - audiences: [mayor]\n",
			[]string{"diembao.yaml:3:", `routes[1].audiences: unknown audience "mayor"`}},
		{"unknown source kind",
			"routes:\n  - audiences: [office]\n    match: {source_kinds: [blog]}\n",
			[]string{"diembao.yaml:3:", `routes[0].match.source_kinds: "blog": want press, portal or foreign`}},
		{"audience with no emails",
			"audiences:\n  mayor:\n    emails: []\n",
			[]string{"diembao.yaml:3:", "audiences.mayor: no emails"}},
		{"audience name not a key",
			"audiences:\n  \"the mayor\": {emails: [a@example.org]}\n",
			[]string{"diembao.yaml:2:", `audiences: name "the mayor": use letters, digits`}},
		{"not an address",
			"audiences:\n  mayor:\n    emails: [mayor.example.org]\n",
			[]string{"diembao.yaml:3:", `audiences.mayor.emails: "mayor.example.org" is not an email address`}},
		{"unknown digest audience",
			"digest:\n  audiences: [office, mayor]\n",
			[]string{"diembao.yaml:2:", `digest.audiences: unknown audience "mayor"`}},
		{"digest schedule",
			"digest:\n  audiences: [office]\n  schedule: \"Monday 7h\"\n",
			[]string{"diembao.yaml:3:", `digest.schedule: "Monday 7h": want e.g. "Mon 07:00"`}},
		{"digest schedule hour",
			"digest:\n  schedule: \"Fri 24:00\"\n",
			[]string{"diembao.yaml:2:", `digest.schedule: "Fri 24:00": want e.g. "Mon 07:00"`}},
		{"smtp port",
			"smtp:\n  host: mail.example.org\n  port: 70000\n",
			[]string{"diembao.yaml:3:", "smtp.port: 70000 out of range"}},
		{"smtp tls",
			"smtp:\n  tls: ssl\n",
			[]string{"diembao.yaml:2:", `smtp.tls: "ssl": want starttls, tls or none`}},
		{"negative repeat",
			"alerts:\n  group_wait: 10s\n  repeat: -1h\n",
			[]string{"diembao.yaml:3:", "alerts.repeat: -1h0m0s is negative"}},
		{"zero attempts",
			"alerts:\n  max_attempts: 0\n",
			[]string{"diembao.yaml:2:", "alerts.max_attempts: 0: must be positive"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(write(t, tt.yaml), true, nil)
			if err == nil {
				t.Fatalf("no error for %q", tt.yaml)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// `from: ""` means the default sender on every road that mails. Before
// Load filled it, only the alert notifier defaulted it: the digest, stale
// source notices, case notices, saved-search and reminder mails read
// cfg.SMTP.From directly and went out with an empty sender.
func TestEmptyFromIsTheDefaultSender(t *testing.T) {
	cfg, err := Load(write(t, "smtp:\n  host: mail.example.org\n  from: \"\"\n"), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTP.From != DefaultFrom {
		t.Errorf("smtp.from = %q, want %q", cfg.SMTP.From, DefaultFrom)
	}
	cfg, err = Load(write(t, "smtp: {from: \"Ban chỉ đạo <bcd@example.org>\"}\n"), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTP.From != "Ban chỉ đạo <bcd@example.org>" {
		t.Errorf("a set smtp.from was replaced: %q", cfg.SMTP.From)
	}
}

// The checks that package alerts runs on its own input are these, with
// the same verdicts.
func TestChecksAcceptWhatDefaultHas(t *testing.T) {
	d := Default()
	if err := CheckSMTPTransport(d.SMTP.Port, d.SMTP.TLS); err != nil {
		t.Error(err)
	}
	if err := CheckAudiences(d.Audiences); err != nil {
		t.Error(err)
	}
	if err := CheckRoutes(d.Routes, d.Audiences); err != nil {
		t.Error(err)
	}
	if err := CheckAlertWindows(0, 0); err != nil {
		t.Errorf("zero windows (no grouping, no repeat window) refused: %v", err)
	}
	if err := CheckAlertWindows(-time.Second, 0); err == nil || !strings.Contains(err.Error(), "alerts.group_wait") {
		t.Errorf("negative group_wait: err = %v", err)
	}
	if err := CheckSMTPTransport(0, "starttls"); err == nil {
		t.Error("port 0 accepted (callers fill DefaultSMTPPort first)")
	}
}
