// Package yamlguard refuses YAML whose aliases would expand past a bound (an
// "alias bomb": a few hundred bytes of nested anchors that a decoder expands
// into billions of nodes) before any decoder expands them.
// In: YAML bytes. Out: an error naming the line and column, or nil.
package yamlguard

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// MaxAliasNodes is the default bound on the nodes aliases may add to a
// document: far above any hand-written sharing of a list, far below what
// slows a decoder down.
const MaxAliasNodes = 100_000

// CheckAliases parses data (without expanding aliases) and returns an error
// when its aliases would add more than maxExtra nodes to a document when
// expanded. Syntax errors are left to the decoder, which reports them with
// its own message: CheckAliases returns nil for them.
func CheckAliases(data []byte, maxExtra int) error {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil
	}
	return CheckFile(f, maxExtra)
}

// CheckFile is CheckAliases on a parsed file, for callers that decode from
// the AST (yaml.NodeToValue) and so parse only once.
func CheckFile(f *ast.File, maxExtra int) error {
	for _, d := range f.Docs {
		w := walker{anchors: map[string]int{}, max: maxExtra}
		if _, err := w.size(d.Body); err != nil {
			return err
		}
	}
	return nil
}

// Error is a refused document, with the position of the alias that went
// past the bound.
type Error struct {
	Line, Col int
	Msg       string
}

// Error is "line:col: message"; callers prefix the file name.
func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

type walker struct {
	anchors map[string]int // expanded size of each anchor seen so far
	extra   int            // nodes added by aliases so far
	max     int
}

// size returns the expanded node count of n, failing as soon as aliases
// have added more than w.max nodes.
func (w *walker) size(n ast.Node) (int, error) {
	if n == nil {
		return 0, nil
	}
	sum := func(ns ...ast.Node) (int, error) {
		t := 1
		for _, c := range ns {
			s, err := w.size(c)
			if err != nil {
				return 0, err
			}
			t += s
		}
		return t, nil
	}
	switch n := n.(type) {
	case *ast.AnchorNode:
		s, err := w.size(n.Value)
		if err != nil {
			return 0, err
		}
		if n.Name != nil {
			w.anchors[n.Name.GetToken().Value] = s
		}
		return s, nil
	case *ast.AliasNode:
		name := ""
		if n.Value != nil {
			name = n.Value.GetToken().Value
		}
		s := w.anchors[name]
		w.extra += s
		if w.extra > w.max {
			tk := n.GetToken()
			return 0, &Error{Line: tk.Position.Line, Col: tk.Position.Column,
				Msg: fmt.Sprintf("aliases expand to more than %d extra nodes (alias *%s): refused", w.max, name)}
		}
		return max(s, 1), nil
	case *ast.MappingNode:
		ns := make([]ast.Node, len(n.Values))
		for i, v := range n.Values {
			ns[i] = v
		}
		return sum(ns...)
	case *ast.MappingValueNode:
		return sum(n.Key, n.Value)
	case *ast.MappingKeyNode:
		return w.size(n.Value)
	case *ast.SequenceNode:
		return sum(n.Values...)
	case *ast.TagNode:
		return w.size(n.Value)
	case *ast.DocumentNode:
		return w.size(n.Body)
	}
	return 1, nil
}
