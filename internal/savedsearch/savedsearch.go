// Package savedsearch keeps the analysts' saved searches and their
// subscriptions: each user's searches (a query with its filters), a private
// Atom feed token per search, signed one-click unsubscribe tokens, and the
// Notifier that mails an owner the new articles of a search, at once or as a
// daily summary.
// In: a kv.Store (the accounts bucket), a Finder (the index) and a Mailer
// (the outbox). Out: Search records, tokens and Messages. No HTTP, no bus.
//
// Keys in the store:
//
//	ss.<base64url owner>.<id>   Search
//	ssfeed.<token>              the owner and id of the search a feed token opens
//	ssseen.<id>                 article ids already reported for a search
//	sspending.<id>              new articles waiting for the daily summary
//	sssecret                    the HMAC key of unsubscribe tokens (32 random bytes)
package savedsearch

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao/internal/kv"
)

// Notification modes of a Search.
const (
	NotifyNone      = ""          // no mail
	NotifyImmediate = "immediate" // one mail as soon as new articles match
	NotifyDaily     = "daily"     // one summary a day
)

// Date range presets (Search.Range): relative to the day the search runs.
const (
	RangeToday = "today"
	Range7d    = "7d"
	Range30d   = "30d"
	RangeYear  = "year"
)

// ErrNotFound is returned for an unknown search, feed token or a token that
// does not verify.
var ErrNotFound = errors.New("savedsearch: not found")

// Search is one saved search: a query with its filters, as the search page
// takes them, and how its owner is told about new articles.
type Search struct {
	ID      string   `json:"id"`
	Owner   string   `json:"owner"`
	Name    string   `json:"name"`
	Query   string   `json:"query"`
	Sources []string `json:"sources,omitempty"`
	Topics  []string `json:"topics,omitempty"`
	Area    string   `json:"area,omitempty"`  // "", "true" or "false"
	Range   string   `json:"range,omitempty"` // a preset, or ""
	From    string   `json:"from,omitempty"`  // YYYY-MM-DD, when Range is ""
	To      string   `json:"to,omitempty"`
	Notify  string   `json:"notify,omitempty"`
	// FeedToken opens the Atom feed without login; empty: no feed.
	FeedToken string    `json:"feed_token,omitempty"`
	Created   time.Time `json:"created"`
	// LastDaily is when the last daily summary went out (or the search began).
	LastDaily time.Time `json:"last_daily,omitzero"`
}

var idRE = regexp.MustCompile(`^[a-f0-9]{16}$`)

// ValidID reports whether id has the form New gives.
func ValidID(id string) bool { return idRE.MatchString(id) }

// Check reports what is wrong with s for a user to fix, or nil.
func (s Search) Check() error {
	switch {
	case strings.TrimSpace(s.Name) == "":
		return errors.New("cần đặt tên cho tìm kiếm")
	case utf8.RuneCountInString(s.Name) > 120:
		return errors.New("tên dài quá 120 ký tự")
	case utf8.RuneCountInString(s.Query) > 500:
		return errors.New("truy vấn dài quá 500 ký tự")
	case strings.TrimSpace(s.Query) == "" && len(s.Sources)+len(s.Topics) == 0 && s.Area == "":
		return errors.New("tìm kiếm cần từ khóa hoặc ít nhất một bộ lọc")
	}
	switch s.Notify {
	case NotifyNone, NotifyImmediate, NotifyDaily:
	default:
		return fmt.Errorf("cách báo %q không hợp lệ", s.Notify)
	}
	switch s.Range {
	case "", RangeToday, Range7d, Range30d, RangeYear:
	default:
		return fmt.Errorf("khoảng thời gian %q không hợp lệ", s.Range)
	}
	return nil
}

// Window returns the date range the search covers on the day of now, in loc:
// a preset is relative to that day; otherwise From and To (zero: open).
// to is the last instant of its day.
func (s Search) Window(now time.Time, loc *time.Location) (from, to time.Time) {
	return RangeWindow(s.Range, now, loc)
}

// RangeWindow returns the window of a preset (zero times for "" or unknown).
func RangeWindow(preset string, now time.Time, loc *time.Location) (from, to time.Time) {
	n := now.In(loc)
	day := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	end := day.AddDate(0, 0, 1).Add(-time.Nanosecond)
	switch preset {
	case RangeToday:
		return day, end
	case Range7d:
		return day.AddDate(0, 0, -6), end
	case Range30d:
		return day.AddDate(0, 0, -29), end
	case RangeYear:
		return time.Date(n.Year(), 1, 1, 0, 0, 0, 0, loc), end
	}
	return time.Time{}, time.Time{}
}

// Store keeps saved searches in a kv.Store.
type Store struct {
	kv  kv.Store
	now func() time.Time
}

// NewStore returns a Store on st.
func NewStore(st kv.Store) (*Store, error) {
	if st == nil {
		return nil, errors.New("savedsearch: nil kv.Store")
	}
	return &Store{kv: st, now: time.Now}, nil
}

func ownerKey(owner string) string { return base64.RawURLEncoding.EncodeToString([]byte(owner)) }

func searchKey(owner, id string) string { return "ss." + ownerKey(owner) + "." + id }

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Add saves a new search for s.Owner, with a fresh id and feed token, and
// returns it.
func (st *Store) Add(ctx context.Context, s Search) (Search, error) {
	if s.Owner == "" {
		return s, errors.New("savedsearch: no owner")
	}
	if err := s.Check(); err != nil {
		return s, err
	}
	s.ID = newID()
	s.FeedToken = rand.Text()
	s.Created = st.now().UTC()
	s.LastDaily = s.Created
	if err := st.putFeed(ctx, s); err != nil {
		return s, err
	}
	if err := st.put(ctx, s, true); err != nil {
		return s, err
	}
	return s, nil
}

func (st *Store) put(ctx context.Context, s Search, create bool) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if create {
		_, err = st.kv.Create(ctx, searchKey(s.Owner, s.ID), b)
	} else {
		_, err = st.kv.Put(ctx, searchKey(s.Owner, s.ID), b)
	}
	if err != nil {
		return fmt.Errorf("save search %s: %w", s.ID, err)
	}
	return nil
}

type feedRef struct {
	Owner string `json:"owner"`
	ID    string `json:"id"`
}

func (st *Store) putFeed(ctx context.Context, s Search) error {
	b, _ := json.Marshal(feedRef{Owner: s.Owner, ID: s.ID})
	if _, err := st.kv.Put(ctx, "ssfeed."+s.FeedToken, b); err != nil {
		return fmt.Errorf("save feed token: %w", err)
	}
	return nil
}

// Get returns one of owner's searches, or ErrNotFound.
func (st *Store) Get(ctx context.Context, owner, id string) (Search, error) {
	if !ValidID(id) {
		return Search{}, ErrNotFound
	}
	e, err := st.kv.Get(ctx, searchKey(owner, id))
	if errors.Is(err, kv.ErrNotFound) {
		return Search{}, fmt.Errorf("search %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Search{}, fmt.Errorf("search %s: %w", id, err)
	}
	var s Search
	if err := json.Unmarshal(e.Value, &s); err != nil {
		return Search{}, fmt.Errorf("search %s: %w", id, err)
	}
	return s, nil
}

// List returns owner's searches, oldest first; owner "" lists everyone's.
func (st *Store) List(ctx context.Context, owner string) ([]Search, error) {
	prefix := "ss."
	if owner != "" {
		prefix += ownerKey(owner) + "."
	}
	keys, err := st.kv.Keys(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("list searches: %w", err)
	}
	var out []Search
	for _, k := range keys {
		e, err := st.kv.Get(ctx, k)
		if err != nil {
			continue // deleted meanwhile
		}
		var s Search
		if json.Unmarshal(e.Value, &s) == nil {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Search) int { return a.Created.Compare(b.Created) })
	return out, nil
}

// Update changes the name and notification mode of a search (the query is
// fixed: save a new search for another query).
func (st *Store) Update(ctx context.Context, owner, id, name, notify string) (Search, error) {
	s, err := st.Get(ctx, owner, id)
	if err != nil {
		return s, err
	}
	s.Name, s.Notify = strings.TrimSpace(name), notify
	if err := s.Check(); err != nil {
		return s, err
	}
	return s, st.put(ctx, s, false)
}

// SetNotify changes only the notification mode (unsubscribe sets NotifyNone).
func (st *Store) SetNotify(ctx context.Context, owner, id, notify string) error {
	s, err := st.Get(ctx, owner, id)
	if err != nil {
		return err
	}
	s.Notify = notify
	return st.put(ctx, s, false)
}

// Delete removes a search, its feed token and its notification state.
func (st *Store) Delete(ctx context.Context, owner, id string) error {
	s, err := st.Get(ctx, owner, id)
	if err != nil {
		return err
	}
	for _, k := range []string{"ssfeed." + s.FeedToken, "ssseen." + id, "sspending." + id, searchKey(owner, id)} {
		if err := st.kv.Delete(ctx, k); err != nil && !errors.Is(err, kv.ErrNotFound) {
			return fmt.Errorf("delete search %s: %w", id, err)
		}
	}
	return nil
}

// RotateFeed gives a search a new feed token; the old feed address stops
// working at once.
func (st *Store) RotateFeed(ctx context.Context, owner, id string) (Search, error) {
	s, err := st.Get(ctx, owner, id)
	if err != nil {
		return s, err
	}
	old := s.FeedToken
	s.FeedToken = rand.Text()
	if err := st.putFeed(ctx, s); err != nil {
		return s, err
	}
	if err := st.put(ctx, s, false); err != nil {
		return s, err
	}
	if old != "" {
		if err := st.kv.Delete(ctx, "ssfeed."+old); err != nil && !errors.Is(err, kv.ErrNotFound) {
			return s, fmt.Errorf("revoke feed token: %w", err)
		}
	}
	return s, nil
}

var tokenRE = regexp.MustCompile(`^[A-Z2-7]{26}$`)

// ByFeedToken returns the search a feed token opens, or ErrNotFound.
func (st *Store) ByFeedToken(ctx context.Context, token string) (Search, error) {
	if !tokenRE.MatchString(token) {
		return Search{}, ErrNotFound
	}
	e, err := st.kv.Get(ctx, "ssfeed."+token)
	if errors.Is(err, kv.ErrNotFound) {
		return Search{}, ErrNotFound
	}
	if err != nil {
		return Search{}, fmt.Errorf("feed token: %w", err)
	}
	var ref feedRef
	if err := json.Unmarshal(e.Value, &ref); err != nil {
		return Search{}, fmt.Errorf("feed token: %w", err)
	}
	s, err := st.Get(ctx, ref.Owner, ref.ID)
	if err != nil {
		return s, err
	}
	if subtle.ConstantTimeCompare([]byte(s.FeedToken), []byte(token)) != 1 {
		return Search{}, ErrNotFound // rotated in a race
	}
	return s, nil
}

// secret returns the HMAC key of unsubscribe tokens, creating it once.
func (st *Store) secret(ctx context.Context) ([]byte, error) {
	e, err := st.kv.Get(ctx, "sssecret")
	if err == nil && len(e.Value) >= 32 {
		return e.Value, nil
	}
	if err != nil && !errors.Is(err, kv.ErrNotFound) {
		return nil, fmt.Errorf("unsubscribe secret: %w", err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if _, err := st.kv.Create(ctx, "sssecret", b); err != nil && !errors.Is(err, kv.ErrExists) {
		return nil, fmt.Errorf("unsubscribe secret: %w", err)
	}
	e, err = st.kv.Get(ctx, "sssecret") // whoever created it first wins
	if err != nil {
		return nil, fmt.Errorf("unsubscribe secret: %w", err)
	}
	return e.Value, nil
}

// UnsubscribeToken signs (owner, id): the token in the one-click
// unsubscribe link of the search's mails.
func (st *Store) UnsubscribeToken(ctx context.Context, owner, id string) (string, error) {
	key, err := st.secret(ctx)
	if err != nil {
		return "", err
	}
	return sign(key, owner, id), nil
}

func sign(key []byte, owner, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("unsubscribe\x00" + owner + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Unsubscribe verifies token and turns the search's mails off. A wrong
// token or an unknown search gives ErrNotFound; unsubscribing twice is nil.
func (st *Store) Unsubscribe(ctx context.Context, owner, id, token string) (Search, error) {
	if err := st.VerifyUnsubscribe(ctx, owner, id, token); err != nil {
		return Search{}, err
	}
	s, err := st.Get(ctx, owner, id)
	if err != nil {
		return s, err
	}
	if s.Notify == NotifyNone {
		return s, nil
	}
	s.Notify = NotifyNone
	return s, st.put(ctx, s, false)
}

// VerifyUnsubscribe checks a token without changing anything.
func (st *Store) VerifyUnsubscribe(ctx context.Context, owner, id, token string) error {
	key, err := st.secret(ctx)
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(sign(key, owner, id)), []byte(token)) {
		return ErrNotFound
	}
	return nil
}
