package web

import (
	"strings"
	"testing"
)

// TestPagesNameSources: search hits, the source facet, the article page and
// the alerts list name a source as sources.yaml does; a source without a
// name shows its id.
func TestPagesNameSources(t *testing.T) {
	e := newEnv(t, Config{}, func(d *Deps) {
		d.SourceNames = func() map[string]string { return map[string]string{"baothanhhoa": "Báo Thanh Hóa"} }
	})
	c := e.login("an")
	arts := sampleArticles()
	_, body := get(t, c, e.ts.URL+"/?q=bi%C3%AAn+gi%E1%BB%9Bi")
	if !strings.Contains(body, `<span class="source">Báo Thanh Hóa</span>`) || strings.Contains(body, `<span class="source">baothanhhoa</span>`) {
		t.Errorf("search hits do not name the source:\n%s", body)
	}
	if !strings.Contains(body, `">Báo Thanh Hóa</a>`) {
		t.Errorf("the source facet is not labelled by name")
	}
	_, body = get(t, c, e.ts.URL+"/articles/"+arts[0].ID)
	if !strings.Contains(body, `<span class="source">Báo Thanh Hóa</span>`) {
		t.Errorf("article page does not name the source")
	}
	_, body = get(t, c, e.ts.URL+"/alerts")
	if !strings.Contains(body, "· Báo Thanh Hóa ·") {
		t.Errorf("alerts list does not name the source")
	}
	for _, a := range arts {
		if a.Source != "baothanhhoa" {
			if _, body = get(t, c, e.ts.URL+"/articles/"+a.ID); !strings.Contains(body, `<span class="source">`+a.Source+`</span>`) {
				t.Errorf("a source without a name (%s) is not shown by its id", a.Source)
			}
			break
		}
	}
}
