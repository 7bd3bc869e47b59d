// Package rules compiles keyword rules and the area gazetteer, and matches
// them against articles.
// In: rule files (YAML; the embedded default pack plus extra folders) and
// article.Article. Out: Result with []article.Match and the area terms. No I/O
// besides reading the rule files in Load and polling them in Reloader.
//
// Matching works on whole syllables after internal/textnorm: every phrase of
// every rule and of the gazetteer is compiled into one trie over syllable
// keys (and one over folded keys for phrases marked fold_ok), so one walk over
// the text finds every term; the boolean queries are then evaluated only for
// the rules whose terms occurred. Lao-script phrases are found by substring
// on the NFKC text.
package rules

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/diembao/diembao/internal/textnorm"
)

//go:embed packs/default/*.yaml
var defaultPack embed.FS

// DefaultPack returns the embedded default rule pack (read-only).
func DefaultPack() fs.FS {
	sub, err := fs.Sub(defaultPack, "packs/default")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Rule describes one compiled rule, for listing in the UI and the CLI.
type Rule struct {
	ID          string   `json:"id"`
	Version     int      `json:"version"`
	Topic       string   `json:"topic"`
	Severity    string   `json:"severity"`
	Area        bool     `json:"area"` // the rule fires only for articles that concern the area
	Audiences   []string `json:"audiences,omitempty"`
	Query       string   `json:"query"` // canonical form
	Description string   `json:"description,omitempty"`
	Disabled    bool     `json:"disabled,omitempty"`
	File        string   `json:"file"`
	Line        int      `json:"line"`
}

// Topic is a declared topic.
type Topic struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Place is one entry of the area gazetteer.
type Place struct {
	ID         string   `json:"id"`
	Names      []string `json:"names"`
	Kind       string   `json:"kind"`
	ValidFrom  string   `json:"valid_from,omitempty"`  // YYYY-MM-DD
	ValidUntil string   `json:"valid_until,omitempty"` // YYYY-MM-DD, last day the name was official
	Became     []string `json:"became,omitempty"`      // ids of the places it became
	Note       string   `json:"note,omitempty"`
}

// phrase is one distinct term: all spellings with the same syllable keys are
// one phrase.
// A set holds one per distinct term (200,000 for 100,000 rules): rare
// attributes live in the builder, and a Lao phrase keeps its unit keys in
// keys.
type phrase struct {
	text    string   // first spelling seen, normalised
	keys    []string // syllable keys; for a Lao phrase the NFKC keys of its Lao units (textnorm.Tokens)
	folds   []string // folded keys, when foldOK
	context []int32  // at least one of these must occur
	place   int32    // 1 + index into Set.places; 0: not a place name
	window  int32    // 0: anywhere in the article; n: within n syllables in the same field
	lao     bool     // Lao-script phrase, found as a run of Lao units
	foldOK  bool
	stop    bool
}

type compiledRule struct {
	Rule
	q *node
}

// Set is a compiled, immutable rule set. Its methods are safe for
// concurrent use.
type Set struct {
	phrases  []phrase
	byID     map[string]int32 // phrase identity → index
	key      trie
	fold     trie
	lao      []int32
	rules    []compiledRule
	byPhrase [][]int32 // phrase → indices of the rules using it
	// ranksByPhrase is byPhrase with each rule given by its rank in rule
	// id order; byRank maps a rank back to the rule index.
	ranksByPhrase [][]int32
	byRank        []int32
	topics        []Topic
	places        []Place
	files         []string
	pool          sync.Pool // *scratch
}

var (
	idRe     = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)
	topicRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	severity = map[string]bool{"info": true, "low": true, "medium": true, "high": true, "critical": true}
)

// Load compiles the embedded default pack plus every *.yaml file directly in
// each of dirs (a dir may also name a single file). All files form one set:
// ids, topics and phrase declarations must not clash. The error names the
// file, line and column of the first problem.
func Load(dirs ...string) (*Set, error) {
	srcs, err := readFS(DefaultPack(), ".", "default")
	if err != nil {
		return nil, fmt.Errorf("rules: default pack: %w", err)
	}
	for _, d := range dirs {
		more, err := readDir(d)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, more...)
	}
	return compile(srcs)
}

// LoadFS compiles the *.yaml files directly in the root of each fsys, and
// nothing else (no default pack). For tests and for linting a pack alone.
func LoadFS(fsyss ...fs.FS) (*Set, error) {
	var srcs []source
	for i, f := range fsyss {
		more, err := readFS(f, ".", fmt.Sprintf("fs%d", i))
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		srcs = append(srcs, more...)
	}
	return compile(srcs)
}

type builder struct {
	s        *Set
	ruleAt   map[string]fileLine
	topicAt  map[string]string
	placeAt  map[string]string
	declared map[int32]string  // phrase → file:line of its declaration
	strs     map[string]string // one copy of each topic, severity and audience
	syls     map[string]string
}

// syl returns the builder's one copy of a syllable key: the same few
// thousand syllables make up every phrase.
func (b *builder) syl(s string) string {
	if c, ok := b.syls[s]; ok {
		return c
	}
	b.syls[s] = s
	return s
}

// fileLine is where a rule was declared, formatted only for an error.
type fileLine struct {
	file string
	line int
}

// str returns the builder's one copy of s (topics, severities and
// audiences repeat across thousands of rules).
func (b *builder) str(s string) string {
	if c, ok := b.strs[s]; ok {
		return c
	}
	c := strings.Clone(s)
	b.strs[c] = c
	return c
}

func compile(srcs []source) (*Set, error) { return compileWith(srcs, parseFile) }

// compileWith is compile with the file decoder given (the benchmark and the
// agreement tests compare parseFile with parseFileAST).
func compileWith(srcs []source, parse func(name string, data []byte) (*fileDoc, error)) (*Set, error) {
	docs, err := decodeAll(srcs, parse)
	if err != nil {
		return nil, err
	}
	b := newBuilder(srcs, docs)
	if err := b.compileDocs(srcs, docs); err != nil {
		return nil, err
	}
	// The decoded rules are compiled: let them (and the file text their
	// strings may point into) go before the indexes are built.
	for _, d := range docs {
		d.Rules = nil
	}
	if err := b.checkBecame(srcs, docs); err != nil {
		return nil, err
	}
	b.s.index()
	return b.s, nil
}

// decodeAll decodes every file, stopping at the first error.
func decodeAll(srcs []source, parse func(name string, data []byte) (*fileDoc, error)) ([]*fileDoc, error) {
	docs := make([]*fileDoc, len(srcs))
	for i, src := range srcs {
		d, err := parse(src.name, src.data)
		if err != nil {
			return nil, err
		}
		docs[i] = d
	}
	return docs, nil
}

// newBuilder returns a builder of an empty set of the files srcs, with the
// rule list and its id map sized for every rule of docs at once (100,000
// rules grow them through many copies otherwise).
func newBuilder(srcs []source, docs []*fileDoc) *builder {
	nRules := 0
	for _, d := range docs {
		nRules += len(d.Rules)
	}
	s := &Set{byID: map[string]int32{}, key: newTrie(), fold: newTrie(), rules: make([]compiledRule, 0, nRules)}
	for _, src := range srcs {
		s.files = append(s.files, src.name)
	}
	return &builder{
		s:        s,
		ruleAt:   make(map[string]fileLine, nRules),
		topicAt:  map[string]string{},
		placeAt:  map[string]string{},
		declared: map[int32]string{},
		strs:     map[string]string{},
		syls:     map[string]string{},
	}
}

// compileDocs runs each pass over every file in order: topics first, then
// phrase declarations, then places, then rules, so that a file may use what
// another file declares. It returns the first error.
func (b *builder) compileDocs(srcs []source, docs []*fileDoc) error {
	for _, pass := range []func(string, *fileDoc) error{b.topicsOf, b.phrasesOf, b.placesOf, b.rulesOf} {
		for i, d := range docs {
			if err := pass(srcs[i].name, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkBecame refuses a place that became an id no file declares; it runs
// once every file's places are known.
func (b *builder) checkBecame(srcs []source, docs []*fileDoc) error {
	for i, d := range docs {
		for _, p := range d.Places() {
			for _, became := range p.Became {
				if _, ok := b.placeAt[became]; !ok {
					return &Error{File: srcs[i].name, Line: p.p.line, Col: p.p.col, Msg: fmt.Sprintf("became: unknown place id %q", became)}
				}
			}
		}
	}
	return nil
}

// index builds, once every rule is compiled, what Match looks up: the rules
// using each phrase (by index and by rank) and the phrase tries.
func (s *Set) index() {
	if c := cap(s.phrases); c-len(s.phrases) > c/8 {
		s.phrases = slices.Clone(s.phrases) // reserved for phrases that repeated
	}
	s.pool.New = func() any { return new(scratch) }
	uses, ruleUses, ruleEnd := s.phraseUses()
	s.byPhrase = rulesByPhrase(uses, ruleUses, ruleEnd)
	s.byRank = rulesByID(s.rules)
	s.ranksByPhrase = ranksByPhrase(s.byPhrase, s.byRank, uses)
	s.addToTries()
}

// phraseUses walks every rule's query once. ruleUses holds each rule's
// distinct phrases, the rules' lists flattened in rule order (rule ri's end
// at ruleEnd[ri]); uses counts the rules using each phrase.
func (s *Set) phraseUses() (uses, ruleUses []int32, ruleEnd []int) {
	uses = make([]int32, len(s.phrases))
	ruleEnd = make([]int, len(s.rules))
	for ri, r := range s.rules {
		from := len(ruleUses)
		r.q.walk(func(n *node) {
			if n.op == opPhrase && !slices.Contains(ruleUses[from:], n.phrase) {
				ruleUses = append(ruleUses, n.phrase)
				uses[n.phrase]++
			}
		})
		ruleEnd[ri] = len(ruleUses)
	}
	return uses, ruleUses, ruleEnd
}

// rulesByPhrase returns, for each phrase, the rules using it (each once, in
// rule order), all lists cut from one array; the arguments are phraseUses'.
func rulesByPhrase(uses, ruleUses []int32, ruleEnd []int) [][]int32 {
	byPhrase := cutLists(uses)
	from := 0
	for ri, end := range ruleEnd {
		for _, p := range ruleUses[from:end] {
			byPhrase[p] = append(byPhrase[p], int32(ri))
		}
		from = end
	}
	return byPhrase
}

// rulesByID returns the rule indices in rule id order: byRank[rank] is the
// index of the rule of that rank.
func rulesByID(rules []compiledRule) []int32 {
	byRank := make([]int32, len(rules))
	for i := range byRank {
		byRank[i] = int32(i)
	}
	slices.SortFunc(byRank, func(a, b int32) int { return strings.Compare(rules[a].ID, rules[b].ID) })
	return byRank
}

// ranksByPhrase is byPhrase with each rule given by its rank, all lists cut
// from one array sized by uses.
func ranksByPhrase(byPhrase [][]int32, byRank, uses []int32) [][]int32 {
	rank := make([]int32, len(byRank))
	for rk, ri := range byRank {
		rank[ri] = int32(rk)
	}
	out := cutLists(uses)
	for p, ris := range byPhrase {
		for _, ri := range ris {
			out[p] = append(out[p], rank[ri])
		}
	}
	return out
}

// addToTries puts every phrase in the key trie (and the fold trie when it
// may fold or is a stop phrase), or in the Lao list, and freezes the tries.
func (s *Set) addToTries() {
	for i := range s.phrases {
		p := &s.phrases[i]
		id := int32(i)
		switch {
		case p.lao:
			s.lao = append(s.lao, id)
		default:
			s.key.add(p.keys, id)
			if p.foldOK || p.stop {
				s.fold.add(p.folds, id)
			}
		}
	}
	s.key.freeze()
	s.fold.freeze()
}

// cutLists returns len(sizes) empty lists, list i with capacity sizes[i],
// all cut from one array.
func cutLists(sizes []int32) [][]int32 {
	total := 0
	for _, n := range sizes {
		total += int(n)
	}
	all := make([]int32, total)
	out := make([][]int32, len(sizes))
	at := 0
	for i, n := range sizes {
		if n > 0 {
			out[i] = all[at : at : at+int(n)]
		}
		at += int(n)
	}
	return out
}

// Places returns the gazetteer entries of a file (helper for validation).
func (d *fileDoc) Places() []areaDoc { return d.Area }

func (b *builder) errAt(file string, p pos, format string, args ...any) error {
	return &Error{File: file, Line: p.line, Col: p.col, Msg: fmt.Sprintf(format, args...)}
}

func (b *builder) topicsOf(file string, d *fileDoc) error {
	for _, t := range d.Topics {
		if !topicRe.MatchString(t.ID) {
			return b.errAt(file, t.p, "topic id %q: want lower-case letters, digits, - and _", t.ID)
		}
		if at, ok := b.topicAt[t.ID]; ok {
			return b.errAt(file, t.p, "topic %q already declared at %s", t.ID, at)
		}
		b.topicAt[t.ID] = fmt.Sprintf("%s:%d", file, t.p.line)
		b.s.topics = append(b.s.topics, Topic{ID: t.ID, Name: t.Name})
	}
	return nil
}

// intern returns the phrase for text, creating an undeclared one.
func (b *builder) intern(text string) (int32, error) {
	norm := textnorm.Normalize(strings.TrimSpace(text))
	if hasLaoScript(norm) {
		for _, r := range norm {
			if r < 0x0E80 || r > 0x0EFF {
				if !unicode.IsSpace(r) {
					return 0, fmt.Errorf("phrase %q mixes Lao script with other characters", text)
				}
			}
		}
		id := "lao:" + norm
		if i, ok := b.s.byID[id]; ok {
			return i, nil
		}
		i := int32(len(b.s.phrases))
		var keys []string
		for _, t := range textnorm.Tokens(norm) {
			keys = append(keys, t.Key)
		}
		if len(keys) == 0 {
			return 0, fmt.Errorf("phrase %q has no Lao letters", text)
		}
		norm = strings.Clone(norm) // may be a slice of the file's text
		b.s.phrases = append(b.s.phrases, phrase{text: norm, lao: true, keys: keys})
		b.s.byID[id] = i
		return i, nil
	}
	toks := textnorm.Tokens(norm)
	if len(toks) == 0 {
		return 0, fmt.Errorf("phrase %q has no letters or digits", text)
	}
	if len(toks) > 32 {
		return 0, fmt.Errorf("phrase %q is longer than 32 syllables", text)
	}
	keys := make([]string, len(toks))
	folds := make([]string, len(toks))
	for i, t := range toks {
		keys[i], folds[i] = b.syl(t.Key), b.syl(t.Fold)
	}
	if slices.Equal(keys, folds) {
		folds = keys
	}
	id := strings.Join(keys, " ")
	if i, ok := b.s.byID[id]; ok {
		return i, nil
	}
	i := int32(len(b.s.phrases))
	b.s.phrases = append(b.s.phrases, phrase{text: strings.Clone(norm), keys: keys, folds: folds}) // norm may be a slice of the file's text
	b.s.byID[id] = i
	return i, nil
}

func hasLaoScript(s string) bool {
	for _, r := range s {
		if r >= 0x0E80 && r <= 0x0EFF {
			return true
		}
	}
	return false
}

// declare sets the attributes of a phrase; each phrase is declared once.
func (b *builder) declare(file string, p pos, text string, foldOK bool, ctx []posString, window int) (int32, error) {
	id, err := b.intern(text)
	if err != nil {
		return 0, b.errAt(file, p, "%v", err)
	}
	ph := &b.s.phrases[id]
	if at, ok := b.declared[id]; ok {
		return 0, b.errAt(file, p, "phrase %q already declared at %s (same syllables as %q)", text, at, ph.text)
	}
	b.declared[id] = fmt.Sprintf("%s:%d", file, p.line)
	if foldOK && !ph.lao && !slices.Equal(ph.keys, ph.folds) {
		if len(ph.keys) < 2 {
			return 0, b.errAt(file, p, "fold_ok on %q: only phrases of two or more syllables may fold (one folded syllable collides: Lào/lao, chùa/chưa)", text)
		}
		ph.foldOK = true
	}
	if window < 0 || window > maxNear {
		return 0, b.errAt(file, p, "window %d: want 0 to %d", window, maxNear)
	}
	ph.window = int32(window)
	for _, c := range ctx {
		cid, err := b.intern(c.s)
		if err != nil {
			return 0, b.errAt(file, c.p, "context: %v", err)
		}
		if cid == id {
			return 0, b.errAt(file, c.p, "context of %q names the phrase itself", text)
		}
		b.s.phrases[id].context = append(b.s.phrases[id].context, cid)
	}
	if window > 0 && len(ctx) == 0 {
		return 0, b.errAt(file, p, "window without context")
	}
	return id, nil
}

func (b *builder) phrasesOf(file string, d *fileDoc) error {
	for _, pd := range d.Phrases {
		if strings.TrimSpace(pd.Text) == "" {
			return b.errAt(file, pd.p, "phrase without text")
		}
		if _, err := b.declare(file, pd.p, pd.Text, pd.FoldOK, pd.Context, int(pd.Window)); err != nil {
			return err
		}
	}
	for _, sp := range d.StopPhrases {
		id, err := b.intern(sp.s)
		if err != nil {
			return b.errAt(file, sp.p, "stop phrase: %v", err)
		}
		ph := &b.s.phrases[id]
		if !ph.lao && len(ph.keys) < 2 {
			return b.errAt(file, sp.p, "stop phrase %q: want a name of two or more syllables", sp.s)
		}
		ph.stop = true
	}
	return nil
}

func validDate(s string) bool {
	if s == "" {
		return true
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func (b *builder) placesOf(file string, d *fileDoc) error {
	for _, a := range d.Area {
		if !idRe.MatchString(a.ID) {
			return b.errAt(file, a.p, "area id %q: want lower-case letters, digits, ., - and _", a.ID)
		}
		if at, ok := b.placeAt[a.ID]; ok {
			return b.errAt(file, a.p, "area id %q already declared at %s", a.ID, at)
		}
		b.placeAt[a.ID] = fmt.Sprintf("%s:%d", file, a.p.line)
		if len(a.Names) == 0 {
			return b.errAt(file, a.p, "area %q: no names", a.ID)
		}
		if a.Kind == "" {
			return b.errAt(file, a.p, "area %q: no kind", a.ID)
		}
		if !validDate(a.ValidFrom) || !validDate(a.ValidUntil) {
			return b.errAt(file, a.p, "area %q: dates must be YYYY-MM-DD", a.ID)
		}
		pl := Place{ID: a.ID, Kind: a.Kind, ValidFrom: a.ValidFrom, ValidUntil: a.ValidUntil, Became: a.Became, Note: a.Note}
		idx := int32(len(b.s.places)) + 1
		for _, n := range a.Names {
			id, err := b.declare(file, n.p, n.s, a.FoldOK, a.Context, int(a.Window))
			if err != nil {
				return err
			}
			b.s.phrases[id].place = idx
			pl.Names = append(pl.Names, n.s)
		}
		b.s.places = append(b.s.places, pl)
	}
	return nil
}

// rulesOf compiles the rules of one file, in order; the first bad rule is
// the error.
func (b *builder) rulesOf(file string, d *fileDoc) error {
	qs, qerrs := b.parseQueries(d.Rules)
	for i, r := range d.Rules {
		if err := b.addRule(file, r, qs[i], qerrs[i]); err != nil {
			return err
		}
	}
	return nil
}

// parseQueries parses every query first, to reserve room for their phrases
// at once (at most one new phrase per phrase node): 200,000 phrases grown by
// appending are copied many times. A blank query is left nil; the parse
// errors are returned for addRule to report in rule order.
func (b *builder) parseQueries(rules []ruleDoc) ([]*node, []error) {
	qs := make([]*node, len(rules))
	qerrs := make([]error, len(rules))
	nodes := 0
	for i, r := range rules {
		if strings.TrimSpace(r.Query.s) == "" {
			continue
		}
		qs[i], qerrs[i] = parseQuery(r.Query.s)
		if qerrs[i] == nil {
			qs[i].walk(func(n *node) {
				if n.op == opPhrase {
					nodes++
				}
			})
		}
	}
	b.s.phrases = slices.Grow(b.s.phrases, nodes)
	return qs, qerrs
}

// addRule checks one rule and adds it to the set; q and qerr are what
// parseQueries gave for its query.
func (b *builder) addRule(file string, r ruleDoc, q *node, qerr error) error {
	if err := b.declareRule(file, r); err != nil {
		return err
	}
	if err := b.checkAttrs(file, &r); err != nil {
		return err
	}
	if err := b.compileQuery(file, r, q, qerr); err != nil {
		return err
	}
	aud, err := b.audiences(file, r)
	if err != nil {
		return err
	}
	// Strings are copied or shared: a decoder's strings may be slices
	// of the whole file's text, which the set must not keep alive.
	b.s.rules = append(b.s.rules, compiledRule{
		Rule: Rule{ID: strings.Clone(r.ID), Version: int(r.Version), Topic: b.str(r.Topic), Severity: b.str(r.Severity), Area: r.Area,
			Audiences: aud, Query: q.String(), Description: strings.Clone(r.Description), Disabled: r.Disabled,
			File: file, Line: r.p.line},
		q: q,
	})
	// The phrases are interned and the canonical query written: the
	// texts as written are not needed any more, and would keep the
	// whole file's text alive.
	q.walk(func(n *node) { n.text = "" })
	return nil
}

// declareRule checks the rule's id and records where it is declared.
func (b *builder) declareRule(file string, r ruleDoc) error {
	if !idRe.MatchString(r.ID) {
		return b.errAt(file, r.p, "rule id %q: want lower-case letters, digits, ., - and _", r.ID)
	}
	if at, ok := b.ruleAt[r.ID]; ok {
		return b.errAt(file, r.p, "rule %q already declared at %s:%d", r.ID, at.file, at.line)
	}
	b.ruleAt[r.ID] = fileLine{file, r.p.line}
	return nil
}

// checkAttrs checks the rule's topic, severity and version, setting the
// defaults of the last two (medium, 1) when they are not given.
func (b *builder) checkAttrs(file string, r *ruleDoc) error {
	if _, ok := b.topicAt[r.Topic]; !ok {
		return b.errAt(file, r.p, "rule %q: unknown topic %q", r.ID, r.Topic)
	}
	if r.Severity == "" {
		r.Severity = "medium"
	}
	if !severity[r.Severity] {
		return b.errAt(file, r.p, "rule %q: severity %q: want info, low, medium, high or critical", r.ID, r.Severity)
	}
	if r.Version == 0 {
		r.Version = 1
	}
	if r.Version < 0 {
		return b.errAt(file, r.p, "rule %q: version must be positive", r.ID)
	}
	return nil
}

// compileQuery refuses a missing or malformed query, interns its phrases
// (setting each phrase node's index) and refuses a query that is true for
// an article with none of them.
func (b *builder) compileQuery(file string, r ruleDoc, q *node, qerr error) error {
	if strings.TrimSpace(r.Query.s) == "" {
		return b.errAt(file, r.p, "rule %q: no query", r.ID)
	}
	if qerr != nil {
		qe := qerr.(*QueryError)
		return b.errAt(file, r.Query.p, "rule %q: %s (at %q)", r.ID, qe.Msg, clip(r.Query.s, qe.Offset))
	}
	if err := b.internQuery(q); err != nil {
		return b.errAt(file, r.Query.p, "rule %q: %v", r.ID, err)
	}
	if evalEmpty(q) {
		return b.errAt(file, r.Query.p, "rule %q: the query matches an article that has none of its phrases (a bare NOT?)", r.ID)
	}
	return nil
}

// internQuery sets the phrase index of every phrase node of q, stopping at
// the first phrase that is not valid.
func (b *builder) internQuery(q *node) error {
	var perr error
	q.walk(func(n *node) {
		if n.op != opPhrase || perr != nil {
			return
		}
		id, err := b.intern(n.text)
		if err != nil {
			perr = err
			return
		}
		n.phrase = id
	})
	return perr
}

// audiences checks the rule's audience names and returns them as the
// builder's shared copies.
func (b *builder) audiences(file string, r ruleDoc) ([]string, error) {
	aud := slices.Clone(r.Audiences)
	for i, a := range aud {
		if !topicRe.MatchString(a) {
			return nil, b.errAt(file, r.p, "rule %q: audience %q: want lower-case letters, digits, - and _", r.ID, a)
		}
		aud[i] = b.str(a)
	}
	return aud, nil
}

func clip(q string, off int) string {
	if off > len(q) {
		off = len(q)
	}
	rest := q[off:]
	if len(rest) > 20 {
		rest = rest[:20]
		for len(rest) > 0 && !utf8ValidEnd(rest) {
			rest = rest[:len(rest)-1]
		}
		rest += "…"
	}
	return rest
}

func utf8ValidEnd(s string) bool { return strings.ToValidUTF8(s, "\x00") == s }

// evalEmpty reports whether q is true for an article with no hits at all.
func evalEmpty(n *node) bool {
	switch n.op {
	case opPhrase, opNear:
		return false
	case opNot:
		return !evalEmpty(n.kids[0])
	case opAnd:
		for _, k := range n.kids {
			if !evalEmpty(k) {
				return false
			}
		}
		return true
	default:
		for _, k := range n.kids {
			if evalEmpty(k) {
				return true
			}
		}
		return false
	}
}

// Rules lists the compiled rules in file order.
func (s *Set) Rules() []Rule {
	out := make([]Rule, len(s.rules))
	for i, r := range s.rules {
		out[i] = r.Rule
		out[i].Audiences = slices.Clone(r.Audiences)
	}
	return out
}

// Topics lists the declared topics.
func (s *Set) Topics() []Topic { return slices.Clone(s.topics) }

// Places lists the area gazetteer.
func (s *Set) Places() []Place {
	out := slices.Clone(s.places)
	for i := range out {
		out[i].Names = slices.Clone(out[i].Names)
		out[i].Became = slices.Clone(out[i].Became)
	}
	return out
}

// Files lists the rule files the set was compiled from.
func (s *Set) Files() []string { return slices.Clone(s.files) }

// Phrases reports how many distinct phrases the matcher looks for.
func (s *Set) Phrases() int { return len(s.phrases) }
