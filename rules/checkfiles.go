package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
)

// MaxInput bounds one input of ReadInputs, in bytes.
const MaxInput = 32 << 20

// Input is one text to check: its name ("-" for standard input), the
// article ParseInput made of it and whether it was plain text.
type Input struct {
	Name    string
	Article article.Article
	Plain   bool
}

// ReadInputs reads and parses every named input ("-" is stdin), in order
// and all of them before anything is matched, so that a bad one stops a run
// before anything is printed. Errors the caller can fix (no such file, more
// than MaxInput bytes, invalid article JSON) wrap errkind.Invalid; read
// errors do not. Every message starts with the input's name.
func ReadInputs(names []string, stdin io.Reader) ([]Input, error) {
	ins := make([]Input, 0, len(names))
	for _, name := range names {
		data, err := readInput(name, stdin)
		if err != nil {
			return nil, err
		}
		a, plain, err := ParseInput(name, data)
		if err != nil {
			return nil, invalid(err)
		}
		ins = append(ins, Input{Name: name, Article: a, Plain: plain})
	}
	return ins, nil
}

func readInput(name string, stdin io.Reader) ([]byte, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, invalid(fmt.Errorf("%s: no such file", name))
		}
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxInput+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > MaxInput {
		return nil, invalid(fmt.Errorf("%s: input too large (over %d MB)", name, MaxInput>>20))
	}
	return b, nil
}

// WriteCheck matches every input with s and writes the results in input
// order: one CheckOut JSON object per line when asJSON (the contract of
// `rules check --json`), else Explain's text. It returns the first write
// error.
func (s *Set) WriteCheck(w io.Writer, ins []Input, asJSON bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, in := range ins {
		res := s.Match(in.Article)
		if !asJSON {
			Explain(w, in.Name, res)
			continue
		}
		if err := enc.Encode(CheckJSON(in.Name, res, in.Plain)); err != nil {
			return err
		}
	}
	return nil
}

// BacktestFile backtests the rules of one rule file, loaded on top of the
// default pack and the folders dirs, over arch since the given time, with at
// most examples example articles (see Set.Backtest). A file that is missing,
// is not a valid rule file or holds no rule is the caller's fault: the error
// wraps errkind.Invalid and names the file.
func BacktestFile(ctx context.Context, arch Archive, dirs []string, file string, since time.Time, examples int) (BacktestReport, error) {
	if st, err := os.Stat(file); err != nil || st.IsDir() {
		return BacktestReport{}, invalid(fmt.Errorf("%s: not a rule file", file))
	}
	set, err := Load(append(dirs[:len(dirs):len(dirs)], file)...)
	if err != nil {
		return BacktestReport{}, invalid(err)
	}
	ids := set.RulesIn(file)
	if len(ids) == 0 {
		return BacktestReport{}, invalid(fmt.Errorf("%s: no rules to backtest", file))
	}
	if arch == nil {
		return BacktestReport{}, errors.New("check --archive: no archive available in this process (the index is not wired to the rules command)")
	}
	return set.Backtest(ctx, arch, since, ids, examples)
}

// invalid marks err as the caller's fault (errkind.Invalid) and keeps its
// message.
func invalid(err error) error { return invalidError{err} }

type invalidError struct{ err error }

func (e invalidError) Error() string   { return e.err.Error() }
func (e invalidError) Unwrap() []error { return []error{e.err, errkind.Invalid} }

// WriteJSON prints rep as one line of JSON, HTML characters unescaped (what
// `rules check --archive --json` prints).
func (rep BacktestReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}
