package rules

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Query grammar (operators are upper case; everything else is a term):
//
//	expr    = and { "OR" and }
//	and     = unary { "AND" unary }
//	unary   = "NOT" unary | near
//	near    = primary { "NEAR/" n primary }
//	primary = [ "title:" ] ( `"phrase"` | word | "(" expr ")" )
//
// A word is a run of letters and digits outside quotes; it is a one-syllable
// phrase. Two terms side by side without an operator are an error, so a
// forgotten quote or operator never changes the meaning silently.

// Limits that keep a hostile or mistaken query from costing much.
const (
	maxQueryLen   = 64 << 10
	maxQueryDepth = 64
	maxNear       = 1000
)

type opKind uint8

const (
	opPhrase opKind = iota
	opAnd
	opOr
	opNot
	opNear
)

// node is one node of a parsed query.
type node struct {
	op     opKind
	kids   []*node
	text   string // opPhrase: the phrase as written; "" once compiled into a Set
	title  bool   // opPhrase: only in the title
	n      int    // opNear: the largest gap in syllables
	phrase int32  // opPhrase: index into Set.phrases, set at compile time
}

// QueryError is a syntax error in a query, with the byte offset into it.
type QueryError struct {
	Offset int
	Msg    string
}

func (e *QueryError) Error() string { return fmt.Sprintf("query: %s at offset %d", e.Msg, e.Offset) }

type tokKind uint8

const (
	tEOF tokKind = iota
	tPhrase
	tWord
	tAnd
	tOr
	tNot
	tNear
	tLParen
	tRParen
	tTitle
)

type qtok struct {
	kind tokKind
	text string
	n    int
	off  int
}

func lexQuery(q string) ([]qtok, error) {
	if len(q) > maxQueryLen {
		return nil, &QueryError{0, fmt.Sprintf("query longer than %d bytes", maxQueryLen)}
	}
	if !utf8.ValidString(q) {
		return nil, &QueryError{0, "query is not valid UTF-8"}
	}
	var out []qtok
	i := 0
	for i < len(q) {
		r, size := utf8.DecodeRuneInString(q[i:])
		var err error
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '(':
			out = append(out, qtok{kind: tLParen, off: i})
			i++
		case r == ')':
			out = append(out, qtok{kind: tRParen, off: i})
			i++
		case isQuote(r):
			var t qtok
			if t, i, err = lexQuoted(q, i); err != nil {
				return nil, err
			}
			out = append(out, t)
		case isWordStart(r):
			if out, i, err = lexWord(q, i, out); err != nil {
				return nil, err
			}
		default:
			return nil, &QueryError{i, fmt.Sprintf("unexpected character %q (quote phrases)", r)}
		}
	}
	out = append(out, qtok{kind: tEOF, off: len(q)})
	return out, nil
}

// isQuote reports whether r opens or closes a phrase: any of the three
// quotes closes a phrase any of them opened.
func isQuote(r rune) bool { return r == '"' || r == '“' || r == '”' }

// lexQuoted reads the phrase whose opening quote is at start, and returns
// it with the offset after its closing quote.
func lexQuoted(q string, start int) (qtok, int, error) {
	_, size := utf8.DecodeRuneInString(q[start:])
	i := start + size
	j := i
	for j < len(q) {
		r, s := utf8.DecodeRuneInString(q[j:])
		if isQuote(r) {
			break
		}
		j += s
	}
	if j >= len(q) {
		return qtok{}, 0, &QueryError{start, "unterminated quote"}
	}
	_, s := utf8.DecodeRuneInString(q[j:])
	return qtok{kind: tPhrase, text: q[i:j], off: start}, j + s, nil
}

// lexWord reads the word at start (letters, digits and marks, with the / and
// : of NEAR/n and title:), appends its token to out, or for title:word the
// scope and then the word, and returns out with the offset after the word.
func lexWord(q string, start int, out []qtok) ([]qtok, int, error) {
	j := start
	for j < len(q) {
		r, s := utf8.DecodeRuneInString(q[j:])
		if !isWordStart(r) && r != '/' && r != ':' {
			break
		}
		j += s
	}
	w := q[start:j]
	t, err := classifyWord(w, start)
	if err != nil {
		return nil, 0, err
	}
	if t.kind != tTitle || len(w) == len("title:") {
		return append(out, t), j, nil
	}
	// title:word — split the scope from its word.
	rest, err := classifyWord(w[len("title:"):], start+len("title:"))
	if err != nil {
		return nil, 0, err
	}
	if rest.kind != tWord {
		return nil, 0, &QueryError{start, "title: must be followed by a phrase, a word or a group"}
	}
	return append(out, qtok{kind: tTitle, off: start}, rest), j, nil
}

func isWordStart(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

func classifyWord(w string, off int) (qtok, error) {
	switch {
	case w == "AND":
		return qtok{kind: tAnd, off: off}, nil
	case w == "OR":
		return qtok{kind: tOr, off: off}, nil
	case w == "NOT":
		return qtok{kind: tNot, off: off}, nil
	case strings.HasPrefix(w, "NEAR/"):
		n, err := strconv.Atoi(w[len("NEAR/"):])
		if err != nil || n < 0 || n > maxNear {
			return qtok{}, &QueryError{off, fmt.Sprintf("NEAR/n needs a number from 0 to %d", maxNear)}
		}
		return qtok{kind: tNear, n: n, off: off}, nil
	case w == "NEAR":
		return qtok{}, &QueryError{off, "NEAR needs a distance: NEAR/5"}
	case strings.HasPrefix(w, "title:"):
		return qtok{kind: tTitle, off: off}, nil
	}
	if strings.ContainsAny(w, "/:") {
		return qtok{}, &QueryError{off, fmt.Sprintf("unexpected %q (quote phrases; the only scope is title:)", w)}
	}
	return qtok{kind: tWord, text: w, off: off}, nil
}

type qparser struct {
	toks  []qtok
	pos   int
	depth int
}

// parseQuery parses a query into its tree. Phrases are not yet resolved.
func parseQuery(q string) (*node, error) {
	toks, err := lexQuery(q)
	if err != nil {
		return nil, err
	}
	p := &qparser{toks: toks}
	if p.peek().kind == tEOF {
		return nil, &QueryError{0, "empty query"}
	}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.unexpected(t)
	}
	return n, nil
}

func (p *qparser) peek() qtok { return p.toks[p.pos] }
func (p *qparser) next() qtok { t := p.toks[p.pos]; p.pos++; return t }

func (p *qparser) unexpected(t qtok) error {
	switch t.kind {
	case tEOF:
		return &QueryError{t.off, "unexpected end of query"}
	case tRParen:
		return &QueryError{t.off, "unexpected )"}
	case tPhrase, tWord, tLParen, tTitle, tNot:
		return &QueryError{t.off, "missing operator (AND, OR, NEAR/n) between terms"}
	}
	return &QueryError{t.off, "unexpected operator"}
}

func (p *qparser) enter(off int) error {
	p.depth++
	if p.depth > maxQueryDepth {
		return &QueryError{off, "query nested too deeply"}
	}
	return nil
}

func (p *qparser) expr() (*node, error) {
	if err := p.enter(p.peek().off); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tOr {
		return left, nil
	}
	n := &node{op: opOr, kids: []*node{left}}
	for p.peek().kind == tOr {
		p.next()
		k, err := p.and()
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, k)
	}
	return n, nil
}

func (p *qparser) and() (*node, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tAnd {
		return left, nil
	}
	n := &node{op: opAnd, kids: []*node{left}}
	for p.peek().kind == tAnd {
		p.next()
		k, err := p.unary()
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, k)
	}
	return n, nil
}

func (p *qparser) unary() (*node, error) {
	if t := p.peek(); t.kind == tNot {
		p.next()
		if err := p.enter(t.off); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		k, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{op: opNot, kids: []*node{k}}, nil
	}
	return p.near()
}

func (p *qparser) near() (*node, error) {
	left, err := p.primary(false)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tNear {
		t := p.next()
		right, err := p.primary(false)
		if err != nil {
			return nil, err
		}
		left = &node{op: opNear, n: t.n, kids: []*node{left, right}}
	}
	return left, nil
}

func (p *qparser) primary(title bool) (*node, error) {
	t := p.next()
	switch t.kind {
	case tPhrase, tWord:
		if strings.TrimSpace(t.text) == "" {
			return nil, &QueryError{t.off, "empty phrase"}
		}
		return &node{op: opPhrase, text: t.text, title: title}, nil
	case tTitle:
		if title {
			return nil, &QueryError{t.off, "title: twice"}
		}
		if k := p.peek().kind; k != tPhrase && k != tWord && k != tLParen {
			return nil, &QueryError{t.off, "title: must be followed by a phrase, a word or a group"}
		}
		return p.primary(true)
	case tLParen:
		if err := p.enter(t.off); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		n, err := p.expr()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tRParen {
			if c.kind == tEOF {
				return nil, &QueryError{t.off, "unclosed ("}
			}
			p.pos--
			return nil, p.unexpected(c)
		}
		if title {
			setTitle(n)
		}
		return n, nil
	}
	p.pos--
	return nil, p.unexpected(t)
}

func setTitle(n *node) {
	if n.op == opPhrase {
		n.title = true
	}
	for _, k := range n.kids {
		setTitle(k)
	}
}

// String prints the query in canonical form; parsing it again gives the
// same tree.
func (n *node) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *node) write(b *strings.Builder) {
	switch n.op {
	case opPhrase:
		if n.title {
			b.WriteString("title:")
		}
		b.WriteByte('"')
		b.WriteString(n.text)
		b.WriteByte('"')
	case opNot:
		b.WriteString("NOT ")
		n.kids[0].writeInner(b)
	case opAnd, opOr, opNear:
		for i, k := range n.kids {
			if i > 0 {
				switch n.op {
				case opAnd:
					b.WriteString(" AND ")
				case opOr:
					b.WriteString(" OR ")
				default:
					fmt.Fprintf(b, " NEAR/%d ", n.n)
				}
			}
			k.writeInner(b)
		}
	}
}

func (n *node) writeInner(b *strings.Builder) {
	if n.op == opPhrase {
		n.write(b)
		return
	}
	b.WriteByte('(')
	n.write(b)
	b.WriteByte(')')
}

func (n *node) walk(f func(*node)) {
	f(n)
	for _, k := range n.kids {
		k.walk(f)
	}
}
