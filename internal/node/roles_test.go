package node

import "testing"

func TestParseRole(t *testing.T) {
	for _, name := range []string{"crawl", "index", "match", "notify", "serve"} {
		r, ok := ParseRole(name)
		if !ok || r.String() != name {
			t.Errorf("ParseRole(%q) = %v (%q), %v", name, r, r.String(), ok)
		}
	}
	if _, ok := ParseRole("run"); ok {
		t.Error(`ParseRole("run") is a role`)
	}
	if got := AllRoles().String(); got != "crawl,index,match,notify,serve" {
		t.Errorf("AllRoles() = %q", got)
	}
}
