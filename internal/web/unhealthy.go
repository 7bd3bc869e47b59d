package web

import (
	"sort"
	"strings"
)

// Unhealthy lists the parts of a process that cannot write now, part →
// reason (bus, index, disk). It is the error Deps.Ready returns; /healthz
// shows its Failing map.
type Unhealthy map[string]string

// Failing returns the parts and their reasons.
func (h Unhealthy) Failing() map[string]string { return h }

func (h Unhealthy) Error() string {
	parts := make([]string, 0, len(h))
	for p, why := range h {
		parts = append(parts, p+": "+why)
	}
	sort.Strings(parts)
	return "unhealthy: " + strings.Join(parts, "; ")
}
