package digest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/officedoc"
)

// Render writes d in the format of a file extension: .pdf and .docx (issued
// by is), .txt, anything else HTML.
func Render(d Digest, loc *time.Location, is officedoc.Issuer, ext string) ([]byte, error) {
	switch strings.ToLower(ext) {
	case ".pdf":
		return PDFAs(d, loc, is)
	case ".docx":
		return DOCX(d, loc, is)
	case ".txt":
		return []byte(Text(d, loc)), nil
	}
	html, err := HTML(d, loc)
	return []byte(html), err
}

// RenderFor is Render by the extension of the file name out.
func RenderFor(d Digest, loc *time.Location, is officedoc.Issuer, out string) ([]byte, error) {
	return Render(d, loc, is, filepath.Ext(out))
}

// ErrAlreadySent is what SendOnce returns for a week already sent when
// resend is false.
var ErrAlreadySent = errors.New("digest: already sent")

// SendOnce delivers d (keeps it, and puts one mail per audience on the
// outbox) and marks its week sent. A week already sent is sent again only
// with resend, under new mail ids (the sender would drop the old ones as
// done); otherwise it returns when it was sent and ErrAlreadySent.
func (s *Scheduler) SendOnce(ctx context.Context, d Digest, resend bool) (sentAt time.Time, err error) {
	when, sent, err := s.Sent(ctx, d.Week)
	if err != nil {
		return time.Time{}, err
	}
	again := 0
	if sent {
		if !resend {
			return when, fmt.Errorf("%w: %s", ErrAlreadySent, d.Week)
		}
		again = int(time.Now().Unix())
	}
	if err := s.Deliver(ctx, d, again); err != nil {
		return time.Time{}, err
	}
	return time.Time{}, s.MarkSent(ctx, d.Week)
}
