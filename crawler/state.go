package crawler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

func getJSON[T any](ctx context.Context, st kv.Store, key string) (T, bool, error) {
	var v T
	e, err := st.Get(ctx, key)
	if errors.Is(err, kv.ErrNotFound) {
		return v, false, nil
	}
	if err != nil {
		return v, false, fmt.Errorf("state %s: %w", key, err)
	}
	if err := json.Unmarshal(e.Value, &v); err != nil {
		return v, false, nil // a corrupt record is treated as absent and rewritten
	}
	return v, true, nil
}

func putJSON(ctx context.Context, st kv.Store, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := st.Put(ctx, key, b); err != nil {
		return fmt.Errorf("state %s: %w", key, err)
	}
	return nil
}
