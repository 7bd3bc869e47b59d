package article

import "time"

// TimeZone is the zone of the Vietnamese calendar: the default of
// diembao.yaml's timezone key.
const TimeZone = "Asia/Ho_Chi_Minh"

// Vietnam returns TimeZone, or a fixed UTC+7 zone named "ICT" where the tz
// database is missing (the binary embeds time/tzdata; tests and tools may
// not). The two agree on every date since 1975. A package whose zero
// *time.Location means "the default" takes it from here.
func Vietnam() *time.Location {
	loc, err := time.LoadLocation(TimeZone)
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return loc
}
