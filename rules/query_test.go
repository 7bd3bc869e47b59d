package rules

import (
	"reflect"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/article"
)

// TestLexQuery pins the tokens of the query lexer (kinds, texts, distances
// and byte offsets), including title: joined to a word and the three kinds
// of quote, and each error with its offset.
func TestLexQuery(t *testing.T) {
	q := `title:biên AND “Lào Cai” OR NOT NEAR/3 (x2) title:"y" ”z"`
	at := func(s string) int { return strings.Index(q, s) }
	want := []qtok{
		{kind: tTitle, off: 0},
		{kind: tWord, text: "biên", off: at("biên")},
		{kind: tAnd, off: at("AND")},
		{kind: tPhrase, text: "Lào Cai", off: at("“")},
		{kind: tOr, off: at("OR")},
		{kind: tNot, off: at("NOT")},
		{kind: tNear, n: 3, off: at("NEAR")},
		{kind: tLParen, off: at("(")},
		{kind: tWord, text: "x2", off: at("x2")},
		{kind: tRParen, off: at(")")},
		{kind: tTitle, off: at(`title:"`)},
		{kind: tPhrase, text: "y", off: at(`"y`)},
		{kind: tPhrase, text: "z", off: at("”z")},
		{kind: tEOF, off: len(q)},
	}
	got, err := lexQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tokens\n got  %+v\n want %+v", got, want)
	}

	for _, tt := range []struct {
		q   string
		off int
		msg string
	}{
		{strings.Repeat("a ", maxQueryLen/2+1), 0, "query longer than 65536 bytes"},
		{"a \xff", 0, "query is not valid UTF-8"},
		{`a "b`, 2, "unterminated quote"},
		{`a “b`, 2, "unterminated quote"},
		{"a & b", 2, `unexpected character '&' (quote phrases)`},
		{"a NEAR b", 2, "NEAR needs a distance: NEAR/5"},
		{"a NEAR/1001 b", 2, "NEAR/n needs a number from 0 to 1000"},
		{"a NEAR/x b", 2, "NEAR/n needs a number from 0 to 1000"},
		{"a b:c", 2, `unexpected "b:c" (quote phrases; the only scope is title:)`},
		{"a title:NEAR/x", 8, "NEAR/n needs a number from 0 to 1000"},
		{"a title:AND b", 2, "title: must be followed by a phrase, a word or a group"},
		{"a title:x/y", 8, `unexpected "x/y" (quote phrases; the only scope is title:)`},
	} {
		_, err := lexQuery(tt.q)
		qe, ok := err.(*QueryError)
		if !ok || qe.Offset != tt.off || qe.Msg != tt.msg {
			t.Errorf("lexQuery(%.20q) = %v, want %q at offset %d", tt.q, err, tt.msg, tt.off)
		}
	}
}

// TestTitleWord: title:word is the word's phrase, only in the title.
func TestTitleWord(t *testing.T) {
	s := mustSet(t, map[string]string{"a.yaml": "topics: [{id: t}]\nrules:\n  - {id: x, topic: t, query: 'title:mốc AND giới'}\n"})
	if got := s.Rules()[0].Query; got != `title:"mốc" AND "giới"` {
		t.Errorf("canonical query %q", got)
	}
	for _, tt := range []struct {
		title, body string
		want        bool
	}{
		{"Cột mốc biên giới", "", true},
		{"Biên giới", "cột mốc", false},
	} {
		r := s.Match(article.Article{Title: tt.title, Body: tt.body})
		if got := len(r.Matches) == 1; got != tt.want {
			t.Errorf("title %q body %q: matched %v, want %v", tt.title, tt.body, got, tt.want)
		}
	}
}
