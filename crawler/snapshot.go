package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/diembao/diembao/internal/article"
)

// SnapshotStore keeps saved copies of pages. The crawler calls PutSnapshot
// before publishing the revision that refers to key; nil means the copy is
// durable (the lead stores it on the SNAPSHOTS stream).
type SnapshotStore interface {
	PutSnapshot(ctx context.Context, key string, s Snapshot) error
}

// SnapshotFunc adapts a function to SnapshotStore.
type SnapshotFunc func(ctx context.Context, key string, s Snapshot) error

// PutSnapshot implements SnapshotStore.
func (f SnapshotFunc) PutSnapshot(ctx context.Context, key string, s Snapshot) error {
	return f(ctx, key, s)
}

// Snapshot is the saved copy of one page revision: the raw body exactly as
// received (after transfer decoding), gzip-compressed, with its SHA-256.
type Snapshot struct {
	V         int         `json:"v"`
	ArticleID string      `json:"article_id"`
	Revision  int         `json:"revision"`
	URL       string      `json:"url"`       // requested
	FinalURL  string      `json:"final_url"` // after redirects
	Status    int         `json:"status"`
	Header    http.Header `json:"header"`
	Fetched   time.Time   `json:"fetched"`
	SHA256    string      `json:"sha256"` // of the raw body
	Size      int         `json:"size"`   // raw body length
	Encoding  string      `json:"encoding"`
	Body      []byte      `json:"body"` // gzip of the raw body
	// Truncated: the compressed body would not fit MaxSnapshot, so Body
	// holds only the start of the page (SHA256 and Size still describe
	// the whole body).
	Truncated bool `json:"truncated,omitempty"`
}

// MaxSnapshot bounds a snapshot's compressed body so that it fits one bus
// message (NATS max_payload defaults to 1 MiB).
const MaxSnapshot = 768 << 10

// SnapshotKey is the key of an article revision's saved copy.
func SnapshotKey(articleID string, revision int) string {
	return articleID + "." + strconv.Itoa(revision)
}

// newSnapshot compresses a fetched body into a Snapshot.
func newSnapshot(a article.Article, res *response) (Snapshot, error) {
	raw := res.Body
	z, err := gzipBytes(raw)
	if err != nil {
		return Snapshot{}, err
	}
	truncated := false
	for len(z) > MaxSnapshot && len(raw) > 0 {
		raw = raw[:int64(len(raw))*MaxSnapshot/int64(len(z))*9/10]
		if z, err = gzipBytes(raw); err != nil {
			return Snapshot{}, err
		}
		truncated = true
	}
	sum := sha256.Sum256(res.Body)
	h := res.Header.Clone()
	for _, k := range []string{"Set-Cookie", "Authorization"} {
		h.Del(k)
	}
	return Snapshot{
		V: 1, ArticleID: a.ID, Revision: a.Revision, URL: res.URL, FinalURL: res.FinalURL,
		Status: res.Status, Header: h, Fetched: res.Fetched, SHA256: hex.EncodeToString(sum[:]),
		Size: len(res.Body), Encoding: "gzip", Body: z, Truncated: truncated,
	}, nil
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MarshalSnapshot encodes a Snapshot for storage (JSON; the body is already compressed).
func MarshalSnapshot(s Snapshot) ([]byte, error) { return json.Marshal(s) }

// UnmarshalSnapshot decodes what MarshalSnapshot wrote.
func UnmarshalSnapshot(b []byte) (Snapshot, error) {
	var s Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return Snapshot{}, fmt.Errorf("snapshot: %w", err)
	}
	return s, nil
}

// ErrSnapshotCorrupt: the decompressed body does not match its SHA-256.
var ErrSnapshotCorrupt = errors.New("snapshot: body does not match sha256")

// Raw returns the decompressed raw body, checked against SHA256 (unless
// Truncated: then it is the start of the page and cannot be checked). maxSize
// bounds the output (0: 64 MiB).
func (s Snapshot) Raw(maxSize int64) ([]byte, error) {
	if maxSize <= 0 {
		maxSize = 64 << 20
	}
	var raw []byte
	switch s.Encoding {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(s.Body))
		if err != nil {
			return nil, fmt.Errorf("snapshot: %w", err)
		}
		raw, err = io.ReadAll(io.LimitReader(zr, maxSize+1))
		if err != nil {
			return nil, fmt.Errorf("snapshot: %w", err)
		}
		if int64(len(raw)) > maxSize {
			return nil, fmt.Errorf("snapshot: larger than %d bytes", maxSize)
		}
	case "", "identity":
		raw = s.Body
	default:
		return nil, fmt.Errorf("snapshot: unknown encoding %q", s.Encoding)
	}
	sum := sha256.Sum256(raw)
	if !s.Truncated && hex.EncodeToString(sum[:]) != s.SHA256 {
		return nil, ErrSnapshotCorrupt
	}
	return raw, nil
}

// HTML returns the saved page decoded to UTF-8 (charset from its headers,
// BOM or meta), for rendering by the UI. The caller must still sanitise it.
func (s Snapshot) HTML() (string, error) {
	raw, err := s.Raw(0)
	if err != nil {
		return "", err
	}
	text, _ := decodeBody(raw, s.Header.Get("Content-Type"))
	text, _ = repairLegacy(text)
	return text, nil
}
