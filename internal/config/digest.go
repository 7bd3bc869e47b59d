package config

import (
	"fmt"
	"strings"
	"time"
)

// DefaultDigestSchedule is when the weekly digest goes out: Default uses it,
// and an empty digest.schedule means it.
const DefaultDigestSchedule = "Mon 07:00"

// ParseDigestSchedule parses digest.schedule, a weekday and a 24-hour time
// ("Mon 07:00"; the day by its first three English letters, any case); ""
// is DefaultDigestSchedule. It is the one parser of the schedule: Validate
// runs it on the file (so a bad schedule is refused with its line), the
// digest scheduler on what it is given. The error names the key.
func ParseDigestSchedule(s string) (day time.Weekday, hour, minute int, err error) {
	if s == "" {
		s = DefaultDigestSchedule
	}
	bad := &keyError{"digest.schedule", fmt.Sprintf("%q: want e.g. \"Mon 07:00\"", s)}
	days := map[string]time.Weekday{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
	f := strings.Fields(strings.ToLower(s))
	if len(f) != 2 {
		return 0, 0, 0, bad
	}
	day, ok := days[f[0][:min(3, len(f[0]))]]
	if _, err := fmt.Sscanf(f[1], "%d:%d", &hour, &minute); !ok || err != nil || hour > 23 || minute > 59 || hour < 0 || minute < 0 {
		return 0, 0, 0, bad
	}
	return day, hour, minute, nil
}
