//go:build unix

package rules

import "syscall"

// maxRSS is the process's peak resident memory in bytes (0 if unknown).
func maxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss << 10 // kilobytes on Linux
}
