package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// Portal is one of the locality's own electronic portals (portals: in
// diembao.yaml): watched for changes, spam and downtime, and checked for the
// publications it owes (Decree 42/2022/NĐ-CP).
type Portal struct {
	ID   string `yaml:"id"`   // [a-z0-9-]+, unique
	Name string `yaml:"name"` // shown in the UI and the alerts
	URL  string `yaml:"url"`  // base URL, http or https
	// Pages are paths (or absolute URLs on the portal's host) watched for
	// changes and crawled one link deep for duties; default ["/"].
	Pages []string `yaml:"pages"`
	// Duties is "default" (the embedded commune set, also when the key is
	// absent) or a list of duties. A list that contains the string
	// "default" extends the default set (an item with a default duty's id
	// replaces that duty); a list without it replaces the set.
	Duties Duties `yaml:"duties"`
	// Interval between two checks of the portal (default 1h).
	Interval Duration `yaml:"interval"`
	// Delay is the least time between two requests to the portal (default
	// 1s; robots.txt Crawl-delay wins if longer).
	Delay Duration `yaml:"delay"`
	// Down is the number of consecutive failed checks that count as
	// downtime (default 3).
	Down int `yaml:"down"`
	// AllowPrivate lets the checks fetch private and loopback addresses
	// (tests and the demo only).
	AllowPrivate bool `yaml:"allow_private"`
	// Line is where the portal is written in diembao.yaml (0: not from a file).
	Line int `yaml:"-"`
}

// Duties is a portal's duty list: Default says the embedded commune set is
// included; List adds to it (a duty with a default duty's id replaces it).
type Duties struct {
	Default bool
	List    []Duty
	given   bool // the key was written
}

// Duty is a named publication a portal owes: a query in the rule language
// (placeholders {year}, {prev_year}, {quarter}, {month} stand for the
// period), a due date "MM-DD" counted from the period's first month
// (year: "01-31" is 31 January; quarter: "04-15" is the 15th of the month
// after the quarter; month: "01-10" is the 10th of that month), and a
// period.
type Duty struct {
	ID    string `yaml:"id"`
	Name  string `yaml:"name"`
	Query string `yaml:"query"`
	Due   string `yaml:"due"`
	Every string `yaml:"every"` // year | quarter | month
	// Line is where the duty is written (0: not from a file).
	Line int `yaml:"-"`
}

// Periods a duty may recur on.
const (
	EveryYear    = "year"
	EveryQuarter = "quarter"
	EveryMonth   = "month"
)

var (
	portalIDRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	dutyIDRe     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	placeholdRe  = regexp.MustCompile(`\{[^{}]*\}`)
	placeholders = map[string]bool{"{year}": true, "{prev_year}": true, "{quarter}": true, "{month}": true}
)

func posErr(n ast.Node, format string, args ...any) error {
	tk := n.GetToken()
	if tk == nil {
		return fmt.Errorf(format, args...)
	}
	return &posError{line: tk.Position.Line, col: tk.Position.Column, msg: fmt.Sprintf(format, args...)}
}

func lineOf(n ast.Node) int {
	if tk := n.GetToken(); tk != nil {
		return tk.Position.Line
	}
	return 0
}

// UnmarshalYAML accepts "default" or a list of duties (whose items may
// include the string "default").
func (d *Duties) UnmarshalYAML(n ast.Node) error {
	*d = Duties{given: true}
	if s, ok := n.(*ast.StringNode); ok {
		if s.Value != "default" {
			return posErr(n, "duties %q: want \"default\" or a list of {id, name, query, due, every}", s.Value)
		}
		d.Default = true
		return nil
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		return posErr(n, "duties: want \"default\" or a list of {id, name, query, due, every}")
	}
	seen := map[string]int{}
	for _, item := range seq.Values {
		if s, ok := item.(*ast.StringNode); ok {
			if s.Value != "default" {
				return posErr(item, "duties: %q: a list item is \"default\" or {id, name, query, due, every}", s.Value)
			}
			d.Default = true
			continue
		}
		var du Duty
		if err := du.UnmarshalYAML(item); err != nil {
			return err
		}
		if at, dup := seen[du.ID]; dup {
			return posErr(item, "duty %q already listed at line %d", du.ID, at)
		}
		seen[du.ID] = du.Line
		d.List = append(d.List, du)
	}
	return nil
}

// MarshalYAML writes "default" or the list.
func (d Duties) MarshalYAML() (any, error) {
	if d.Default && len(d.List) == 0 {
		return "default", nil
	}
	var out []any
	if d.Default {
		out = append(out, "default")
	}
	for _, x := range d.List {
		out = append(out, x)
	}
	return out, nil
}

type rawDuty Duty

// UnmarshalYAML decodes one duty strictly and checks its fields.
func (du *Duty) UnmarshalYAML(n ast.Node) error {
	var r rawDuty
	if err := yaml.NodeToValue(n, &r, yaml.Strict()); err != nil {
		return err
	}
	*du = Duty(r)
	du.Line = lineOf(n)
	if err := du.Check(); err != nil {
		return posErr(n, "%v", err)
	}
	return nil
}

// Check validates a duty's fields (not the query's syntax, which the rules
// package checks when the duty is compiled).
func (du Duty) Check() error {
	if !dutyIDRe.MatchString(du.ID) {
		return fmt.Errorf("duty id %q: want lower-case letters, digits and -", du.ID)
	}
	if strings.TrimSpace(du.Name) == "" {
		return fmt.Errorf("duty %q: no name", du.ID)
	}
	if strings.TrimSpace(du.Query) == "" {
		return fmt.Errorf("duty %q: no query", du.ID)
	}
	for _, p := range placeholdRe.FindAllString(du.Query, -1) {
		if !placeholders[p] {
			return fmt.Errorf("duty %q: unknown placeholder %s (want {year}, {prev_year}, {quarter} or {month})", du.ID, p)
		}
	}
	if _, err := DueOffset(du.Due, du.Every); err != nil {
		return fmt.Errorf("duty %q: %w", du.ID, err)
	}
	return nil
}

// DueOffset parses a due date "MM-DD" for a period kind and returns the
// month offset from the period's first month (0 for "01") and the day.
func DueOffset(due, every string) ([2]int, error) {
	maxMonth := 0
	switch every {
	case EveryYear:
		maxMonth = 24
	case EveryQuarter:
		maxMonth = 6
	case EveryMonth:
		maxMonth = 3
	default:
		return [2]int{}, fmt.Errorf("every %q: want year, quarter or month", every)
	}
	mm, dd, ok := strings.Cut(due, "-")
	m, err1 := strconv.Atoi(mm)
	d, err2 := strconv.Atoi(dd)
	if !ok || len(mm) != 2 || len(dd) != 2 || err1 != nil || err2 != nil || m < 1 || m > maxMonth || d < 1 || d > 31 {
		return [2]int{}, fmt.Errorf("due %q: want \"MM-DD\" with MM from 01 to %02d counted from the period's first month", due, maxMonth)
	}
	return [2]int{m - 1, d}, nil
}

type rawPortal Portal

// UnmarshalYAML decodes one portal strictly and checks its fields.
func (p *Portal) UnmarshalYAML(n ast.Node) error {
	var r rawPortal
	if err := yaml.NodeToValue(n, &r, yaml.Strict()); err != nil {
		return err
	}
	*p = Portal(r)
	p.Line = lineOf(n)
	if !p.Duties.given {
		p.Duties.Default = true
	}
	if err := p.check(); err != nil {
		return posErr(n, "%v", err)
	}
	return nil
}

func (p *Portal) check() error {
	if !portalIDRe.MatchString(p.ID) {
		return fmt.Errorf("portal id %q: want lower-case letters, digits and -", p.ID)
	}
	if strings.TrimSpace(p.Name) == "" {
		return fmt.Errorf("portal %q: no name", p.ID)
	}
	u, err := url.Parse(p.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("portal %q: url %q: want an http(s) URL", p.ID, p.URL)
	}
	for _, pg := range p.Pages {
		if _, err := p.PageURL(pg); err != nil {
			return err
		}
	}
	if p.Interval < 0 || (p.Interval > 0 && p.Interval.D() < time.Second) {
		return fmt.Errorf("portal %q: interval must be at least 1s", p.ID)
	}
	if p.Delay < 0 {
		return fmt.Errorf("portal %q: delay must not be negative", p.ID)
	}
	if p.Down < 0 {
		return fmt.Errorf("portal %q: down must not be negative", p.ID)
	}
	return nil
}

// PageURL resolves a page of the portal ("/tin-tuc" or an absolute URL on
// the portal's host) against its base URL.
func (p Portal) PageURL(page string) (string, error) {
	base, err := url.Parse(p.URL)
	if err != nil {
		return "", fmt.Errorf("portal %q: url %q: %w", p.ID, p.URL, err)
	}
	ref, err := url.Parse(strings.TrimSpace(page))
	if err != nil || page == "" {
		return "", fmt.Errorf("portal %q: page %q: not a path or URL", p.ID, page)
	}
	u := base.ResolveReference(ref)
	if u.Host != base.Host {
		return "", fmt.Errorf("portal %q: page %q is not on %s", p.ID, page, base.Host)
	}
	return u.String(), nil
}

// WatchedPages returns the absolute URLs of the watched pages ("/" when
// none are listed), without duplicates.
func (p Portal) WatchedPages() []string {
	pages := p.Pages
	if len(pages) == 0 {
		pages = []string{"/"}
	}
	var out []string
	for _, pg := range pages {
		u, err := p.PageURL(pg)
		if err != nil {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == u
		}
		if !dup {
			out = append(out, u)
		}
	}
	return out
}

// checkPortals finds clashes between portals (each is checked as decoded).
func (c Config) checkPortals() error {
	seen := map[string]bool{}
	for i, p := range c.Portals {
		if seen[p.ID] {
			return fmt.Errorf("portals[%d] (line %d): duplicate portal id %q", i, p.Line, p.ID)
		}
		seen[p.ID] = true
		if err := p.check(); err != nil {
			return fmt.Errorf("portals[%d]: %w", i, err)
		}
		for _, d := range p.Duties.List {
			if err := d.Check(); err != nil {
				return fmt.Errorf("portals[%d]: %w", i, err)
			}
		}
	}
	return nil
}
