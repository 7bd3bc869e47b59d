package rules

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestLoadRuleErrorsExact pins the whole message, position included, of
// every rule check the compiler makes, and that a file's rules are checked
// in order: the first bad rule is the one reported, even when a later rule's
// query does not parse.
func TestLoadRuleErrorsExact(t *testing.T) {
	const head = "topics: [{id: t}]\nrules:\n"
	for _, tt := range []struct{ name, rules, want string }{
		{"bad id", "  - {id: X, topic: t, query: a}\n",
			`fs0/a.yaml:3:5: rule id "X": want lower-case letters, digits, ., - and _`},
		{"dup id", "  - {id: x, topic: t, query: a}\n  - {id: x, topic: t, query: b}\n",
			`fs0/a.yaml:4:5: rule "x" already declared at fs0/a.yaml:3`},
		{"unknown topic", "  - {id: x, topic: u, query: a}\n",
			`fs0/a.yaml:3:5: rule "x": unknown topic "u"`},
		{"severity", "  - {id: x, topic: t, severity: urgent, query: a}\n",
			`fs0/a.yaml:3:5: rule "x": severity "urgent": want info, low, medium, high or critical`},
		{"negative version", "  - {id: x, topic: t, version: -1, query: a}\n",
			`fs0/a.yaml:3:5: rule "x": version must be positive`},
		{"no query", "  - {id: x, topic: t}\n",
			`fs0/a.yaml:3:5: rule "x": no query`},
		{"blank query", "  - {id: x, topic: t, query: '   '}\n",
			`fs0/a.yaml:3:5: rule "x": no query`},
		{"query syntax", "  - {id: x, topic: t, query: 'a b'}\n",
			`fs0/a.yaml:3:30: rule "x": missing operator (AND, OR, NEAR/n) between terms (at "b")`},
		{"phrase without letters", "  - {id: x, topic: t, query: '\"!!!\" OR a'}\n",
			`fs0/a.yaml:3:30: rule "x": phrase "!!!" has no letters or digits`},
		{"bare not", "  - {id: x, topic: t, query: 'NOT a'}\n",
			`fs0/a.yaml:3:30: rule "x": the query matches an article that has none of its phrases (a bare NOT?)`},
		{"audience", "  - {id: x, topic: t, audiences: [office, Police], query: a}\n",
			`fs0/a.yaml:3:5: rule "x": audience "Police": want lower-case letters, digits, - and _`},
		{"order: topic before a later query", "  - {id: x, topic: u, query: a}\n  - {id: y, topic: t, query: 'a b'}\n",
			`fs0/a.yaml:3:5: rule "x": unknown topic "u"`},
		{"order: no query before a later query", "  - {id: x, topic: t}\n  - {id: y, topic: t, query: '(a'}\n",
			`fs0/a.yaml:3:5: rule "x": no query`},
		{"order: query after a good rule", "  - {id: x, topic: t, query: a}\n  - {id: y, topic: t, query: '(a'}\n",
			`fs0/a.yaml:4:30: rule "y": unclosed ( (at "(a")`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFS(mapFS(map[string]string{"a.yaml": head + tt.rules}))
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v\nwant  %s", err, tt.want)
			}
		})
	}
}

// TestLoadBecameUnknown: a place that became an id no file declares is
// refused at the place; ids declared in another file are known.
func TestLoadBecameUnknown(t *testing.T) {
	_, err := LoadFS(mapFS(map[string]string{
		"a.yaml": "area:\n  - {id: old, names: [Xã Cũ], kind: commune, became: [new]}\n  - {id: old2, names: [Xã Cũ Hai], kind: commune, became: [nope]}\n",
		"b.yaml": "area:\n  - {id: new, names: [Xã Mới], kind: commune}\n",
	}))
	want := `fs0/a.yaml:3:5: became: unknown place id "nope"`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	s, err := LoadFS(mapFS(map[string]string{
		"a.yaml": "area:\n  - {id: old, names: [Xã Cũ], kind: commune, became: [new]}\n",
		"b.yaml": "area:\n  - {id: new, names: [Xã Mới], kind: commune}\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if ps := s.Places(); len(ps) != 2 || !slices.Equal(ps[0].Became, []string{"new"}) {
		t.Errorf("places = %+v", ps)
	}
}

// TestRulesListed: what Rules reports of each rule: defaults applied
// (severity medium, version 1), the canonical query, audiences, file and
// line, in file order.
func TestRulesListed(t *testing.T) {
	s := mustSet(t, map[string]string{"a.yaml": "topics: [{id: t}]\nrules:\n" +
		"  - {id: b, topic: t, query: '\"cột  mốc\" OR a'}\n" +
		"  - {id: a, topic: t, severity: high, version: 4, area: true, disabled: true, audiences: [office, police], description: Mô tả, query: 'x AND NOT y'}\n"})
	want := []Rule{
		{ID: "b", Version: 1, Topic: "t", Severity: "medium", Query: s.Rules()[0].Query, File: "fs0/a.yaml", Line: 3},
		{ID: "a", Version: 4, Topic: "t", Severity: "high", Area: true, Audiences: []string{"office", "police"},
			Query: s.Rules()[1].Query, Description: "Mô tả", Disabled: true, File: "fs0/a.yaml", Line: 4},
	}
	if got := s.Rules(); !reflect.DeepEqual(got, want) {
		t.Errorf("rules\n got  %+v\n want %+v", got, want)
	}
	for i, q := range []string{`"cột  mốc" OR a`, `x AND NOT y`} {
		n, err := parseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Rules()[i].Query; got != n.String() {
			t.Errorf("rule %d query %q, want the canonical %q", i, got, n.String())
		}
	}
}

// TestPhraseIndex: byPhrase lists, for each phrase, every rule using it
// once, in rule order; byRank orders the rules by id; ranksByPhrase is
// byPhrase in ranks; Lao phrases are kept apart from the tries.
func TestPhraseIndex(t *testing.T) {
	s := mustSet(t, map[string]string{"a.yaml": "topics: [{id: t}]\nrules:\n" +
		"  - {id: z, topic: t, query: 'a OR (a AND b)'}\n" +
		"  - {id: m, topic: t, query: 'b NEAR/2 c'}\n" +
		"  - {id: a, topic: t, query: 'c OR a OR ລາວ'}\n"})
	phraseOf := func(text string) int32 {
		for i, p := range s.phrases {
			if p.text == text {
				return int32(i)
			}
		}
		t.Fatalf("no phrase %q", text)
		return -1
	}
	for text, want := range map[string][]int32{"a": {0, 2}, "b": {0, 1}, "c": {1, 2}, "ລາວ": {2}} {
		if got := s.byPhrase[phraseOf(text)]; !slices.Equal(got, want) {
			t.Errorf("byPhrase[%q] = %v, want %v", text, got, want)
		}
	}
	if want := []int32{2, 1, 0}; !slices.Equal(s.byRank, want) {
		t.Errorf("byRank = %v, want %v", s.byRank, want)
	}
	for p, ris := range s.byPhrase {
		var want []int32
		for _, ri := range ris {
			want = append(want, int32(slices.Index(s.byRank, ri)))
		}
		if !slices.Equal(s.ranksByPhrase[p], want) {
			t.Errorf("ranksByPhrase[%d] = %v, want %v", p, s.ranksByPhrase[p], want)
		}
	}
	if want := []int32{phraseOf("ລາວ")}; !slices.Equal(s.lao, want) {
		t.Errorf("lao = %v, want %v", s.lao, want)
	}
	if got := strings.Join(s.Files(), ","); got != "fs0/a.yaml" {
		t.Errorf("files = %q", got)
	}
}
