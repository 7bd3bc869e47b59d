// Package errkind classifies errors by what the caller should do with them.
// The consume loop reads Permanent (no retry can fix it); the web server,
// the CLI and the index request/reply read NotFound (answer 404 / "no such
// id") and Invalid (the caller's input is wrong: 400 / exit code 2).
// A producer wraps a kind into its error with %w; a consumer tests it with
// errors.Is. Anything without a kind is transient and internal.
package errkind

import "errors"

// Permanent marks an error a retry cannot fix (unparsable message, 404, a
// rejected recipient). bus.Consume terminates such a message and copies it to
// the dead-letter stream instead of redelivering it.
var Permanent = errors.New("permanent")

// NotFound marks an error that says the named thing (article, alert, key,
// digest) does not exist.
var NotFound = errors.New("not found")

// Invalid marks an error caused by the caller's input (a query with bad
// syntax, a malformed id): the caller can fix it, a retry cannot.
var Invalid = errors.New("invalid")

// IsPermanent reports whether err wraps Permanent.
func IsPermanent(err error) bool { return errors.Is(err, Permanent) }

// IsNotFound reports whether err wraps NotFound.
func IsNotFound(err error) bool { return errors.Is(err, NotFound) }

// IsInvalid reports whether err wraps Invalid.
func IsInvalid(err error) bool { return errors.Is(err, Invalid) }

// Sentinel returns an error whose message is msg and which wraps kind: a
// package's ErrNotFound is errkind.Sentinel("pkg: x not found", NotFound), so
// callers may test either the package's sentinel or the kind.
func Sentinel(msg string, kind error) error { return &kindError{msg: msg, kind: kind} }

type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }
