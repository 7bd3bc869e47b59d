package web

import (
	"context"
	"time"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/deadletter"
	"github.com/diembao/diembao/internal/errkind"
)

// ErrNotFound is what a dependency returns (wrapped or not) when an id is
// unknown; the server answers 404. It is an errkind.NotFound, and so is any
// error wrapping that kind (kv.ErrNotFound, indexer.ErrNotFound).
var ErrNotFound = errkind.Sentinel("web: not found", errkind.NotFound)

// Searcher runs queries against the index. The server calls it for GET / and
// GET /api/search. A bad query (syntax the user can fix) must return an error
// that wraps errkind.Invalid (indexer.QueryError does); the server answers
// 400 with its message. Any other error is a 500.
type Searcher interface {
	Search(ctx context.Context, q indexer.Query) (indexer.Result, error)
}

// SearcherFunc adapts a function to Searcher.
type SearcherFunc func(ctx context.Context, q indexer.Query) (indexer.Result, error)

// Search implements Searcher.
func (f SearcherFunc) Search(ctx context.Context, q indexer.Query) (indexer.Result, error) {
	return f(ctx, q)
}

// ArticleView is everything the article page shows about one article.
type ArticleView struct {
	// Revisions are all known revisions, oldest first; the last one is current.
	Revisions []article.Article
	// Matches are the rules that matched the current revision, with term
	// offsets into its NFC title or body. Nil lets the server ask Rules.Try.
	Matches []article.Match
	Topics  []string
	Area    bool
}

// Articles reads articles by id (GET /articles/{id}, GET /api/articles/{id}).
// Get returns ErrNotFound for an unknown id.
type Articles interface {
	Get(ctx context.Context, id string) (ArticleView, error)
}

// AlertRecord is an alert with its acknowledgement state.
type AlertRecord struct {
	article.Alert
	AckedBy string    `json:"acked_by,omitempty"`
	AckedAt time.Time `json:"acked_at,omitzero"`
	AckNote string    `json:"ack_note,omitempty"`
}

// Acked reports whether someone acknowledged the alert.
func (r AlertRecord) Acked() bool { return r.AckedBy != "" }

// AlertFilter selects alerts for the inbox. Zero values mean "any".
type AlertFilter struct {
	Unacked bool
	Topic   string
	Since   time.Time
	Limit   int // 0: the store's default
}

// Alerts is the alert store (the alerts owner's records). List returns the
// newest first; the server filters by role afterwards, so the store need not
// know about roles. Ack records who acknowledged an alert; acknowledging an
// acknowledged alert again returns nil and keeps the first record. Get and Ack
// return ErrNotFound for an unknown id.
type Alerts interface {
	List(ctx context.Context, f AlertFilter) ([]AlertRecord, error)
	Get(ctx context.Context, id string) (AlertRecord, error)
	Ack(ctx context.Context, id, who, note string, when time.Time) error
}

// RuleInfo describes one loaded rule for the rules page.
type RuleInfo struct {
	ID        string   `json:"id"`
	Version   int      `json:"version"`
	Topic     string   `json:"topic"`
	Severity  string   `json:"severity"`
	Query     string   `json:"query"`
	NeedsArea bool     `json:"needs_area"`
	Audiences []string `json:"audiences,omitempty"`
	File      string   `json:"file,omitempty"`
}

// RuleResult is what matching one text gives, as `rules check --json` prints it.
type RuleResult struct {
	Area bool `json:"area"`
	// Places are the gazetteer names found (the text as written), for the
	// inbox's commune filter.
	Places  []string        `json:"places,omitempty"`
	Topics  []string        `json:"topics"`
	Matches []article.Match `json:"matches"`
}

// TopicInfo is a topic the rule set declares, with the Vietnamese name its
// pack gives it (empty: none).
type TopicInfo struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Rules is the loaded rule set. Try matches a text (offsets into its NFC
// form, Field empty or "body"); List gives the rules; Topics the declared
// topics in the pack's order (the order the digest shows them in);
// LastError is the error of the last reload, nil when the loaded rules are
// current.
type Rules interface {
	Try(ctx context.Context, text string) (RuleResult, error)
	List(ctx context.Context) ([]RuleInfo, error)
	Topics(ctx context.Context) ([]TopicInfo, error)
	LastError() error
}

// SourceStatus is one source's crawl health.
type SourceStatus struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	LastCrawl time.Time `json:"last_crawl,omitzero"`
	LastOK    time.Time `json:"last_ok,omitzero"` // last pass whose discovery worked
	LastError string    `json:"last_error,omitempty"`
	Failures  int       `json:"failures"` // consecutive failed passes, discovery included
	Articles  int       `json:"articles"` // new articles in the last 24 hours
	Disabled  bool      `json:"disabled,omitempty"`
	// LastNew is when the source last gave a new article; Stale is set when
	// that is longer ago than its stale_after intervals.
	LastNew time.Time `json:"last_new,omitzero"`
	Stale   bool      `json:"stale,omitempty"`
	Backlog int       `json:"backlog,omitempty"` // links waiting for later passes
}

// SourceHealth reports crawl health per source (admin page /sources).
type SourceHealth interface {
	Health(ctx context.Context) ([]SourceStatus, error)
}

// DigestInfo names one weekly digest in the archive.
type DigestInfo struct {
	ID       string    `json:"id"` // e.g. "2026-W47"
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Articles int       `json:"articles"`
	Created  time.Time `json:"created"`
}

// Digests is the digest archive. Get returns the digest's rendered HTML (the
// server shows it in a sandboxed frame) or ErrNotFound.
type Digests interface {
	List(ctx context.Context) ([]DigestInfo, error)
	Get(ctx context.Context, id string) ([]byte, error)
}

// DeadLetter is one poison message parked after bounded retries (the one
// dead-letter type, shared with the bus).
type DeadLetter = deadletter.Letter

// DeadLetters lists parked messages and puts one back on its stream.
// Retry returns ErrNotFound for an unknown id; a nil error means the message
// was republished durably and removed from the dead-letter stream.
type DeadLetters interface {
	List(ctx context.Context) ([]DeadLetter, error)
	Retry(ctx context.Context, id string) error
}

// Snapshots reads saved pages by the key in Article.Snapshot. Get returns the
// page's HTML, preferably decoded to UTF-8 (bytes that are not valid UTF-8 are
// decoded by their <meta charset>), or ErrNotFound. The server sanitises it.
type Snapshots interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// isNotFound reports whether err means "no such id" (errkind.NotFound:
// ErrNotFound, kv.ErrNotFound, indexer.ErrNotFound, alerts.ErrNotFound).
func isNotFound(err error) bool { return errkind.IsNotFound(err) }

// isBadQuery reports whether err is the user's fault (errkind.Invalid, as
// indexer.QueryError is).
func isBadQuery(err error) bool { return errkind.IsInvalid(err) }
