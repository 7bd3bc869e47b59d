// Package kv declares the small key-value store the stages keep state in
// (crawl state, alert records, accounts, sent-mail marks). internal/bus
// implements it on a JetStream KV bucket; Memory implements it for tests.
// Keys are made of [-/_=.a-zA-Z0-9]; a '.' separates levels for Keys(prefix).
package kv

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"

	"github.com/diembao/diembao/internal/errkind"
)

// Errors returned by every Store.
var (
	ErrNotFound = errkind.Sentinel("kv: key not found", errkind.NotFound)
	ErrExists   = errors.New("kv: key exists")
	ErrConflict = errors.New("kv: revision conflict")
)

// Entry is one stored value with its revision.
type Entry struct {
	Key      string
	Value    []byte
	Revision uint64
}

// Store is a durable key-value bucket. A nil error from a write means the
// value is durable.
type Store interface {
	// Get returns ErrNotFound (wrapped) when the key is absent or deleted.
	Get(ctx context.Context, key string) (Entry, error)
	Put(ctx context.Context, key string, value []byte) (uint64, error)
	// Create writes only if the key is absent; otherwise ErrExists.
	Create(ctx context.Context, key string, value []byte) (uint64, error)
	// Update writes only if the key's revision is still lastRev; otherwise ErrConflict.
	Update(ctx context.Context, key string, value []byte, lastRev uint64) (uint64, error)
	Delete(ctx context.Context, key string) error
	// Keys lists the keys that start with prefix (all keys for ""), sorted.
	Keys(ctx context.Context, prefix string) ([]string, error)
}

// Memory is an in-memory Store for tests. The zero value is not usable; use NewMemory.
type Memory struct {
	mu   sync.Mutex
	rev  uint64
	data map[string]Entry
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{data: map[string]Entry{}} }

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) (Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.data[key]
	if !ok {
		return Entry{}, ErrNotFound
	}
	e.Value = append([]byte(nil), e.Value...)
	return e, nil
}

func (m *Memory) put(key string, value []byte) uint64 {
	m.rev++
	m.data[key] = Entry{Key: key, Value: append([]byte(nil), value...), Revision: m.rev}
	return m.rev
}

// Put implements Store.
func (m *Memory) Put(_ context.Context, key string, value []byte) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.put(key, value), nil
}

// Create implements Store.
func (m *Memory) Create(_ context.Context, key string, value []byte) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.data[key]; ok {
		return 0, ErrExists
	}
	return m.put(key, value), nil
}

// Update implements Store.
func (m *Memory) Update(_ context.Context, key string, value []byte, lastRev uint64) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.data[key]; !ok && lastRev != 0 || ok && e.Revision != lastRev {
		return 0, ErrConflict
	}
	return m.put(key, value), nil
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

// Keys implements Store.
func (m *Memory) Keys(_ context.Context, prefix string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.data {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}
