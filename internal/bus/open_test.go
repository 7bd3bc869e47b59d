package bus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenEmbeddedNeedsAStoreDir: without a URL, Open needs a directory it
// can create for the embedded server's store.
func TestOpenEmbeddedNeedsAStoreDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no store dir", Config{}, "bus: embedded server needs a store dir"},
		{"store dir under a file", Config{StoreDir: filepath.Join(file, "nats")}, "bus: mkdir "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Open(t.Context(), tt.cfg, nil)
			if err == nil {
				b.Close()
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Open error = %v, want one starting %q", err, tt.want)
			}
		})
	}
}
