package bus

import (
	"fmt"
	"log/slog"
	"strings"
)

// serverLogger routes the embedded nats-server's log to slog: notices at
// Info, warnings at Warn, errors and fatal errors at Error; debug and trace
// lines are dropped (the server is started without them). A store write
// error (a full disk) is also reported to onWriteError: the server keeps
// such an error on the stream's message block and refuses every later
// write to it until JetStream restarts, and says so only in its log.
type serverLogger struct {
	log          *slog.Logger
	onWriteError func(msg string)
}

func (l serverLogger) Noticef(format string, v ...any) { l.log.Info(fmt.Sprintf(format, v...)) }
func (l serverLogger) Warnf(format string, v ...any)   { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l serverLogger) Fatalf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l serverLogger) Errorf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	l.log.Error(msg)
	if l.onWriteError != nil && isStoreWriteError(msg) {
		l.onWriteError(msg)
	}
}

// isStoreWriteError recognises the server's log lines for a failed store write.
func isStoreWriteError(msg string) bool {
	return strings.Contains(msg, "failed to store a msg") || strings.Contains(msg, "Critical write error") ||
		strings.Contains(msg, "no space left on device")
}
func (l serverLogger) Debugf(string, ...any) {}
func (l serverLogger) Tracef(string, ...any) {}
