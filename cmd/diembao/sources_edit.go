package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/crawler/sourcestore"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/web"
)

// bucketSources holds the sources edited in the UI: one key per source id,
// sourcestore.History revisions each (crawler/sourcestore).
const bucketSources = "sources"

// sourcesPoll is how often the crawl role re-reads the edited sources even
// without a change signal from the bucket.
const sourcesPoll = 30 * time.Second

// seedSources reads sources.yaml as the crawl role does: the default path
// falls back to the embedded list, a path the operator named must exist.
func seedSources(cfg config.Config) ([]crawler.Source, error) {
	if cfg.Sources == config.Default().Sources {
		return crawler.LoadSourcesOrDefault(cfg.Sources)
	}
	return crawler.LoadSources(cfg.Sources)
}

// openSourceStore opens the edited-sources bucket over the seed. The UI may
// set allow_private only where sources.yaml already allows a private source
// (test sites and the demo), so an admin's browser cannot aim the crawler
// at the office network of a real deployment.
func (n *node) openSourceStore(ctx context.Context, seed []crawler.Source) (*sourcestore.Store, error) {
	bucket, err := n.bus.KVHistory(ctx, bucketSources, sourcestore.History)
	if err != nil {
		return nil, err
	}
	allow := false
	for _, s := range seed {
		allow = allow || s.AllowPrivate
	}
	return sourcestore.New(bucket, sourcestore.Config{Seed: seed, AllowPrivate: allow})
}

// effectiveSources opens the store and returns the list to crawl now: the
// seed overlaid by the edits kept on the bus.
func (n *node) effectiveSources(ctx context.Context, seed []crawler.Source) (*sourcestore.Store, []crawler.Source, error) {
	st, err := n.openSourceStore(ctx, seed)
	if err != nil {
		return nil, nil, fmt.Errorf("crawl: sources: %w", err)
	}
	srcs, skipped, err := st.Effective(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("crawl: sources: %w", err)
	}
	for _, e := range skipped {
		n.log.Warn("edited source skipped", "err", e)
	}
	return st, srcs, nil
}

// followSources applies every change of the edited sources to the running
// crawler (this process or another one: the bucket is on the bus).
func followSources(ctx context.Context, st *sourcestore.Store, c *crawler.Crawler, log *slog.Logger) error {
	return st.Follow(ctx, sourcesPoll, func(srcs []crawler.Source) error {
		if err := c.SetSources(srcs); err != nil {
			return err
		}
		log.Info("sources applied", "count", len(srcs))
		return nil
	}, func(err error) { log.Warn("edited sources", "err", err) })
}

// sourceEditor is the web UI's source editor on the store; Preview runs
// what `sources check` runs on the candidate source.
type sourceEditor struct {
	st  *sourcestore.Store
	cfg config.Config
	log *slog.Logger
}

// webSourceEditor returns the editor, or nil (the Sources page then shows
// health only) when this process cannot read sources.yaml: a serve role
// must not fail for a file only the crawl role needs.
func (n *node) webSourceEditor(ctx context.Context) (web.SourceEditor, error) {
	seed, err := seedSources(n.a.cfg)
	if err != nil {
		n.log.Warn("source editor off: cannot read the sources file", "err", err)
		return nil, nil
	}
	st, err := n.openSourceStore(ctx, seed)
	if err != nil {
		return nil, err
	}
	return sourceEditor{st: st, cfg: n.a.cfg, log: n.log}, nil
}

func (e sourceEditor) List(ctx context.Context) ([]web.SourceEntry, error) {
	list, err := e.st.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.SourceEntry, len(list))
	for i, x := range list {
		out[i] = webSourceEntry(x)
	}
	return out, nil
}

func (e sourceEditor) Get(ctx context.Context, id string) (web.SourceEntry, error) {
	x, err := e.st.Get(ctx, id)
	if err != nil {
		return web.SourceEntry{}, webSourceErr(err)
	}
	return webSourceEntry(x), nil
}

// formSource converts the form; when its durations are wrong the store's
// checks still run on the rest, so the editor shows every problem at once.
func (e sourceEditor) formSource(ctx context.Context, f web.SourceForm) (crawler.Source, error) {
	src, err := sourceFromForm(f)
	var fe web.SourceFieldErrors
	if !errors.As(err, &fe) {
		return src, err
	}
	var v *sourcestore.ValidationError
	if _, err := e.st.Validate(ctx, src); errors.As(err, &v) {
		for k, m := range v.Fields {
			if _, ok := fe[k]; !ok {
				fe[k] = m
			}
		}
	}
	return src, fe
}

func (e sourceEditor) Save(ctx context.Context, f web.SourceForm, isNew bool, baseRev uint64, by, note string) error {
	src, err := e.formSource(ctx, f)
	if err != nil {
		return err
	}
	_, err = e.st.Save(ctx, sourcestore.Change{Source: src, New: isNew, BaseRev: baseRev, By: by, Note: note})
	return webSourceErr(err)
}

func (e sourceEditor) SetDisabled(ctx context.Context, id string, disabled bool, by, note string) error {
	_, err := e.st.SetDisabled(ctx, id, disabled, by, note)
	return webSourceErr(err)
}

func (e sourceEditor) History(ctx context.Context, id string) ([]web.SourceRevision, error) {
	revs, err := e.st.History(ctx, id)
	if err != nil {
		return nil, webSourceErr(err)
	}
	out := make([]web.SourceRevision, 0, len(revs)+1)
	for _, r := range revs {
		out = append(out, web.SourceRevision{Rev: r.Rev, Form: formFromSource(r.Source), Disabled: r.Disabled, Action: r.Action,
			By: r.By, At: r.At, Note: r.Note, RestoredFrom: r.RestoredFrom})
	}
	if seed, ok := e.st.Seed(id); ok {
		out = append(out, web.SourceRevision{Rev: 0, Form: formFromSource(seed), Action: "seed"})
	}
	return out, nil
}

func (e sourceEditor) Restore(ctx context.Context, id string, rev uint64, by, note string) error {
	_, err := e.st.Restore(ctx, id, rev, by, note)
	return webSourceErr(err)
}

// previewItems is how many of the newest articles a preview extracts.
const previewItems = 3

// Preview checks the form as Save does, then runs discovery and extracts a
// few articles with a throwaway crawler (memory state, a publisher that
// refuses), exactly as `diembao sources check --source` does.
func (e sourceEditor) Preview(ctx context.Context, f web.SourceForm) (web.SourcePreview, error) {
	src, err := e.formSource(ctx, f)
	if err != nil {
		return web.SourcePreview{}, err
	}
	if src, err = e.st.Validate(ctx, src); err != nil {
		return web.SourcePreview{}, webSourceErr(err)
	}
	cc := crawler.FromConfig(e.cfg.Crawler)
	cc.Location = e.cfg.Location()
	cc.Timeout = min(cc.Timeout, 15*time.Second)
	cc.MaxRetries = -1 // a preview fails fast
	pub := crawler.PublisherFunc(func(context.Context, article.Article) error {
		return errors.New("a preview publishes nothing")
	})
	c, err := crawler.New(cc, []crawler.Source{src}, pub, kv.NewMemory(), nil, e.log)
	if err != nil {
		return web.SourcePreview{}, err
	}
	sc, err := c.CheckSource(ctx, src.ID, previewItems)
	p := web.SourcePreview{Found: sc.Found}
	for _, m := range sc.Errors {
		p.Errors = append(p.Errors, srcExplain(errors.New(m)))
	}
	if err != nil && len(p.Errors) == 0 {
		p.Errors = append(p.Errors, srcExplain(err))
	}
	for _, a := range sc.Sample {
		p.Items = append(p.Items, web.SourcePreviewItem{URL: a.URL, Title: a.Title, Published: a.Published,
			PublishedFrom: a.PublishedFrom, Lines: firstLines(a.Body, 3, 300)})
	}
	return p, nil
}

// firstLines returns up to n non-empty lines of text, each cut to max runes
// at a word boundary.
func firstLines(text string, n, max int) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if utf8.RuneCountInString(l) > max {
			r := []rune(l)[:max]
			cut := string(r)
			if i := strings.LastIndexByte(cut, ' '); i > max/2 {
				cut = cut[:i]
			}
			l = cut + " …"
		}
		out = append(out, l)
		if len(out) == n {
			break
		}
	}
	return out
}

// sourceFromForm reads the form's durations; other checks are the store's.
func sourceFromForm(f web.SourceForm) (crawler.Source, error) {
	src := crawler.Source{ID: f.ID, Name: f.Name, Kind: f.Kind, Feeds: f.Feeds, Sitemaps: f.Sitemaps,
		AllowPrivate: f.AllowPrivate, RequireArea: f.RequireArea,
		Selectors: crawler.Selectors{Title: f.SelTitle, Body: f.SelBody, Date: f.SelDate}}
	for _, l := range f.Listings {
		src.Listings = append(src.Listings, crawler.Listing{URL: l.URL, Links: l.Links})
	}
	fe := web.SourceFieldErrors{}
	var err error
	if src.Interval, err = sourcestore.ParseDuration(sourcestore.FieldInterval, f.Interval); err != nil {
		fe[sourcestore.FieldInterval] = fieldMsg(err, sourcestore.FieldInterval)
	}
	if src.Delay, err = sourcestore.ParseDuration(sourcestore.FieldDelay, f.Delay); err != nil {
		fe[sourcestore.FieldDelay] = fieldMsg(err, sourcestore.FieldDelay)
	}
	if len(fe) > 0 {
		return src, fe
	}
	return src, nil
}

func fieldMsg(err error, field string) string {
	var v *sourcestore.ValidationError
	if errors.As(err, &v) {
		return v.Fields[field]
	}
	return err.Error()
}

func formFromSource(s crawler.Source) web.SourceForm {
	f := web.SourceForm{ID: s.ID, Name: s.Name, Kind: s.Kind, Feeds: s.Feeds, Sitemaps: s.Sitemaps,
		Interval: shortDuration(s.Interval.D()), Delay: shortDuration(s.Delay.D()),
		AllowPrivate: s.AllowPrivate, RequireArea: s.RequireArea,
		SelTitle: s.Selectors.Title, SelBody: s.Selectors.Body, SelDate: s.Selectors.Date}
	for _, l := range s.Listings {
		f.Listings = append(f.Listings, web.SourceListing{URL: l.URL, Links: l.Links})
	}
	return f
}

// shortDuration writes 10m rather than 10m0s.
func shortDuration(d time.Duration) string {
	if d == 0 {
		return ""
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func webSourceEntry(x sourcestore.Entry) web.SourceEntry {
	return web.SourceEntry{Form: formFromSource(x.Source), Disabled: x.Disabled, Seeded: x.Seeded, Edited: x.Edited,
		Rev: x.Rev, By: x.By, At: x.At}
}

// webSourceErr maps the store's errors onto the web package's.
func webSourceErr(err error) error {
	var v *sourcestore.ValidationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &v):
		return web.SourceFieldErrors(v.Fields)
	case errors.Is(err, sourcestore.ErrConflict):
		return web.ErrSourceConflict
	case errors.Is(err, sourcestore.ErrNotFound):
		return fmt.Errorf("%w: %w", web.ErrNotFound, err)
	}
	return err
}

// readSourceStore opens the edited sources for a one-shot command, when a
// bus is at hand without side effects: nats.url, a running `diembao run`,
// or an embedded store already under the data dir (ok false otherwise).
func readSourceStore[T any](ctx context.Context, a *app, seed []crawler.Source, read func(context.Context, *sourcestore.Store) (T, error)) (v T, ok bool, err error) {
	natsURL := a.natsFor(a.cfg.NATS.URL)
	storeDir := filepath.Join(a.cfg.DataDir, "nats")
	if natsURL == "" {
		if _, err := os.Stat(filepath.Join(storeDir, "jetstream")); err != nil {
			return v, false, nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	sync := a.cfg.NATS.Sync == nil || *a.cfg.NATS.Sync
	b, err := bus.Open(ctx, bus.Config{URL: natsURL, StoreDir: storeDir, Sync: sync, Name: "diembao-sources"}, slog.New(slog.DiscardHandler)) // errors are returned; the server's chatter is not wanted here
	if err != nil {
		return v, false, err
	}
	defer b.Close()
	bucket, err := b.KVHistory(ctx, bucketSources, sourcestore.History)
	if err != nil {
		return v, false, err
	}
	st, err := sourcestore.New(bucket, sourcestore.Config{Seed: seed})
	if err != nil {
		return v, false, err
	}
	v, err = read(ctx, st)
	return v, err == nil, err
}

// withEditedSources overlays the edits kept on the bus on the seed for
// `sources check` (readSourceStore says when). Otherwise, or when the bus
// cannot be read, the seed is checked as is (said on stderr then).
func withEditedSources(ctx context.Context, a *app, seed []crawler.Source) []crawler.Source {
	srcs, ok, err := readSourceStore(ctx, a, seed, func(ctx context.Context, st *sourcestore.Store) ([]crawler.Source, error) {
		srcs, _, err := st.Effective(ctx)
		return srcs, err
	})
	if err != nil {
		fmt.Fprintf(a.stderr, "diembao: sources edited in the UI not read (%v); checking %s only\n", err, a.cfg.Sources)
	}
	if !ok {
		return seed
	}
	return srcs
}

// sourceListLine is one line of `sources list --json`.
type sourceListLine struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Origin   string `json:"origin"` // seed | edited | added
	Disabled bool   `json:"disabled"`
	By       string `json:"by,omitempty"`
	At       string `json:"at,omitempty"`
}

// cmdSourcesList is "diembao sources list [--json]": the effective list,
// sources.yaml overlaid by the UI's edits, disabled sources included.
func cmdSourcesList(ctx context.Context, a *app, args []string) int {
	asJSON := false
	for _, arg := range args {
		switch arg {
		case "--json", "-json":
			asJSON = true
		default:
			return a.exitCode(fmt.Errorf("%w: sources list [--json]: unexpected %q", errUsage, arg))
		}
	}
	seed, err := sourcesFromConfig(a.cfg.Sources)
	if err != nil {
		return a.exitCode(fmt.Errorf("%w: %w", errUsage, err))
	}
	list, ok, err := readSourceStore(ctx, a, seed, func(ctx context.Context, st *sourcestore.Store) ([]sourcestore.Entry, error) {
		return st.List(ctx)
	})
	if err != nil {
		fmt.Fprintf(a.stderr, "diembao: sources edited in the UI not read (%v); listing %s only\n", err, a.cfg.Sources)
	}
	if !ok {
		list = nil
		for _, s := range seed {
			list = append(list, sourcestore.Entry{Source: s, Seeded: true})
		}
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	for _, e := range list {
		l := sourceListLine{ID: e.Source.ID, Name: e.Source.Name, Kind: e.Source.Kind, Origin: "seed", Disabled: e.Disabled, By: e.By}
		switch {
		case e.Edited && e.Seeded:
			l.Origin = "edited"
		case e.Edited:
			l.Origin = "added"
		}
		if !e.At.IsZero() {
			l.At = e.At.In(a.cfg.Location()).Format(time.RFC3339)
		}
		if asJSON {
			if err := enc.Encode(l); err != nil {
				return a.exitCode(err)
			}
			continue
		}
		state := "on"
		if l.Disabled {
			state = "off"
		}
		fmt.Fprintf(a.stdout, "%-20s %-4s %-8s %-7s %s", l.ID, state, l.Kind, l.Origin, l.Name)
		if l.By != "" {
			fmt.Fprintf(a.stdout, "  (%s, %s)", l.By, l.At)
		}
		fmt.Fprintln(a.stdout)
	}
	return exitOK
}
