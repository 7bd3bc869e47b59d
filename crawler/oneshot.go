package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/kv"
)

// NewOneShot returns a crawler for fetches someone waits on (`sources
// check`, the sources editor's preview, case intake, the portal watch): its
// state is in memory, it keeps no saved copies and it publishes nothing
// (what names the user in the publisher's refusal).
func NewOneShot(cfg Config, sources []Source, what string, log *slog.Logger) (*Crawler, error) {
	pub := PublisherFunc(func(context.Context, article.Article) error {
		return errors.New(what + " publishes nothing")
	})
	return New(cfg, sources, pub, kv.NewMemory(), nil, log)
}

// Preview runs discovery for src with a one-shot crawler and extracts up to
// n of its newest items, as `sources check --source` does.
func Preview(ctx context.Context, cfg Config, src Source, n int, log *slog.Logger) (SourceCheck, error) {
	c, err := NewOneShot(cfg, []Source{src}, "a preview", log)
	if err != nil {
		return SourceCheck{}, err
	}
	return c.CheckSource(ctx, src.ID, n)
}

// Explain keeps an error on one line and says in words what a network
// failure means.
func Explain(err error) string {
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

// LooksOffline reports whether err is a DNS or network failure, the kind
// every source gives when this machine is offline.
func LooksOffline(err error) bool {
	msg := err.Error()
	for _, s := range []string{"no such host", "server misbehaving", "network is unreachable", "connection refused", "i/o timeout", "deadline exceeded", "Timeout"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// CheckResult is what checking one source gave.
type CheckResult struct {
	ID    string
	Check SourceCheck
	Err   error
}

// CheckSources runs CheckSource (one item each) for every id, eight at a
// time, each within timeout; results are in the order of ids.
func CheckSources(ctx context.Context, c *Crawler, ids []string, timeout time.Duration) []CheckResult {
	results := make([]CheckResult, len(ids))
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
			results[i] = CheckResult{ID: id, Check: sc, Err: err}
		}()
	}
	wg.Wait()
	return results
}

// WriteChecks prints results, one JSON line each (the SourceCheck, or
// {"source", "error"}) or as text. It returns nil when every check passed,
// else an error of one line: how many of the sources failed, or, when all
// of them failed on DNS or the network, that the machine looks offline.
// Write errors are not reported.
func WriteChecks(w io.Writer, results []CheckResult, asJSON bool) error {
	failed, offline := writeChecks(w, results, asJSON)
	switch {
	case failed == 0:
		return nil
	case offline == failed && failed == len(results):
		return errors.New("no source could be reached (DNS or network errors): is this machine offline?")
	}
	return fmt.Errorf("%d of %d sources failed", failed, len(results))
}

// writeChecks is WriteChecks's printing; it counts the failures and, among
// them, those that look like an offline machine.
func writeChecks(w io.Writer, results []CheckResult, asJSON bool) (failed, offline int) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range results {
		if r.Err != nil {
			failed++
			if LooksOffline(r.Err) {
				offline++
			}
		}
		if asJSON {
			if r.Err != nil {
				enc.Encode(map[string]any{"source": r.ID, "error": Explain(r.Err)})
			} else {
				enc.Encode(r.Check)
			}
			continue
		}
		if r.Err != nil {
			fmt.Fprintf(w, "%-16s FAIL  %s\n", r.ID, Explain(r.Err))
			continue
		}
		fmt.Fprintf(w, "%-16s ok    %d items\n", r.ID, r.Check.Found)
		for _, s := range r.Check.Sample {
			fmt.Fprintf(w, "                 newest: %s | %s | %s (%s)\n", s.Title, s.URL, s.Published.Format(time.RFC3339), orNone(s.PublishedFrom))
		}
		for _, e := range r.Check.Errors {
			fmt.Fprintf(w, "                 warning: %s\n", e)
		}
	}
	return failed, offline
}

// CheckURLs fetches and extracts each URL (Crawler.Check) within timeout
// and prints the article, one JSON line each ({"url", "error"} on failure)
// or as text. It returns how many failed.
func CheckURLs(ctx context.Context, w io.Writer, c *Crawler, urls []string, asJSON, allowPrivate bool, timeout time.Duration) (failed int) {
	enc := json.NewEncoder(w)
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
			enc.Encode(map[string]string{"url": u, "error": Explain(err)})
		case asJSON:
			enc.Encode(art)
		case err != nil:
			fmt.Fprintf(w, "%s\n  error: %s\n", u, Explain(err))
		default:
			writeArticleText(w, art)
		}
	}
	return failed
}

func writeArticleText(w io.Writer, art article.Article) {
	fmt.Fprintf(w, "%s\n  title:     %s\n  canonical: %s\n  published: %s (%s)\n  lang: %s  charset: %s  legacy: %s\n  authors: %s  section: %s\n  lead: %s\n  body: %d bytes: %.200s\n",
		art.URL, art.Title, art.CanonicalURL, art.Published.Format(time.RFC3339), orNone(art.PublishedFrom),
		art.Lang, art.Charset, orNone(art.LegacyEncoding), strings.Join(art.Authors, ", "), art.Section, art.Lead, len(art.Body), art.Body)
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
