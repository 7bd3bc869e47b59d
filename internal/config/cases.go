package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/article"
)

// Cases configures the handling of false or distorting reports (vụ việc):
// deadlines per severity, who is told, and intake limits. Every zero value
// means the default (see CasesConfig.WithDefaults).
type Cases struct {
	// Deadlines per severity (info, low, medium, high, critical), each
	// counted from the moment the case was received.
	Deadlines map[string]CaseDeadlines `yaml:"deadlines"`
	// Office is the audience mailed about overdue cases besides the owner
	// (default "office").
	Office string `yaml:"office"`
	// Owners maps a user name to the e-mail address that receives the
	// owner's notices (overdue, new items attached). A user name that is
	// itself an address needs no entry.
	Owners map[string]string `yaml:"owners"`
	// MaxUpload is the largest evidence file accepted, in bytes (default 5 MiB).
	MaxUpload int64 `yaml:"max_upload"`
	// RemindAt is the local time of day ("08:00") after which the daily
	// overdue reminders go out (default 08:00).
	RemindAt string `yaml:"remind_at"`
}

// CaseDeadlines are the deadlines of one severity, from reception.
type CaseDeadlines struct {
	Verify  Duration `yaml:"verify"`
	Respond Duration `yaml:"respond"`
	Report  Duration `yaml:"report"`
}

// WithDefaults returns c with every zero value replaced by its default:
// critical 12h/24h/72h, high 24h/48h/120h, medium 72h/168h/336h, low and
// info 168h/336h/720h.
func (c Cases) WithDefaults() Cases {
	def := map[string]CaseDeadlines{
		"critical": {Duration(12 * time.Hour), Duration(24 * time.Hour), Duration(72 * time.Hour)},
		"high":     {Duration(24 * time.Hour), Duration(48 * time.Hour), Duration(120 * time.Hour)},
		"medium":   {Duration(72 * time.Hour), Duration(168 * time.Hour), Duration(336 * time.Hour)},
		"low":      {Duration(168 * time.Hour), Duration(336 * time.Hour), Duration(720 * time.Hour)},
		"info":     {Duration(168 * time.Hour), Duration(336 * time.Hour), Duration(720 * time.Hour)},
	}
	out := c
	out.Deadlines = map[string]CaseDeadlines{}
	for sev, d := range def {
		if got, ok := c.Deadlines[sev]; ok {
			if got.Verify > 0 {
				d.Verify = got.Verify
			}
			if got.Respond > 0 {
				d.Respond = got.Respond
			}
			if got.Report > 0 {
				d.Report = got.Report
			}
		}
		out.Deadlines[sev] = d
	}
	if out.Office == "" {
		out.Office = "office"
	}
	if out.MaxUpload <= 0 {
		out.MaxUpload = 5 << 20
	}
	if out.RemindAt == "" {
		out.RemindAt = "08:00"
	}
	return out
}

// Validate checks severities, the order of the deadlines, the office
// audience and the owners' addresses against the rest of cfg.
func (c Cases) Validate(audiences map[string]Audience) error {
	for sev, d := range c.Deadlines {
		if article.SeverityRank(sev) < 0 {
			return fmt.Errorf("cases.deadlines: unknown severity %q (want info, low, medium, high or critical)", sev)
		}
		if d.Verify < 0 || d.Respond < 0 || d.Report < 0 {
			return fmt.Errorf("cases.deadlines.%s: durations must not be negative", sev)
		}
	}
	if c.Office != "" {
		if _, ok := audiences[c.Office]; !ok {
			return fmt.Errorf("cases.office: unknown audience %q", c.Office)
		}
	}
	for name, e := range c.Owners {
		if !strings.Contains(e, "@") {
			return fmt.Errorf("cases.owners.%s: %q is not an email address", name, e)
		}
	}
	if c.MaxUpload < 0 || c.MaxUpload > 8<<20 {
		return fmt.Errorf("cases.max_upload %d: want 1 to %d bytes", c.MaxUpload, 8<<20)
	}
	if c.RemindAt != "" {
		if _, err := time.Parse("15:04", c.RemindAt); err != nil {
			return fmt.Errorf("cases.remind_at %q: want HH:MM", c.RemindAt)
		}
	}
	return nil
}
