package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/article"
	"github.com/goccy/go-yaml/parser"
)

// itemItems are rule-list items in the shapes the item reader accepts, and
// some it must decline; each is checked against go-yaml in both roles.
var itemItems = []string{
	`- {id: a, topic: t, query: '"biên giới" OR "cột mốc"'}`,
	`- {id: a.b-c_1, topic: t, severity: high, version: 3, area: true, disabled: false, audiences: [office, police], query: x}`,
	`- {id: a, topic: t, description: "Biên giới, mốc giới – Lào", query: '"Khẹo" NEAR/3 Lào'}`,
	`- {id: a, topic: t, description: 'it''s ''quoted''', query: 'a ''b'' c'}`,
	`- {id: a, topic: t, query: "tuần tra"}   # trailing comment`,
	`- {id: a ,  topic:  t , query:   Lào Cai   }`,
	`- {id: a, topic: t, query: title}`,
	`- {id: a, topic: t, audiences: ['office', "police"], query: x}`,
	`- {id: a, topic: t, description: "ເມືອງຊຳໃຕ້ ລາວ", query: 'ເມືອງ'}`,
	`- {id: a, topic: t, description: "bie` + "\u0302" + `n", query: 'x'}`,
	`- {id: a, topic: t, description: "a` + "\u00a0" + `b", query: 'x'}`,
	`- {id: a, topic: t, description: Biên giới (Lào) 2025/07, query: x}`,
	`- {id: a, topic: t, version: 0, query: x}`,
	`- {id: a, topic: t, query: ''}`,
	`- {id: a, topic: t, query: " x "}`,
	"- id: a\n  topic: t\n  query: '\"a\" OR b'",
	"- id: a\n  topic: t\n  severity: high   # why\n  description: Biên giới\n  version: 12\n  audiences: [office]\n  query: \"x\"",
	"- id: a\n\n  # a comment line\n  topic: t\n  query: b c",
	"- id: a\n  topic: t\n  query: x\n  # after",
	// Shapes the reader declines (go-yaml decides).
	`- {id: a, topic: t, query: "a \"b\""}`,
	`- {id: a, topic: t, query: 'x', }`,
	`- {id: a, topic: t, query: x, query: y}`,
	`- {id: a, topic: t, qeury: x}`,
	`- {id: a, topic: t, version: '2', query: x}`,
	`- {id: a, topic: t, version: 02, query: x}`,
	`- {id: a, topic: t, version: -1, query: x}`,
	`- {id: a, topic: t, area: yes, query: x}`,
	`- {id: a, topic: t, area: True, query: x}`,
	`- {id: true, topic: t, query: x}`,
	`- {id: 12, topic: t, query: x}`,
	`- {id: null, topic: t, query: x}`,
	`- {id: a, topic: t, audiences: [], query: x}`,
	`- {id: a, topic: t, audiences: office, query: x}`,
	`- {id: a, topic: &x t, query: x}`,
	`- {id: a, topic: !!str t, query: x}`,
	`- {id: a, topic: t, query: x}#c`,
	`- {id: a, topic: t, query: a#b}`,
	`- {id: a, topic: t, query: title:"x"}`,
	`- {id: a, topic: t, query: x`,
	`- {id: a, topic: t, query: 'x}`,
	`- {id: a, topic: t,` + "\n" + `    query: x}`,
	`- {}`,
	`-   {id: a, topic: t, query: x}`,
	"- id: a\n  topic: t\n  query: >-\n    x OR\n    y",
	"- id: a\n  topic: t\n  query: x\n    OR y",
	"- id: a\n  topic: t\n  audiences:\n    - office\n  query: x",
	"- id: a\n   topic: t\n  query: x",
	"- id: a\n  topic: t\n  query:",
	"- id: a\n  topic: t\n  query: \tx",
	"- id: a\n  topic: t\n  query: x\n- ",
	"-\n  id: a",
}

// itemFile wraps items in a rule file with other sections around them.
func itemFile(indent string, items ...string) string {
	var b strings.Builder
	b.WriteString("# head\ntopics: [{id: t, name: T}]\nphrases:\n  - {text: \"biên giới\", fold_ok: true}\nrules:\n")
	for _, it := range items {
		for _, l := range strings.Split(it, "\n") {
			if l != "" {
				b.WriteString(indent)
			}
			b.WriteString(l + "\n")
		}
	}
	b.WriteString("stop_phrases: [\"Lào Cai\"]\n")
	return b.String()
}

// sameAsAST fails unless parseItems, where it accepts data, gives exactly
// what go-yaml gives (reflect.DeepEqual, positions included). It reports
// whether parseItems accepted.
func sameAsAST(t *testing.T, name, data string) bool {
	t.Helper()
	got, ok := parseItems(name, []byte(data))
	want, err := parseFileAST(name, []byte(data))
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("parseItems accepted what go-yaml refuses (%v):\n%s", err, data)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parseItems differs from go-yaml on\n%s\n got  %+v\n want %+v", data, got, want)
	}
	return true
}

// TestItemReaderAgrees: on every item shape, alone, in a list, at indent 0
// and 2, the item reader either declines or decodes exactly what go-yaml
// decodes; the shapes of generated and hand-written flow and block items
// are accepted.
func TestItemReaderAgrees(t *testing.T) {
	accepted := 0
	for i, it := range itemItems {
		for _, indent := range []string{"", "  ", "    "} {
			wantOK := i < 19
			file := itemFile(indent, it)
			if ok := sameAsAST(t, "a.yaml", file); ok != wantOK {
				t.Errorf("item %d (indent %d) accepted=%v, want %v:\n%s", i, len(indent), ok, wantOK, file)
			}
			list := itemFile(indent, itemItems[0], it, itemItems[1])
			if ok := sameAsAST(t, "a.yaml", list); ok != wantOK {
				t.Errorf("item %d in a list (indent %d) accepted=%v, want %v", i, len(indent), ok, wantOK)
			}
			if wantOK {
				accepted++
			}
		}
	}
	for _, f := range []string{testPack, string(loadFile(2000)), "rules:\n", "topics: []\nrules:\n  - {id: a, topic: t, query: x}\nrulez: []\n",
		"rules:\n  - {id: a, topic: t, query: x}\n---\nrules: []\n", "description: |\nrules:\n  - {id: a, topic: t, query: x}\n",
		"x: &a [1]\nrules:\n  - {id: a, topic: t, query: x}\ny: *a\n", "rules:\n  - {id: a, topic: t, query: x}\nrules:\n  - {id: b, topic: t, query: x}\n",
		"rules: # the list\n  - {id: a, topic: t, query: x}\n", "rules:\n- {id: a, topic: t, query: x}\n- id: b\n  topic: t\n  query: yy\ntopics: [{id: t}]\n"} {
		sameAsAST(t, "a.yaml", f)
	}
	for _, f := range []string{testPack, string(loadFile(2000)), "rules: # the list\n  - {id: a, topic: t, query: x}\n",
		"rules:\n- {id: a, topic: t, query: x}\n- id: b\n  topic: t\n  query: yy\ntopics: [{id: t}]\n"} {
		if !sameAsAST(t, "a.yaml", f) {
			t.Errorf("parseItems declined\n%.300s", f)
		}
	}
	err := fs.WalkDir(DefaultPack(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(DefaultPack(), p)
		if err == nil {
			sameAsAST(t, p, string(b))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// FuzzItemReader: wherever the item reader accepts a file, go-yaml decodes
// the same thing from it.
func FuzzItemReader(f *testing.F) {
	for _, it := range itemItems {
		f.Add(itemFile("  ", it))
	}
	f.Fuzz(func(t *testing.T, data string) {
		sameAsAST(t, "a.yaml", data)
	})
}

// TestLoadErrorAtItem: a malformed rule deep in a large list is reported
// with its file, line and column, by go-yaml's message for YAML problems and
// by the compiler's for rule problems.
func TestLoadErrorAtItem(t *testing.T) {
	const n, bad = 1000, 777
	line := bad + 3 // "topics:", "rules:", then item 0 on line 3
	for _, tt := range []struct {
		name, item, want string
	}{
		{"syntax", `  - {id: bad, topic: t, query: x}}`, fmt.Sprintf("r.yaml:%d:34: value is not allowed", line)},
		{"block syntax", `  - id: bad: x`, fmt.Sprintf("r.yaml:%d:9: mapping value is not allowed", line)},
		// go-yaml notices an unclosed flow mapping on the next line.
		{"unclosed", `  - {id: bad, topic: t, query: 'x}`, fmt.Sprintf("r.yaml:%d:", line+1)},
		{"unknown field", `  - {id: bad, topic: t, qeury: x}`, fmt.Sprintf("r.yaml:%d:", line)},
		{"type", `  - {id: bad, topic: t, query: [x]}`, fmt.Sprintf("r.yaml:%d:", line)},
		{"repeated key", `  - {id: bad, topic: t, query: x, query: y}`, fmt.Sprintf("r.yaml:%d:", line)},
		{"bad query", `  - {id: bad, topic: t, query: '"a" "b"'}`, fmt.Sprintf("r.yaml:%d:32: rule \"bad\": missing operator", line)},
		{"unknown topic", `  - {id: bad, topic: nope, query: x}`, fmt.Sprintf("r.yaml:%d:5: rule \"bad\": unknown topic", line)},
		{"block", "  - id: bad\n    topic: t\n    query: '\"a\" \"b\"'", fmt.Sprintf("r.yaml:%d:12: rule \"bad\": missing operator", line+2)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lines := strings.Split(strings.TrimSuffix(string(loadFile(n)), "\n"), "\n")
			lines[bad+2] = tt.item
			_, err := LoadFS(mapFS(map[string]string{"r.yaml": strings.Join(lines, "\n") + "\n"}))
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestLoadDecoderPanic: input on which go-yaml's decoder panics (found by
// FuzzItemReader) is an error naming the file, not a crash.
func TestLoadDecoderPanic(t *testing.T) {
	_, err := LoadFS(mapFS(map[string]string{"a.yaml": "A:\nphrases:\n  ! #0\n"}))
	var e *Error
	if !errors.As(err, &e) || e.File != "fs0/a.yaml" {
		t.Fatalf("err = %v, want an *Error naming the file", err)
	}
}

// TestLoadNonStringKey: a key go-yaml reads as a number, boolean or null
// made its decoder drop the whole mapping silently (found by
// FuzzItemReader); it is refused with its position.
func TestLoadNonStringKey(t *testing.T) {
	for _, tt := range []struct{ file, want string }{
		{"topics: [{id: t}]\nrules:\n  - {id: a, topic: t, query: x}\n0:\n", "fs0/a.yaml:4:1: key \"0\" is not a name"},
		{"topics: [{id: t}]\nrules:\n  - {id: a, topic: t, query: x, true: 1}\n", "fs0/a.yaml:3:33: key \"true\" is not a name"},
		{"phrases:\n  - {text: a}\n~: 1\n", "fs0/a.yaml:3:1: key \"~\" is not a name"},
	} {
		if _, err := LoadFS(mapFS(map[string]string{"a.yaml": tt.file})); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.file, err, tt.want)
		}
	}
}

// TestItemLoadAliasBomb: an alias bomb beside a rules list the item reader
// reads is still refused with its position, and an alias inside an item
// still goes to go-yaml.
func TestItemLoadAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("topics: [{id: t}]\nx0: &a0 [a, a, a, a, a, a, a, a, a]\n")
	for i := 1; i <= 9; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "x%d: &a%d [%s]\n", i, i, strings.Repeat(p+", ", 8)+p)
	}
	b.WriteString("rules:\n  - {id: a, topic: t, query: x}\n")
	_, err := parseFile("bomb.yaml", []byte(b.String()))
	var e *Error
	if !errors.As(err, &e) || e.File != "bomb.yaml" || e.Line < 3 || !strings.Contains(e.Msg, "alias") {
		t.Errorf("parseFile(alias bomb) = %v, want a positioned refusal", err)
	}
	inItem := "topics: [{id: t}]\nrules:\n  - &r {id: a, topic: t, query: x}\n  - *r\n"
	if _, ok := parseItems("a.yaml", []byte(inItem)); ok {
		t.Error("parseItems accepted an anchor and an alias")
	}
	if _, err := LoadFS(mapFS(map[string]string{"a.yaml": inItem})); err == nil || !strings.Contains(err.Error(), "already declared") {
		t.Errorf("aliased rule: err = %v, want the repeated id refused", err)
	}
}

// TestItemLoadSameSet: a generated set of 5,000 rules loaded item by item
// has the same rules and matches the same articles, with the same terms, as
// the set go-yaml decodes.
func TestItemLoadSameSet(t *testing.T) {
	data := loadFile(5000)
	srcs := []source{{name: "r.yaml", data: data}}
	fast, err := compileWith(srcs, func(name string, data []byte) (*fileDoc, error) {
		d, ok := parseItems(name, data)
		if !ok {
			t.Fatal("parseItems declined the generated file")
		}
		return d, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slow, err := compileWith(srcs, parseFileAST)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast.Rules(), slow.Rules()) || fast.Phrases() != slow.Phrases() {
		t.Fatal("rules differ")
	}
	terms := benchTerms(10000, 5000)
	matched := 0
	for i := 0; i < 400; i++ {
		a := article.Article{Title: terms[(i*37)%len(terms)], Body: benchText(2000, uint64(i)) + " " + terms[(i*7919)%len(terms)] + ". " + terms[(i*104729)%len(terms)]}
		got, want := fast.Match(a), slow.Match(a)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("article %d: item-loaded set %+v, go-yaml set %+v", i, got.Matches, want.Matches)
		}
		matched += len(got.Matches)
	}
	if matched < 400 {
		t.Errorf("only %d matches over 400 articles: the comparison says little", matched)
	}
}

// TestLoadEmptyListItem: an empty or null item in any list of a rule file
// ("-" alone, "~", null) is refused at its line. go-yaml decodes one as a
// zero value with no position, so before this check the error named the
// file alone (`fs0/a.yaml: rule id "": ...`).
func TestLoadEmptyListItem(t *testing.T) {
	const msg = "empty list item: give it a value or remove it"
	for _, tt := range []struct{ file, want string }{
		{"topics: [{id: t}]\nrules:\n  - {id: a, topic: t, query: x}\n  - \n  - {id: b, topic: t, query: x}\n", "fs0/a.yaml:4:4: " + msg},
		{"topics: [{id: t}]\nrules:\n  - {id: a, topic: t, query: x}\n  - ~\n", "fs0/a.yaml:4:5: " + msg},
		{"topics: [{id: t}]\nrules: [{id: a, topic: t, query: x}, null]\n", "fs0/a.yaml:2:38: " + msg},
		{"topics:\n  - {id: t}\n  -\nrules:\n  - {id: a, topic: t, query: x}\n", "fs0/a.yaml:3:4: " + msg},
		{"phrases:\n  - {text: ab cd}\n  -\n", "fs0/a.yaml:3:5: " + msg},
		{"stop_phrases:\n  - ab cd\n  -\n", "fs0/a.yaml:3:5: " + msg},
		{"phrases:\n  - {text: a, context: [b, ~]}\n", "fs0/a.yaml:2:28: " + msg},
		{"area:\n  - {id: a, names: [X Y], kind: x, became: [~]}\n", "fs0/a.yaml:2:45: " + msg},
		{"topics: [{id: t}]\nrules:\n  - {id: a, topic: t, audiences: [office, ~], query: x}\n", "fs0/a.yaml:3:43: " + msg},
		// The first in the file, whatever the nesting.
		{"phrases:\n  - {text: a, context: [~]}\n  - ~\n", "fs0/a.yaml:2:25: " + msg},
	} {
		_, err := LoadFS(mapFS(map[string]string{"a.yaml": tt.file}))
		var e *Error
		if !errors.As(err, &e) || err.Error() != tt.want {
			t.Errorf("%q:\n err  %v\n want %s", tt.file, err, tt.want)
		}
	}
}

// TestLoadBOM: a rule file saved with a byte order mark (Windows Notepad)
// loads as the same file without it; go-yaml alone read the invisible mark
// as part of the first key (`unknown field "\ufefftopics"`). Errors keep
// their line and column.
func TestLoadBOM(t *testing.T) {
	for _, f := range []string{
		"topics: [{id: t}]\nrules:\n  - {id: a, topic: t, query: '\"x\"', severity: low, audiences: [office]}\n",
		"# c\ntopics: [{id: t}]\n",
	} {
		plain, err := LoadFS(mapFS(map[string]string{"a.yaml": f}))
		if err != nil {
			t.Fatal(err)
		}
		bom, err := LoadFS(mapFS(map[string]string{"a.yaml": utf8BOM + f}))
		if err != nil {
			t.Errorf("%q with a BOM: %v", f, err)
			continue
		}
		if len(bom.Topics()) != len(plain.Topics()) || len(bom.Rules()) != len(plain.Rules()) {
			t.Errorf("%q: %d topics %d rules with a BOM, %d and %d without", f, len(bom.Topics()), len(bom.Rules()), len(plain.Topics()), len(plain.Rules()))
		}
	}
	_, err := LoadFS(mapFS(map[string]string{"a.yaml": utf8BOM + "topics: [{id: t}]\nbogus: 1\n"}))
	if want := "fs0/a.yaml:2:1: unknown field \"bogus\""; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error in a file with a BOM: %v, want %s…", err, want)
	}
}

// TestItemReaderDeclines: files the item reader must leave to go-yaml
// (line ends, encodings, indentation and document shapes it does not read
// exactly as go-yaml does) are declined, so Load gives go-yaml's result.
func TestItemReaderDeclines(t *testing.T) {
	const item = "  - {id: a, topic: t, query: x}\n"
	for _, tt := range []struct{ name, file string }{
		{"CRLF", strings.ReplaceAll(itemFile("  ", itemItems[0]), "\n", "\r\n")},
		{"invalid UTF-8", itemFile("  ", "- {id: a, topic: t, description: \"\xff\", query: x}")},
		{"rules:# is a key", "topics: [{id: t}]\nrules:#x\n" + item},
		{"tab before an item", "topics: [{id: t}]\nrules:\n\t- {id: a, topic: t, query: x}\n"},
		{"tab after the first item", "topics: [{id: t}]\nrules:\n" + item + "\t- {id: b, topic: t, query: x}\n"},
		{"a mapping, not a list", "topics: [{id: t}]\nrules:\n  id: a\n"},
		{"no items", "topics: [{id: t}]\nrules:\nphrases: []\n"},
		{"a key beside the items", "topics: [{id: t}]\nrules:\n" + item + "  id: b\n"},
		{"a second document", "topics: [{id: t}]\nrules:\n" + item + "---\ntopics: []\n"},
		{"document end", "topics: [{id: t}]\nrules:\n" + item + "...\n"},
		{"anchored root", "--- &r\ntopics: [{id: t}]\nrules:\n" + item},
		// The "rules:" line is inside a quoted scalar; the key is elsewhere.
		{"rules: inside a quoted value", "description: \"a\nrules:\n" + item + "b\"\n\"rules\":\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := parseItems("a.yaml", []byte(tt.file)); ok {
				t.Fatalf("parseItems accepted\n%s", tt.file)
			}
			got, gerr := parseFile("a.yaml", []byte(tt.file))
			want, werr := parseFileAST("a.yaml", []byte(tt.file))
			if !reflect.DeepEqual(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
				t.Errorf("parseFile = %+v, %v; go-yaml %+v, %v", got, gerr, want, werr)
			}
		})
	}
	// A file that is only the rules list is read, and agrees.
	if !sameAsAST(t, "a.yaml", "rules:\n"+item) {
		t.Error("parseItems declined a file of only a rules list")
	}
}

// TestLoadMalformedLineNamed: a malformed line in the middle of a large
// rules list, whichever reader meets it, is an *Error naming the file and
// the line (go-yaml's message for YAML problems, the compiler's for rule
// problems), in a file with LF or CRLF line ends.
func TestLoadMalformedLineNamed(t *testing.T) {
	const n, bad = 200, 150
	line := bad + 3 // "topics:", "rules:", then item 0 on line 3
	for _, tt := range []struct {
		name, item string
		line       int
		msg        string
	}{
		{"tab indent", "\t- {id: bad, topic: t, query: x}", line, "found character '\t' that cannot start any token"},
		{"less indent", " - {id: bad, topic: t, query: x}", line, "value is not allowed in this context"},
		{"more indent", "   - {id: bad, topic: t, query: x}", line, "value is not allowed in this context"},
		{"no space after dash", "  -{id: bad, topic: t, query: x}", line, "value is not allowed in this context"},
		{"commas in a block item", "  - id: bad, topic: t, query: x", line, "mapping value is not allowed in this context"},
		{"missing colon", "  - id: bad\n    topic t\n    query: x", line + 1, "non-map value is specified"},
		{"key less indented", "  - id: bad\n    topic: t\n   query: x", line + 2, "value is not allowed in this context"},
		{"key more indented", "  - id: bad\n    topic: t\n      query: x", line + 1, "mapping value is not allowed in this context"},
		{"tab in a block item", "  - id: bad\n\ttopic: t\n    query: x", line + 1, "found character '\t' that cannot start any token"},
		{"no dash", "  id: bad", line, "value is not allowed in this context"},
		{"a string item", "  - bad", line, "string was used where mapping is expected"},
		{"empty item", "  - ", line, "empty list item"},
		{"null item", "  - ~", line, "empty list item"},
		{"text after the item", "  - {id: bad, topic: t, query: x} extra", line, "value is not allowed in this context"},
		{"version not a number", "  - {id: bad, topic: t, query: x, version: abc}", line, "want a whole number"},
		{"area not a boolean", "  - {id: bad, topic: t, query: x, area: maybe}", line, "want true or false"},
		{"audiences not a list", "  - {id: bad, topic: t, query: x, audiences: office}", line, "string was used where sequence is expected"},
		{"missing comma", "  - {id: bad, topic: t query: x}", line, `rule "bad": unknown topic "t query: x"`},
		{"invalid UTF-8", "  - {id: bad, topic: t, query: \xff}", line, `rule "bad": unexpected character`},
		{"block scalar dedented", "  - id: bad\n    topic: t\n    query: |\n      x\n     y", line + 4, "value is not allowed in this context"},
		{"rules again", "rules: []", line, `mapping key "rules" already defined at [2:1]`},
		// A plain scalar that the next lines continue: go-yaml places it a
		// line lower in a CRLF file (as it does an unclosed quote), which is
		// its own count, not the item reader's.
		{"stray line at column 0", "  # c\nx", line + 1, "non-map value is specified"},
	} {
		for _, eol := range []string{"\n", "\r\n"} {
			if eol == "\r\n" && tt.name == "stray line at column 0" {
				continue
			}
			t.Run(fmt.Sprintf("%s/%q", tt.name, eol), func(t *testing.T) {
				lines := strings.Split(strings.TrimSuffix(string(loadFile(n)), "\n"), "\n")
				lines[bad+2] = tt.item
				file := strings.ReplaceAll(strings.Join(lines, "\n")+"\n", "\n", eol)
				_, err := LoadFS(mapFS(map[string]string{"r.yaml": file}))
				var e *Error
				if !errors.As(err, &e) || e.File != "fs0/r.yaml" || e.Line != tt.line || !strings.Contains(e.Msg, tt.msg) {
					t.Fatalf("err = %v, want fs0/r.yaml line %d: …%s…", err, tt.line, tt.msg)
				}
			})
		}
	}
}

// TestNullRulesKey: the skeleton check on shapes parseItems cannot give it
// (parseAST refuses a second document; the list's lines are blank, so no key
// follows a list that runs to the end).
func TestNullRulesKey(t *testing.T) {
	for _, tt := range []struct {
		file          string
		line, endLine int
		want          bool
	}{
		{"rules:\n", 1, 0, true},
		{"x: 1\nrules:\ny: 2\n", 2, 3, true},
		{"rules:\n---\nrules:\n", 1, 0, false},
		{"rules:\ny: 2\n", 1, 0, false},
		{"rules:\ny: 2\n", 1, 3, false},
		{"rules: 1\n", 1, 0, false},
		{"rules:\n", 2, 0, false},
		{"- rules\n", 1, 0, false},
	} {
		f, err := parser.ParseBytes([]byte(tt.file), 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := nullRulesKey(f, tt.line, tt.endLine); got != tt.want {
			t.Errorf("nullRulesKey(%q, %d, %d) = %v, want %v", tt.file, tt.line, tt.endLine, got, tt.want)
		}
	}
}

// TestLoadWrongType: a value of the wrong type is refused at the value with
// what it should be; go-yaml's message named Go types and the list, not the
// key ("cannot unmarshal string into Go struct field fileDoc.Rules of type
// int").
func TestLoadWrongType(t *testing.T) {
	const rule = "topics: [{id: t}]\nrules:\n  - {id: a, topic: t, query: x, "
	for _, tt := range []struct{ file, want string }{
		{rule + "version: abc}\n", "fs0/a.yaml:3:42: want a whole number"},
		{rule + "area: maybe}\n", "fs0/a.yaml:3:39: want true or false"},
		{rule + "area: 1}\n", "fs0/a.yaml:3:39: want true or false"},
		{rule + "audiences: [[a]]}\n", "fs0/a.yaml:3:45: want a string"},
		{"topics: [{id: [t]}]\n", "fs0/a.yaml:1:15: want a string"},
		{"topics: [{id: {a: b}}]\n", "fs0/a.yaml:1:15: want a string"},
		{"phrases: [{text: a, window: x}]\n", "fs0/a.yaml:1:29: want a whole number"},
		{"phrases: [{text: a, fold_ok: x}]\n", "fs0/a.yaml:1:30: want true or false"},
		{"version: x\n", "fs0/a.yaml:1:10: want a whole number"},
		// A fraction is refused, not cut to its whole part.
		{rule + "version: 1.5}\n", "fs0/a.yaml:3:42: want a whole number"},
		{"phrases: [{text: a, window: 2.5}]\n", "fs0/a.yaml:1:29: want a whole number"},
		{"area: [{id: p, names: [x], window: 1e3}]\n", "fs0/a.yaml:1:36: want a whole number"},
		// Other messages are go-yaml's.
		{"topics: x\n", "fs0/a.yaml:1:9: string was used where sequence is expected"},
	} {
		_, err := LoadFS(mapFS(map[string]string{"a.yaml": tt.file}))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q:\n err  %v\n want %s", tt.file, err, tt.want)
		}
	}
}
