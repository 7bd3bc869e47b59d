// Package indexer keeps the searchable archive: a Bleve (scorch) index per
// published month behind one bleve.IndexAlias, with Vietnamese analyzers
// built on internal/textnorm (an exact field with tone-canonical keys and a
// folded field without diacritics).
// In: article revisions with their ARTICLES stream position. Out: search
// results, stored articles, the last indexed stream position.
package indexer

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/textnorm"
)

// Classifier tags an article with the topics it touches and whether it
// concerns the area. The indexer calls it once per indexed revision; cmd
// wires the rule engine in. It must be safe for concurrent use.
type Classifier interface {
	Classify(a article.Article) (topics []string, area bool)
}

// ClassifierFunc adapts a function to Classifier.
type ClassifierFunc func(a article.Article) ([]string, bool)

// Classify implements Classifier.
func (f ClassifierFunc) Classify(a article.Article) ([]string, bool) { return f(a) }

// SeverityClassifier is optionally implemented by a Classifier that also
// knows the highest severity of the rules an article matched; it fills the
// severity keyword field.
type SeverityClassifier interface {
	Severity(a article.Article) string
}

// Config configures an Index.
type Config struct {
	// Dir holds one Bleve index per published month (DATA/index). Empty:
	// everything stays in memory (tests).
	Dir string
	// ReadOnly opens existing monthly indexes for searching only; Index
	// returns an error.
	ReadOnly bool
	// Location decides the published month; nil means UTC+7 (ICT).
	Location *time.Location
	// GCPercent is the garbage collector's target (runtime/debug.SetGCPercent)
	// while a writable Index is open: Bleve's segment building allocates
	// heavily. Measured CPU per article against GOGC=100 (20,000 articles):
	// 200 saves ≈ 8 % for ≈ 1.4× the peak RSS (1.1 GB), 400 ≈ 15 % for
	// ≈ 2.5× (1.9 GB). It is process-wide; Close restores the previous value.
	// 0 means DefaultGCPercent unless the GOGC environment variable is set
	// (the operator's choice wins); negative leaves the runtime alone.
	GCPercent int
	// BlevePhrases searches phrases with Bleve's phrase searcher instead of
	// diembao's (same hits and scores, slower): for comparisons only.
	BlevePhrases bool
	// MinFree is the free space (bytes) below which a writable on-disk index
	// stops serving reads and is reopened once space returns: Bleve may
	// close segments under its readers when it cannot persist, and a read
	// of such a segment panics in a goroutine nothing can recover. 0 means
	// 4 MiB.
	MinFree uint64
}

// DefaultGCPercent is the GC target a writable Index sets when Config.GCPercent
// is 0 and GOGC is unset.
const DefaultGCPercent = 200

func (c *Config) setDefaults() {
	if c.Location == nil {
		c.Location = article.Vietnam()
	}
	if c.MinFree == 0 {
		c.MinFree = 4 << 20
	}
	if c.GCPercent == 0 {
		c.GCPercent = DefaultGCPercent
		if os.Getenv("GOGC") != "" {
			c.GCPercent = -1
		}
	}
}

// ArticleAt is one article revision with its position in the ARTICLES stream.
type ArticleAt struct {
	Article article.Article
	Seq     uint64
}

// Doc is an indexed article as Get returns it.
type Doc struct {
	Article  article.Article `json:"article"`
	Topics   []string        `json:"topics"`
	Area     bool            `json:"area"`
	Severity string          `json:"severity,omitempty"`
	Places   []string        `json:"places,omitempty"`   // gazetteer ids found (Tagger)
	Communes []string        `json:"communes,omitempty"` // today's communes (Tagger)
}

// ErrNotFound is returned by Get for an unknown article id.
var ErrNotFound = errkind.Sentinel("indexer: article not found", errkind.NotFound)

// Index is the searchable archive. Its methods are safe for concurrent use;
// Index calls are serialised (Bleve allows one writer per index).
type Index struct {
	cfg   Config
	cls   Classifier
	log   *slog.Logger
	alias bleve.IndexAlias

	wmu sync.Mutex // serialises writers

	facets *facetCache

	mu     sync.RWMutex
	months map[string]bleve.Index
	seq    uint64
	closed bool

	restoreGC int // GC percent to restore on Close; -2: none set

	guard health // write failures and recovered panics (guard.go)
	// readers counts the reads of the current monthly indexes (guarded by
	// mu): a reopen waits for them before closing those indexes.
	readers *sync.WaitGroup
}

const seqKey = "diembao:last_seq"

// minChunk is the fewest documents worth a Bleve batch of their own.
const minChunk = 100

var monthDir = regexp.MustCompile(`^(\d{4}-\d{2}|undated)$`)

// Open opens (or creates) the monthly indexes under cfg.Dir. cls may be nil:
// articles are then indexed without topics and area; log may be nil.
func Open(cfg Config, cls Classifier, log *slog.Logger) (*Index, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.setDefaults()
	x := &Index{
		cfg:     cfg,
		cls:     cls,
		log:     log.With("component", "indexer"),
		alias:   bleve.NewIndexAlias(),
		facets:  newFacetCache(),
		months:  map[string]bleve.Index{},
		readers: &sync.WaitGroup{},
	}
	x.restoreGC = -2
	if !cfg.ReadOnly && cfg.GCPercent > 0 {
		x.restoreGC = debug.SetGCPercent(cfg.GCPercent)
	}
	if cfg.Dir == "" {
		return x, nil
	}
	if !cfg.ReadOnly {
		if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
			x.restoreGCPercent()
			return nil, fmt.Errorf("open index: %w", err)
		}
	}
	entries, err := os.ReadDir(cfg.Dir)
	if err != nil {
		x.restoreGCPercent()
		return nil, fmt.Errorf("open index: %w", err)
	}
	for _, e := range entries {
		if !cfg.ReadOnly && e.IsDir() && (isPartialMonth(e.Name()) ||
			monthDir.MatchString(e.Name()) && neverWritten(filepath.Join(cfg.Dir, e.Name()))) {
			// A month whose creation a crash interrupted: nothing in it was
			// acknowledged, its articles are indexed again from the stream.
			x.log.Warn("remove a month index left half-created", "dir", e.Name())
			if err := os.RemoveAll(filepath.Join(cfg.Dir, e.Name())); err != nil {
				x.restoreGCPercent()
				return nil, fmt.Errorf("open index: %w", err)
			}
			continue
		}
		if !e.IsDir() || !monthDir.MatchString(e.Name()) {
			continue
		}
		p := filepath.Join(cfg.Dir, e.Name())
		var idx bleve.Index
		if cfg.ReadOnly {
			idx, err = bleve.OpenUsing(p, map[string]any{"read_only": true, "bolt_timeout": "3s"})
		} else {
			idx, err = bleve.Open(p)
		}
		if err != nil {
			x.closeAll()
			x.restoreGCPercent()
			return nil, fmt.Errorf("open index %s: %w%s", p, err, damagedHint(p))
		}
		x.months[e.Name()] = idx
		x.alias.Add(idx)
		if v, err := idx.GetInternal([]byte(seqKey)); err == nil && len(v) == 8 {
			x.seq = max(x.seq, binary.BigEndian.Uint64(v))
		}
	}
	x.log.Info("index opened", "dir", cfg.Dir, "months", len(x.months), "last_seq", x.seq)
	return x, nil
}

// Close closes every monthly index. Every batch Index returned nil for is
// already on disk.
func (x *Index) Close() error {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	x.restoreGCPercent()
	return x.closeAllLocked()
}

func (x *Index) restoreGCPercent() {
	if x.restoreGC != -2 {
		debug.SetGCPercent(x.restoreGC)
		x.restoreGC = -2
	}
}

func (x *Index) closeAll() {
	x.mu.Lock()
	defer x.mu.Unlock()
	_ = x.closeAllLocked()
}

func (x *Index) closeAllLocked() error {
	var errs []error
	for name, idx := range x.months {
		if err := idx.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close index %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// LastSeq returns the ARTICLES stream position of the last batch Index made
// durable (0 for an empty index): a consumer resumes after it.
func (x *Index) LastSeq() uint64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.seq
}

// Count returns the number of indexed articles.
func (x *Index) Count() (n uint64, err error) {
	done, err := x.beginRead()
	defer done()
	if err != nil {
		return 0, err
	}
	defer x.recoverPanic("count", &err)
	if x.isEmpty() {
		return 0, nil
	}
	n, err = x.alias.DocCount()
	if err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}

// isEmpty reports whether no monthly index exists yet: Bleve refuses to
// search an empty alias.
func (x *Index) isEmpty() bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.months) == 0
}

// month returns the index of a published month, creating it if needed.
func (x *Index) month(name string) (bleve.Index, error) {
	x.mu.RLock()
	idx, ok := x.months[name]
	x.mu.RUnlock()
	if ok {
		return idx, nil
	}
	if x.cfg.ReadOnly {
		return nil, errors.New("index is read-only")
	}
	m := newMapping()
	var err error
	if x.cfg.Dir == "" {
		// scorch without a path keeps everything in memory (NewMemOnly would
		// use the older upsidedown/gtreap engine, ten times slower).
		idx, err = bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	} else {
		idx, err = createWhole(filepath.Join(x.cfg.Dir, name), m)
	}
	if err != nil {
		return nil, fmt.Errorf("create index %s: %w", name, err)
	}
	x.mu.Lock()
	x.months[name] = idx
	x.mu.Unlock()
	x.alias.Add(idx)
	return idx, nil
}

func (x *Index) monthOf(a article.Article) string {
	t := a.Published
	if t.IsZero() {
		t = a.Fetched
	}
	if t.IsZero() {
		return "undated"
	}
	return t.In(x.cfg.Location).Format("2006-01")
}

// Field names.
const (
	fTitle      = "title"
	fTitleFold  = "title_f"
	fBody       = "body"
	fBodyFold   = "body_f"
	fSource     = "source"
	fSourceKind = "source_kind"
	fTopics     = "topics"
	fArea       = "area"
	fSeverity   = "severity"
	fPublished  = "published"
	fRevision   = "rev"
	fMonth      = "month"
	fDoc        = "doc"
)

// newMapping is the document mapping of one monthly index. Only "doc" (the
// article as JSON, what Get and hits need), rev and month are stored;
// nothing goes into _all. Only the exact text fields carry term vectors
// (positions): every phrase, typed with diacritics or without, is matched on
// them (see foldedPhrase); the folded fields serve single-syllable folded
// terms, which need no positions. Term vectors on the folded fields cost
// about a third of the indexing time.
func newMapping() mapping.IndexMapping {
	text := func(analyzer string) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = analyzer == analyzerExact
		f.DocValues = false
		return f
	}
	keyword := func(docValues, store bool) *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Store = store
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = docValues
		return f
	}
	dm := mapping.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(fTitle, text(analyzerExact))
	dm.AddFieldMappingsAt(fTitleFold, text(analyzerFold))
	dm.AddFieldMappingsAt(fBody, text(analyzerExact))
	dm.AddFieldMappingsAt(fBodyFold, text(analyzerFold))
	dm.AddFieldMappingsAt(fSource, keyword(true, false))
	dm.AddFieldMappingsAt(fSourceKind, keyword(false, false))
	dm.AddFieldMappingsAt(fTopics, keyword(true, false))
	dm.AddFieldMappingsAt(fSeverity, keyword(false, false))
	dm.AddFieldMappingsAt(fMonth, keyword(false, true))
	dm.AddFieldMappingsAt(fPlaces, keyword(false, false))
	dm.AddFieldMappingsAt(fCommunes, keyword(false, false))
	area := mapping.NewBooleanFieldMapping()
	area.IncludeInAll, area.Store = false, false
	dm.AddFieldMappingsAt(fArea, area)
	pub := mapping.NewDateTimeFieldMapping()
	pub.IncludeInAll, pub.Store, pub.DocValues = false, false, true
	dm.AddFieldMappingsAt(fPublished, pub)
	rev := mapping.NewNumericFieldMapping()
	rev.IncludeInAll, rev.Store, rev.Index, rev.DocValues = false, true, false, false
	dm.AddFieldMappingsAt(fRevision, rev)
	doc := mapping.NewTextFieldMapping()
	doc.Index, doc.Store, doc.IncludeInAll, doc.IncludeTermVectors, doc.DocValues = false, true, false, false, false
	dm.AddFieldMappingsAt(fDoc, doc)

	im := mapping.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = analyzerExact
	im.IndexDynamic, im.StoreDynamic, im.DocValuesDynamic = false, false, false
	return im
}

// bodyText is what the body fields index: the lead, then the body.
func bodyText(a article.Article) string {
	if a.Lead == "" {
		return textnorm.Normalize(a.Body)
	}
	return textnorm.Normalize(a.Lead + "\n" + a.Body)
}

func (x *Index) document(a article.Article, month string) (map[string]any, error) {
	d := Doc{Article: a}
	if tg, ok := x.cls.(Tagger); ok {
		t := tg.Tags(a)
		d.Topics, d.Area, d.Severity, d.Places, d.Communes = t.Topics, t.Area, t.Severity, t.Places, t.Communes
	} else if x.cls != nil {
		d.Topics, d.Area = x.cls.Classify(a)
		if sc, ok := x.cls.(SeverityClassifier); ok {
			d.Severity = sc.Severity(a)
		}
	}
	d.Article.Matched = nil // the verdict is Topics and Area; its terms are not kept
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode article %s: %w", a.ID, err)
	}
	title, body := textnorm.Normalize(a.Title), bodyText(a)
	m := map[string]any{
		fTitle: title, fTitleFold: title,
		fBody: body, fBodyFold: body,
		fSource: a.Source, fSourceKind: a.SourceKind,
		fArea:     d.Area,
		fRevision: float64(a.Revision),
		fMonth:    month,
		fDoc:      string(raw),
	}
	if len(d.Topics) > 0 {
		m[fTopics] = d.Topics
	}
	if d.Severity != "" {
		m[fSeverity] = d.Severity
	}
	if len(d.Places) > 0 {
		m[fPlaces] = d.Places
	}
	if len(d.Communes) > 0 {
		m[fCommunes] = d.Communes
	}
	if !a.Published.IsZero() {
		m[fPublished] = a.Published
	}
	return m, nil
}

// existing returns, for the ids given, the months and revisions they are
// indexed under now (normally one; more after a crash between writing a
// moved article's new month and deleting it from the old one).
func (x *Index) existing(ctx context.Context, ids []string) (map[string][]stored, error) {
	out := make(map[string][]stored, len(ids))
	if len(x.months) == 0 {
		return out, nil
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDocIDQuery(ids), len(ids)*4, 0, false)
	req.Fields = []string{fRevision, fMonth}
	res, err := x.alias.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("look up revisions: %w", err)
	}
	for _, h := range res.Hits {
		var s stored
		if v, ok := h.Fields[fRevision].(float64); ok {
			s.rev = int(v)
		}
		s.month, _ = h.Fields[fMonth].(string)
		out[h.ID] = append(out[h.ID], s)
	}
	return out, nil
}

type stored struct {
	month string
	rev   int
}

// Index upserts a batch of article revisions by article id: a revision
// older than the one indexed is skipped, so a late redelivery never
// overwrites a newer text. The highest Seq of the batch is stored in the
// last Bleve batch written. Index returns nil only once every batch is on
// disk (in-memory indexes: applied); the caller may then ack.
func (x *Index) Index(ctx context.Context, arts []ArticleAt) (err error) {
	defer x.afterWrite(&err)
	defer x.recoverPanic("index", &err)
	if len(arts) == 0 {
		return nil
	}
	if x.cfg.ReadOnly {
		return errors.New("index: read-only")
	}
	x.wmu.Lock()
	defer x.wmu.Unlock()
	if x.closed {
		return errors.New("index: closed")
	}
	if err := x.reopenIfNeeded(); err != nil {
		return err
	}
	latest, ids, maxSeq, err := newestByID(arts)
	if err != nil {
		return err
	}
	x.mu.RLock()
	old, err := x.existing(ctx, ids)
	x.mu.RUnlock()
	if err != nil {
		return err
	}
	work, skipped, err := x.plan(latest, ids, old)
	if err != nil {
		return err
	}
	units, err := x.batches(work)
	if err != nil {
		return err
	}
	if err := writeUnits(ctx, units, maxSeq); err != nil {
		return err
	}
	x.mu.Lock()
	x.seq = max(x.seq, maxSeq)
	x.mu.Unlock()
	x.log.Debug("batch indexed", "articles", len(arts), "skipped_older", skipped, "last_seq", maxSeq)
	return nil
}

// newestByID keeps the newest revision of each id within the batch (the
// later one on a tie) and returns them with their ids sorted and the
// highest stream position of the batch. An article without id is an error.
func newestByID(arts []ArticleAt) (latest map[string]ArticleAt, ids []string, maxSeq uint64, err error) {
	latest = make(map[string]ArticleAt, len(arts))
	for _, aa := range arts {
		maxSeq = max(maxSeq, aa.Seq)
		if aa.Article.ID == "" {
			return nil, nil, 0, fmt.Errorf("index: article without id (seq %d)", aa.Seq)
		}
		if prev, ok := latest[aa.Article.ID]; !ok || aa.Article.Revision >= prev.Article.Revision {
			latest[aa.Article.ID] = aa
		}
	}
	ids = make([]string, 0, len(latest))
	for id := range latest {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return latest, ids, maxSeq, nil
}

// docAt is one document to write under its article id.
type docAt struct {
	id  string
	doc map[string]any
}

// monthWork is what one call writes to one month's index: ids to delete
// (the article moved to another month) and documents to upsert.
type monthWork struct {
	deletes []string
	docs    []docAt
}

// plan decides, per month, what to delete and what to write: an article
// indexed at a higher revision than the batch's is skipped (counted in
// skipped); one whose month changed is deleted from its old month. The
// plan always holds at least one month, so the stream position has a
// batch to ride in even when every article was skipped.
func (x *Index) plan(latest map[string]ArticleAt, ids []string, old map[string][]stored) (work map[string]*monthWork, skipped int, err error) {
	work = map[string]*monthWork{}
	workFor := func(month string) *monthWork {
		w, ok := work[month]
		if !ok {
			w = &monthWork{}
			work[month] = w
		}
		return w
	}
	for _, id := range ids {
		a := latest[id].Article
		month := x.monthOf(a)
		newest := true
		for _, prev := range old[id] {
			if prev.rev > a.Revision {
				newest = false
			}
		}
		if !newest {
			skipped++
			continue
		}
		for _, prev := range old[id] {
			if prev.month != "" && prev.month != month {
				w := workFor(prev.month)
				w.deletes = append(w.deletes, id)
			}
		}
		if a.Removed {
			// A page that answers 404/410 keeps its last text searchable;
			// the flag travels in the stored article.
			x.log.Debug("article removed at source", "article_id", id)
		}
		doc, err := x.document(a, month)
		if err != nil {
			return nil, 0, err
		}
		w := workFor(month)
		w.docs = append(w.docs, docAt{id, doc})
	}
	if len(work) == 0 {
		workFor(x.monthOf(latest[ids[0]].Article))
	}
	return work, skipped, nil
}

// unit is one Bleve batch for one month's index.
type unit struct {
	idx   bleve.Index
	month string
	b     *bleve.Batch
}

// batches turns the plan into Bleve batches, months in order: a big month
// is split into one chunk per CPU, so segment building and the fsync waits
// run in parallel. A month's deletes go in its first chunk. The result is
// never empty (plan holds at least one month).
func (x *Index) batches(work map[string]*monthWork) ([]unit, error) {
	months := make([]string, 0, len(work))
	for m := range work {
		months = append(months, m)
	}
	sort.Strings(months)
	var units []unit
	par := runtime.GOMAXPROCS(0)
	for _, m := range months {
		idx, err := x.month(m)
		if err != nil {
			return nil, err
		}
		w := work[m]
		chunks := 1
		if len(w.docs) >= 2*minChunk {
			chunks = min(par, len(w.docs)/minChunk)
		}
		per := (len(w.docs) + chunks - 1) / chunks
		for c := 0; c < chunks; c++ {
			b := idx.NewBatch()
			if c == 0 {
				for _, id := range w.deletes {
					b.Delete(id)
				}
			}
			for _, d := range w.docs[min(c*per, len(w.docs)):min((c+1)*per, len(w.docs))] {
				if err := b.Index(d.id, d.doc); err != nil {
					return nil, fmt.Errorf("index article %s: %w", d.id, err)
				}
			}
			units = append(units, unit{idx, m, b})
		}
	}
	return units, nil
}

// writeUnits writes the batches and then the stream position maxSeq (when
// above zero). The position becomes durable only after every document of
// the call is: with one Bleve batch it rides in that batch; with several,
// they are written in parallel (each Batch waits for its own fsync) and
// the position follows in a batch of its own in the last month's index. A
// crash in between leaves the old position, and the redelivered articles
// are upserted again.
func writeUnits(ctx context.Context, units []unit, maxSeq uint64) error {
	var seqVal [8]byte
	binary.BigEndian.PutUint64(seqVal[:], maxSeq)
	if len(units) == 1 {
		if maxSeq > 0 {
			units[0].b.SetInternal([]byte(seqKey), seqVal[:])
		}
		if err := units[0].idx.Batch(units[0].b); err != nil {
			return fmt.Errorf("write index %s: %w", units[0].month, err)
		}
		return nil
	}
	errs := make([]error, len(units))
	sem := make(chan struct{}, 2*runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, u := range units {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := u.idx.Batch(u.b); err != nil {
				errs[i] = fmt.Errorf("write index %s: %w", u.month, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if maxSeq > 0 {
		lastIdx := units[len(units)-1].idx
		b := lastIdx.NewBatch()
		b.SetInternal([]byte(seqKey), seqVal[:])
		if err := lastIdx.Batch(b); err != nil {
			return fmt.Errorf("write stream position: %w", err)
		}
	}
	return nil
}

// Get returns the indexed article with its tags, or ErrNotFound.
func (x *Index) Get(ctx context.Context, id string) (_ Doc, err error) {
	done, err := x.beginRead()
	defer done()
	if err != nil {
		return Doc{}, err
	}
	defer x.recoverPanic("get", &err)
	if x.isEmpty() {
		return Doc{}, ErrNotFound
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDocIDQuery([]string{id}), 1, 0, false)
	req.Fields = []string{fDoc}
	res, err := x.alias.SearchInContext(ctx, req)
	if err != nil {
		return Doc{}, fmt.Errorf("get %s: %w", id, err)
	}
	if len(res.Hits) == 0 {
		return Doc{}, ErrNotFound
	}
	return decodeDoc(res.Hits[0].Fields)
}

func decodeDoc(fields map[string]any) (Doc, error) {
	raw, _ := fields[fDoc].(string)
	var d Doc
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return Doc{}, fmt.Errorf("decode stored article: %w", err)
	}
	return d, nil
}

// Source is an iterator over article revisions in stream order, as Reindex
// reads them. Next returns ok false at the end.
type Source interface {
	Next(ctx context.Context) (a ArticleAt, ok bool, err error)
}

// Progress is reported by Reindex after every batch.
type Progress struct {
	Done    uint64        // articles read so far
	Total   uint64        // as given to Reindex (0: unknown)
	Elapsed time.Duration // since Reindex started
	LastSeq uint64
}

// ETA estimates the time left, or 0 when unknown.
func (p Progress) ETA() time.Duration {
	if p.Total == 0 || p.Done == 0 || p.Done >= p.Total {
		return 0
	}
	return time.Duration(float64(p.Elapsed) / float64(p.Done) * float64(p.Total-p.Done))
}

// Reindex reads src to its end and indexes everything in batches of
// batchSize (0: 500), calling progress (may be nil) after each durable
// batch. Build into a fresh Index and swap directories afterwards to
// rebuild without downtime.
func (x *Index) Reindex(ctx context.Context, src Source, total uint64, batchSize int, progress func(Progress)) error {
	if batchSize <= 0 {
		batchSize = 500
	}
	start := time.Now()
	var done uint64
	batch := make([]ArticleAt, 0, batchSize)
	flush := func() error {
		if err := x.Index(ctx, batch); err != nil {
			return err
		}
		done += uint64(len(batch))
		batch = batch[:0]
		if progress != nil {
			progress(Progress{Done: done, Total: total, Elapsed: time.Since(start), LastSeq: x.LastSeq()})
		}
		return nil
	}
	for {
		aa, ok, err := src.Next(ctx)
		if err != nil {
			return fmt.Errorf("reindex: read after %d articles: %w", done, err)
		}
		if !ok {
			break
		}
		batch = append(batch, aa)
		if len(batch) == batchSize {
			if err := flush(); err != nil {
				return fmt.Errorf("reindex: %w", err)
			}
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
	}
	return nil
}
