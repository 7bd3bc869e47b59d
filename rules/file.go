package rules

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/diembao/diembao/internal/yamlguard"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/diembao/diembao/internal/yamlerr"
	"github.com/goccy/go-yaml/parser"
)

// A rule file is YAML with any of these top-level keys (all optional; unknown
// keys are an error):
//
//	topics:        [{id: border, name: "Biên giới"}]
//	phrases:       [{text: "biên giới", fold_ok: true}, {text: "Khẹo", context: ["cửa khẩu"]}]
//	stop_phrases:  ["Lào Cai"]           # a term inside one of these does not count
//	area:          [{id: bat-mot, names: ["Bát Mọt"], kind: commune, ...}]
//	rules:         [{id: border.core, version: 1, topic: border, severity: high,
//	                 area: true, audiences: [office], query: '"biên giới" OR "cột mốc"'}]

// Error is a problem in a rule file, with its position.
type Error struct {
	File string
	Line int
	Col  int
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// pos is where a YAML node starts.
type pos struct{ line, col int }

func nodePos(n ast.Node) pos {
	if n == nil || n.GetToken() == nil {
		return pos{}
	}
	p := n.GetToken().Position
	return pos{p.Line, p.Column}
}

type fileDoc struct {
	Topics      []topicDoc  `yaml:"topics"`
	Phrases     []phraseDoc `yaml:"phrases"`
	StopPhrases []posString `yaml:"stop_phrases"`
	Area        []areaDoc   `yaml:"area"`
	Rules       []ruleDoc   `yaml:"rules"`
	Description string      `yaml:"description"`
	Version     int         `yaml:"version"`
}

// posString is a string that remembers where it was written.
type posString struct {
	s string
	p pos
}

func (s *posString) UnmarshalYAML(n ast.Node) error {
	s.p = nodePos(n)
	if _, ok := n.(*ast.StringNode); !ok {
		if n.Type() != ast.LiteralType {
			return &Error{Line: s.p.line, Col: s.p.col, Msg: "want a string"}
		}
	}
	return yaml.NodeToValue(n, &s.s)
}

// wholeNumber is an int that refuses a YAML float or any other non-integer
// (null reads as 0): go-yaml would read "version: 1.5" as 1 and the operator
// would never learn.
type wholeNumber int

func (w *wholeNumber) UnmarshalYAML(n ast.Node) error {
	if n.Type() == ast.NullType { // "version:" left empty reads as 0, the default
		*w = 0
		return nil
	}
	if _, ok := n.(*ast.IntegerNode); !ok {
		p := nodePos(n)
		return &Error{Line: p.line, Col: p.col, Msg: "want a whole number"}
	}
	var i int
	if err := yaml.NodeToValue(n, &i); err != nil {
		return err
	}
	*w = wholeNumber(i)
	return nil
}

type topicDoc struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	p    pos
}

type rawTopic topicDoc

func (t *topicDoc) UnmarshalYAML(n ast.Node) error {
	var r rawTopic
	if err := yaml.NodeToValue(n, &r, yaml.Strict()); err != nil {
		return err
	}
	*t = topicDoc(r)
	t.p = nodePos(n)
	return nil
}

type phraseDoc struct {
	Text    string      `yaml:"text"`
	FoldOK  bool        `yaml:"fold_ok"`
	Context []posString `yaml:"context"`
	Window  wholeNumber `yaml:"window"`
	Note    string      `yaml:"note"`
	p       pos
}

type rawPhrase phraseDoc

func (d *phraseDoc) UnmarshalYAML(n ast.Node) error {
	var r rawPhrase
	if err := yaml.NodeToValue(n, &r, yaml.Strict()); err != nil {
		return err
	}
	*d = phraseDoc(r)
	d.p = nodePos(n)
	return nil
}

type areaDoc struct {
	ID         string      `yaml:"id"`
	Names      []posString `yaml:"names"`
	Kind       string      `yaml:"kind"`
	FoldOK     bool        `yaml:"fold_ok"`
	Context    []posString `yaml:"context"`
	Window     wholeNumber `yaml:"window"`
	ValidFrom  string      `yaml:"valid_from"`
	ValidUntil string      `yaml:"valid_until"`
	Became     []string    `yaml:"became"`
	Note       string      `yaml:"note"`
	p          pos
}

type rawArea areaDoc

func (d *areaDoc) UnmarshalYAML(n ast.Node) error {
	var r rawArea
	if err := yaml.NodeToValue(n, &r, yaml.Strict()); err != nil {
		return err
	}
	*d = areaDoc(r)
	d.p = nodePos(n)
	return nil
}

type ruleDoc struct {
	ID          string      `yaml:"id"`
	Version     wholeNumber `yaml:"version"`
	Topic       string      `yaml:"topic"`
	Severity    string      `yaml:"severity"`
	Area        bool        `yaml:"area"`
	Audiences   []string    `yaml:"audiences"`
	Query       posString   `yaml:"query"`
	Description string      `yaml:"description"`
	Disabled    bool        `yaml:"disabled"`
	p           pos
}

type rawRule ruleDoc

func (d *ruleDoc) UnmarshalYAML(n ast.Node) error {
	var r rawRule
	if err := yaml.NodeToValue(n, &r, yaml.Strict()); err != nil {
		return err
	}
	*d = ruleDoc(r)
	d.p = nodePos(n)
	return nil
}

// parseFile decodes one rule file strictly. Errors are *Error with the
// file name, line and column. A file whose rules list the item reader can
// read (parseItems) is decoded that way; any other file, and every file with
// an error, is decoded by go-yaml whole (parseFileAST), so errors are
// go-yaml's.
func parseFile(name string, data []byte) (*fileDoc, error) {
	data = bytes.TrimPrefix(data, []byte(utf8BOM)) // YAML allows it; go-yaml would read it into the first key
	if d, ok := parseItems(name, data); ok {
		return d, nil
	}
	return parseFileAST(name, data)
}

// parseFileAST decodes one rule file with go-yaml, from its whole AST.
func parseFileAST(name string, data []byte) (*fileDoc, error) {
	_, d, err := parseAST(name, data)
	return d, err
}

// utf8BOM is the byte order mark some Windows editors (Notepad) write at a
// UTF-8 file's start. YAML allows it there; go-yaml reads it as part of the
// first key, so readers strip it first.
const utf8BOM = "\xef\xbb\xbf"

// parseAST parses data once (the alias check and the decoder share the
// AST), refuses alias bombs and decodes strictly.
// go-yaml's decoder panics on some malformed input (a bare tag as a list
// item): that is reported as an error of the file, never a crash.
func parseAST(name string, data []byte) (_ *ast.File, _ *fileDoc, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{File: name, Msg: fmt.Sprintf("malformed YAML (the decoder failed: %v)", r)}
		}
	}()
	var doc fileDoc
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, nil, yamlError(name, err)
	}
	if err := yamlguard.CheckFile(f, yamlguard.MaxAliasNodes); err != nil {
		var ye *yamlguard.Error
		if errors.As(err, &ye) {
			return nil, nil, &Error{File: name, Line: ye.Line, Col: ye.Col, Msg: ye.Msg}
		}
		return nil, nil, &Error{File: name, Msg: err.Error()}
	}
	if len(f.Docs) > 1 {
		return nil, nil, &Error{File: name, Msg: "more than one YAML document"}
	}
	for _, d := range f.Docs {
		if k := nonStringKey(d.Body); k != nil {
			p := nodePos(k)
			return nil, nil, &Error{File: name, Line: p.line, Col: p.col, Msg: fmt.Sprintf("key %q is not a name: quote it or remove it", k.GetToken().Value)}
		}
	}
	for _, d := range f.Docs {
		if n := nullItem(d.Body); n != nil {
			p := nodePos(n)
			return nil, nil, &Error{File: name, Line: p.line, Col: p.col, Msg: "empty list item: give it a value or remove it"}
		}
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return f, &doc, nil
	}
	if err := yaml.NodeToValue(f.Docs[0].Body, &doc, yaml.Strict()); err != nil {
		return nil, nil, yamlError(name, err)
	}
	return f, &doc, nil
}

// nonStringKey returns the first mapping key under n that YAML reads as a
// number, boolean or null. go-yaml's decoder silently drops the whole
// mapping that holds such a key ("0: x" at the top empties the file), so it
// is refused instead.
func nonStringKey(n ast.Node) ast.Node {
	switch n := n.(type) {
	case *ast.MappingNode:
		for _, v := range n.Values {
			if k := nonStringKey(v); k != nil {
				return k
			}
		}
	case *ast.MappingValueNode:
		k := ast.Node(n.Key)
		for {
			if mk, ok := k.(*ast.MappingKeyNode); ok && mk.Value != nil {
				k = mk.Value
				continue
			}
			if a, ok := k.(*ast.AnchorNode); ok && a.Value != nil {
				k = a.Value
				continue
			}
			break
		}
		switch k.(type) {
		case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.NullNode, *ast.InfinityNode, *ast.NanNode:
			return k
		}
		return nonStringKey(n.Value)
	case *ast.SequenceNode:
		for _, v := range n.Values {
			if k := nonStringKey(v); k != nil {
				return k
			}
		}
	case *ast.AnchorNode:
		return nonStringKey(n.Value)
	case *ast.TagNode:
		return nonStringKey(n.Value)
	}
	return nil
}

// nullItem returns the first list item under n, in the file's order, that
// is empty or null ("-" alone, "~", "null"). go-yaml decodes one as a zero
// value that has no position, so the check that refuses it could name no
// line; no list of a rule file may hold one.
func nullItem(n ast.Node) ast.Node {
	if n == nil {
		return nil
	}
	var first ast.Node
	for _, s := range ast.Filter(ast.SequenceType, n) {
		for _, v := range s.(*ast.SequenceNode).Values {
			if _, ok := v.(*ast.NullNode); ok && (first == nil || before(nodePos(v), nodePos(first))) {
				first = v
			}
		}
	}
	return first
}

func before(a, b pos) bool { return a.line < b.line || a.line == b.line && a.col < b.col }

func yamlError(name string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.File = name
		return &c
	}
	line, col, msg := yamlerr.Locate(err)
	return &Error{File: name, Line: line, Col: col, Msg: wantedType(msg)}
}

// wantedType rewrites go-yaml's message for a value of the wrong type
// ("cannot unmarshal string into Go struct field fileDoc.Rules of type
// int", which names Go types and the list rather than the key) as what the
// value at the error's position should be. Other messages are returned as
// they are.
func wantedType(msg string) string {
	const pre = "cannot unmarshal "
	if !strings.HasPrefix(msg, pre) || !strings.Contains(msg, " into Go struct field ") {
		return msg
	}
	switch {
	case strings.HasSuffix(msg, " of type int"):
		return "want a whole number"
	case strings.HasSuffix(msg, " of type bool"):
		return "want true or false"
	case strings.HasSuffix(msg, " of type string"):
		return "want a string"
	}
	return msg
}

// source is one rule file read from somewhere.
type source struct {
	name string // shown in errors: "default/area.yaml" or a path on disk
	data []byte
}

// readFS reads every *.yaml and *.yml file directly in dir of fsys, sorted by name.
func readFS(fsys fs.FS, dir, prefix string) ([]source, error) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []source
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || !(strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, n))
		if err != nil {
			return nil, err
		}
		out = append(out, source{name: path.Join(prefix, n), data: b})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// readDir reads the rule files of a directory on disk, or one file.
func readDir(dir string) ([]source, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("rules %s: %w", dir, err)
	}
	if !st.IsDir() {
		b, err := os.ReadFile(dir)
		if err != nil {
			return nil, fmt.Errorf("rules %s: %w", dir, err)
		}
		return []source{{name: dir, data: b}}, nil
	}
	srcs, err := readFS(os.DirFS(dir), ".", dir)
	if err != nil {
		return nil, fmt.Errorf("rules %s: %w", dir, err)
	}
	return srcs, nil
}
