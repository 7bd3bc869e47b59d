package portal

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/rules"
)

//go:embed packs/duties-commune.yaml
var defaultDutiesYAML []byte

// DefaultDuties returns the embedded duty set of a commune portal (Decree
// 42/2022/NĐ-CP's list), each checked as diembao.yaml's duties are.
func DefaultDuties() ([]config.Duty, error) {
	var ds []config.Duty
	if err := yaml.UnmarshalWithOptions(defaultDutiesYAML, &ds, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("portal: default duties: %s", yaml.FormatError(err, false, false))
	}
	return ds, nil
}

// DutiesOf returns a portal's duty set: the default set when asked for,
// with the listed duties replacing those of the same id or added after.
func DutiesOf(p config.Portal) ([]config.Duty, error) {
	var out []config.Duty
	if p.Duties.Default {
		def, err := DefaultDuties()
		if err != nil {
			return nil, err
		}
		out = def
	}
	for _, d := range p.Duties.List {
		replaced := false
		for i := range out {
			if out[i].ID == d.ID {
				out[i], replaced = d, true
			}
		}
		if !replaced {
			out = append(out, d)
		}
	}
	return out, nil
}

// Period is one occurrence of a duty's period.
type Period struct {
	Kind  string    // config.EveryYear, EveryQuarter or EveryMonth
	Start time.Time // first instant, in the configured zone
	End   time.Time // first instant of the next period
}

// PeriodAt returns the period of the given kind that contains t.
func PeriodAt(kind string, t time.Time, loc *time.Location) Period {
	t = t.In(loc)
	y, m := t.Year(), t.Month()
	var start time.Time
	months := 1
	switch kind {
	case config.EveryYear:
		start, months = time.Date(y, 1, 1, 0, 0, 0, 0, loc), 12
	case config.EveryQuarter:
		start, months = time.Date(y, ((m-1)/3)*3+1, 1, 0, 0, 0, 0, loc), 3
	default:
		kind = config.EveryMonth
		start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
	}
	return Period{Kind: kind, Start: start, End: start.AddDate(0, months, 0)}
}

// Prev returns the period before p.
func (p Period) Prev() Period {
	return PeriodAt(p.Kind, p.Start.Add(-time.Hour), p.Start.Location())
}

// Key names the period: "2026", "2026-q1", "2026-01".
func (p Period) Key() string {
	switch p.Kind {
	case config.EveryYear:
		return strconv.Itoa(p.Start.Year())
	case config.EveryQuarter:
		return fmt.Sprintf("%d-q%d", p.Start.Year(), int(p.Start.Month()-1)/3+1)
	}
	return p.Start.Format("2006-01")
}

// Label is the period in Vietnamese: "năm 2026", "quý I/2026", "tháng 01/2026".
func (p Period) Label() string {
	switch p.Kind {
	case config.EveryYear:
		return "năm " + strconv.Itoa(p.Start.Year())
	case config.EveryQuarter:
		return fmt.Sprintf("quý %s/%d", roman[int(p.Start.Month()-1)/3], p.Start.Year())
	}
	return "tháng " + p.Start.Format("01/2006")
}

var roman = [4]string{"I", "II", "III", "IV"}

// length is the nominal length of the period.
func (p Period) length() time.Duration { return p.End.Sub(p.Start) }

// Due returns the last instant of the duty's due day in period p: "MM-DD"
// counts months from the period's first month; a day past the month's end
// is its last day.
func Due(d config.Duty, p Period) (time.Time, error) {
	off, err := config.DueOffset(d.Due, d.Every)
	if err != nil {
		return time.Time{}, err
	}
	first := p.Start.AddDate(0, off[0], 0)
	last := first.AddDate(0, 1, -1).Day()
	day := min(off[1], last)
	return time.Date(first.Year(), first.Month(), day, 23, 59, 59, 0, p.Start.Location()), nil
}

// values are the placeholder spellings for a period; several spellings
// become alternatives ("quý I" OR "quý 1").
func values(p Period) map[string][]string {
	y := p.Start.Year()
	q := int(p.Start.Month()-1)/3 + 1
	m := int(p.Start.Month())
	return map[string][]string{
		"{year}":      {strconv.Itoa(y)},
		"{prev_year}": {strconv.Itoa(y - 1)},
		"{quarter}":   {roman[q-1], strconv.Itoa(q)},
		"{month}":     {fmt.Sprintf("%02d", m), strconv.Itoa(m)},
	}
}

var placeholderRe = regexp.MustCompile(`\{(year|prev_year|quarter|month)\}`)

// HasPlaceholder reports whether a duty's query names its period.
func HasPlaceholder(q string) bool { return placeholderRe.MatchString(q) }

// NameFor is a duty's name with the placeholders of period p filled in
// (first spelling).
func NameFor(name string, p Period) string {
	v := values(p)
	return placeholderRe.ReplaceAllStringFunc(name, func(s string) string { return v[s][0] })
}

// ExpandQuery fills a duty query's placeholders for period p: a quoted
// phrase holding placeholders becomes one phrase per spelling joined by
// OR; a bare placeholder becomes its quoted spellings.
func ExpandQuery(q string, p Period) string {
	v := values(p)
	variants := func(text string) []string {
		out := []string{text}
		for _, m := range placeholderRe.FindAllString(text, -1) {
			var next []string
			for _, o := range out {
				for _, sp := range v[m] {
					next = append(next, strings.Replace(o, m, sp, 1))
				}
			}
			out = next
		}
		return out
	}
	group := func(phrases []string) string {
		for i, ph := range phrases {
			phrases[i] = `"` + ph + `"`
		}
		if len(phrases) == 1 {
			return phrases[0]
		}
		return "(" + strings.Join(phrases, " OR ") + ")"
	}
	var b strings.Builder
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '"':
			j := strings.IndexByte(q[i+1:], '"')
			if j < 0 {
				b.WriteString(q[i:]) // unterminated: the parser reports it
				return b.String()
			}
			text := q[i+1 : i+1+j]
			if placeholderRe.MatchString(text) {
				b.WriteString(group(variants(text)))
			} else {
				b.WriteString(q[i : i+2+j])
			}
			i += j + 2
		case c == '{':
			if loc := placeholderRe.FindStringIndex(q[i:]); loc != nil && loc[0] == 0 {
				b.WriteString(group(variants(q[i : i+loc[1]])))
				i += loc[1]
				continue
			}
			b.WriteByte(c)
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// dutyRule is one duty in one period, compiled as a rule.
type dutyRule struct {
	duty   config.Duty
	period Period
	id     string // rule id: <duty>.<period key>
}

type ruleDoc struct {
	ID       string `yaml:"id"`
	Topic    string `yaml:"topic"`
	Severity string `yaml:"severity"`
	Query    string `yaml:"query"`
}

type ruleFile struct {
	Topics []map[string]string `yaml:"topics"`
	Rules  []ruleDoc           `yaml:"rules"`
}

// compileDuties compiles every (duty, period) pair into one rule set with
// the rules package's parser and matcher.
func compileDuties(drs []dutyRule) (*rules.Set, error) {
	f := ruleFile{Topics: []map[string]string{{"id": "duty", "name": "Nghĩa vụ đăng tin"}}}
	for _, dr := range drs {
		f.Rules = append(f.Rules, ruleDoc{ID: dr.id, Topic: "duty", Severity: "info", Query: ExpandQuery(dr.duty.Query, dr.period)})
	}
	data, err := yaml.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("portal: duties: %w", err)
	}
	return rules.LoadFS(oneFile{name: "duties.yaml", data: data})
}

// CheckDuties compiles each of a portal's duties on its own and names the
// first bad query with the duty's line in diembao.yaml (0 for the default
// set).
func CheckDuties(p config.Portal) ([]config.Duty, error) {
	ds, err := DutiesOf(p)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for _, d := range ds {
		per := PeriodAt(d.Every, now, time.UTC)
		if _, err := compileDuties([]dutyRule{{duty: d, period: per, id: d.ID + ".x"}}); err != nil {
			var re *rules.Error
			msg := err.Error()
			if errors.As(err, &re) {
				msg = re.Msg
			}
			where := "default duty set"
			if d.Line > 0 {
				where = "line " + strconv.Itoa(d.Line)
			}
			return nil, fmt.Errorf("portal %s: duty %q (%s): query: %s", p.ID, d.ID, where, msg)
		}
	}
	return ds, nil
}

// matchDuties returns the rule ids of the (duty, period) pairs a page's text
// satisfies.
func matchDuties(set *rules.Set, title, text string) []string {
	res := set.Match(article.Article{Title: title, Body: text})
	ids := make([]string, len(res.Matches))
	for i, m := range res.Matches {
		ids[i] = m.Rule
	}
	return ids
}
