package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/kv"
)

// cmdSources is "diembao sources check [--source ID | --url URL...] [--json]
// [--allow-private]": fetch once and show what discovery and extraction
// give, publishing nothing.
func cmdSources(ctx context.Context, a *app, args []string) int {
	if len(args) > 0 && args[0] == "list" {
		return cmdSourcesList(ctx, a, args[1:]) // sources_edit.go
	}
	if len(args) == 0 || args[0] != "check" {
		return a.exitCode(fmt.Errorf("%w: sources check [--source ID | --url URL...] [--json] [--allow-private] | sources list [--json]", errUsage))
	}
	var (
		asJSON, allowPrivate bool
		urls, ids            []string
		inURLs               bool
		timeout              = 15 * time.Second
	)
	rest := args[1:]
	for i := 0; i < len(rest); i++ {
		arg := rest[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") {
			if !inURLs {
				return a.exitCode(fmt.Errorf("%w: unexpected argument %q", errUsage, arg))
			}
			urls = append(urls, arg)
			continue
		}
		takeVal := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(rest) {
				return "", fmt.Errorf("%w: flag --%s needs a value", errUsage, name)
			}
			i++
			return rest[i], nil
		}
		inURLs = false
		switch name {
		case "json":
			asJSON = true
		case "allow-private":
			allowPrivate = true
		case "url":
			v, err := takeVal()
			if err != nil {
				return a.exitCode(err)
			}
			urls = append(urls, v)
			inURLs = true
		case "source":
			v, err := takeVal()
			if err != nil {
				return a.exitCode(err)
			}
			ids = append(ids, v)
		case "timeout":
			v, err := takeVal()
			if err != nil {
				return a.exitCode(err)
			}
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return a.exitCode(fmt.Errorf("%w: --timeout %q: not a duration", errUsage, v))
			}
			timeout = d
		default:
			return a.exitCode(fmt.Errorf("%w: unknown flag %s", errUsage, arg))
		}
	}
	sources, err := sourcesFromConfig(a.cfg.Sources)
	if err != nil {
		return a.exitCode(fmt.Errorf("%w: %w", errUsage, err))
	}
	sources = withEditedSources(ctx, a, sources) // seed + edits made in the UI (sources_edit.go)
	cfg := crawler.FromConfig(a.cfg.Crawler)
	cfg.Timeout = min(cfg.Timeout, timeout)
	cfg.MaxRetries = -1 // a check fails fast
	pub := crawler.PublisherFunc(func(context.Context, article.Article) error {
		return errors.New("sources check publishes nothing")
	})
	c, err := crawler.New(cfg, sources, pub, kv.NewMemory(), nil, a.log)
	if err != nil {
		return a.exitCode(err)
	}
	if len(urls) > 0 {
		return checkURLs(ctx, a, c, urls, asJSON, allowPrivate, timeout)
	}
	if len(ids) == 0 {
		for _, s := range sources {
			ids = append(ids, s.ID)
		}
	}
	return checkSources(ctx, a, c, ids, asJSON, timeout)
}

// sourcesFromConfig reads the sources file; the default name falls back to
// the embedded default list when the file does not exist.
func sourcesFromConfig(path string) ([]crawler.Source, error) {
	if path == "sources.yaml" || path == "" {
		return crawler.LoadSourcesOrDefault("sources.yaml")
	}
	return crawler.LoadSources(path)
}

func checkURLs(ctx context.Context, a *app, c *crawler.Crawler, urls []string, asJSON, allowPrivate bool, timeout time.Duration) int {
	failed := 0
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	for _, u := range urls {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		art, err := c.Check(cctx, u, allowPrivate)
		cancel()
		if err != nil {
			failed++
		}
		switch {
		case asJSON && err != nil:
			enc.Encode(map[string]string{"url": u, "error": srcExplain(err)})
		case asJSON:
			enc.Encode(art)
		case err != nil:
			fmt.Fprintf(a.stdout, "%s\n  error: %s\n", u, srcExplain(err))
		default:
			srcPrintArticle(a.stdout, art)
		}
	}
	if failed > 0 {
		return exitError
	}
	return exitOK
}

func srcPrintArticle(w io.Writer, art article.Article) {
	fmt.Fprintf(w, "%s\n  title:     %s\n  canonical: %s\n  published: %s (%s)\n  lang: %s  charset: %s  legacy: %s\n  authors: %s  section: %s\n  lead: %s\n  body: %d bytes: %.200s\n",
		art.URL, art.Title, art.CanonicalURL, art.Published.Format(time.RFC3339), srcOrNone(art.PublishedFrom),
		art.Lang, art.Charset, srcOrNone(art.LegacyEncoding), strings.Join(art.Authors, ", "), art.Section, art.Lead, len(art.Body), art.Body)
}

func srcOrNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func checkSources(ctx context.Context, a *app, c *crawler.Crawler, ids []string, asJSON bool, timeout time.Duration) int {
	type result struct {
		check crawler.SourceCheck
		err   error
	}
	results := make([]result, len(ids))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			sc, err := c.CheckSource(cctx, id, 1)
			results[i] = result{sc, err}
		}()
	}
	wg.Wait()
	failed, offline := 0, 0
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	for i, r := range results {
		if r.err != nil {
			failed++
			if srcLooksOffline(r.err) {
				offline++
			}
		}
		if asJSON {
			if r.err != nil {
				enc.Encode(map[string]any{"source": ids[i], "error": srcExplain(r.err)})
			} else {
				enc.Encode(r.check)
			}
			continue
		}
		if r.err != nil {
			fmt.Fprintf(a.stdout, "%-16s FAIL  %s\n", ids[i], srcExplain(r.err))
			continue
		}
		fmt.Fprintf(a.stdout, "%-16s ok    %d items\n", ids[i], r.check.Found)
		for _, s := range r.check.Sample {
			fmt.Fprintf(a.stdout, "                 newest: %s | %s | %s (%s)\n", s.Title, s.URL, s.Published.Format(time.RFC3339), srcOrNone(s.PublishedFrom))
		}
		for _, e := range r.check.Errors {
			fmt.Fprintf(a.stdout, "                 warning: %s\n", e)
		}
	}
	if failed > 0 {
		if offline == failed && failed == len(ids) {
			fmt.Fprintln(a.stderr, "diembao: no source could be reached (DNS or network errors): is this machine offline?")
		} else {
			fmt.Fprintf(a.stderr, "diembao: %d of %d sources failed\n", failed, len(ids))
		}
		return exitError
	}
	return exitOK
}

// srcExplain keeps an error on one line and says in words what a network
// failure means.
func srcExplain(err error) string {
	msg := strings.ReplaceAll(strings.ReplaceAll(err.Error(), "\n", "; "), "permanent: ", "")
	switch {
	case strings.Contains(msg, "no such host"), strings.Contains(msg, "server misbehaving"):
		return msg + " (host name not found: offline or wrong domain)"
	case strings.Contains(msg, "network is unreachable"), strings.Contains(msg, "connection refused"):
		return msg + " (network unreachable: offline?)"
	case errors.Is(err, context.DeadlineExceeded), strings.Contains(msg, "Timeout"), strings.Contains(msg, "timeout"):
		return msg + " (timed out)"
	}
	return msg
}

func srcLooksOffline(err error) bool {
	msg := err.Error()
	for _, s := range []string{"no such host", "server misbehaving", "network is unreachable", "connection refused", "i/o timeout", "deadline exceeded", "Timeout"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
