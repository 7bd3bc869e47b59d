package yamlguard

import (
	"fmt"
	"strings"
	"testing"
)

// bomb is the classic "billion laughs": each level repeats the one above
// nine times, so depth levels expand to 9^depth nodes from a few hundred bytes.
func bomb(depth int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= depth; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.Repeat(p+", ", 8)+p)
	}
	return b.String()
}

func TestCheckAliases(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"no aliases", "routes:\n  - {match: {topics: [border]}, audiences: [office]}\n", true},
		{"shared list", "x: &aud [office, police]\nroutes:\n  - {audiences: *aud}\n  - {audiences: *aud}\n", true},
		{"merge key", "base: &b {a: 1, b: 2}\nother:\n  <<: *b\n  c: 3\n", true},
		{"bomb depth 9", bomb(9), false},
		{"bomb depth 4 (6,561 nodes)", bomb(4), true},
		{"syntax error left to the decoder", "a: [b\n", true},
	}
	for _, tt := range tests {
		err := CheckAliases([]byte(tt.in), MaxAliasNodes)
		if (err == nil) != tt.ok {
			t.Errorf("%s: CheckAliases = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
	if len(bomb(9)) > 1000 {
		t.Logf("bomb is %d bytes", len(bomb(9)))
	}
	err := CheckAliases([]byte(bomb(9)), MaxAliasNodes)
	if err == nil || !strings.Contains(err.Error(), "alias") || !strings.Contains(err.Error(), ":") {
		t.Errorf("bomb error %v lacks position or reason", err)
	}
}
