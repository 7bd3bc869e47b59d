package rules

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/article"
	"github.com/goccy/go-yaml"
)

type labelled struct {
	Title  string   `yaml:"title"`
	Text   string   `yaml:"text"`
	Area   bool     `yaml:"area"`
	Topics []string `yaml:"topics"`
	Note   string   `yaml:"note"`
}

type confusion struct{ tp, fp, fn int }

func (c confusion) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c confusion) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

func (c *confusion) add(want, got bool) {
	switch {
	case want && got:
		c.tp++
	case !want && got:
		c.fp++
	case want && !got:
		c.fn++
	}
}

// TestLabelled reports precision and recall of the default pack per topic
// and for the area on testdata/labelled.yaml, and fails below 0.95.
func TestLabelled(t *testing.T) {
	b, err := os.ReadFile("testdata/labelled.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Snippets []labelled `yaml:"snippets"`
	}
	if err := yaml.UnmarshalWithOptions(b, &doc, yaml.Strict()); err != nil {
		t.Fatal(yaml.FormatError(err, false, true))
	}
	if len(doc.Snippets) < 80 {
		t.Fatalf("only %d snippets, want at least 80", len(doc.Snippets))
	}
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	stats := map[string]*confusion{"area": {}}
	for _, tp := range s.Topics() {
		stats[tp.ID] = &confusion{}
	}
	for i, sn := range doc.Snippets {
		r := s.Match(article.Article{Title: sn.Title, Body: sn.Text})
		stats["area"].add(sn.Area, r.Area)
		for id, c := range stats {
			if id == "area" {
				continue
			}
			c.add(slices.Contains(sn.Topics, id), slices.Contains(r.Topics, id))
		}
		want := fmt.Sprintf("area=%v topics=%v", sn.Area, sortedCopy(sn.Topics))
		got := fmt.Sprintf("area=%v topics=%v", r.Area, sortedCopy(r.Topics))
		if want != got {
			t.Logf("snippet %d %q: want %s, got %s (%s)", i+1, clipText(sn.Title+" "+sn.Text), want, got, sn.Note)
		}
	}
	ids := make([]string, 0, len(stats))
	for id := range stats {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var tab strings.Builder
	fmt.Fprintf(&tab, "%d snippets\n%-9s %4s %4s %4s %9s %6s\n", len(doc.Snippets), "label", "tp", "fp", "fn", "precision", "recall")
	for _, id := range ids {
		c := stats[id]
		fmt.Fprintf(&tab, "%-9s %4d %4d %4d %9.3f %6.3f\n", id, c.tp, c.fp, c.fn, c.precision(), c.recall())
		if c.tp+c.fn < 5 {
			t.Errorf("%s: only %d positive snippets", id, c.tp+c.fn)
		}
		if c.precision() < 0.95 || c.recall() < 0.95 {
			t.Errorf("%s: precision %.3f recall %.3f, want both ≥ 0.95", id, c.precision(), c.recall())
		}
	}
	t.Log("\n" + tab.String())
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	if c == nil {
		c = []string{}
	}
	return c
}

func clipText(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}
