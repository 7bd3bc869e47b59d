package diskspace

import (
	"os"
	"path/filepath"
)

// FreeFor returns the bytes free for dir, which need not exist yet: a role
// that writes nothing locally may never create its data dir, and the free
// space that matters is that of the file system the dir would be on (its
// nearest existing ancestor's).
func FreeFor(dir string) (uint64, error) {
	return Free(existingDir(dir))
}

// existingDir returns dir or its nearest existing ancestor.
func existingDir(dir string) string {
	for {
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}
