// Package sourcestore keeps the sources administrators add, edit and
// disable in the web UI, with their history, on top of sources.yaml.
// In: the seed list (sources.yaml, checked by crawler.ParseSources) and a
// KV bucket that keeps past values per key. Out: the effective source list
// (seed overlaid by the newest stored revision of each id), revisions with
// who, when and why, and Follow, which hands every change of the effective
// list to the crawler.
//
// One key per source id; each value is a whole Revision (the full source,
// never a patch), so any kept revision can be restored as it was. The
// sources.yaml file stays the seed: an id with stored revisions is taken
// from the store, an id only in the file from the file.
package sourcestore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/textnorm"
)

// History is how many revisions of each source the bucket keeps.
const History = 32

// Actions recorded in a Revision.
const (
	ActionAdd     = "add"     // a new source
	ActionEdit    = "edit"    // settings changed
	ActionDisable = "disable" // taken out of crawling, still listed
	ActionEnable  = "enable"
	ActionRestore = "restore" // an earlier revision (or the seed) put back
)

// Errors of the store. ErrNotFound is an errkind.NotFound.
var (
	ErrNotFound = errkind.Sentinel("sourcestore: no such source", errkind.NotFound)
	// ErrConflict: the source was saved by someone else since the editor
	// loaded it (Change.BaseRev is no longer the newest revision).
	ErrConflict = errors.New("sourcestore: the source changed since it was loaded")
)

// Bucket is what the store needs from the bus: a KV store whose keys keep
// their past values (bus.HistoryKV, created with History). History lists
// a key's values oldest first and is kv.ErrNotFound for an unknown key.
type Bucket interface {
	kv.Store
	History(ctx context.Context, key string) ([]kv.Entry, error)
}

// changeNotifier is optionally implemented by a Bucket (bus.HistoryKV) to
// wake Follow as soon as the bucket changes.
type changeNotifier interface {
	Changes(ctx context.Context) (<-chan struct{}, error)
}

// Revision is one stored state of a source: what an administrator saved.
type Revision struct {
	V        int            `json:"v"`
	Source   crawler.Source `json:"source"`
	Disabled bool           `json:"disabled,omitempty"`
	Action   string         `json:"action"`
	By       string         `json:"by"`
	At       time.Time      `json:"at"`
	Note     string         `json:"note,omitempty"`
	// RestoredFrom is the revision a restore copied (0 with Action
	// restore: the sources.yaml seed).
	RestoredFrom uint64 `json:"restored_from,omitempty"`
	// Rev is the bucket's revision number of this value (not stored).
	Rev uint64 `json:"-"`
}

// Entry is one source of the effective list.
type Entry struct {
	Source   crawler.Source
	Disabled bool
	Seeded   bool      // listed in sources.yaml
	Edited   bool      // has stored revisions (then Source comes from the store)
	Rev      uint64    // newest stored revision; 0 when only seeded
	By       string    // who saved the newest revision
	At       time.Time // when
}

// Config configures a Store.
type Config struct {
	// Seed is the checked sources.yaml list.
	Seed []crawler.Source
	// AllowPrivate lets the UI set allow_private (loopback test sites and
	// the demo). Otherwise only a seeded source that already has it keeps it.
	AllowPrivate bool
	// Now is the clock (time.Now).
	Now func() time.Time
}

// Store reads and writes source revisions. Its methods are safe for
// concurrent use; concurrent edits of one source are serialised by the
// bucket (compare-and-set on the revision).
type Store struct {
	b    Bucket
	cfg  Config
	seed map[string]crawler.Source
}

// New checks the seed and returns a Store on b.
func New(b Bucket, cfg Config) (*Store, error) {
	if b == nil {
		return nil, errors.New("sourcestore: nil bucket")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	seed := map[string]crawler.Source{}
	for i, s := range cfg.Seed {
		v, _, err := crawler.ValidateSource(s)
		if err != nil {
			return nil, fmt.Errorf("sourcestore: seed source %d: %w", i, err)
		}
		if _, dup := seed[s.ID]; dup {
			return nil, fmt.Errorf("sourcestore: seed: duplicate source id %q", s.ID)
		}
		seed[s.ID] = v
		cfg.Seed[i] = v
	}
	return &Store{b: b, cfg: cfg, seed: seed}, nil
}

// Seed returns the sources.yaml version of a source.
func (s *Store) Seed(id string) (crawler.Source, bool) {
	src, ok := s.seed[id]
	return src, ok
}

// validID says whether id passes the id check of sources.yaml (and so is a
// usable key); anything else cannot name a stored source.
func validID(id string) bool {
	_, field, err := crawler.ValidateSource(crawler.Source{ID: id, Feeds: []string{"https://example.invalid/"}})
	return err == nil || field != "id"
}

// latest reads the newest stored revision of id.
func (s *Store) latest(ctx context.Context, id string) (Revision, bool, error) {
	if !validID(id) {
		return Revision{}, false, nil
	}
	e, err := s.b.Get(ctx, id)
	if errors.Is(err, kv.ErrNotFound) {
		return Revision{}, false, nil
	}
	if err != nil {
		return Revision{}, false, fmt.Errorf("sourcestore: read %s: %w", id, err)
	}
	r, err := decode(e)
	if err != nil {
		return Revision{}, false, err
	}
	return r, true, nil
}

func decode(e kv.Entry) (Revision, error) {
	var r Revision
	if err := json.Unmarshal(e.Value, &r); err != nil {
		return r, fmt.Errorf("sourcestore: source %s revision %d: %w: %w", e.Key, e.Revision, kv.ErrCorrupt, err)
	}
	r.Rev = e.Revision
	return r, nil
}

// List returns the effective list: the seed in sources.yaml order (each id
// replaced by its newest stored revision), then the sources added in the UI
// by id. Disabled sources are listed with Disabled set.
func (s *Store) List(ctx context.Context) ([]Entry, error) {
	keys, err := s.b.Keys(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("sourcestore: list: %w", err)
	}
	stored := map[string]Revision{}
	for _, k := range keys {
		r, ok, err := s.latest(ctx, k)
		if err != nil {
			return nil, err
		}
		if ok {
			stored[k] = r
		}
	}
	var out []Entry
	entry := func(id string) Entry {
		e := Entry{Source: s.seed[id]}
		_, e.Seeded = s.seed[id]
		if r, ok := stored[id]; ok {
			e.Source, e.Disabled, e.Edited, e.Rev, e.By, e.At = r.Source, r.Disabled, true, r.Rev, r.By, r.At
		}
		return e
	}
	for _, src := range s.cfg.Seed {
		out = append(out, entry(src.ID))
	}
	var added []string
	for id := range stored {
		if _, ok := s.seed[id]; !ok {
			added = append(added, id)
		}
	}
	sort.Strings(added)
	for _, id := range added {
		out = append(out, entry(id))
	}
	return out, nil
}

// Get returns one source of the effective list, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (Entry, error) {
	r, ok, err := s.latest(ctx, id)
	if err != nil {
		return Entry{}, err
	}
	seed, seeded := s.seed[id]
	switch {
	case ok:
		return Entry{Source: r.Source, Disabled: r.Disabled, Seeded: seeded, Edited: true, Rev: r.Rev, By: r.By, At: r.At}, nil
	case seeded:
		return Entry{Source: seed, Seeded: true}, nil
	}
	return Entry{}, fmt.Errorf("%w: %q", ErrNotFound, id)
}

// Effective returns the sources to crawl: the effective list without the
// disabled ones. A stored revision that no longer passes the checks (the
// checks grew stricter) is skipped and reported in skipped.
func (s *Store) Effective(ctx context.Context) (srcs []crawler.Source, skipped []error, err error) {
	list, err := s.List(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range list {
		if e.Disabled {
			continue
		}
		v, _, err := crawler.ValidateSource(e.Source)
		if err != nil {
			skipped = append(skipped, fmt.Errorf("source %s: %w", e.Source.ID, err))
			continue
		}
		srcs = append(srcs, v)
	}
	return srcs, skipped, nil
}

// Change is one save from the editor.
type Change struct {
	Source crawler.Source
	// New: the source is being added; its id must not exist yet.
	New bool
	// BaseRev is the revision the editor loaded (Entry.Rev; 0 for a source
	// only seeded or new). A save over a newer revision is ErrConflict.
	BaseRev uint64
	By      string
	Note    string
}

// Save checks c.Source as sources.yaml would (a *ValidationError lists
// every field at fault, in Vietnamese) and stores it as the newest revision.
// An existing source keeps its disabled state.
func (s *Store) Save(ctx context.Context, c Change) (Revision, error) {
	cur, err := s.Get(ctx, c.Source.ID)
	exists := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Revision{}, err
	}
	prevPrivate := exists && cur.Source.AllowPrivate
	// Typed text is normalised at this boundary (NFC, one tone placement).
	c.Source.Name, c.Note = textnorm.Normalize(c.Source.Name), textnorm.Normalize(c.Note)
	src, verr := s.validate(c.Source, prevPrivate)
	if c.New && exists {
		verr = verr.add("id", fmt.Sprintf("Mã nguồn “%s” đã có. Chọn mã khác, hoặc sửa nguồn đó.", c.Source.ID))
	}
	if verr != nil {
		return Revision{}, verr
	}
	if !c.New && !exists {
		return Revision{}, fmt.Errorf("%w: %q", ErrNotFound, c.Source.ID)
	}
	if exists && c.BaseRev != cur.Rev {
		return Revision{}, ErrConflict
	}
	r := Revision{Source: src, Action: ActionEdit, By: c.By, Note: c.Note}
	if c.New {
		r.Action = ActionAdd
	}
	if exists {
		r.Disabled = cur.Disabled
		if reflect.DeepEqual(cur.Source, src) {
			return Revision{Source: cur.Source, Disabled: cur.Disabled, By: cur.By, At: cur.At, Rev: cur.Rev}, nil // nothing changed
		}
	}
	return s.put(ctx, r, cur.Rev)
}

// SetDisabled takes a source out of crawling (it stays listed and
// editable) or puts it back.
func (s *Store) SetDisabled(ctx context.Context, id string, disabled bool, by, note string) (Revision, error) {
	cur, err := s.Get(ctx, id)
	if err != nil {
		return Revision{}, err
	}
	if cur.Disabled == disabled {
		return Revision{Source: cur.Source, Disabled: cur.Disabled, By: cur.By, At: cur.At, Rev: cur.Rev}, nil
	}
	r := Revision{Source: cur.Source, Disabled: disabled, Action: ActionEnable, By: by, Note: textnorm.Normalize(note)}
	if disabled {
		r.Action = ActionDisable
	}
	return s.put(ctx, r, cur.Rev)
}

// History returns the kept revisions of a source, newest first. A source
// only in sources.yaml has none (ErrNotFound when the id is unknown).
func (s *Store) History(ctx context.Context, id string) ([]Revision, error) {
	if !validID(id) {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	es, err := s.b.History(ctx, id)
	if errors.Is(err, kv.ErrNotFound) {
		if _, ok := s.seed[id]; ok {
			return nil, nil
		}
		return nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("sourcestore: history %s: %w", id, err)
	}
	out := make([]Revision, 0, len(es))
	for _, e := range slices.Backward(es) {
		r, err := decode(e)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Restore makes an earlier revision the newest one again (rev 0: the
// sources.yaml seed), with its disabled state. The restored source is
// checked again; a revision the bucket no longer keeps is ErrNotFound.
func (s *Store) Restore(ctx context.Context, id string, rev uint64, by, note string) (Revision, error) {
	cur, err := s.Get(ctx, id)
	if err != nil {
		return Revision{}, err
	}
	r := Revision{Action: ActionRestore, By: by, Note: textnorm.Normalize(note), RestoredFrom: rev}
	if rev == 0 {
		seed, ok := s.seed[id]
		if !ok {
			return Revision{}, fmt.Errorf("%w: %q is not in sources.yaml", ErrNotFound, id)
		}
		r.Source = seed
	} else {
		hist, err := s.History(ctx, id)
		if err != nil {
			return Revision{}, err
		}
		i := slices.IndexFunc(hist, func(h Revision) bool { return h.Rev == rev })
		if i < 0 {
			return Revision{}, fmt.Errorf("%w: revision %d of %q", ErrNotFound, rev, id)
		}
		r.Source, r.Disabled = hist[i].Source, hist[i].Disabled
	}
	src, verr := s.validate(r.Source, cur.Source.AllowPrivate || r.Source.AllowPrivate)
	if verr != nil {
		return Revision{}, verr
	}
	r.Source = src
	return s.put(ctx, r, cur.Rev)
}

// put writes r over base (0: the key must be new).
func (s *Store) put(ctx context.Context, r Revision, base uint64) (Revision, error) {
	r.V = 1
	r.At = s.cfg.Now().UTC()
	b, err := json.Marshal(r)
	if err != nil {
		return Revision{}, fmt.Errorf("sourcestore: encode %s: %w", r.Source.ID, err)
	}
	var rev uint64
	if base == 0 {
		rev, err = s.b.Create(ctx, r.Source.ID, b)
	} else {
		rev, err = s.b.Update(ctx, r.Source.ID, b, base)
	}
	if errors.Is(err, kv.ErrExists) || errors.Is(err, kv.ErrConflict) {
		return Revision{}, ErrConflict
	}
	if err != nil {
		return Revision{}, fmt.Errorf("sourcestore: save %s: %w", r.Source.ID, err)
	}
	r.Rev = rev
	return r, nil
}

// Follow calls apply with the effective list now and after every change
// of the bucket, until ctx ends. It wakes on the bucket's change signal
// when the bucket offers one, and polls every poll in any case (a lost
// watch must not leave the crawler on an old list). apply is called only
// when the list differs from the one last applied; its error is logged by
// the caller through onErr (nil: ignored) and retried on the next wake.
func (s *Store) Follow(ctx context.Context, poll time.Duration, apply func([]crawler.Source) error, onErr func(error)) error {
	if poll <= 0 {
		poll = 30 * time.Second
	}
	report := func(err error) {
		if onErr != nil && ctx.Err() == nil {
			onErr(err)
		}
	}
	var changes <-chan struct{}
	if n, ok := s.b.(changeNotifier); ok {
		ch, err := n.Changes(ctx)
		if err != nil {
			report(fmt.Errorf("sourcestore: watch: %w (polling every %s)", err, poll))
		} else {
			changes = ch
		}
	}
	var last []crawler.Source
	applied := false
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		srcs, skipped, err := s.Effective(ctx)
		for _, e := range skipped {
			report(e)
		}
		switch {
		case err != nil:
			report(err)
		case !applied || !reflect.DeepEqual(srcs, last):
			if err := apply(srcs); err != nil {
				report(err)
			} else {
				last, applied = srcs, true
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case _, ok := <-changes:
			if !ok {
				changes = nil // watch ended: keep polling
			}
		}
	}
}
