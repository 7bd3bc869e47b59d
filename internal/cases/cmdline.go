package cases

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/officedoc"
)

// IntakeFiles names an intake's item the way `diembao case add` takes it:
// an article id, an alert id, a URL, a file of pasted text ("-": standard
// input) and a file to attach (a screenshot, a PDF).
type IntakeFiles struct {
	ArticleID, AlertID, URL, TextFile, File string
}

// maxPastedText bounds the pasted text read from standard input.
const maxPastedText = 1 << 20

// ReadIntake makes the Intake of f (its item only; the caller sets By,
// Claim and Owner): the text file's content as Text, the attached file as
// an Upload named by its base name. A file that cannot be read and an empty
// text are the caller's fault: the error wraps ErrBadInput and names the
// flag (--text, --file). Which of the item's fields may go together is
// Service.Open's to check.
func ReadIntake(f IntakeFiles, stdin io.Reader) (Intake, error) {
	in := Intake{ArticleID: f.ArticleID, AlertID: f.AlertID, URL: f.URL}
	if f.TextFile != "" {
		var b []byte
		var err error
		if f.TextFile == "-" {
			b, err = io.ReadAll(io.LimitReader(stdin, maxPastedText))
		} else {
			b, err = os.ReadFile(f.TextFile)
		}
		if err != nil {
			return in, errkind.Sentinel(fmt.Sprintf("--text %s: %v", f.TextFile, err), ErrBadInput)
		}
		in.Text = string(b)
		if strings.TrimSpace(in.Text) == "" {
			return in, errkind.Sentinel(fmt.Sprintf("--text %s is empty", f.TextFile), ErrBadInput)
		}
	}
	if f.File != "" {
		b, err := os.ReadFile(f.File)
		if err != nil {
			return in, errkind.Sentinel(fmt.Sprintf("--file: %v", err), ErrBadInput)
		}
		in.File = &Upload{Name: filepath.Base(f.File), Data: b}
	}
	return in, nil
}

// WriteOpened prints the line `case add` prints: the case's id, and whether
// the intake opened it or joined an open case (a duplicate intake).
func WriteOpened(w io.Writer, c Case, existing bool) {
	if existing {
		fmt.Fprintf(w, "%s\tđã có (tiếp nhận trùng, gắn vào vụ việc đang mở)\n", c.ID)
	} else {
		fmt.Fprintf(w, "%s\tmở mới\n", c.ID)
	}
}

// WriteJSON prints v as one line of JSON, HTML characters unescaped: the
// shapes of `case add|show --json` (a Case) and `case list --json`.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// WriteListJSON prints what `case list --json` prints: {"cases": [...],
// "counts": {...}}, an empty list as [].
func WriteListJSON(w io.Writer, list []Case, n Counts) error {
	if list == nil {
		list = []Case{}
	}
	return WriteJSON(w, map[string]any{"cases": list, "counts": n})
}

// WriteText prints the counts in one line: cases, open, overdue.
func (n Counts) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%d vụ việc, %d đang xử lý, %d quá hạn\n", n.Total, n.Open, n.Overdue)
}

// WriteDocument renders the document kind of c (Document) in the format of
// out's extension (.pdf, .docx, .html) and writes it to the file out, whole
// or not at all. It returns the number of bytes written.
func (s *Service) WriteDocument(c Case, kind, out string) (int, error) {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
	data, _, _, err := s.Document(c, kind, format)
	if err != nil {
		return 0, err
	}
	if err := officedoc.WriteFile(out, data, 0o640); err != nil {
		return 0, err
	}
	return len(data), nil
}
