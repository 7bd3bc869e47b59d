package rules

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/poll"
)

func mustSet(t *testing.T, files map[string]string) *Set {
	t.Helper()
	s, err := LoadFS(mapFS(files))
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	return s
}

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for n, c := range files {
		m[n] = &fstest.MapFile{Data: []byte(c)}
	}
	return m
}

const testPack = `
topics: [{id: t, name: T}, {id: laos, name: L}]
phrases:
  - {text: "biên giới", fold_ok: true}
  - {text: "Lào"}
  - {text: "Khẹo", context: ["cửa khẩu"], window: 3}
stop_phrases: ["Lào Cai"]
area:
  - {id: bm, names: ["Bát Mọt"], kind: commune}
rules:
  - {id: t.border, topic: t, severity: high, query: '"biên giới"'}
  - {id: t.near, topic: t, query: '"buôn lậu" NEAR/2 "Lào"'}
  - {id: t.title, topic: t, query: 'title:"cột mốc"'}
  - {id: t.not, topic: t, query: '"giáo xứ" AND NOT "bóng đá"'}
  - {id: t.area, topic: t, area: true, query: '"tuần tra"'}
  - {id: laos.x, topic: laos, version: 3, query: 'Lào OR Khẹo'}
`

func ruleIDs(r Result) string {
	var ids []string
	for _, m := range r.Matches {
		ids = append(ids, m.Rule)
	}
	return strings.Join(ids, ",")
}

func TestMatchSemantics(t *testing.T) {
	s := mustSet(t, map[string]string{"a.yaml": testPack})
	tests := []struct {
		name, title, body, want string
		area                    bool
	}{
		{"phrase", "", "Tăng cường bảo vệ biên giới quốc gia", "t.border", false},
		{"fold ok", "", "tang cuong bao ve bien gioi", "t.border", false},
		{"tone placement and case", "", "BIÊN GIỚI", "t.border", false},
		{"nfd", "", "bie\u0302n gio\u031b\u0301i", "t.border", false},
		{"no substring", "", "biên giớihạn", "", false},
		{"single syllable never folds", "", "lao động Lao", "", false},
		{"Lào", "", "nước bạn Lào", "laos.x", false},
		{"stop phrase", "", "tỉnh Lào Cai", "", false},
		{"stop phrase folded", "", "tinh Lao Cai", "", false},
		{"near ok", "", "buôn lậu từ Lào", "laos.x,t.near", false},
		{"near too far", "", "buôn lậu một hai ba bốn năm sáu Lào", "laos.x", false},
		{"title scope", "Cắm cột mốc", "không", "t.title", false},
		{"title scope body", "Tin", "cắm cột mốc", "", false},
		{"not", "", "giáo xứ mới", "t.not", false},
		{"not excluded", "", "giáo xứ và bóng đá", "", false},
		{"area gate closed", "", "tuần tra", "", false},
		{"area gate open", "", "tuần tra ở Bát Mọt", "t.area", true},
		{"context in window", "", "cửa khẩu phụ Khẹo", "laos.x", false},
		{"context missing", "", "Khẹo", "", false},
		{"context too far", "", "cửa khẩu một hai ba bốn Khẹo", "", false},
		{"nbsp and dash", "", "biên\u00a0giới Việt\u2013Lào", "laos.x,t.border", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.Match(article.Article{Title: tt.title, Body: tt.body})
			if got := ruleIDs(r); got != tt.want {
				t.Errorf("rules = %q, want %q (%+v)", got, tt.want, r)
			}
			if r.Area != tt.area {
				t.Errorf("area = %v, want %v", r.Area, tt.area)
			}
		})
	}
}

func TestTermsAndOffsets(t *testing.T) {
	s := mustSet(t, map[string]string{"a.yaml": testPack})
	a := article.Article{Title: "Cột mốc", Body: "Xã Bát Mọt: tuần tra bie\u0302n giới, giáp Lào."}
	r := s.Match(a)
	if !r.Area || len(r.AreaTerms) != 1 || r.AreaTerms[0].Text != "Bát Mọt" {
		t.Fatalf("area terms %+v", r.AreaTerms)
	}
	for _, m := range r.Matches {
		for _, term := range m.Terms {
			src := a.Body
			if term.Field == FieldTitle {
				src = a.Title
			}
			norm := normalize(src)
			if norm[term.Start:term.End] != term.Text {
				t.Errorf("%s: offsets %d:%d give %q, term %q", m.Rule, term.Start, term.End, norm[term.Start:term.End], term.Text)
			}
		}
		if m.Rule == "laos.x" && m.Version != 3 {
			t.Errorf("version %d", m.Version)
		}
	}
	if got := strings.Join(r.Topics, ","); got != "laos,t" {
		t.Errorf("topics %q", got)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"unknown key", "topics: []\nrulez: []\n", "a.yaml:2:1:"},
		{"unknown rule field", "topics: [{id: t}]\nrules:\n  - id: x\n    topic: t\n    qeury: '\"a\"'\n", "a.yaml:5:5:"},
		{"syntax", "rules: {\n", "a.yaml:1:"},
		{"bad query", "topics: [{id: t}]\nrules:\n  - id: x\n    topic: t\n    query: '\"a\" \"b\"'\n", "a.yaml:5:12: rule \"x\": missing operator"},
		{"unterminated", "topics: [{id: t}]\nrules:\n  - {id: x, topic: t, query: '\"a'}\n", "unterminated quote"},
		{"unknown topic", "rules:\n  - {id: x, topic: nope, query: a}\n", "a.yaml:2:5: rule \"x\": unknown topic"},
		{"bare not", "topics: [{id: t}]\nrules:\n  - {id: x, topic: t, query: 'NOT a'}\n", "none of its phrases"},
		{"dup rule", "topics: [{id: t}]\nrules:\n  - {id: x, topic: t, query: a}\n  - {id: x, topic: t, query: b}\n", "already declared at a.yaml:3"},
		{"fold one syllable", "phrases:\n  - {text: Lào, fold_ok: true}\n", "a.yaml:2:5: fold_ok"},
		{"dup phrase tone variant", "phrases:\n  - {text: hòa bình}\n  - {text: hoà bình}\n", "already declared"},
		{"severity", "topics: [{id: t}]\nrules:\n  - {id: x, topic: t, severity: urgent, query: a}\n", "severity \"urgent\""},
		{"near without n", "topics: [{id: t}]\nrules:\n  - {id: x, topic: t, query: 'a NEAR b'}\n", "NEAR needs a distance"},
		{"bad date", "area:\n  - {id: a, names: [X Y], kind: commune, valid_from: 1/7/2025}\n", "YYYY-MM-DD"},
		{"type", "topics: [{id: t}]\nrules:\n  - {id: x, topic: t, query: [a]}\n", "a.yaml:3:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFS(mapFS(map[string]string{"a.yaml": tt.file}))
			if err == nil {
				t.Fatal("no error")
			}
			var re *Error
			if !errors.As(err, &re) {
				t.Errorf("error %T is not *Error: %v", err, err)
			}
			msg := strings.ReplaceAll(err.Error(), "fs0/", "")
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not contain %q", msg, tt.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
		})
	}
}

func TestQueryRoundTrip(t *testing.T) {
	for _, q := range []string{
		`"a b" OR c AND NOT d`,
		`title:(a OR "b c") NEAR/3 d`,
		`(a OR b) AND (c OR (d AND NOT e))`,
		`“biên giới” OR Lào`,
	} {
		n, err := parseQuery(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		n2, err := parseQuery(n.String())
		if err != nil || n2.String() != n.String() {
			t.Errorf("%s → %s → %v %v", q, n, n2, err)
		}
	}
}

func TestDefaultPackLoads(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	topics := map[string]bool{}
	for _, tp := range s.Topics() {
		topics[tp.ID] = true
	}
	for _, id := range []string{"border", "ethnic", "religion", "laos", "disinfo"} {
		if !topics[id] {
			t.Errorf("topic %s missing", id)
		}
	}
	if len(s.Places()) < 20 {
		t.Errorf("only %d places", len(s.Places()))
	}
}

func TestConcurrentMatch(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	a := article.Article{Title: "Biên giới", Body: "Đồn Biên phòng Bát Mọt phối hợp với lực lượng nước bạn Lào tuần tra song phương."}
	want := ruleIDs(s.Match(a))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				if got := ruleIDs(s.Match(a)); got != want {
					t.Errorf("got %q want %q", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestReloaderAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "x.yaml"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("rules:\n  - {id: x.one, topic: border, query: '\"sông Chu\"'}\n")
	r, err := NewReloader(ReloaderConfig{Dirs: []string{dir}, Interval: 5 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hasRule := func(id string) bool {
		for _, x := range r.Current().Rules() {
			if x.ID == id {
				return true
			}
		}
		return false
	}
	if !hasRule("x.one") {
		t.Fatal("x.one not loaded")
	}
	// A broken file keeps the old rules.
	write("rules:\n  - {id: x.two, topic: border, query: '\"sông'}\n")
	if err := r.Reload(); err == nil || r.LastError() == nil {
		t.Fatal("broken file accepted")
	}
	if !hasRule("x.one") || hasRule("x.two") {
		t.Fatal("old rules not kept")
	}
	// Run picks up a fixed file by itself.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	write("rules:\n  - {id: x.three, topic: border, query: '\"sông Mã\"'}\n")
	poll.True(t, 5*time.Second, "Run to reload", func() bool { return hasRule("x.three") })
	if r.LastError() != nil {
		t.Errorf("LastError after success: %v", r.LastError())
	}
}

func TestBacktest(t *testing.T) {
	s := mustSet(t, map[string]string{"a.yaml": testPack + "  - {id: t.off, topic: t, disabled: true, query: 'sông'}\n"})
	arts := []article.Article{{ID: "1", Body: "sông Chu"}, {ID: "2", Body: "núi"}, {ID: "3", Body: "sông Mã"}}
	arch := ArchiveFunc(func(ctx context.Context, since time.Time, fn func(article.Article) error) error {
		for _, a := range arts {
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	})
	rep, err := s.Backtest(context.Background(), arch, time.Time{}, []string{"t.off"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Scanned != 3 || rep.Alerted != 2 || len(rep.Examples) != 1 || rep.PerRule["t.off"] != 2 {
		t.Errorf("%+v", rep)
	}
	if len(s.Match(arts[0]).Matches) != 0 {
		t.Error("disabled rule fired in Match")
	}
}
