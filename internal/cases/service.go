package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/officedoc"
	"github.com/diembao/diembao/internal/textnorm"
	"github.com/diembao/diembao/rules"
)

// Fetched is a page fetched once for a case: the extracted article and the
// raw bytes kept as its saved copy.
type Fetched struct {
	Article     article.Article
	Raw         []byte
	ContentType string
}

// Fetcher fetches one handed-in URL through the crawler's guarded fetch. A
// URL the user can fix (private address, not http/https, 404) must come back
// as an error wrapping ErrBadInput.
type Fetcher interface {
	Fetch(ctx context.Context, pageURL string) (Fetched, error)
}

// Blobs keeps evidence bytes by key. Put returns nil only once the bytes are
// durable; Get returns an error wrapping ErrNotFound for an unknown key.
type Blobs interface {
	Put(ctx context.Context, key string, data []byte) error
	Get(ctx context.Context, key string) ([]byte, error)
}

// Lookup finds what an intake names: an indexed article by id, an alert by
// id (with the audiences it was routed to). Both return an error wrapping
// ErrNotFound for an unknown id.
type Lookup interface {
	Article(ctx context.Context, id string) (article.Article, error)
	Alert(ctx context.Context, id string) (article.Alert, []string, error)
}

// Notice is a mail to people about a case (owner told of new items, daily
// overdue reminder). ID is deterministic so a retry does not send twice.
type Notice struct {
	ID      string
	To      []string
	Subject string
	Text    string
}

// Notifier sends notices (the alerts outbox in production). A nil error
// means the notice is durably queued. A notice is sent once per ID: the
// Service may hand the same notice again after a failure (the outbox and
// the sender drop the copy).
type Notifier interface {
	Notify(ctx context.Context, n Notice) error
}

// Deps are a Service's collaborators. Store is required; a nil Fetcher
// refuses URL intakes, a nil Blobs refuses uploads, a nil Lookup refuses
// article and alert intakes, a nil Notifier tells nobody.
type Deps struct {
	Store    kv.Store
	Fetcher  Fetcher
	Blobs    Blobs
	Lookup   Lookup
	Notifier Notifier
	Archive  rules.Archive // for backtesting case rules; may be nil
	// Route gives the audiences of a case that does not come from an alert
	// (the alert routes applied to its topics); nil: none.
	Route func(topics []string, severity string) []string
	// Emails gives an audience's addresses (the office's, for reminders).
	Emails func(audience string) []string
	Now    func() time.Time
	Log    *slog.Logger
	// BaseURL is the web UI's address, for links in notices.
	BaseURL string
	// Location is the office's time zone (dates in ids and notices).
	Location *time.Location
	// Issuer is the issuing body of the documents (office: in diembao.yaml).
	Issuer officedoc.Issuer
	// SourceNames gives the sources' display names by id for documents and
	// notices (nil or a missing id: the id).
	SourceNames article.SourceNames
}

// Service is the case workflow over a kv.Store. It is safe for concurrent
// use, by one process or many: every change is an optimistic update.
type Service struct {
	cfg  config.Cases
	d    Deps
	log  *slog.Logger
	mu   sync.Mutex
	sets map[string]ruleCache // compiled case rules by case id
}

type ruleCache struct {
	query string
	set   *rules.Set
}

// New checks deps and returns a Service. cfg gets its defaults.
func New(cfg config.Cases, d Deps) (*Service, error) {
	if d.Store == nil {
		return nil, errors.New("cases: nil kv.Store")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Location == nil {
		d.Location = article.Vietnam()
	}
	return &Service{cfg: cfg.WithDefaults(), d: d, log: d.Log.With("component", "cases"), sets: map[string]ruleCache{}}, nil
}

// Config returns the configuration in use (with defaults).
func (s *Service) Config() config.Cases { return s.cfg }

func caseKey(id string) string { return "case." + id }

// validID reports whether id looks like a case id (VV-2026-001).
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Get returns one case, or an error wrapping ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (Case, error) {
	id = strings.ToUpper(strings.TrimSpace(id))
	if !validID(id) {
		return Case{}, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	c, _, err := s.get(ctx, id)
	return c, err
}

func (s *Service) get(ctx context.Context, id string) (Case, uint64, error) {
	e, err := s.d.Store.Get(ctx, caseKey(id))
	if errors.Is(err, kv.ErrNotFound) {
		return Case{}, 0, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return Case{}, 0, fmt.Errorf("get case %s: %w", id, err)
	}
	var c Case
	if err := json.Unmarshal(e.Value, &c); err != nil {
		return Case{}, 0, fmt.Errorf("decode case %s: %w", id, err)
	}
	return c, e.Revision, nil
}

// update applies fn to the stored case and writes it back if the case did
// not change meanwhile, retrying on conflicts. fn appends to the history; it
// must not remove from it. The due date is recomputed.
func (s *Service) update(ctx context.Context, id string, fn func(c *Case) error) (Case, error) {
	for attempt := 0; ; attempt++ {
		c, rev, err := s.get(ctx, id)
		if err != nil {
			return Case{}, err
		}
		n := len(c.History)
		if err := fn(&c); err != nil {
			return Case{}, err
		}
		if len(c.History) < n {
			return Case{}, errors.New("cases: history is append-only")
		}
		c.Updated = s.d.Now().UTC()
		s.setDue(&c)
		b, err := json.Marshal(c)
		if err != nil {
			return Case{}, fmt.Errorf("encode case %s: %w", id, err)
		}
		_, err = s.d.Store.Update(ctx, caseKey(id), b, rev)
		if errors.Is(err, kv.ErrConflict) && attempt < 20 {
			continue
		}
		if err != nil {
			return Case{}, fmt.Errorf("save case %s: %w", id, err)
		}
		return c, nil
	}
}

// setDue sets the deadline of the case's current step.
func (s *Service) setDue(c *Case) {
	d, ok := s.cfg.Deadlines[c.Severity]
	if !ok {
		d = s.cfg.Deadlines["high"]
	}
	var after time.Duration
	switch c.Status {
	case StatusReceived, StatusVerifying:
		after = d.Verify.D()
	case StatusVerified:
		after = d.Respond.D()
	case StatusResponded:
		after = d.Report.D()
	default:
		c.Due = nil
		return
	}
	start := c.Opened
	// A reopened case counts from its reopening.
	for _, e := range c.History {
		if e.Action == "move" && e.From == StatusClosed {
			start = e.At
		}
	}
	due := start.Add(after).UTC()
	c.Due = &due
}

// Filter selects cases for List. Zero fields select everything.
type Filter struct {
	Status  string
	Overdue bool
	Owner   string
	Topic   string
	// Visible, if set, keeps the cases it accepts (role checks).
	Visible func(Case) bool
}

// Counts are the numbers shown above the list.
type Counts struct {
	ByStatus map[string]int `json:"by_status"`
	Open     int            `json:"open"`
	Overdue  int            `json:"overdue"`
	Total    int            `json:"total"`
}

// List returns the cases that match f: overdue first, then by due date,
// then the newest first; and the counts over every visible case.
func (s *Service) List(ctx context.Context, f Filter) ([]Case, Counts, error) {
	keys, err := s.d.Store.Keys(ctx, "case.")
	if err != nil {
		return nil, Counts{}, fmt.Errorf("list cases: %w", err)
	}
	now := s.d.Now()
	cnt := Counts{ByStatus: map[string]int{}}
	var out []Case
	for _, k := range keys {
		c, _, err := s.get(ctx, strings.TrimPrefix(k, "case."))
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, Counts{}, err
		}
		if f.Visible != nil && !f.Visible(c) {
			continue
		}
		cnt.Total++
		cnt.ByStatus[c.Status]++
		if c.Open() {
			cnt.Open++
		}
		if c.Overdue(now) {
			cnt.Overdue++
		}
		if f.Status != "" && c.Status != f.Status ||
			f.Overdue && !c.Overdue(now) ||
			f.Owner != "" && c.Owner != f.Owner ||
			f.Topic != "" && !slices.Contains(c.Topics, f.Topic) {
			continue
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if oa, ob := a.Overdue(now), b.Overdue(now); oa != ob {
			return oa
		}
		if (a.Due != nil) != (b.Due != nil) {
			return a.Due != nil
		}
		if a.Due != nil && !a.Due.Equal(*b.Due) {
			return a.Due.Before(*b.Due)
		}
		return a.Opened.After(b.Opened)
	})
	return out, cnt, nil
}

// nextID allocates the next case id of the year: VV-2026-001.
func (s *Service) nextID(ctx context.Context) (string, error) {
	year := s.d.Now().In(s.d.Location).Year()
	key := "seq." + strconv.Itoa(year)
	for range 50 {
		e, err := s.d.Store.Get(ctx, key)
		var n int
		var rev uint64
		switch {
		case errors.Is(err, kv.ErrNotFound):
		case err != nil:
			return "", fmt.Errorf("case number: %w", err)
		default:
			n, _ = strconv.Atoi(string(e.Value))
			rev = e.Revision
		}
		n++
		if _, err := s.d.Store.Update(ctx, key, []byte(strconv.Itoa(n)), rev); err != nil {
			if errors.Is(err, kv.ErrConflict) || errors.Is(err, kv.ErrExists) {
				continue
			}
			return "", fmt.Errorf("case number: %w", err)
		}
		return fmt.Sprintf("VV-%d-%03d", year, n), nil
	}
	return "", errors.New("case number: too much contention")
}

// urlKey is the index key of a handed-in URL (scheme and host lower case,
// no fragment, no trailing slash).
func urlKey(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	norm := strings.TrimSpace(raw)
	if err == nil {
		u.Scheme, u.Host, u.Fragment = strings.ToLower(u.Scheme), strings.ToLower(u.Host), ""
		u.Path = strings.TrimSuffix(u.Path, "/")
		norm = u.String()
	}
	h := sha256.Sum256([]byte(norm))
	return "url." + hex.EncodeToString(h[:16])
}

func articleKey(id string) string { return "art." + id }

// indexRef records that key belongs to case id.
func (s *Service) indexRef(ctx context.Context, key, id string) error {
	if _, err := s.d.Store.Put(ctx, key, []byte(id)); err != nil {
		return fmt.Errorf("index %s: %w", key, err)
	}
	return nil
}

// openCaseFor returns the open case key points to, if any.
func (s *Service) openCaseFor(ctx context.Context, key string) (Case, bool, error) {
	e, err := s.d.Store.Get(ctx, key)
	if errors.Is(err, kv.ErrNotFound) {
		return Case{}, false, nil
	}
	if err != nil {
		return Case{}, false, err
	}
	c, _, err := s.get(ctx, string(e.Value))
	if errors.Is(err, ErrNotFound) {
		return Case{}, false, nil
	}
	if err != nil || !c.Open() {
		return Case{}, false, err
	}
	return c, true, nil
}

func cleanText(s string, max int) string {
	s = strings.TrimSpace(textnorm.Normalize(strings.ToValidUTF8(s, "")))
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return s
}

func (s *Service) mailTo(owner string) []string {
	if owner == "" {
		return nil
	}
	if e, ok := s.cfg.Owners[owner]; ok {
		return []string{e}
	}
	if strings.Contains(owner, "@") {
		return []string{owner}
	}
	return nil
}

func (s *Service) caseURL(id string) string {
	return strings.TrimRight(s.d.BaseURL, "/") + "/cases/" + id
}

// sourceName is source id's display name (Deps.SourceNames), else the id.
func (s *Service) sourceName(id string) string { return s.d.SourceNames.Name(id) }
