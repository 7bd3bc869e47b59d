package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
)

// Roles. An analyst searches and reads; police also sees police-only alerts;
// an admin sees everything and the admin pages (sources, rules, dead letters,
// audit log).
const (
	RoleAnalyst = "analyst"
	RolePolice  = "police"
	RoleAdmin   = "admin"
)

// ValidRole reports whether r is one of the three roles.
func ValidRole(r string) bool { return r == RoleAnalyst || r == RolePolice || r == RoleAdmin }

// Errors of Accounts.
var (
	ErrBadCredentials = errors.New("web: wrong user name or password")
	ErrUserExists     = errors.New("web: user exists")
)

// User is one account. Hash is the bcrypt hash of the password.
type User struct {
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	Hash     []byte    `json:"hash"`
	Created  time.Time `json:"created"`
	Disabled bool      `json:"disabled,omitempty"`
	// Email is where saved-search notifications go (empty: none).
	Email string `json:"email,omitempty"`
}

// Session is a signed-in browser. The cookie holds a random token; the store
// holds only its SHA-256, so a leaked bucket does not leak live sessions.
type Session struct {
	User    string    `json:"user"`
	CSRF    string    `json:"csrf"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

// AuditEntry records who viewed or acknowledged which alert.
type AuditEntry struct {
	Time    time.Time `json:"time"`
	User    string    `json:"user"`
	Action  string    `json:"action"` // "view", "ack", "login", "login_failed", "retry"
	AlertID string    `json:"alert_id,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

// Accounts keeps users, sessions and the audit log in one kv.Store (a
// JetStream KV bucket in production, kv.NewMemory in tests). Keys:
// user.<base64url name>, session.<sha256 hex>, and
// audit.<base64url alert id, or _>.<unix nanos>-<random>: an alert's entries
// are listed by their prefix, without reading anyone else's.
type Accounts struct {
	store kv.Store
	cost  int
	now   func() time.Time
	once  sync.Once
	dummy []byte // hash compared when the user does not exist
}

// NewAccounts returns Accounts on store.
func NewAccounts(store kv.Store) *Accounts {
	return &Accounts{store: store, cost: bcrypt.DefaultCost, now: time.Now}
}

var userNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

func userKey(name string) string {
	return "user." + base64.RawURLEncoding.EncodeToString([]byte(name))
}

// GeneratePassword returns a random password of 26 base32 characters (130 bits).
func GeneratePassword() string { return rand.Text() }

// Add creates a user. The name is lower case [a-z0-9._-], up to 64
// characters; the password at least 10 characters.
func (a *Accounts) Add(ctx context.Context, name, role, password string) error {
	if !userNameRE.MatchString(name) {
		return fmt.Errorf("add user %q: %w: name must be lower case letters, digits, '.', '_' or '-'", name, errkind.Permanent)
	}
	if !ValidRole(role) {
		return fmt.Errorf("add user %q: %w: role %q is not analyst, police or admin", name, errkind.Permanent, role)
	}
	if len(password) < 10 {
		return fmt.Errorf("add user %q: %w: password shorter than 10 characters", name, errkind.Permanent)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), a.cost)
	if err != nil {
		return fmt.Errorf("add user %q: %w", name, err)
	}
	b, _ := json.Marshal(User{Name: name, Role: role, Hash: hash, Created: a.now().UTC()})
	if _, err := a.store.Create(ctx, userKey(name), b); err != nil {
		if errors.Is(err, kv.ErrExists) {
			return fmt.Errorf("add user %q: %w", name, ErrUserExists)
		}
		return fmt.Errorf("add user %q: %w", name, err)
	}
	return nil
}

// Get returns a user, or an error wrapping ErrNotFound.
func (a *Accounts) Get(ctx context.Context, name string) (User, error) {
	if !userNameRE.MatchString(name) {
		return User{}, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	e, err := a.store.Get(ctx, userKey(name))
	if err != nil {
		if errors.Is(err, kv.ErrNotFound) {
			return User{}, fmt.Errorf("user %q: %w", name, ErrNotFound)
		}
		return User{}, fmt.Errorf("user %q: %w", name, err)
	}
	var u User
	if err := json.Unmarshal(e.Value, &u); err != nil {
		return User{}, fmt.Errorf("user %q: %w", name, err)
	}
	return u, nil
}

// List returns all users sorted by name, without their hashes.
func (a *Accounts) List(ctx context.Context) ([]User, error) {
	keys, err := a.store.Keys(ctx, "user.")
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	var out []User
	for _, k := range keys {
		e, err := a.store.Get(ctx, k)
		if err != nil {
			continue // deleted meanwhile
		}
		var u User
		if json.Unmarshal(e.Value, &u) == nil {
			u.Hash = nil
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Authenticate checks a password. It returns ErrBadCredentials for an unknown
// user, a disabled user or a wrong password, taking about the same time.
func (a *Accounts) Authenticate(ctx context.Context, name, password string) (User, error) {
	u, err := a.Get(ctx, strings.ToLower(strings.TrimSpace(name)))
	if err != nil && !isNotFound(err) {
		return User{}, err
	}
	hash := u.Hash
	if err != nil || len(hash) == 0 {
		a.once.Do(func() {
			a.dummy, _ = bcrypt.GenerateFromPassword([]byte("not a password"), a.cost)
		})
		hash = a.dummy
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || err != nil || u.Disabled {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "session." + hex.EncodeToString(sum[:])
}

// NewSession stores a session for user and returns its cookie token.
func (a *Accounts) NewSession(ctx context.Context, user string, ttl time.Duration) (string, Session, error) {
	token := rand.Text() + rand.Text()
	now := a.now().UTC()
	s := Session{User: user, CSRF: rand.Text(), Created: now, Expires: now.Add(ttl)}
	b, _ := json.Marshal(s)
	if _, err := a.store.Put(ctx, sessionKey(token), b); err != nil {
		return "", Session{}, fmt.Errorf("new session for %q: %w", user, err)
	}
	return token, s, nil
}

// Session returns the live session of a cookie token, or ErrNotFound.
func (a *Accounts) Session(ctx context.Context, token string) (Session, error) {
	if token == "" || len(token) > 128 {
		return Session{}, ErrNotFound
	}
	e, err := a.store.Get(ctx, sessionKey(token))
	if err != nil {
		if errors.Is(err, kv.ErrNotFound) {
			return Session{}, ErrNotFound
		}
		return Session{}, fmt.Errorf("session: %w", err)
	}
	var s Session
	if err := json.Unmarshal(e.Value, &s); err != nil {
		return Session{}, fmt.Errorf("session: %w", err)
	}
	if !a.now().Before(s.Expires) {
		_ = a.store.Delete(ctx, sessionKey(token))
		return Session{}, ErrNotFound
	}
	return s, nil
}

// EndSession deletes a session (log out).
func (a *Accounts) EndSession(ctx context.Context, token string) error {
	return a.store.Delete(ctx, sessionKey(token))
}

// Audit appends an entry to the audit log.
func (a *Accounts) Audit(ctx context.Context, e AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = a.now()
	}
	e.Time = e.Time.UTC()
	b, _ := json.Marshal(e)
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	key := fmt.Sprintf("%s%020d-%s", auditPrefix(e.AlertID), e.Time.UnixNano(), hex.EncodeToString(rnd[:]))
	if _, err := a.store.Put(ctx, key, b); err != nil {
		return fmt.Errorf("audit %s %s: %w", e.Action, e.AlertID, err)
	}
	return nil
}

// AuditLog returns up to limit entries (0: 200), newest first; alertID, when
// not empty, keeps only that alert's entries.
func (a *Accounts) AuditLog(ctx context.Context, alertID string, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = 200
	}
	prefix := "audit."
	if alertID != "" {
		prefix = auditPrefix(alertID)
	}
	keys, err := a.store.Keys(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	// Newest first: by the time after the last dot (keys of several
	// alerts interleave).
	stamp := func(k string) string { return k[strings.LastIndexByte(k, '.')+1:] }
	slices.SortFunc(keys, func(x, y string) int { return strings.Compare(stamp(y), stamp(x)) })
	var out []AuditEntry
	for _, k := range keys {
		if len(out) == limit {
			break
		}
		e, err := a.store.Get(ctx, k)
		if err != nil {
			continue
		}
		var ae AuditEntry
		if json.Unmarshal(e.Value, &ae) == nil {
			out = append(out, ae)
		}
	}
	return out, nil
}

// auditPrefix is the key prefix of an alert's audit entries ("_": none).
func auditPrefix(alertID string) string {
	if alertID == "" {
		return "audit._."
	}
	return "audit." + base64.RawURLEncoding.EncodeToString([]byte(alertID)) + "."
}

// SweepSessions deletes expired sessions and returns how many it removed.
// Sessions expire on use anyway; the serve role may call this hourly so that
// abandoned ones do not pile up in the bucket.
func (a *Accounts) SweepSessions(ctx context.Context) (int, error) {
	keys, err := a.store.Keys(ctx, "session.")
	if err != nil {
		return 0, fmt.Errorf("sweep sessions: %w", err)
	}
	now, n := a.now(), 0
	for _, k := range keys {
		e, err := a.store.Get(ctx, k)
		if err != nil {
			continue
		}
		var s Session
		if json.Unmarshal(e.Value, &s) != nil || !now.Before(s.Expires) {
			if err := a.store.Delete(ctx, k); err != nil {
				return n, fmt.Errorf("sweep sessions: %w", err)
			}
			n++
		}
	}
	return n, nil
}
