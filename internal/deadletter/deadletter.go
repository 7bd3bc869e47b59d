// Package deadletter describes a message parked after bounded retries: the
// one type the bus produces (internal/bus) and the web UI lists and retries
// (internal/web). Mails are no exception: a mail that failed for good is a
// dead letter of the OUTBOX stream like any other message.
// In: nothing. Out: the Letter type.
package deadletter

import (
	"strings"
	"time"
)

// Letter is one message in the dead-letter stream.
type Letter struct {
	ID         string    `json:"id"`         // the dead-letter stream's sequence, as text
	Stream     string    `json:"stream"`     // the stream it came from
	Consumer   string    `json:"consumer"`   // the durable consumer that gave up
	Subject    string    `json:"subject"`    // its original subject (where a retry republishes it)
	Error      string    `json:"error"`      // the handler's last error
	Deliveries int       `json:"deliveries"` // deliveries before it was parked
	Time       time.Time `json:"time"`       // when it was parked
	Data       []byte    `json:"-"`          // the payload
}

// Preview is the payload's first bytes as valid UTF-8 text, for display.
func (l Letter) Preview() string {
	p := l.Data
	if len(p) > 300 {
		p = p[:300]
	}
	return strings.ToValidUTF8(string(p), "")
}
