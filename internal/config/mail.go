package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/article"
)

// The mail defaults, named once: Default uses them, Load puts DefaultFrom
// back when the file or the environment empties smtp.from, and a package
// whose zero value means "the default" takes it from here.
const (
	DefaultSMTPPort    = 587
	DefaultSMTPTLS     = "starttls"
	DefaultFrom        = "diembao@localhost"
	DefaultMaxAttempts = 20 // SMTP attempts before a mail is a dead letter
)

// The checks below are the only ones of the mail settings: Validate runs
// them on the whole file, and the constructors of package alerts run the
// same functions on what they are given. Each error names the YAML key
// (Load adds the file's line when the file sets it).

// CheckSMTPTransport checks the SMTP port and TLS mode (starttls, tls or
// none). Zero values are errors here; a caller that treats them as "the
// default" fills in DefaultSMTPPort and DefaultSMTPTLS first.
func CheckSMTPTransport(port int, tlsMode string) error {
	if port <= 0 || port > 65535 {
		return &keyError{"smtp.port", fmt.Sprintf("%d out of range (want 1 to 65535)", port)}
	}
	switch tlsMode {
	case "starttls", "tls", "none":
	default:
		return &keyError{"smtp.tls", fmt.Sprintf("%q: want starttls, tls or none", tlsMode)}
	}
	return nil
}

// CheckAudiences checks every audience: a name of letters, digits, '-' and
// '_' (it is a key in URLs and records), at least one address, and
// addresses that look like addresses. Audiences are checked in name order,
// so the error is the same on every run.
func CheckAudiences(auds map[string]Audience) error {
	names := make([]string, 0, len(auds))
	for name := range auds {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !validAudienceName(name) {
			return &keyError{"audiences", fmt.Sprintf("name %q: use letters, digits, '-' and '_'", name)}
		}
		a := auds[name]
		if len(a.Emails) == 0 {
			return &keyError{"audiences." + name, "no emails (an audience needs at least one address)"}
		}
		for _, e := range a.Emails {
			if !strings.Contains(e, "@") {
				return &keyError{"audiences." + name + ".emails", fmt.Sprintf("%q is not an email address", e)}
			}
		}
	}
	return nil
}

func validAudienceName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

// CheckRoutes checks the routing tree against the audiences: every route
// has audiences or child routes, names only known audiences, a known
// severity and source kinds, and no empty topic.
func CheckRoutes(routes []Route, auds map[string]Audience) error {
	return checkRoutes("routes", routes, auds)
}

func checkRoutes(at string, rs []Route, auds map[string]Audience) error {
	for i, r := range rs {
		here := fmt.Sprintf("%s[%d]", at, i)
		if len(r.Audiences) == 0 && len(r.Routes) == 0 {
			return &keyError{here, "a route needs audiences or child routes"}
		}
		for _, a := range r.Audiences {
			if _, ok := auds[a]; !ok {
				return &keyError{here + ".audiences", fmt.Sprintf("unknown audience %q", a)}
			}
		}
		if s := r.Match.Severity; s != "" && article.SeverityRank(s) < 0 {
			return &keyError{here + ".match.severity", fmt.Sprintf("%q: want info, low, medium, high or critical", s)}
		}
		for _, k := range r.Match.SourceKinds {
			if k != article.KindPress && k != article.KindPortal && k != article.KindForeign {
				return &keyError{here + ".match.source_kinds", fmt.Sprintf("%q: want press, portal or foreign", k)}
			}
		}
		for _, t := range r.Match.Topics {
			if t == "" {
				return &keyError{here + ".match.topics", "empty topic"}
			}
		}
		if err := checkRoutes(here+".routes", r.Routes, auds); err != nil {
			return err
		}
	}
	return nil
}

// CheckAlertWindows checks the grouping and repeat windows of alerts: zero
// is allowed (no grouping, no repeat suppression), negative is not.
func CheckAlertWindows(groupWait, repeat time.Duration) error {
	if groupWait < 0 {
		return &keyError{"alerts.group_wait", fmt.Sprintf("%s is negative", groupWait)}
	}
	if repeat < 0 {
		return &keyError{"alerts.repeat", fmt.Sprintf("%s is negative", repeat)}
	}
	return nil
}
