package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/kv"
)

// Bucket is the name of the KV bucket diembao keeps the watch's state in;
// a reader in another process (web role, year report) opens the same one.
const Bucket = "portals"

// The watch keeps its state in one kv.Store, under these keys:
//
//	portal.<portal>              portalState (downtime, hosts seen, TLS, notices sent)
//	watch.<portal>.<page>        watchState of a watched page (last copy, features)
//	page.<portal>.<page>         pageRecord: a page's text and date, for duties
//	finding.<alert id>           Finding (the newest 500), for the Portals and alert pages
//	diff.<alert id>              its diff between the two saved copies
//
// <page> is the page id: article.ID of its URL.

type portalState struct {
	FirstCheck  time.Time         `json:"first_check,omitzero"`
	LastCheck   time.Time         `json:"last_check,omitzero"`
	LastOK      time.Time         `json:"last_ok,omitzero"`
	LastError   string            `json:"last_error,omitempty"`
	Failures    int               `json:"failures"` // consecutive failed checks of the home page
	DownSince   time.Time         `json:"down_since,omitzero"`
	DownAlerted bool              `json:"down_alerted,omitempty"`
	Hosts       []string          `json:"hosts,omitempty"`  // outbound hosts seen, sorted
	Seeded      bool              `json:"seeded,omitempty"` // Hosts holds a first copy's hosts
	TLS         *crawler.TLSState `json:"tls,omitempty"`
	TLSAlerted  []string          `json:"tls_alerted,omitempty"` // "<kind>:<fingerprint>"
	Notices     []string          `json:"notices,omitempty"`     // "<duty>|<period>" missing-duty notices sent
}

type watchState struct {
	URL      string    `json:"url"`
	Revision int       `json:"revision"`
	Snapshot string    `json:"snapshot,omitempty"`
	SHA      string    `json:"sha,omitempty"`
	Status   int       `json:"status"`
	Fetched  time.Time `json:"fetched"`
	Features *Features `json:"features,omitempty"`
}

// pageRecord is a portal page as evidence for duties.
type pageRecord struct {
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Text      string    `json:"text"` // lead and body, clipped
	Published time.Time `json:"published,omitzero"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Gone      bool      `json:"gone,omitempty"`
	Watched   bool      `json:"watched,omitempty"`
}

// maxPageText bounds the text kept per page for duty matching.
const maxPageText = 32 << 10

// Finding is one alert's worth of what the watch found on a portal, kept
// for the alert page and the Portals page.
type Finding struct {
	AlertID    string    `json:"alert_id"`
	Portal     string    `json:"portal"`
	PortalName string    `json:"portal_name"`
	URL        string    `json:"url"`
	Kinds      []string  `json:"kinds"`   // finding kinds, see Kind*
	Details    []string  `json:"details"` // one line each, Vietnamese, untrusted parts included
	Severity   string    `json:"severity"`
	Found      time.Time `json:"found"`
	// The two saved copies compared (keys in SNAPSHOTS), when the finding
	// is a change of a page, and the diff between them.
	Old        string     `json:"old,omitempty"`
	New        string     `json:"new,omitempty"`
	OldFetched time.Time  `json:"old_fetched,omitzero"`
	NewFetched time.Time  `json:"new_fetched,omitzero"`
	Diff       []DiffLine `json:"diff,omitempty"`
}

// Finding kinds (the rule ids of the alert are "portal.<kind>").
const (
	KindHidden   = "hidden-link"
	KindScript   = "script"
	KindIframe   = "iframe"
	KindNewHost  = "new-host"
	KindSpam     = "spam"
	KindDeface   = "text-change"
	KindRemoved  = "removed"
	KindDown     = "down"
	KindTLSError = "tls-error"
	KindTLSSoon  = "tls-expiry"
	KindDuty     = "duty-missing"
)

// Topic is the alert topic of every portal finding.
const Topic = "portal"

func pageID(u string) string { return article.ID(u) }

func getJSON[T any](ctx context.Context, st kv.Store, key string) (T, uint64, error) {
	var v T
	e, err := st.Get(ctx, key)
	if errors.Is(err, kv.ErrNotFound) {
		return v, 0, nil
	}
	if err != nil {
		return v, 0, fmt.Errorf("portal state %s: %w", key, err)
	}
	if err := json.Unmarshal(e.Value, &v); err != nil {
		return v, 0, fmt.Errorf("portal state %s: %w", key, err)
	}
	return v, e.Revision, nil
}

func putJSON(ctx context.Context, st kv.Store, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("portal state %s: %w", key, err)
	}
	if _, err := st.Put(ctx, key, b); err != nil {
		return fmt.Errorf("portal state %s: %w", key, err)
	}
	return nil
}
