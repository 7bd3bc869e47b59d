// Command diembao runs the press-monitoring pipeline: crawl, index, match,
// notify and serve, in one process or as separate roles. See DESIGN.md for
// the command-line contract.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	_ "time/tzdata" // Asia/Ho_Chi_Minh on minimal machines

	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/node"
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
	rest, configPath, dataDir, err := cli.GlobalFlags(argv)
	if err != nil {
		fmt.Fprintln(stderr, "diembao:", err)
		return cli.ExitUsage
	}
	cmds := commands()
	use := usages(cmds)
	switch {
	case len(rest) == 0:
		cli.Usage(stderr, use)
		return cli.ExitUsage
	case rest[0] == "-h" || rest[0] == "--help" || rest[0] == "help" && len(rest) == 1:
		cli.Usage(stdout, use)
		return cli.ExitOK
	case rest[0] == "help":
		return cli.CommandHelp(stdout, stderr, use, rest[1])
	}
	c, ok := cmds[rest[0]]
	if !ok {
		fmt.Fprintf(stderr, "diembao: unknown command %q\n", rest[0])
		cli.Usage(stderr, use)
		return cli.ExitUsage
	}
	if cli.WantsHelp(rest[1:]) {
		return cli.CommandHelp(stdout, stderr, use, rest[0])
	}
	required := configPath != ""
	if configPath == "" {
		configPath = "diembao.yaml"
	}
	cfg, err := config.Load(configPath, required, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "diembao:", err)
		return cli.ExitUsage
	}
	if dataDir != "" {
		cfg.DataDir = dataDir
	}
	if cfg.Sources != "" && !filepath.IsAbs(cfg.Sources) && configPath != "" && required {
		// sources.yaml is found beside the config file that names it ("":
		// none named, the default of node.LoadSources).
		cfg.Sources = filepath.Join(filepath.Dir(configPath), cfg.Sources)
	}
	a := &app{cfg: cfg, configPath: configPath, stdout: stdout, stderr: stderr, stdin: stdin, getenv: getenv}
	a.log = cli.NewLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	return c.run(ctx, a, rest[1:])
}

// usages maps each command to its usage line.
func usages(cmds map[string]command) map[string]string {
	out := make(map[string]string, len(cmds))
	for n, c := range cmds {
		out[n] = c.usage
	}
	return out
}

// env is what internal/node needs of the app.
func (a *app) env() node.Env { return node.Env{Config: a.cfg, Log: a.log} }

// exitCode maps an error to the contract's exit codes and prints it.
func (a *app) exitCode(err error) int { return cli.Exit(a.stderr, err) }
