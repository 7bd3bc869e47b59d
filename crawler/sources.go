package crawler

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"github.com/diembao/diembao/internal/yamlguard"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/yamlerr"
)

// DefaultSourcesYAML is the default source list (real provincial and national
// outlets), used when no sources.yaml exists. Feeds were reported by
// third-party crawlers; re-verify them against the live sites.
//
//go:embed sources.default.yaml
var DefaultSourcesYAML []byte

// Source is one entry of sources.yaml (DESIGN.md, "Files").
type Source struct {
	ID           string          `yaml:"id" json:"id"`
	Name         string          `yaml:"name" json:"name"`
	Kind         string          `yaml:"kind" json:"kind"` // press | portal | foreign
	Feeds        []string        `yaml:"feeds" json:"feeds,omitempty"`
	Sitemaps     []string        `yaml:"sitemaps" json:"sitemaps,omitempty"`
	Listings     []Listing       `yaml:"listings" json:"listings,omitempty"`
	Interval     config.Duration `yaml:"interval" json:"interval"`
	Delay        config.Duration `yaml:"delay" json:"delay"`
	AllowPrivate bool            `yaml:"allow_private" json:"allow_private,omitempty"`
	RequireArea  bool            `yaml:"require_area" json:"require_area,omitempty"`
	Selectors    Selectors       `yaml:"selectors" json:"selectors,omitzero"`
}

// Listing is a listing page and the pattern its article links match
// (a Go regexp tested against the absolute link URL).
type Listing struct {
	URL   string `yaml:"url" json:"url"`
	Links string `yaml:"links" json:"links"`
}

// Selectors are optional CSS selectors that override generic extraction.
type Selectors struct {
	Title string `yaml:"title" json:"title,omitempty"`
	Body  string `yaml:"body" json:"body,omitempty"`
	Date  string `yaml:"date" json:"date,omitempty"`
}

// Default per-source timings.
const (
	DefaultInterval = 10 * time.Minute
	DefaultDelay    = 2 * time.Second
)

var (
	sourceIDRe = regexp.MustCompile(`^[a-z0-9-]+$`)
	quotedRe   = regexp.MustCompile(`"([^"]+)"`)
)

// LoadSources reads and checks a sources.yaml file. Unknown keys and invalid
// values are errors that name the file and line.
func LoadSources(path string) ([]Source, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	return ParseSources(path, b)
}

// LoadSourcesOrDefault is LoadSources, except that a missing file gives the
// embedded default list (DefaultSourcesYAML). Use it for the default path
// only; a path the operator named must exist.
func LoadSourcesOrDefault(path string) ([]Source, error) {
	srcs, err := LoadSources(path)
	if err != nil && errors.Is(err, os.ErrNotExist) {
		return ParseSources("sources.default.yaml (embedded)", DefaultSourcesYAML)
	}
	return srcs, err
}

// ParseSources is LoadSources on bytes already read; name is used in errors.
func ParseSources(name string, b []byte) (srcs []Source, err error) {
	defer func() {
		// goccy/go-yaml v1.19.2 panics on some malformed documents (found by
		// FuzzSources): a bad file must be an error, never a crash.
		if r := recover(); r != nil {
			srcs, err = nil, fmt.Errorf("%s: invalid YAML (%v)", name, r)
		}
	}()
	var doc struct {
		Sources []Source `yaml:"sources"`
	}
	// A byte order mark (Windows Notepad) is allowed by YAML; go-yaml would
	// read it into the first key.
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if err := yamlguard.CheckAliases(b, yamlguard.MaxAliasNodes); err != nil {
		return nil, fmt.Errorf("%s:%w", name, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b), yaml.Strict())
	if err := dec.Decode(&doc); err != nil {
		msg := yamlErrLine(err)
		if strings.HasPrefix(msg, " ") { // no position (a custom unmarshaler's error): find the value
			if m := quotedRe.FindStringSubmatch(msg); m != nil {
				for i, line := range strings.Split(string(b), "\n") {
					if strings.Contains(line, m[1]) {
						msg = fmt.Sprintf("%d:%s", i+1, msg)
						break
					}
				}
			}
		}
		return nil, fmt.Errorf("%s:%s", name, msg)
	}
	if len(doc.Sources) == 0 {
		return nil, fmt.Errorf("%s: no sources", name)
	}
	seen := map[string]bool{}
	for i := range doc.Sources {
		s := &doc.Sources[i]
		field, err := s.check()
		if err == nil && seen[s.ID] {
			field, err = "id", fmt.Errorf("duplicate id %q", s.ID)
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: sources[%d]: %w", name, lineOf(b, i, field), i, err)
		}
		seen[s.ID] = true
	}
	return doc.Sources, nil
}

// check validates one source and fills defaults; it returns the offending field.
func (s *Source) check() (string, error) {
	if !sourceIDRe.MatchString(s.ID) {
		return "id", fmt.Errorf("id %q: want [a-z0-9-]+", s.ID)
	}
	if s.Name == "" {
		s.Name = s.ID
	}
	switch s.Kind {
	case "":
		s.Kind = article.KindPress
	case article.KindPress, article.KindPortal, article.KindForeign:
	default:
		return "kind", fmt.Errorf("kind %q: want press, portal or foreign", s.Kind)
	}
	if len(s.Feeds)+len(s.Sitemaps)+len(s.Listings) == 0 {
		return "id", errors.New("no feeds, sitemaps or listings")
	}
	for _, u := range append(append([]string(nil), s.Feeds...), s.Sitemaps...) {
		if err := checkURL(u); err != nil {
			return "feeds", err
		}
	}
	for _, l := range s.Listings {
		if err := checkURL(l.URL); err != nil {
			return "listings", err
		}
		if l.Links == "" {
			return "listings", fmt.Errorf("listing %s: empty links pattern", l.URL)
		}
		if _, err := regexp.Compile(l.Links); err != nil {
			return "listings", fmt.Errorf("listing %s: links: %w", l.URL, err)
		}
	}
	if s.Interval < 0 || s.Delay < 0 {
		return "interval", errors.New("negative interval or delay")
	}
	if s.Interval == 0 {
		s.Interval = config.Duration(DefaultInterval)
	}
	if s.Interval.D() < time.Minute && !s.AllowPrivate {
		return "interval", fmt.Errorf("interval %s: at least 1m for public sites", s.Interval.D())
	}
	if s.Delay == 0 {
		s.Delay = config.Duration(DefaultDelay)
	}
	for f, sel := range map[string]string{"title": s.Selectors.Title, "body": s.Selectors.Body, "date": s.Selectors.Date} {
		if sel == "" {
			continue
		}
		if _, err := compileSelector(sel); err != nil {
			return "selectors", fmt.Errorf("selectors.%s %q: %w", f, sel, err)
		}
	}
	return "", nil
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return nil
}

// lineOf finds the line of sources[i].field (or sources[i]) in the YAML text.
func lineOf(b []byte, i int, field string) int {
	f, err := parser.ParseBytes(b, 0)
	if err != nil {
		return 0
	}
	for _, expr := range []string{fmt.Sprintf("$.sources[%d].%s", i, field), fmt.Sprintf("$.sources[%d]", i)} {
		if field == "" && strings.HasSuffix(expr, ".") {
			continue
		}
		p, err := yaml.PathString(expr)
		if err != nil {
			continue
		}
		if n, err := p.FilterFile(f); err == nil && n != nil && n.GetToken() != nil {
			return n.GetToken().Position.Line
		}
	}
	return 0
}

// yamlErrLine turns a goccy/go-yaml error into "LINE:COL: message".
func yamlErrLine(err error) string {
	line, col, msg := yamlerr.Locate(err)
	if line == 0 {
		return " " + msg
	}
	return fmt.Sprintf("%d:%d: %s", line, col, msg)
}

// hosts returns the hosts a source's discovery URLs live on.
func (s Source) hosts() []string {
	var out []string
	add := func(raw string) {
		if u, err := url.Parse(raw); err == nil {
			out = append(out, strings.TrimPrefix(strings.ToLower(u.Hostname()), "www."))
		}
	}
	for _, f := range s.Feeds {
		add(f)
	}
	for _, f := range s.Sitemaps {
		add(f)
	}
	for _, l := range s.Listings {
		add(l.URL)
	}
	return out
}
