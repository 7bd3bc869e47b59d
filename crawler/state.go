package crawler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/diembao/diembao/internal/kv"
)

// Crawl state lives in a kv.Store (a JetStream KV bucket in production), so
// nothing about visited URLs is kept in memory between passes:
//
//	u.<sha256(url)>   urlState: conditional-GET validators of one fetched URL
//	a.<article id>    articleState: content hash and revision of one article
//	w.<article id>    watchState: pending re-fetches of a matched article
type urlState struct {
	URL          string    `json:"url"`
	Source       string    `json:"source"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	ArticleID    string    `json:"article_id,omitempty"`
	LastFetch    time.Time `json:"last_fetch"`
	LastStatus   int       `json:"last_status"`
}

type articleState struct {
	URL         string    `json:"url"`
	Canonical   string    `json:"canonical_url"`
	Source      string    `json:"source"`
	Title       string    `json:"title"`
	Published   time.Time `json:"published"`
	PubFrom     string    `json:"published_from,omitempty"`
	ContentHash string    `json:"content_hash"`
	Revision    int       `json:"revision"`
	Removed     bool      `json:"removed,omitempty"`
	LastSeen    time.Time `json:"last_seen"`
}

type watchState struct {
	URL    string      `json:"url"`
	Source string      `json:"source"`
	Due    []time.Time `json:"due"`
}

func urlKey(u string) string {
	sum := sha256.Sum256([]byte(u))
	return "u." + hex.EncodeToString(sum[:16])
}

func articleKey(id string) string { return "a." + id }
func watchKey(id string) string   { return "w." + id }

// getJSON reads crawl state; a corrupt record is treated as absent (and
// rewritten by the next put): crawl state can always be rebuilt.
func getJSON[T any](ctx context.Context, st kv.Store, key string) (T, bool, error) {
	v, err := kv.GetJSON[T](ctx, st, key)
	switch {
	case err == nil:
		return v, true, nil
	case errors.Is(err, kv.ErrNotFound), errors.Is(err, kv.ErrCorrupt):
		var zero T
		return zero, false, nil
	}
	return v, false, fmt.Errorf("state %s: %w", key, err)
}

func putJSON(ctx context.Context, st kv.Store, key string, v any) error {
	if err := kv.PutJSON(ctx, st, key, v); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}
