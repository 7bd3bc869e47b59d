package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

type manyRules struct {
	fakeRules
	list []RuleInfo
}

func (m manyRules) List(context.Context) ([]RuleInfo, error) { return m.list, nil }

// TestRulesPagePaged: 1,050 rules are listed 100 per page with a pager, and
// the search (folded) narrows them.
func TestRulesPagePaged(t *testing.T) {
	e := newEnv(t, Config{})
	var list []RuleInfo
	for i := range 1050 {
		q := fmt.Sprintf(`"từ khóa %d" OR "cụm %d"`, i, i)
		if i%50 == 0 {
			q = fmt.Sprintf(`"biên giới" NEAR/5 "mốc %d"`, i)
		}
		list = append(list, RuleInfo{ID: fmt.Sprintf("r%04d", i), Version: 1, Topic: "border", Severity: "low", Query: q})
	}
	e.srv.deps.Rules = manyRules{list: list}
	c := e.login("quantri")
	rows := func(body string) int { return strings.Count(body, `<td class="id" data-label="Mã"><code>r`) }

	_, body := get(t, c, e.ts.URL+"/rules")
	if n := rows(body); n != 100 || !strings.Contains(body, "Trang 1/11") || !strings.Contains(body, `id="rules-next"`) {
		t.Errorf("first page: %d rows, pager %v", n, strings.Contains(body, "Trang 1/11"))
	}
	_, body = get(t, c, e.ts.URL+"/rules?page=11")
	if n := rows(body); n != 50 || !strings.Contains(body, "r1049") || strings.Contains(body, `id="rules-next"`) {
		t.Errorf("last page: %d rows", n)
	}
	_, body = get(t, c, e.ts.URL+"/rules?q=bien+gioi")
	if n := rows(body); n != 21 || !strings.Contains(body, "r1000") || strings.Contains(body, "r0001") {
		t.Errorf("search bien gioi: %d rows, want 21", n)
	}
	_, body = get(t, c, e.ts.URL+"/rules?page=999")
	if !strings.Contains(body, "Trang 11/11") {
		t.Error("a page past the end is not clamped to the last")
	}
}

// TestRulesPageNamesAudiences: a rule's audiences are shown by the names
// the configuration gives them; one without a name shows its id.
func TestRulesPageNamesAudiences(t *testing.T) {
	e := newEnv(t, Config{AudienceNames: map[string]string{"office": "Văn phòng HĐND và UBND"}})
	e.srv.deps.Rules = manyRules{list: []RuleInfo{{ID: "r1", Version: 1, Topic: "border", Severity: "low", Query: `"mốc"`, Audiences: []string{"office", "tuyen-giao"}}}}
	_, body := get(t, e.login("quantri"), e.ts.URL+"/rules")
	if !strings.Contains(body, `data-label="Gửi tới">Văn phòng HĐND và UBND, tuyen-giao</td>`) {
		t.Errorf("audiences not named:\n%s", body)
	}
}
