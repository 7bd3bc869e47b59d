package rules

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LintResult is what linting a rule folder gives.
type LintResult struct {
	Set *Set
	Own int // the rules of the folder itself
}

// Lint compiles the rule folder dir: a copy of the default pack itself
// (every file name of the embedded pack present) alone, any other folder on
// top of the embedded pack. The error names the file and line at fault; it
// wraps errkind.Invalid, as does the error for a dir that does not exist.
func Lint(dir string) (LintResult, error) {
	if _, err := os.Stat(dir); err != nil {
		return LintResult{}, invalid(fmt.Errorf("%s: no such file or folder", dir))
	}
	copyOfPack := isDefaultPackCopy(dir)
	var set *Set
	var err error
	if copyOfPack {
		set, err = LoadFS(os.DirFS(dir))
		if err != nil {
			err = fmt.Errorf("%s/%s", dir, strings.TrimPrefix(err.Error(), "fs0/"))
		}
	} else {
		set, err = Load(dir)
	}
	if err != nil {
		return LintResult{}, invalid(err)
	}
	own := 0
	for _, r := range set.Rules() {
		if !strings.HasPrefix(r.File, "default/") || copyOfPack {
			own++
		}
	}
	return LintResult{Set: set, Own: own}, nil
}

// WriteText prints the line `rules lint` prints for the folder dir: its
// rules, the rules with the default pack, the phrases.
func (r LintResult) WriteText(w io.Writer, dir string) {
	fmt.Fprintf(w, "%s: ok (%d rules here, %d with the default pack, %d phrases)\n", dir, r.Own, len(r.Set.Rules()), r.Set.Phrases())
}

func isDefaultPackCopy(dir string) bool {
	ents, err := fs.ReadDir(DefaultPack(), ".")
	if err != nil || len(ents) == 0 {
		return false
	}
	for _, e := range ents {
		if _, err := os.Stat(filepath.Join(dir, e.Name())); err != nil {
			return false
		}
	}
	return true
}

// WriteText prints the backtest of the rules ids of file since a time: the
// count, the count per rule and the examples with their terms, dates as
// days in loc (nil: as stored).
func (rep BacktestReport) WriteText(w io.Writer, file string, since time.Time, ids []string, loc *time.Location) {
	fmt.Fprintf(w, "%s: %d of %d archived articles since %s would have alerted\n",
		file, rep.Alerted, rep.Scanned, since.Format(time.DateOnly))
	for _, id := range ids {
		fmt.Fprintf(w, "  %s: %d\n", id, rep.PerRule[id])
	}
	for _, ex := range rep.Examples {
		pub := ex.Published
		if loc != nil {
			pub = pub.In(loc)
		}
		fmt.Fprintf(w, "  %s  %s  %s  %s\n", pub.Format(time.DateOnly), ex.Source, ex.Title, ex.URL)
		for _, m := range ex.Matches {
			fmt.Fprintf(w, "    %s: %s\n", m.Rule, TermList(m.Terms))
		}
	}
}
