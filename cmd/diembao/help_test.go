package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/diembao/diembao/internal/cli"
)

// TestHelpOnEveryCommand: for every command of the table, "-h", "--help"
// (also after other flags) and "diembao help COMMAND" print the command's
// usage on stdout and exit 0, without loading a configuration.
func TestHelpOnEveryCommand(t *testing.T) {
	getenv := func(string) string { return "" }
	for name := range commands() {
		for _, argv := range [][]string{
			{name, "-h"},
			{name, "--help"},
			{name, "--json", "check", "--help"},
			{"help", name},
			{"--config", "/nonexistent/diembao.yaml", name, "--help"},
		} {
			var out, errOut bytes.Buffer
			code := realMain(context.Background(), argv, strings.NewReader(""), &out, &errOut, getenv)
			if code != cli.ExitOK {
				t.Errorf("diembao %s: exit %d, stderr %q", strings.Join(argv, " "), code, errOut.String())
				continue
			}
			if !strings.HasPrefix(out.String(), "usage: diembao "+name) {
				t.Errorf("diembao %s printed %q", strings.Join(argv, " "), out.String())
			}
		}
	}
	var out, errOut bytes.Buffer
	if code := realMain(context.Background(), []string{"help", "nosuch"}, nil, &out, &errOut, func(string) string { return "" }); code != cli.ExitUsage ||
		!strings.Contains(errOut.String(), `unknown command "nosuch"`) {
		t.Errorf("help nosuch: exit %d, stderr %q", code, errOut.String())
	}
	out.Reset()
	if code := realMain(context.Background(), []string{"help"}, nil, &out, &errOut, func(string) string { return "" }); code != cli.ExitOK ||
		!strings.Contains(out.String(), "diembao search") {
		t.Errorf("help: exit %d, stdout %q", code, out.String())
	}
	// "--" ends the flags: a search for "-h" is a search, not help.
	if !cli.WantsHelp([]string{"--json", "-h"}) || cli.WantsHelp([]string{"--", "-h"}) {
		t.Error("wantsHelp does not stop at --")
	}
}
