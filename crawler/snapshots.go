package crawler

import (
	"context"
	"fmt"
)

// BlobStore keeps one record per key; Get returns the last one put.
type BlobStore interface {
	Put(ctx context.Context, key string, data []byte) error
	Get(ctx context.Context, key string) ([]byte, error)
}

// Snapshots keeps saved copies in a BlobStore, one record per key
// (SnapshotStore for the crawler, GetSnapshot for the portal watch).
type Snapshots struct{ Blobs BlobStore }

// PutSnapshot stores snap under key.
func (s Snapshots) PutSnapshot(ctx context.Context, key string, snap Snapshot) error {
	data, err := MarshalSnapshot(snap)
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", key, err)
	}
	return s.Blobs.Put(ctx, key, data)
}

// GetSnapshot returns the copy last stored under key.
func (s Snapshots) GetSnapshot(ctx context.Context, key string) (Snapshot, error) {
	data, err := s.Blobs.Get(ctx, key)
	if err != nil {
		return Snapshot{}, fmt.Errorf("snapshot %s: %w", key, err)
	}
	return UnmarshalSnapshot(data)
}
