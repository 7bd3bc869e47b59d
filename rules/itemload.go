package rules

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
)

// The item loader: most of a large rule file is its `rules:` list, and
// building go-yaml's AST of 100,000 rules costs seconds and most of a
// gigabyte (tokens, nodes, then reflection to decode them). parseItems reads
// that list one item at a time with a small reader for the shapes rule files
// use (one-line flow mappings `- {id: x, topic: t, query: '...'}` and block
// mappings of `key: scalar` lines), keeping only the decoded ruleDoc. The rest
// of the file (topics, phrases, area, ...) is decoded by go-yaml as before,
// from a skeleton in which the list's lines are blank, so that every line
// number is unchanged.
//
// The item reader is conservative: whatever it is not certain to read
// exactly as go-yaml does (anchors, aliases, tags, block scalars, multi-line
// values, escapes, numbers or booleans where a string is wanted, unknown or
// repeated keys, tabs, CR, ...), it declines, and parseFile then decodes the
// whole file with go-yaml. So every error message, and every file the reader
// does not know, is exactly what go-yaml gives; TestItemReaderAgrees and
// FuzzItemReader hold the reader to go-yaml's result where it accepts.

// parseItems is parseFile's fast path. ok is false when the file is not one
// it reads; the caller then decodes the whole file with parseFileAST.
func parseItems(name string, data []byte) (doc *fileDoc, ok bool) {
	if bytes.IndexByte(data, '\r') >= 0 || bytes.HasPrefix(data, []byte(utf8BOM)) || !utf8.Valid(data) {
		return nil, false
	}
	text := string(data) // one copy; decoded strings are substrings of it
	rulesLine, start, ok := findRulesKey(text)
	if !ok {
		return nil, false
	}
	sc := itemScan{text: text, indent: -1, end: len(text)}
	if !sc.scan(start, rulesLine+1) {
		return nil, false
	}
	d, ok := decodeSkeleton(name, data, rulesLine, start, sc.end)
	if !ok {
		return nil, false
	}
	d.Rules = sc.items
	return d, true
}

// findRulesKey finds the one top-level "rules:" line with nothing after it
// but a comment: its line number, and the offset of the line after it. ok is
// false when there is none, or more than one (go-yaml reports the repeated
// key), or its value is on the line (small: go-yaml reads it).
func findRulesKey(text string) (rulesLine, start int, ok bool) {
	start = -1
	line := 1
	for off := 0; off < len(text); line++ {
		end := lineEnd(text, off)
		if l := text[off:end]; len(l) >= 6 && l[:6] == "rules:" {
			rest := trimSpaces(l[6:])
			if rest != "" && rest[0] != '#' {
				return 0, 0, false // inline value
			}
			if rest != "" && len(l[6:]) == len(rest) {
				return 0, 0, false // "rules:#" is not a comment
			}
			if start >= 0 {
				return 0, 0, false // repeated key
			}
			rulesLine, start = line, next(text, end)
		}
		off = next(text, end)
	}
	return rulesLine, start, start >= 0
}

// itemScan reads the item region: the lines after "rules:" up to the first
// content line that is less indented than the items (or, for items at
// column 0, a line at column 0 that is not an item).
type itemScan struct {
	text   string
	indent int        // the items' indent; -1 before the first item
	cur    []itemLine // the current item's content lines
	items  []ruleDoc
	end    int // the offset of the line that ends the region; len(text): none
}

// scan reads the region from offset start, which is line number line. It
// reports false, to decline the file, when a line or an item is not one the
// reader knows, or there are no items.
func (sc *itemScan) scan(start, line int) bool {
	for off := start; off < len(sc.text); line++ {
		end := lineEnd(sc.text, off)
		done, ok := sc.line(sc.text[off:end], off, line)
		if !ok {
			return false
		}
		if done {
			break
		}
		off = next(sc.text, end)
	}
	return sc.indent >= 0 && sc.flush()
}

// line takes line l of the region, at offset off. done reports that l ends
// the region (sc.end is then off); ok false declines the file.
func (sc *itemScan) line(l string, off, line int) (done, ok bool) {
	ind := countSpaces(l)
	if ind == len(l) || l[ind] == '#' {
		return false, true // blank or comment-only line
	}
	if l[ind] == '\t' {
		return false, false
	}
	isItem := l[ind] == '-' && (ind+1 == len(l) || l[ind+1] == ' ')
	if sc.indent < 0 {
		if !isItem {
			return false, false // "rules:" with no items, or not a list: go-yaml reads it
		}
		sc.indent = ind
	}
	switch {
	case ind < sc.indent || (ind == sc.indent && !isItem && sc.indent == 0):
		sc.end = off
		return true, true
	case ind == sc.indent && isItem:
		if !sc.flush() {
			return false, false
		}
	case ind == sc.indent:
		return false, false
	}
	sc.cur = append(sc.cur, itemLine{text: l, line: line})
	return false, true
}

// flush decodes the current item, if any, and starts the next.
func (sc *itemScan) flush() bool {
	if len(sc.cur) == 0 {
		return true
	}
	r, ok := readItem(sc.cur, sc.indent)
	if !ok {
		return false
	}
	sc.items = append(sc.items, r)
	sc.cur = sc.cur[:0]
	return true
}

// decodeSkeleton decodes, with go-yaml, the file with the item region's
// lines [start, regionEnd) emptied (so every line number is unchanged). ok is
// false when that fails, or go-yaml does not see the region as the value of
// the "rules" key at rulesLine, ended by the next top-level key.
func decodeSkeleton(name string, data []byte, rulesLine, start, regionEnd int) (*fileDoc, bool) {
	lines := bytes.Count(data[start:regionEnd], []byte{'\n'})
	skel := make([]byte, 0, regionEnd-start+len(data)/64)
	skel = append(skel, data[:start]...)
	skel = append(skel, bytes.Repeat([]byte{'\n'}, lines)...)
	skel = append(skel, data[regionEnd:]...)
	f, d, err := parseAST(name, skel)
	endLine := 0 // the line that ends the region; 0: the end of the file
	if regionEnd < len(data) {
		endLine = rulesLine + 1 + lines
	}
	if err != nil || d.Rules != nil || !nullRulesKey(f, rulesLine, endLine) {
		return nil, false
	}
	return d, true
}

// nullRulesKey reports whether the skeleton's root is a mapping whose key
// "rules" is the one at line, column 1, with no value, followed by the key
// at endLine, column 1 (by none when endLine is 0): that the lines parseItems
// took for the key and for the end of its list are what go-yaml sees.
func nullRulesKey(f *ast.File, line, endLine int) bool {
	if len(f.Docs) != 1 {
		return false
	}
	var vals []*ast.MappingValueNode
	switch b := f.Docs[0].Body.(type) {
	case *ast.MappingNode:
		vals = b.Values
	case *ast.MappingValueNode:
		vals = []*ast.MappingValueNode{b}
	default:
		return false
	}
	found := false
	for i, v := range vals {
		k, ok := v.Key.(*ast.StringNode)
		if !ok || k.Value != "rules" {
			continue
		}
		p := nodePos(k)
		_, null := v.Value.(*ast.NullNode)
		if p.line != line || p.col != 1 || !null || found {
			return false
		}
		found = true
		switch {
		case endLine == 0 && i+1 != len(vals):
			return false
		case endLine > 0 && (i+1 == len(vals) || nodePos(vals[i+1].Key) != pos{endLine, 1}):
			return false
		}
	}
	return found
}

type itemLine struct {
	text string
	line int
}

func lineEnd(s string, off int) int {
	if i := indexByte(s[off:], '\n'); i >= 0 {
		return off + i
	}
	return len(s)
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func next(s string, end int) int {
	if end < len(s) {
		return end + 1
	}
	return end
}

func countSpaces(s string) int {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

func trimSpaces(s string) string {
	s = s[countSpaces(s):]
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

// readItem decodes one list item: lines[0] starts with "- " at indent.
func readItem(lines []itemLine, indent int) (ruleDoc, bool) {
	first := lines[0]
	rest := first.text[indent+1:]
	if rest == "" || rest[0] != ' ' {
		return ruleDoc{}, false
	}
	body := indent + 2
	if body >= len(first.text) || first.text[body] == ' ' {
		return ruleDoc{}, false // "-" alone or "-   x": go-yaml reads it
	}
	var r ruleDoc
	var seen fieldSet
	if first.text[body] == '{' {
		if len(lines) != 1 {
			return ruleDoc{}, false // a flow mapping over several lines
		}
		rd := reader{s: first.text, i: body, line: first.line, flow: true}
		r.p = pos{first.line, rd.col(body)}
		rd.i++
		rd.spaces()
		for {
			if !rd.field(&r, &seen) {
				return ruleDoc{}, false
			}
			rd.spaces()
			if rd.i < len(rd.s) && rd.s[rd.i] == ',' {
				rd.i++
				rd.spaces()
				continue
			}
			if rd.i < len(rd.s) && rd.s[rd.i] == '}' {
				rd.i++
				break
			}
			return ruleDoc{}, false
		}
		if !rd.end() {
			return ruleDoc{}, false
		}
		return r, true
	}
	// A block mapping: "- key: value" then "key: value" lines at body.
	for n, l := range lines {
		if n > 0 && (countSpaces(l.text) != body) {
			return ruleDoc{}, false
		}
		rd := reader{s: l.text, i: body, line: l.line}
		if !rd.field(&r, &seen) || !rd.end() {
			return ruleDoc{}, false
		}
		if n == 0 {
			// go-yaml places a block mapping at its first key's ':'.
			r.p = pos{l.line, rd.col(body + indexByte(l.text[body:], ':'))}
		}
	}
	return r, true
}

// fieldSet marks the keys an item has set, to decline repeated keys.
type fieldSet uint16

// reader reads scalars from one line.
type reader struct {
	s    string
	i    int
	line int
	flow bool
}

// col is the 1-based column of byte offset i, in runes as go-yaml counts.
func (rd *reader) col(i int) int { return utf8.RuneCountInString(rd.s[:i]) + 1 }

func (rd *reader) spaces() { rd.i += countSpaces(rd.s[rd.i:]) }

// end accepts the rest of the line: spaces, then nothing or a comment.
func (rd *reader) end() bool {
	n := countSpaces(rd.s[rd.i:])
	rd.i += n
	return rd.i == len(rd.s) || (n > 0 && rd.s[rd.i] == '#')
}

const (
	fID fieldSet = 1 << iota
	fVersion
	fTopic
	fSeverity
	fArea
	fAudiences
	fQuery
	fDescription
	fDisabled
)

// field reads "key: value" into r.
func (rd *reader) field(r *ruleDoc, seen *fieldSet) bool {
	k := rd.i
	for rd.i < len(rd.s) && (rd.s[rd.i] >= 'a' && rd.s[rd.i] <= 'z' || rd.s[rd.i] == '_') {
		rd.i++
	}
	key := rd.s[k:rd.i]
	if rd.i+1 >= len(rd.s) || rd.s[rd.i] != ':' || rd.s[rd.i+1] != ' ' {
		return false
	}
	rd.i += 2
	rd.spaces()
	var f fieldSet
	ok := false
	switch key {
	case "id":
		f = fID
		r.ID, ok = rd.str()
	case "topic":
		f = fTopic
		r.Topic, ok = rd.str()
	case "severity":
		f = fSeverity
		r.Severity, ok = rd.str()
	case "description":
		f = fDescription
		r.Description, ok = rd.str()
	case "query":
		f = fQuery
		r.Query.p = pos{rd.line, rd.col(rd.i)}
		r.Query.s, ok = rd.str()
	case "version":
		f = fVersion
		var v int
		v, ok = rd.int()
		r.Version = wholeNumber(v)
	case "area":
		f = fArea
		r.Area, ok = rd.bool()
	case "disabled":
		f = fDisabled
		r.Disabled, ok = rd.bool()
	case "audiences":
		f = fAudiences
		r.Audiences, ok = rd.list()
	}
	if !ok || *seen&f != 0 {
		return false
	}
	*seen |= f
	return true
}

// str reads a string scalar: single-quoted, double-quoted without escapes,
// or plain text that go-yaml reads as a string and nothing else.
func (rd *reader) str() (string, bool) {
	if rd.i >= len(rd.s) {
		return "", false
	}
	switch rd.s[rd.i] {
	case '\'':
		return rd.quoted('\'')
	case '"':
		return rd.quoted('"')
	}
	s := rd.plain()
	if s == "" || reserved(s) {
		return "", false
	}
	if r, _ := utf8.DecodeRuneInString(s); !unicode.IsLetter(r) {
		return "", false
	}
	return s, true
}

// reserved lists plain words that go-yaml (or YAML 1.1 readers) may take
// for something other than a string.
func reserved(s string) bool {
	switch s {
	case "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF":
		return true
	}
	return false
}

// quoted reads a quoted scalar that ends on this line. A double-quoted one
// with a backslash escape, or either with a control character, is declined.
func (rd *reader) quoted(q byte) (string, bool) {
	i := rd.i + 1
	var b []byte // only when '' occurs
	from := i
	for {
		if i >= len(rd.s) {
			return "", false
		}
		c := rd.s[i]
		if c < 0x20 || c == 0x7f || (q == '"' && c == '\\') || (c >= 0x80 && oddSpace(rd.s[i:])) {
			return "", false
		}
		if c != q {
			i++
			continue
		}
		if q == '\'' && i+1 < len(rd.s) && rd.s[i+1] == '\'' {
			b = append(b, rd.s[from:i+1]...)
			i += 2
			from = i
			continue
		}
		break
	}
	var s string
	if b != nil {
		s = string(append(b, rd.s[from:i]...))
	} else {
		s = rd.s[from:i]
	}
	rd.i = i + 1
	return s, true
}

// oddSpace reports whether s starts with a character YAML treats as a line
// break or byte order mark (NEL, LS, PS, BOM) or another non-printable one.
func oddSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xfeff || !unicode.IsPrint(r) && !unicode.IsSpace(r)
}

// plain reads a plain scalar of letters, marks, digits, spaces and _ . - / ( ),
// trailing spaces trimmed. It returns "" when the character after it may not
// end a plain scalar in this context.
func (rd *reader) plain() string {
	i := rd.i
	for i < len(rd.s) {
		c := rd.s[i]
		if c >= 0x80 {
			r, n := utf8.DecodeRuneInString(rd.s[i:])
			if !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r) {
				break
			}
			i += n
			continue
		}
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ' || c == '_' || c == '.' || c == '-' || c == '/' || c == '(' || c == ')' {
			i++
			continue
		}
		break
	}
	s := rd.s[rd.i:i]
	t := trimSpaces(s)
	if t == "" {
		return ""
	}
	// What follows must end the scalar: the line's end or a comment in
	// block context, a ',' or the closing bracket in flow context.
	switch {
	case i == len(rd.s):
		if rd.flow || len(s) != len(t) {
			return "" // go-yaml misplaces "x " at a line's end by a column
		}
	case rd.s[i] == '#':
		if rd.flow || len(s) == len(t) {
			return ""
		}
	case rd.s[i] == ',' || rd.s[i] == '}' || rd.s[i] == ']':
		if !rd.flow {
			return ""
		}
	default:
		return ""
	}
	rd.i += len(t)
	return t
}

// int reads a plain decimal of at most nine digits.
func (rd *reader) int() (int, bool) {
	s := rd.plain()
	if s == "" || len(s) > 9 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// bool reads plain true or false.
func (rd *reader) bool() (bool, bool) {
	switch rd.plain() {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// list reads a one-line, non-empty flow sequence of string scalars.
func (rd *reader) list() ([]string, bool) {
	if rd.i >= len(rd.s) || rd.s[rd.i] != '[' {
		return nil, false
	}
	inner := reader{s: rd.s, i: rd.i + 1, line: rd.line, flow: true}
	var out []string
	for {
		inner.spaces()
		s, ok := inner.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		inner.spaces()
		if inner.i < len(inner.s) && inner.s[inner.i] == ',' {
			inner.i++
			continue
		}
		if inner.i < len(inner.s) && inner.s[inner.i] == ']' {
			rd.i = inner.i + 1
			return out, true
		}
		return nil, false
	}
}
