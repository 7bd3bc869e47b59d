package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/diembao/diembao/internal/kv"
)

// healthRecord is the key under which PublishHealth keeps the health of
// every source, as one JSON list.
const healthRecord = "sources"

// PublishHealth writes c's per-source health to st every few seconds, until
// ctx ends, so that a serve role in any process can show it (HealthStore
// reads it back). A failed write is tried again at the next tick.
func PublishHealth(ctx context.Context, c *Crawler, st kv.Store) error {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		data, err := json.Marshal(c.Health())
		if err == nil {
			_, _ = st.Put(context.WithoutCancel(ctx), healthRecord, data)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// HealthStore reads the health PublishHealth last wrote.
type HealthStore struct{ St kv.Store }

// List returns every source's health (nil before the first publication).
func (s HealthStore) List(ctx context.Context) ([]SourceHealth, error) {
	e, err := s.St.Get(ctx, healthRecord)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var hs []SourceHealth
	if err := json.Unmarshal(e.Value, &hs); err != nil {
		return nil, fmt.Errorf("source health: %w", err)
	}
	return hs, nil
}

// Uptime is each source's share of passes that did not fail in [from, to);
// sources without a pass in the period are absent.
func (s HealthStore) Uptime(ctx context.Context, from, to time.Time) (map[string]float64, error) {
	list, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, h := range list {
		if u, ok := h.Uptime(from, to); ok {
			out[h.Source] = u
		}
	}
	return out, nil
}
