// Package yamlerr reads where a goccy/go-yaml error happened, so that every
// YAML file diembao loads (rules, sources) reports a bad line the same way.
// In: an error from yaml.Unmarshal or a decoder. Out: line, column, message.
package yamlerr

import (
	"errors"
	"strings"

	"github.com/goccy/go-yaml"
)

// Locate returns the 1-based line and column of err (0, 0 when the error
// carries no position) and the first line of its message, without the
// source excerpt goccy/go-yaml appends.
func Locate(err error) (line, col int, msg string) {
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			line, col = tk.Position.Line, tk.Position.Column
		}
	} else {
		msg = err.Error()
	}
	msg = strings.TrimSpace(msg)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return line, col, msg
}
