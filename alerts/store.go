package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
)

func marshal(v any) ([]byte, error) { return json.Marshal(v) }

func unmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// Delivery states of one alert for one audience.
const (
	StatePending    = "pending"    // waiting for its group (group_wait)
	StateSuppressed = "suppressed" // the story was alerted within the repeat window
	StateQueued     = "queued"     // in a mail on the outbox
	StateSent       = "sent"       // the SMTP server accepted it (for some or all recipients)
	StateFailed     = "failed"     // dead letter after MaxAttempts; Retry re-queues it
)

// Delivery is what happened to an alert for one audience.
type Delivery struct {
	State        string    `json:"state"`
	MailID       string    `json:"mail_id,omitempty"`
	MessageID    string    `json:"message_id,omitempty"`
	SuppressedBy string    `json:"suppressed_by,omitempty"` // the earlier alert id
	Refused      []Refusal `json:"refused,omitempty"`
	Error        string    `json:"error,omitempty"`
	At           time.Time `json:"at"`
}

// Record is an alert as kept and shown: the alert, its routing, its
// delivery per audience and its acknowledgement.
type Record struct {
	Alert      article.Alert       `json:"alert"`
	Audiences  []string            `json:"audiences"`
	Deliveries map[string]Delivery `json:"deliveries"`
	Received   time.Time           `json:"received"`
	Acked      bool                `json:"acked"`
	AckedBy    string              `json:"acked_by,omitempty"`
	AckedAt    time.Time           `json:"acked_at,omitzero"`
	AckNote    string              `json:"ack_note,omitempty"`
}

// ID returns the alert id.
func (r Record) ID() string { return r.Alert.ID }

// Filter selects records for List. Zero fields select everything.
type Filter struct {
	Topic    string
	Severity string // minimum severity
	Audience string // only records routed to this audience
	// Audiences, if set, keeps records routed to at least one of them
	// (a signed-in role's audiences: police-only alerts stay invisible).
	Audiences []string
	Acked     *bool
	Since     time.Time // Received at or after
	Offset    int
	Limit     int // default 50
}

// Page is one page of records, newest first, and the total that matched.
type Page struct {
	Records []Record `json:"records"`
	Total   int      `json:"total"`
}

// ErrNotFound is returned by Get and Ack for an unknown alert id.
var ErrNotFound = errkind.Sentinel("alerts: alert not found", errkind.NotFound)

// Store reads and acknowledges alert records. Its state is the kv.Store
// shared with Notifier and Sender, so it survives restarts.
type Store struct {
	kv  kv.Store
	now func() time.Time
}

// NewStore returns a Store over st (the notifier's bucket).
func NewStore(st kv.Store) (*Store, error) {
	if st == nil {
		return nil, errors.New("alerts: nil kv.Store")
	}
	return &Store{kv: st, now: time.Now}, nil
}

func recordKey(id string) string { return "alert." + id }

// Get returns one record, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (Record, error) {
	if !validID(id) {
		return Record{}, ErrNotFound
	}
	r, err := getJSON[Record](ctx, s.kv, recordKey(id))
	if errors.Is(err, kv.ErrNotFound) {
		return Record{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return r, err
}

// List returns the records that match f, newest first.
func (s *Store) List(ctx context.Context, f Filter) (Page, error) {
	keys, err := s.kv.Keys(ctx, "alert.")
	if err != nil {
		return Page{}, fmt.Errorf("list alerts: %w", err)
	}
	var all []Record
	minRank := article.SeverityRank(f.Severity)
	for _, k := range keys {
		r, err := getJSON[Record](ctx, s.kv, k)
		if errors.Is(err, kv.ErrNotFound) {
			continue
		}
		if err != nil {
			return Page{}, err
		}
		if f.Topic != "" && !slices.Contains(r.Alert.Topics, f.Topic) {
			continue
		}
		if f.Severity != "" && article.SeverityRank(r.Alert.Severity) < minRank {
			continue
		}
		if f.Audience != "" && !slices.Contains(r.Audiences, f.Audience) {
			continue
		}
		if len(f.Audiences) > 0 && !slices.ContainsFunc(r.Audiences, func(a string) bool { return slices.Contains(f.Audiences, a) }) {
			continue
		}
		if f.Acked != nil && r.Acked != *f.Acked {
			continue
		}
		if !f.Since.IsZero() && r.Received.Before(f.Since) {
			continue
		}
		all = append(all, r)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].Received.Equal(all[j].Received) {
			return all[i].Received.After(all[j].Received)
		}
		return all[i].Alert.ID < all[j].Alert.ID
	})
	p := Page{Total: len(all)}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	if f.Offset < len(all) && f.Offset >= 0 {
		p.Records = all[f.Offset:min(len(all), f.Offset+limit)]
	}
	return p, nil
}

// Ack acknowledges an alert: who, when and a note. Acknowledging again
// overwrites the earlier acknowledgement.
func (s *Store) Ack(ctx context.Context, id, who, note string, when time.Time) (Record, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return Record{}, err
	}
	if when.IsZero() {
		when = s.now()
	}
	return updateJSON(ctx, s.kv, recordKey(id), func(r *Record) error {
		if r.Alert.ID == "" {
			return fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		r.Acked, r.AckedBy, r.AckedAt, r.AckNote = true, who, when, strings.TrimSpace(note)
		return nil
	})
}

func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
