package crawler

import (
	"fmt"
	"strings"
	"testing"
)

// TestSourcesAliasBomb: an alias tree in sources.yaml is refused with its
// position, never expanded.
func TestSourcesAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x0: &a0 [\"https://a.vn/rss\", \"https://a.vn/rss\", \"https://a.vn/rss\", \"https://a.vn/rss\", \"https://a.vn/rss\", \"https://a.vn/rss\", \"https://a.vn/rss\", \"https://a.vn/rss\", \"https://a.vn/rss\"]\n")
	for i := 1; i <= 9; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "x%d: &a%d [%s]\n", i, i, strings.Repeat(p+", ", 8)+p)
	}
	b.WriteString("sources:\n  - {id: a, name: A, kind: press, feeds: *a9}\n")
	_, err := ParseSources("sources.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "sources.yaml:") || !strings.Contains(err.Error(), "alias") {
		t.Errorf("ParseSources(alias bomb) = %v, want a refusal with file and position", err)
	}
}
