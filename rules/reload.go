package rules

import (
	"context"
	"errors"
	"fmt"
	"github.com/diembao/diembao/internal/article"
	"hash/fnv"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ReloaderConfig says which rule folders to watch and how often.
type ReloaderConfig struct {
	// Dirs are the extra rule folders (or files), on top of the embedded
	// default pack.
	Dirs []string
	// Interval between two looks at the files' modification times;
	// zero means 2s.
	Interval time.Duration
}

// Reloader holds the current Set and replaces it whole when the rule files
// change (Run) or when asked (Reload, e.g. on SIGHUP). A broken file keeps
// the old set running; the error is kept for the UI.
type Reloader struct {
	cfg     ReloaderConfig
	log     *slog.Logger
	cur     atomic.Pointer[Set]
	mu      sync.Mutex // serialises Reload
	lastErr atomic.Pointer[reloadErr]
	stamp   uint64
}

type reloadErr struct {
	err error
	at  time.Time
}

// NewReloader loads the rules once; it fails if they do not compile.
func NewReloader(cfg ReloaderConfig, log *slog.Logger) (*Reloader, error) {
	if cfg.Interval <= 0 {
		cfg.Interval = 2 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Reloader{cfg: cfg, log: log.With("component", "rules")}
	r.stamp = r.fingerprint()
	s, err := Load(cfg.Dirs...)
	if err != nil {
		return nil, err
	}
	r.cur.Store(s)
	return r, nil
}

// Current returns the rule set in force. It never returns nil.
func (r *Reloader) Current() *Set { return r.cur.Load() }

// Match matches a against the current set.
func (r *Reloader) Match(a article.Article) Result { return r.Current().Match(a) }

// Classify is the indexer's Classifier, over the current set.
func (r *Reloader) Classify(a article.Article) ([]string, bool) { return r.Current().Classify(a) }

// LastError returns the error of the last failed reload and when it
// happened, or nil once a reload has succeeded again.
func (r *Reloader) LastError() error {
	if e := r.lastErr.Load(); e != nil {
		return e.err
	}
	return nil
}

// Reload compiles all rule files again. On success the new set replaces the
// old one at once; on error the old set stays in force, the error is kept
// for LastError and returned.
func (r *Reloader) Reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stamp = r.fingerprint()
	s, err := Load(r.cfg.Dirs...)
	if err != nil {
		r.lastErr.Store(&reloadErr{err: err, at: time.Now()})
		r.log.Error("rules reload failed; keeping the previous rules", "err", err)
		return err
	}
	r.cur.Store(s)
	r.lastErr.Store(nil)
	r.log.Info("rules reloaded", "rules", len(s.rules), "phrases", len(s.phrases), "files", len(s.files))
	return nil
}

// Run polls the rule folders every Interval and reloads when a file was
// added, removed or modified. It returns when ctx is done.
func (r *Reloader) Run(ctx context.Context) error {
	t := time.NewTicker(r.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		r.mu.Lock()
		changed := r.fingerprint() != r.stamp
		r.mu.Unlock()
		if changed {
			_ = r.Reload() // logged and kept in LastError
		}
	}
}

// fingerprint hashes the names, sizes and modification times of the rule
// files, so that any change is seen.
func (r *Reloader) fingerprint() uint64 {
	h := fnv.New64a()
	for _, d := range r.cfg.Dirs {
		var files []string
		if st, err := os.Stat(d); err == nil && !st.IsDir() {
			files = []string{d}
		} else {
			ents, err := os.ReadDir(d)
			if err != nil {
				fmt.Fprintf(h, "%s:%v\n", d, errors.Unwrap(err))
				continue
			}
			for _, e := range ents {
				if n := e.Name(); !e.IsDir() && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
					files = append(files, filepath.Join(d, n))
				}
			}
		}
		sort.Strings(files)
		for _, f := range files {
			st, err := os.Stat(f)
			if err != nil {
				fmt.Fprintf(h, "%s:gone\n", f)
				continue
			}
			fmt.Fprintf(h, "%s:%d:%d\n", f, st.Size(), st.ModTime().UnixNano())
		}
	}
	return h.Sum64()
}
