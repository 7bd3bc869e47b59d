// Command diembao runs the press-monitoring pipeline: crawl, index, match,
// notify and serve, in one process or as separate roles. See DESIGN.md for
// the command-line contract.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	_ "time/tzdata" // Asia/Ho_Chi_Minh on minimal machines

	"github.com/diembao/diembao/internal/config"
)

// Exit codes of the contract.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// app is what every subcommand receives: configuration, logger and streams.
type app struct {
	cfg        config.Config
	configPath string
	log        *slog.Logger
	stdout     io.Writer
	stderr     io.Writer
	stdin      io.Reader
	getenv     func(string) string
}

type command struct {
	run   func(ctx context.Context, a *app, args []string) int
	usage string
}

func commands() map[string]command {
	return map[string]command{
		"run":     {cmdRun, "run [--config FILE]   all roles in one process, embedded NATS"},
		"crawl":   {roleCmd("crawl"), "crawl --nats URL     the crawler role"},
		"index":   {roleCmd("index"), "index --nats URL     the indexer role"},
		"match":   {roleCmd("match"), "match --nats URL     the rule-matching role"},
		"notify":  {roleCmd("notify"), "notify --nats URL    the alerting and mail role"},
		"serve":   {roleCmd("serve"), "serve --nats URL     the web UI and API role"},
		"demo":    {cmdDemo, "demo                 offline demo: sample press site, mail catcher, full pipeline"},
		"search":  {cmdSearch, "search [--json] [--from D] [--to D] [--source S] [--topic T] [--area true|false] [--sort relevance|date] [--page N] [--size N] QUERY"},
		"rules":   {cmdRules, "rules check [--rules DIR]... [--json] FILE...|-   match texts, HTML or article JSON\n  diembao rules check --archive [--since 30d] [--rules DIR]... [--json] RULEFILE   backtest a rule\n  diembao rules lint DIR"},
		"digest":  {cmdDigest, "digest [--week 2026-W47 | --from D --to D] [--out FILE.html|.pdf|.txt] [--send [--resend]] [--audience A] [--nats URL]"},
		"reindex": {cmdReindex, "reindex              rebuild the index from the ARTICLES stream"},
		"sources": {cmdSources, "sources check [--source ID | --url URL...] [--json] [--allow-private] [--timeout 15s] | sources list [--json]"},
		"user":    {cmdUser, "user add NAME --role analyst|police|admin [--password-stdin] [--nats URL]\n  diembao user list [--nats URL]"},
		"report":  {cmdReport, "report (--year 2026 | --from D --to D) [--topic T] [--all] --out FILE.pdf|.docx|.xlsx"},
		"case":    {cmdCase, "case add|list|show|move|doc ...   false-report cases (vụ việc)"},
		"portals": {cmdPortals, "portals check [--portal ID] [--json]   own portals: duties and change watch"},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// realMain parses the global flags (--config, --data, before or after the
// subcommand), loads the configuration and runs the subcommand.
func realMain(ctx context.Context, argv []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	rest, configPath, dataDir, err := globalFlags(argv)
	if err != nil {
		fmt.Fprintln(stderr, "diembao:", err)
		return exitUsage
	}
	cmds := commands()
	switch {
	case len(rest) == 0:
		usage(stderr, cmds)
		return exitUsage
	case rest[0] == "-h" || rest[0] == "--help" || rest[0] == "help" && len(rest) == 1:
		usage(stdout, cmds)
		return exitOK
	case rest[0] == "help":
		return commandHelp(stdout, stderr, cmds, rest[1])
	}
	c, ok := cmds[rest[0]]
	if !ok {
		fmt.Fprintf(stderr, "diembao: unknown command %q\n", rest[0])
		usage(stderr, cmds)
		return exitUsage
	}
	if wantsHelp(rest[1:]) {
		return commandHelp(stdout, stderr, cmds, rest[0])
	}
	required := configPath != ""
	if configPath == "" {
		configPath = "diembao.yaml"
	}
	cfg, err := config.Load(configPath, required, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "diembao:", err)
		return exitUsage
	}
	if dataDir != "" {
		cfg.DataDir = dataDir
	}
	if !filepath.IsAbs(cfg.Sources) && configPath != "" && required {
		// sources.yaml is found beside the config file that names it.
		cfg.Sources = filepath.Join(filepath.Dir(configPath), cfg.Sources)
	}
	a := &app{cfg: cfg, configPath: configPath, stdout: stdout, stderr: stderr, stdin: stdin, getenv: getenv}
	a.log = newLogger(stderr, cfg.Log)
	return c.run(ctx, a, rest[1:])
}

// globalFlags removes --config and --data (with "=" or a separate value)
// from anywhere in argv.
func globalFlags(argv []string) (rest []string, configPath, dataDir string, err error) {
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

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: diembao [--config FILE] [--data DIR] COMMAND [flags]")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintln(w, "  diembao", cmds[n].usage)
	}
}

// wantsHelp reports whether the subcommand's arguments ask for help (-h,
// -help or --help before any "--").
func wantsHelp(args []string) bool {
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

// commandHelp prints the usage of the named command on stdout (exit 0), or
// says that no such command exists (exit 2).
func commandHelp(stdout, stderr io.Writer, cmds map[string]command, name string) int {
	c, ok := cmds[name]
	if !ok {
		fmt.Fprintf(stderr, "diembao: unknown command %q\n", name)
		usage(stderr, cmds)
		return exitUsage
	}
	fmt.Fprintln(stdout, "usage: diembao", c.usage)
	fmt.Fprintln(stdout, "\nglobal flags, before or after the command:\n  --config FILE   the configuration (default ./diembao.yaml, optional)\n  --data DIR      the data directory (default ./data)")
	return exitOK
}

func newLogger(w io.Writer, c config.Log) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.Level)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// errUsage marks an error that is the caller's fault (exit code 2).
var errUsage = errors.New("usage")

// exitCode maps an error to the contract's exit codes and prints it.
func (a *app) exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errUsage):
		fmt.Fprintln(a.stderr, "diembao:", strings.TrimPrefix(err.Error(), "usage: "))
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitOK
	default:
		fmt.Fprintln(a.stderr, "diembao:", err)
		return exitError
	}
}
