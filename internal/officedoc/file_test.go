package officedoc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteFileWholeOrNothing: a complete write replaces the file; a write
// that cannot finish leaves what was there and no temporary file.
func TestWriteFileWholeOrNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "van-ban.pdf")
	for _, data := range []string{"bản một", "bản hai, dài hơn"} {
		if err := WriteFile(p, []byte(data), 0o640); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(p); err != nil || string(b) != data {
			t.Errorf("file holds %q (%v), want %q", b, err, data)
		}
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", st.Mode().Perm())
	}
	// The last step cannot happen: the name is a folder that is not empty.
	busy := filepath.Join(dir, "busy.pdf")
	if err := os.MkdirAll(filepath.Join(busy, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(busy, []byte("x"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "write "+busy) {
		t.Fatalf("writing over a folder that is not empty: %v", err)
	}
	if _, err := os.Stat(filepath.Join(busy, "inside")); err != nil {
		t.Errorf("the folder was changed: %v", err)
	}
	// The first step cannot happen: no such folder.
	if err := WriteFile(filepath.Join(dir, "none", "a.pdf"), []byte("x"), 0o644); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
