package errkind

import "errors"

// Unavailable marks an error caused by a missing resource rather than by the
// message: the disk is full, the bus or the index cannot take writes now.
// bus.Consume retries such a message with a delay for as long as it takes
// and never dead-letters it.
var Unavailable = errors.New("unavailable")
