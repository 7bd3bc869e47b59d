package web

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"time"

	"github.com/diembao/diembao/internal/savedsearch"
)

// Serve serves h on ln until ctx ends, then shuts the server down, giving
// requests in flight five seconds. It returns nil after a shutdown.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// HealthzHandler answers a process's /healthz outside the UI (the metrics
// listener): 200 {"status": "ok", "roles"} or 503 {"status": "unavailable",
// "roles", "failing": {part: reason}}, as JSON, from ready (see Deps.Ready).
func HealthzHandler(ready func(context.Context) error, roles string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if err := ready(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]any{"status": "unavailable", "roles": roles, "failing": failingParts(err)})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"status": "ok", "roles": roles})
	}
}

// SweepEvery removes expired sessions every interval until ctx ends,
// logging what it removed and what failed.
func (a *Accounts) SweepEvery(ctx context.Context, interval time.Duration, log *slog.Logger) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if swept, err := a.SweepSessions(ctx); err != nil {
				log.Warn("sweep expired sessions", "err", err)
			} else if swept > 0 {
				log.Info("expired sessions removed", "count", swept)
			}
		}
	}
}

var markTagRE = regexp.MustCompile(`</?mark>`)

// Finder is the subscription notifier's Finder: FindFor with up to limit
// hits, snippets as plain text.
func (s *Server) Finder(limit int) savedsearch.Finder {
	return savedsearch.FinderFunc(func(ctx context.Context, ss savedsearch.Search) ([]savedsearch.Hit, error) {
		hits, err := s.FindFor(ctx, ss, limit)
		if err != nil {
			return nil, err
		}
		out := make([]savedsearch.Hit, len(hits))
		for i, h := range hits {
			out[i] = savedsearch.Hit{ID: h.ID, Title: h.Title, URL: h.URL, Source: h.Source, Published: h.Published,
				Snippet: html.UnescapeString(markTagRE.ReplaceAllString(h.Snippet, ""))}
		}
		return out, nil
	})
}
