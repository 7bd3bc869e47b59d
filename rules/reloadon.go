package rules

import (
	"context"
	"log/slog"
)

// ReloadOn reloads the rules each time sig receives (SIGHUP, wired by the
// caller), until ctx ends. A failed reload keeps the previous rules and is
// logged on log.
func ReloadOn[T any](ctx context.Context, r *Reloader, sig <-chan T, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
			if err := r.Reload(); err != nil {
				log.Error("rules reload failed; keeping the previous rules", "err", err)
			} else {
				log.Info("rules reloaded")
			}
		}
	}
}
