// Package config loads diembao.yaml: every key has a default, unknown keys are
// rejected with file and line, and DIEMBAO_* environment variables override
// secrets and addresses. In: a file path and a getenv function. Out: Config.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/yamlerr"
	"github.com/diembao/diembao/internal/yamlguard"
)

// Config is the whole of diembao.yaml.
type Config struct {
	DataDir   string              `yaml:"data_dir"`
	Timezone  string              `yaml:"timezone"`
	NATS      NATS                `yaml:"nats"`
	HTTP      HTTP                `yaml:"http"`
	Metrics   Metrics             `yaml:"metrics"`
	Sources   string              `yaml:"sources"`
	Rules     []string            `yaml:"rules"`
	SMTP      SMTP                `yaml:"smtp"`
	Audiences map[string]Audience `yaml:"audiences"`
	Routes    []Route             `yaml:"routes"`
	Alerts    Alerts              `yaml:"alerts"`
	Digest    Digest              `yaml:"digest"`
	Crawler   Crawler             `yaml:"crawler"`
	Log       Log                 `yaml:"log"`
	Health    Health              `yaml:"health"`
	Office    Office              `yaml:"office"`
	Reports   Reports             `yaml:"reports"`
	Cases     Cases               `yaml:"cases"`
	Portals   []Portal            `yaml:"portals"` // own portals (portals.go)
}

// NATS says where the bus is. An empty URL starts the embedded server.
type NATS struct {
	URL string `yaml:"url"`
	// Sync makes the embedded JetStream fsync every write (default true).
	Sync *bool `yaml:"sync"`
	// Replicas of every stream and KV bucket (1 on one server, 3 on a
	// 3-node cluster; 0 means 1).
	Replicas int `yaml:"replicas"`
}

// HTTP is the web UI and API listener.
type HTTP struct {
	Listen  string `yaml:"listen"`
	BaseURL string `yaml:"base_url"`
}

// Metrics is an optional listener serving /metrics (Prometheus, no login)
// and /healthz in every process, whatever its roles: in split mode each
// role process gets its own (DIEMBAO_METRICS_LISTEN per process). Empty: none;
// the serve role still has /metrics behind login on the web server.
type Metrics struct {
	Listen string `yaml:"listen"`
}

// SMTP is the outgoing mail server. An empty Host writes .eml files under
// DATA/mail instead of sending.
type SMTP struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	TLS      string `yaml:"tls"` // starttls | tls | none
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	From     string `yaml:"from"`
}

// Audience is a named group of recipients.
type Audience struct {
	// Name is how documents and the web UI call the group ("Công an xã");
	// empty: the audience's id.
	Name   string   `yaml:"name"`
	Emails []string `yaml:"emails"`
	// Sensitive audiences receive only a link and a short excerpt.
	Sensitive bool `yaml:"sensitive"`
}

// Route sends matching alerts to audiences; the first match wins unless
// Continue is set. Routes may nest.
type Route struct {
	Match     RouteMatch `yaml:"match"`
	Audiences []string   `yaml:"audiences"`
	Continue  bool       `yaml:"continue"`
	Routes    []Route    `yaml:"routes"`
}

// RouteMatch selects alerts. Empty lists match anything.
type RouteMatch struct {
	Topics      []string `yaml:"topics"`
	Severity    string   `yaml:"severity"` // minimum severity, "" any
	Area        *bool    `yaml:"area"`
	SourceKinds []string `yaml:"source_kinds"`
	Sources     []string `yaml:"sources"`
}

// Alerts configures grouping and repeat suppression.
type Alerts struct {
	GroupWait   Duration `yaml:"group_wait"`
	Repeat      Duration `yaml:"repeat"`
	MaxAttempts int      `yaml:"max_attempts"` // SMTP attempts before dead letter
}

// Digest configures the weekly digest.
type Digest struct {
	Schedule  string   `yaml:"schedule"` // "Mon 07:00"
	Audiences []string `yaml:"audiences"`
	Issuer    string   `yaml:"issuer"` // issuing body printed on the PDF
}

// Crawler holds process-wide crawler settings; sources live in sources.yaml.
type Crawler struct {
	UserAgent  string   `yaml:"user_agent"`
	ContactURL string   `yaml:"contact_url"`
	Timeout    Duration `yaml:"timeout"`
	MaxBody    int64    `yaml:"max_body"` // bytes, decompressed
	Parallel   int      `yaml:"parallel"`
	// StaleAfter: a source that yields no new article for this many of its
	// intervals raises a notice to the admin audience (0: the default, 6).
	StaleAfter int `yaml:"stale_after"`
}

// Log configures slog.
type Log struct {
	Level  string `yaml:"level"`  // debug | info | warn | error
	Format string `yaml:"format"` // text | json
}

// Duration is a time.Duration written as "30s", "168h".
type Duration time.Duration

// UnmarshalYAML parses a Go duration string ("30s", "168h").
func (d *Duration) UnmarshalYAML(n ast.Node) error {
	var s string
	if err := yaml.NodeToValue(n, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		tk := n.GetToken()
		return &posError{line: tk.Position.Line, col: tk.Position.Column,
			msg: fmt.Sprintf("invalid duration %q (write it like 30s, 10m or 168h)", s)}
	}
	*d = Duration(v)
	return nil
}

// posError is a value error found by an unmarshaler, with its position.
type posError struct {
	line, col int
	msg       string
}

// Error is the message alone: decoders that wrap it add the position.
func (e *posError) Error() string { return e.msg }

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Default returns the configuration used when no file is given.
func Default() Config {
	t := true
	return Config{
		DataDir:  "./data",
		Timezone: article.TimeZone,
		NATS:     NATS{Sync: &t, Replicas: 1},
		Health:   Health{MinFreeMB: 64},
		HTTP:     HTTP{Listen: "127.0.0.1:8080", BaseURL: "http://127.0.0.1:8080"},
		Sources:  "sources.yaml",
		Rules:    []string{},
		SMTP:     SMTP{Port: DefaultSMTPPort, TLS: DefaultSMTPTLS, From: DefaultFrom},
		Audiences: map[string]Audience{
			"office": {Name: "Văn phòng HĐND và UBND", Emails: []string{"vanphong@example.org"}},
			"police": {Name: "Công an xã", Emails: []string{"congan@example.org"}, Sensitive: true},
			"admin":  {Name: "Quản trị hệ thống", Emails: []string{"quantri@example.org"}},
		},
		Routes: []Route{
			{Match: RouteMatch{Topics: []string{"border", "laos", "disinfo"}, Area: &t}, Audiences: []string{"office", "police"}},
			{Match: RouteMatch{Topics: []string{"ethnic", "religion"}, Area: &t}, Audiences: []string{"office"}},
			{Match: RouteMatch{Topics: []string{"portal"}}, Audiences: []string{"office", "admin"}}, // own-portal findings
		},
		Alerts: Alerts{GroupWait: Duration(30 * time.Second), Repeat: Duration(168 * time.Hour), MaxAttempts: DefaultMaxAttempts},
		Digest: Digest{Schedule: DefaultDigestSchedule, Audiences: []string{"office", "police"}, Issuer: "UBND xã Thường Xuân"},
		Crawler: Crawler{
			UserAgent:  "diembao/1.0",
			ContactURL: "https://github.com/diembao/diembao",
			Timeout:    Duration(20 * time.Second),
			MaxBody:    10 << 20,
			Parallel:   4,
		},
		Log:     Log{Level: "info", Format: "text"},
		Office:  defaultOffice(),
		Portals: []Portal{},
	}
}

// Load reads path over the defaults. A missing file is not an error when
// required is false (the default ./diembao.yaml is optional). getenv supplies
// DIEMBAO_* overrides; it may be nil.
func Load(path string, required bool, getenv func(string) string) (Config, error) {
	cfg := Default()
	var data []byte
	if path != "" {
		b, err := os.ReadFile(path)
		// A byte order mark (Windows Notepad) is allowed by YAML; go-yaml
		// would read it into the first key.
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		data = b
		switch {
		case err == nil:
			if err := decode(path, b, &cfg); err != nil {
				return Config{}, err
			}
		case errors.Is(err, os.ErrNotExist) && !required:
		default:
			return Config{}, fmt.Errorf("config: %w", err)
		}
	}
	if getenv != nil {
		if err := applyEnv(&cfg, getenv); err != nil {
			return Config{}, err
		}
	}
	if cfg.SMTP.From == "" {
		// `from: ""` in the file means the default, for every road that
		// mails (alerts, digest, stale sources, cases, subscriptions,
		// reminders): they all read cfg.SMTP.From.
		cfg.SMTP.From = DefaultFrom
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, locate(path, data, err)
	}
	return cfg, nil
}

func decode(path string, b []byte, cfg *Config) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := yamlguard.CheckAliases(b, yamlguard.MaxAliasNodes); err != nil {
		return fmt.Errorf("%s:%w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b), yaml.Strict())
	if err := dec.Decode(cfg); err != nil {
		var pe *posError
		if errors.As(err, &pe) {
			return fmt.Errorf("%s:%d:%d: %s", path, pe.line, pe.col, pe.msg)
		}
		line, col, msg := yamlerr.Locate(err)
		if line == 0 {
			return fmt.Errorf("%s: %s", path, msg)
		}
		return fmt.Errorf("%s:%d:%d: %s", path, line, col, msg)
	}
	return nil
}

func applyEnv(cfg *Config, getenv func(string) string) error {
	str := map[string]*string{
		"DIEMBAO_DATA_DIR":       &cfg.DataDir,
		"DIEMBAO_TIMEZONE":       &cfg.Timezone,
		"DIEMBAO_NATS_URL":       &cfg.NATS.URL,
		"DIEMBAO_HTTP_LISTEN":    &cfg.HTTP.Listen,
		"DIEMBAO_HTTP_BASE_URL":  &cfg.HTTP.BaseURL,
		"DIEMBAO_METRICS_LISTEN": &cfg.Metrics.Listen,
		"DIEMBAO_SOURCES":        &cfg.Sources,
		"DIEMBAO_SMTP_HOST":      &cfg.SMTP.Host,
		"DIEMBAO_SMTP_TLS":       &cfg.SMTP.TLS,
		"DIEMBAO_SMTP_USERNAME":  &cfg.SMTP.Username,
		"DIEMBAO_SMTP_PASSWORD":  &cfg.SMTP.Password,
		"DIEMBAO_SMTP_FROM":      &cfg.SMTP.From,
		"DIEMBAO_LOG_LEVEL":      &cfg.Log.Level,
	}
	for k, p := range str {
		if v := getenv(k); v != "" {
			*p = v
		}
	}
	if v := getenv("DIEMBAO_SMTP_PORT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("config: DIEMBAO_SMTP_PORT=%q: not a number", v)
		}
		cfg.SMTP.Port = n
	}
	return nil
}

// Validate checks values the decoder cannot: enumerations, references between
// routes and audiences, the time zone.
func (c Config) Validate() error {
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		return fmt.Errorf("timezone %q: %w", c.Timezone, err)
	}
	if err := CheckSMTPTransport(c.SMTP.Port, c.SMTP.TLS); err != nil {
		return err
	}
	if c.Metrics.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Metrics.Listen); err != nil {
			return fmt.Errorf("metrics.listen %q: want host:port", c.Metrics.Listen)
		}
	}
	if err := c.Health.validate(); err != nil {
		return err
	}
	if c.NATS.Replicas < 0 || c.NATS.Replicas > 5 {
		return fmt.Errorf("nats.replicas %d: want 1 to 5", c.NATS.Replicas)
	}
	if err := CheckAudiences(c.Audiences); err != nil {
		return err
	}
	if err := CheckRoutes(c.Routes, c.Audiences); err != nil {
		return err
	}
	for _, a := range c.Digest.Audiences {
		if _, ok := c.Audiences[a]; !ok {
			return &keyError{"digest.audiences", fmt.Sprintf("unknown audience %q", a)}
		}
	}
	if _, _, _, err := ParseDigestSchedule(c.Digest.Schedule); err != nil {
		return err
	}
	if err := CheckAlertWindows(c.Alerts.GroupWait.D(), c.Alerts.Repeat.D()); err != nil {
		return err
	}
	if c.Alerts.MaxAttempts <= 0 {
		return &keyError{"alerts.max_attempts", fmt.Sprintf("%d: must be positive", c.Alerts.MaxAttempts)}
	}
	if err := c.Office.validate(); err != nil {
		return err
	}
	if err := c.Cases.Validate(c.Audiences); err != nil {
		return err
	}
	if err := c.checkPortals(); err != nil {
		return err
	}
	return c.checkRanges()
}

// Location returns the configured time zone.
func (c Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return article.Vietnam()
	}
	return loc
}

// AudienceNames maps each audience id to its display name (Name, else the id).
func (c Config) AudienceNames() map[string]string {
	out := make(map[string]string, len(c.Audiences))
	for id, a := range c.Audiences {
		out[id] = id
		if n := strings.TrimSpace(a.Name); n != "" {
			out[id] = n
		}
	}
	return out
}
