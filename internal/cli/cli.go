// Package cli holds what every diembao subcommand shares on the command
// line: the exit codes of the contract, the usage error, the global flags,
// help, the logger and flags interleaved with arguments. In: argv and
// errors. Out: exit codes and one-line messages.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
)

// Exit codes of the contract.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// ErrUsage marks an error that is the caller's fault (exit code 2).
var ErrUsage = errors.New("usage")

// Exit maps err to the contract's exit code and prints it on stderr as
// "diembao: message" (a cancellation is a normal end, printed not).
func Exit(stderr io.Writer, err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrUsage):
		fmt.Fprintln(stderr, "diembao:", strings.TrimPrefix(err.Error(), "usage: "))
		return ExitUsage
	case errors.Is(err, context.Canceled):
		return ExitOK
	default:
		fmt.Fprintln(stderr, "diembao:", err)
		return ExitError
	}
}

// GlobalFlags removes --config and --data (with "=" or a separate value)
// from anywhere in argv.
func GlobalFlags(argv []string) (rest []string, configPath, dataDir string, err error) {
	for i := 0; i < len(argv); i++ {
		arg := argv[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") || (name != "config" && name != "data") {
			rest = append(rest, arg)
			continue
		}
		if !hasVal {
			if i+1 >= len(argv) {
				return nil, "", "", fmt.Errorf("flag --%s needs a value", name)
			}
			i++
			val = argv[i]
		}
		if name == "config" {
			configPath = val
		} else {
			dataDir = val
		}
	}
	return rest, configPath, dataDir, nil
}

// Usage prints the usage of every command (name → its usage line), in
// name order.
func Usage(w io.Writer, usages map[string]string) {
	fmt.Fprintln(w, "usage: diembao [--config FILE] [--data DIR] COMMAND [flags]")
	names := make([]string, 0, len(usages))
	for n := range usages {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintln(w, "  diembao", usages[n])
	}
}

// WantsHelp reports whether a subcommand's arguments ask for help (-h,
// -help or --help before any "--").
func WantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// CommandHelp prints the usage of the named command on stdout (exit 0), or
// says that no such command exists (exit 2).
func CommandHelp(stdout, stderr io.Writer, usages map[string]string, name string) int {
	u, ok := usages[name]
	if !ok {
		fmt.Fprintf(stderr, "diembao: unknown command %q\n", name)
		Usage(stderr, usages)
		return ExitUsage
	}
	fmt.Fprintln(stdout, "usage: diembao", u)
	fmt.Fprintln(stdout, "\nglobal flags, before or after the command:\n  --config FILE   the configuration (default ./diembao.yaml, optional)\n  --data DIR      the data directory (default ./data)")
	return ExitOK
}

// NewLogger logs on w at level (debug, info, warn, error; else info), as
// JSON when format is "json", else as text.
func NewLogger(w io.Writer, level, format string) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// StringList is a repeatable string flag.
type StringList []string

func (l *StringList) String() string { return strings.Join(*l, ",") }

// Set appends v.
func (l *StringList) Set(v string) error { *l = append(*l, v); return nil }

// ParseInterleaved parses flags that may come before or after the
// positional arguments, and returns the positional ones.
func ParseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
