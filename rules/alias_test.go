package rules

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestRulesAliasBomb: an alias tree in a rule file is refused with its
// position, never expanded.
func TestRulesAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x0: &a0 [a, a, a, a, a, a, a, a, a]\n")
	for i := 1; i <= 9; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "x%d: &a%d [%s]\n", i, i, strings.Repeat(p+", ", 8)+p)
	}
	_, err := parseFile("bomb.yaml", []byte(b.String()))
	var e *Error
	if !errors.As(err, &e) || e.File != "bomb.yaml" || e.Line == 0 || !strings.Contains(e.Msg, "alias") {
		t.Errorf("parseFile(alias bomb) = %v, want a positioned refusal", err)
	}
}
