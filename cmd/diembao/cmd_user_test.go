package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/cli"
)

func runUser(t *testing.T, data, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := realMain(context.Background(), append([]string{"--data", data, "user"}, args...), strings.NewReader(stdin), &out, &errb,
		func(string) string { return "" })
	return code, out.String(), errb.String()
}

// TestUserCommand: add with a password from stdin prints none, add without
// prints the generated one, list shows both; the caller's mistakes exit 2.
func TestUserCommand(t *testing.T) {
	data := t.TempDir()
	if code, out, errs := runUser(t, data, "mat-khau-rat-dai\n", "add", "lan", "--role", "analyst", "--password-stdin"); code != cli.ExitOK || out != "" ||
		!strings.Contains(errs, "created user lan with role analyst") {
		t.Fatalf("add from stdin: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, out, errs := runUser(t, data, "", "add", "--role", "police", "minh")
	if code != cli.ExitOK || len(strings.TrimSpace(out)) != 26 {
		t.Fatalf("add generated: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, out, _ = runUser(t, data, "", "list")
	if code != cli.ExitOK || !strings.Contains(out, "lan\tanalyst\t") || !strings.Contains(out, "minh\tpolice\t") {
		t.Errorf("list: exit %d: %q", code, out)
	}
	for _, tt := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"\n", []string{"add", "hoa", "--role", "admin", "--password-stdin"}, "empty password on stdin"},
		{"", []string{"add", "hoa", "--role", "chief"}, "--role must be"},
		{"", []string{"add", "--role", "admin"}, "exactly one NAME"},
		{"", []string{"add", "Hoa Le", "--role", "admin"}, "lower case"},
		{"", []string{"list", "x"}, "no arguments"},
	} {
		if code, _, errs := runUser(t, data, tt.stdin, tt.args...); code != cli.ExitUsage || !strings.Contains(errs, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tt.args, code, errs, tt.want)
		}
	}
}
