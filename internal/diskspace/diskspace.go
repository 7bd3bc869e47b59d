// Package diskspace tells how much room a file system has left.
package diskspace

import (
	"fmt"
	"syscall"
)

// Free returns the bytes available to an unprivileged user on the file
// system holding path.
func Free(path string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", path, err)
	}
	return st.Bavail * uint64(st.Bsize), nil
}
