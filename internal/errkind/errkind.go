// Package errkind classifies errors for the consume loop: a handler wraps
// Permanent into an error that no retry can fix; anything else is transient.
package errkind

import "errors"

// Permanent marks an error a retry cannot fix (unparsable message, 404, a
// rejected recipient). bus.Consume terminates such a message and copies it to
// the dead-letter stream instead of redelivering it.
var Permanent = errors.New("permanent")

// IsPermanent reports whether err wraps Permanent.
func IsPermanent(err error) bool { return errors.Is(err, Permanent) }
