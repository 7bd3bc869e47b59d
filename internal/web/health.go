package web

// failingParts names what a failed readiness check found broken: the
// parts an error lists through a Failing() map[string]string method (bus,
// index, disk → reason), or "ready" with the error's text.
func failingParts(err error) map[string]string {
	if f, ok := err.(interface{ Failing() map[string]string }); ok {
		if m := f.Failing(); len(m) > 0 {
			return m
		}
	}
	return map[string]string{"ready": err.Error()}
}
