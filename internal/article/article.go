// Package article holds the wire schema shared by every stage: the Article the
// crawler publishes on ARTICLES and the Alert the matcher publishes on ALERTS.
// In: nothing. Out: plain data types with deterministic ids. No I/O.
package article

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"
)

// Version is the schema version written in every message ("v").
const Version = 1

// Date methods: how an article's published time was found.
const (
	DateJSONLD = "jsonld"
	DateMeta   = "meta"
	DateFeed   = "feed"
	DateText   = "text"
	DateURL    = "url"
	// DateFetched: the page states no publication date; Published is the
	// fetch time (shown as "ngày phát hiện", the day it was found).
	DateFetched = "fetched"
)

// Source kinds.
const (
	KindPress   = "press"
	KindPortal  = "portal"
	KindForeign = "foreign"
)

// Article is one revision of one crawled page, as published on ARTICLES.
// Text fields are NFC-normalised by internal/textnorm before publication.
type Article struct {
	V            int      `json:"v"`
	ID           string   `json:"id"` // ID(CanonicalURL)
	URL          string   `json:"url"`
	CanonicalURL string   `json:"canonical_url"`
	Source       string   `json:"source"`
	SourceKind   string   `json:"source_kind"`
	Lang         string   `json:"lang"`
	Title        string   `json:"title"`
	Lead         string   `json:"lead,omitempty"`
	Body         string   `json:"body"`
	Authors      []string `json:"authors,omitempty"`
	Section      string   `json:"section,omitempty"`
	// Published is RFC 3339 with the UTC offset the page wrote (a page at
	// −05:00 keeps −05:00; a zone-less Vietnamese date is +07:00). Convert
	// explicitly (Asia/Ho_Chi_Minh) wherever a Vietnamese calendar day is
	// wanted: digest week, UI, mails.
	Published time.Time `json:"published"`
	// PublishedFrom is how Published was found: jsonld, meta, feed, text,
	// url, or fetched (no date on the page: Published is the fetch time).
	PublishedFrom string    `json:"published_from,omitempty"`
	Modified      time.Time `json:"modified,omitzero"`
	Fetched       time.Time `json:"fetched"`
	Charset       string    `json:"charset,omitempty"`
	// LegacyEncoding names a repaired legacy encoding (tcvn3, vni, mojibake), if any.
	LegacyEncoding string `json:"legacy_encoding,omitempty"`
	ContentHash    string `json:"content_hash"`
	Revision       int    `json:"revision"`
	Snapshot       string `json:"snapshot,omitempty"` // key of the raw page in SNAPSHOTS
	// Removed is set on a revision that records the page answering 404/410.
	Removed bool `json:"removed,omitempty"`
	// Matched is what the rule engine found in this revision, matched once
	// before publication; the indexer, the matcher and the article page read
	// it instead of matching again. Optional: messages without it (older
	// ones, other producers) are matched by the stage that reads them.
	Matched *Matched `json:"matched,omitempty"`
}

// Matched is the rule engine's verdict on one article revision.
type Matched struct {
	// Area: the gazetteer found the Thường Xuân area.
	Area bool `json:"area"`
	// Topics of every rule whose query matched, sorted (they classify the
	// article for search), whether or not the rule needs the area.
	Topics []string `json:"topics,omitempty"`
	// Matches are the rules that fire (these make alerts), with their terms.
	Matches []Match `json:"matches,omitempty"`
}

// ID returns the deterministic article id for a canonical URL: the first 16
// bytes of its SHA-256, hex encoded.
func ID(canonicalURL string) string {
	sum := sha256.Sum256([]byte(canonicalURL))
	return hex.EncodeToString(sum[:16])
}

// ContentHash returns the hash of the fields that make a revision: title,
// lead, body and the removed flag. Fetch time and headers do not count.
func ContentHash(a Article) string {
	h := sha256.New()
	h.Write([]byte(a.Title))
	h.Write([]byte{0})
	h.Write([]byte(a.Lead))
	h.Write([]byte{0})
	h.Write([]byte(a.Body))
	if a.Removed {
		h.Write([]byte{0, 'x'})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// MsgID is the Nats-Msg-Id of an article revision: a re-crawl of an
// unchanged page is dropped by the stream's duplicate window.
func (a Article) MsgID() string { return a.ID + "-" + a.ContentHash }

// Term is one matched term with byte offsets into the NFC-normalised text of
// the field it was found in.
type Term struct {
	Text  string `json:"text"`
	Field string `json:"field,omitempty"` // "title", "lead" or "body"; empty means body
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// Match is one rule that matched an article.
type Match struct {
	Rule      string   `json:"rule"`
	Version   int      `json:"version"`
	Topic     string   `json:"topic"`
	Severity  string   `json:"severity"`
	Audiences []string `json:"audiences,omitempty"`
	Terms     []Term   `json:"terms"`
}

// Severities in increasing order.
var severities = []string{"info", "low", "medium", "high", "critical"}

// SeverityRank orders severities: info 0 … critical 4; unknown is -1.
func SeverityRank(s string) int {
	for i, v := range severities {
		if v == s {
			return i
		}
	}
	return -1
}

// Alert is published on ALERTS for an article revision that matched rules it
// had not matched before.
type Alert struct {
	V          int       `json:"v"`
	ID         string    `json:"id"` // AlertID(article id, rule ids)
	ArticleID  string    `json:"article_id"`
	Revision   int       `json:"revision"`
	URL        string    `json:"url"`
	Title      string    `json:"title"`
	Lead       string    `json:"lead,omitempty"`
	Snippet    string    `json:"snippet,omitempty"` // plain text, unescaped
	Source     string    `json:"source"`
	SourceKind string    `json:"source_kind"`
	Published  time.Time `json:"published"`
	// PublishedFrom is the article's: "fetched" means Published is the day
	// the page was found ("ngày phát hiện").
	PublishedFrom string   `json:"published_from,omitempty"`
	Area          bool     `json:"area"`
	Topics        []string `json:"topics"`
	Severity      string   `json:"severity"` // the highest of Matches
	Matches       []Match  `json:"matches"`
	Audiences     []string `json:"audiences,omitempty"`
	// ContentHash of the article revision, for reprint detection.
	ContentHash string    `json:"content_hash,omitempty"`
	Created     time.Time `json:"created"`
}

// HashID returns a short deterministic id of parts (32 hex digits): mail,
// digest and story ids. Parts are separated, so ("ab","c") ≠ ("a","bc").
func HashID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// AlertID is deterministic: the article id plus the sorted ids of the rules
// that are new in this revision.
func AlertID(articleID string, ruleIDs []string) string {
	ids := append([]string(nil), ruleIDs...)
	sort.Strings(ids)
	sum := sha256.Sum256([]byte(articleID + "|" + strings.Join(ids, ",")))
	return hex.EncodeToString(sum[:16])
}
