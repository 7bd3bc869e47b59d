package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// packRules is restrictedRules with a pack that names its topics and adds
// one of its own ("land"), as an operator's topics.yaml does.
type packRules struct{ restrictedRules }

func (packRules) List(ctx context.Context) ([]RuleInfo, error) {
	list, _ := restrictedRules{}.List(ctx)
	return append(list, RuleInfo{ID: "land.core", Version: 1, Topic: "land", Severity: "medium", Query: `"đất đai"`, Audiences: []string{"office"}}), nil
}

func (packRules) Topics(context.Context) ([]TopicInfo, error) {
	return []TopicInfo{{ID: "land", Name: "Đất đai, tranh chấp"}, {ID: "border", Name: "Biên giới, chủ quyền"}, {ID: "laos", Name: "Lào, Sầm Tớ (Hủa Phăn)"}}, nil
}

// A topic the operator's pack declares can be chosen on the search, cases
// and reports forms, in the pack's order and by the pack's name, and names
// its facet; a topic only police-only rules have is offered to the police
// alone.
func TestFormsOfferThePacksTopics(t *testing.T) {
	e := newCaseEnv(t, func(d *Deps) { d.Rules = packRules{} })
	arts := sampleArticles()
	e.index.topics[arts[1].ID] = []string{"land"}

	an, police := e.login("an"), e.login("congan")
	land := `value="land"`
	for _, path := range []string{"/", "/cases", "/reports"} {
		_, body := get(t, an, e.ts.URL+path)
		i, j := strings.Index(body, land), strings.Index(body, `value="border"`)
		if i < 0 || j < 0 || i > j {
			t.Errorf("%s: the pack's topics are not offered in its order (land at %d, border at %d)", path, i, j)
		}
		for _, want := range []string{"Đất đai, tranh chấp", "Biên giới, chủ quyền"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: no %q", path, want)
			}
		}
		for _, gone := range []string{`value="religion"`, "Tôn giáo"} {
			if strings.Contains(body, gone) {
				t.Errorf("%s offers %q, which the pack does not declare", path, gone)
			}
		}
		if strings.Contains(body, `value="laos"`) || strings.Contains(body, "Sầm Tớ (Hủa Phăn)") {
			t.Errorf("%s offers the police-only topic to an analyst", path)
		}
		if _, pb := get(t, police, e.ts.URL+path); !strings.Contains(pb, `value="laos"`) || !strings.Contains(pb, "Lào, Sầm Tớ (Hủa Phăn)") {
			t.Errorf("%s does not offer the police their topic", path)
		}
	}
	// The search finds by the operator's topic, and its facet has the name.
	_, body := get(t, an, e.ts.URL+"/?topic=land&q="+url.QueryEscape(arts[1].Title))
	if !strings.Contains(body, arts[1].Title) || !strings.Contains(body, `<input type="checkbox" name="topic" value="land" checked>`) {
		t.Errorf("topic=land: the article or the ticked box is missing")
	}
	if !strings.Contains(body, `class="on">Đất đai, tranh chấp</a>`) {
		t.Errorf("topic=land: the facet does not show the pack's name")
	}
}
