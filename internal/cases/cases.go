// Package cases handles each false or distorting report as a case (vụ
// việc): the claim, the items where it appeared, the checking, the verdict,
// the clarification to the press, the report to the province and the
// outcome, with an append-only history of who did what and when.
//
// In: intakes (an article, an alert, a URL fetched once, pasted text and an
// uploaded file), moves, edits, and new articles (spread detection). Out:
// cases kept in a kv.Store (a JetStream KV bucket, so they survive restarts
// and are shared by split roles), evidence in a Blobs store, owner notices,
// and documents (the clarification letter, the report to the province, a
// ClaimReview snippet). It sits above rules and alerts/digest (it reuses the
// rule query language and the reprint SimHash) and never touches the bus.
package cases

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/diembao/diembao/internal/errkind"
)

// Statuses, in order (DESIGN.md: case status ids).
const (
	StatusReceived  = "received"
	StatusVerifying = "verifying"
	StatusVerified  = "verified"
	StatusResponded = "responded"
	StatusReported  = "reported"
	StatusClosed    = "closed"
)

// Statuses lists the statuses in workflow order.
var Statuses = []string{StatusReceived, StatusVerifying, StatusVerified, StatusResponded, StatusReported, StatusClosed}

// Verdicts (DESIGN.md: verdict ids).
const (
	VerdictFalse      = "false"
	VerdictMisleading = "misleading"
	VerdictTrue       = "true"
	VerdictUnproven   = "unproven"
)

// Verdicts lists the verdicts.
var Verdicts = []string{VerdictFalse, VerdictMisleading, VerdictTrue, VerdictUnproven}

// Item kinds: where the claim appeared and how the item came to the case.
const (
	KindOrigin  = "origin"  // the item the case was opened from
	KindReprint = "reprint" // a near-duplicate of an item (attached automatically)
	KindRepeat  = "repeat"  // matched by the case rule (attached automatically)
	KindManual  = "manual"  // handed in by hand (URL, text, file)
)

// Outcomes of a case.
const (
	OutcomeRemoved   = "removed"   // the outlet removed the item
	OutcomeCorrected = "corrected" // the outlet corrected it
	OutcomePublished = "published" // the clarification was published
	OutcomeNone      = "none"      // no action needed
)

// Outcomes lists the outcomes.
var Outcomes = []string{OutcomeRemoved, OutcomeCorrected, OutcomePublished, OutcomeNone}

// StatusName is the Vietnamese name of a status.
func StatusName(s string) string {
	switch s {
	case StatusReceived:
		return "Tiếp nhận"
	case StatusVerifying:
		return "Đang xác minh"
	case StatusVerified:
		return "Đã xác minh"
	case StatusResponded:
		return "Đã phản hồi"
	case StatusReported:
		return "Đã báo cáo"
	case StatusClosed:
		return "Đóng"
	}
	return s
}

// VerdictName is the Vietnamese name of a verdict, as ClaimReview's
// reviewRating.alternateName and the documents print it.
func VerdictName(v string) string {
	switch v {
	case VerdictFalse:
		return "Sai sự thật"
	case VerdictMisleading:
		return "Sai lệch một phần"
	case VerdictTrue:
		return "Đúng sự thật"
	case VerdictUnproven:
		return "Chưa đủ căn cứ"
	}
	return v
}

// KindName is the Vietnamese name of an item kind.
func KindName(k string) string {
	switch k {
	case KindOrigin:
		return "Nguồn gốc"
	case KindReprint:
		return "Đăng lại"
	case KindRepeat:
		return "Lặp lại nội dung"
	case KindManual:
		return "Tiếp nhận thủ công"
	}
	return k
}

// OutcomeName is the Vietnamese name of an outcome.
func OutcomeName(o string) string {
	switch o {
	case OutcomeRemoved:
		return "Đã gỡ bỏ"
	case OutcomeCorrected:
		return "Cơ quan báo chí đã cải chính"
	case OutcomePublished:
		return "Đã đăng tải thông tin làm rõ"
	case OutcomeNone:
		return "Không cần xử lý"
	}
	return o
}

// Item is one place where the claim appeared.
type Item struct {
	ArticleID string    `json:"article_id"`
	URL       string    `json:"url"`
	Source    string    `json:"source"`
	Title     string    `json:"title,omitempty"`
	FirstSeen time.Time `json:"first_seen"`
	Kind      string    `json:"kind"`
	AlertID   string    `json:"alert_id,omitempty"`
	// Evidence is the SHA-256 (hex) of the saved copy or uploaded file.
	Evidence string `json:"evidence,omitempty"`
	// RepeatOf is the article id of the item a reprint is a near-duplicate of.
	RepeatOf string `json:"repeat_of,omitempty"`
	// SimHash is the item's reprint fingerprint (0: none, e.g. pasted text).
	SimHash uint64    `json:"simhash,omitempty"`
	Text    string    `json:"text,omitempty"` // pasted text, for items that cannot be fetched
	Added   time.Time `json:"added"`
	AddedBy string    `json:"added_by,omitempty"`
}

// Evidence is one stored file: a saved copy of a page or an upload. The
// bytes are in Blobs under the SHA-256.
type Evidence struct {
	SHA256      string    `json:"sha256"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	URL         string    `json:"url,omitempty"` // the page it is a saved copy of
	Added       time.Time `json:"added"`
	By          string    `json:"by"`
}

// Note is a verification note or, from police, an annotation.
type Note struct {
	At   time.Time `json:"at"`
	By   string    `json:"by"`
	Text string    `json:"text"`
}

// Contact is one press agency told of the clarification.
type Contact struct {
	Agency string    `json:"agency"`
	At     time.Time `json:"at"`
}

// Clarification is the office's answer.
type Clarification struct {
	Text         string    `json:"text,omitempty"`
	PublishedURL string    `json:"published_url,omitempty"` // on the own portal
	PublishedAt  time.Time `json:"published_at,omitzero"`
	Contacts     []Contact `json:"contacts,omitempty"`
}

// ProvinceReport is the report on the case to the province.
type ProvinceReport struct {
	Number     string    `json:"number,omitempty"`
	Date       time.Time `json:"date,omitzero"`
	Recipients []string  `json:"recipients,omitempty"`
}

// Event is one entry of the append-only history.
type Event struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Note   string    `json:"note"`
	Action string    `json:"action"` // open, move, item, evidence, edit, note, intake
}

// Case is one false or distorting claim and everything about it.
type Case struct {
	ID       string     `json:"id"`
	Claim    string     `json:"claim"`
	Status   string     `json:"status"`
	Verdict  string     `json:"verdict"`
	Owner    string     `json:"owner"`
	Due      *time.Time `json:"due"`
	Severity string     `json:"severity"`
	Topics   []string   `json:"topics"`
	// Communes are the places the claim is about, old and new names as
	// written by the analyst.
	Communes []string `json:"communes"`
	// Audiences are the alert audiences the case touches; a case whose
	// audiences are all sensitive (police) is police-only.
	Audiences []string `json:"audiences"`
	// Rule is the case rule (the rules query language) that attaches new
	// articles repeating the claim; empty: only near-duplicates attach.
	Rule          string         `json:"rule"`
	Items         []Item         `json:"items"`
	Evidence      []Evidence     `json:"evidence"`
	Notes         []Note         `json:"notes"`
	Clarification Clarification  `json:"clarification"`
	Report        ProvinceReport `json:"report"`
	Outcome       []string       `json:"outcome"`
	Opened        time.Time      `json:"opened"`
	Updated       time.Time      `json:"updated"`
	History       []Event        `json:"history"`
}

// EditCount is the number of edits and moves in the history. An edit form
// carries it (Patch.Base) so that a save from a form shown before someone
// else's change is refused rather than overwriting that change.
func (c Case) EditCount() int {
	n := 0
	for _, e := range c.History {
		if e.Action == "edit" || e.Action == "move" {
			n++
		}
	}
	return n
}

// Open reports whether the case is still being handled (not closed).
func (c Case) Open() bool { return c.Status != StatusClosed }

// Overdue reports whether the current step's deadline has passed.
func (c Case) Overdue(now time.Time) bool {
	return c.Open() && c.Due != nil && now.After(*c.Due)
}

// FirstAppearance is the earliest item's first-seen time (zero without items).
func (c Case) FirstAppearance() (Item, bool) {
	var first Item
	ok := false
	for _, it := range c.Items {
		if it.FirstSeen.IsZero() {
			continue
		}
		if !ok || it.FirstSeen.Before(first.FirstSeen) {
			first, ok = it, true
		}
	}
	return first, ok
}

// HasArticle reports whether an item of the case is the article id.
func (c Case) HasArticle(id string) bool {
	return id != "" && slices.ContainsFunc(c.Items, func(it Item) bool { return it.ArticleID == id })
}

// Errors. ErrInvalidMove answers 409 / exit 2, ErrBadInput 400 / exit 2,
// ErrNotFound 404, ErrTooLarge 413 and ErrUnsupportedType 415. ErrNotFound
// is of kind errkind.NotFound, so callers that only know the kinds answer
// 404 too.
var (
	ErrNotFound        = errkind.Sentinel("cases: case not found", errkind.NotFound)
	ErrInvalidMove     = errors.New("invalid move")
	ErrBadInput        = errors.New("invalid input")
	ErrTooLarge        = errors.New("file too large")
	ErrUnsupportedType = errors.New("file type not accepted")
	// ErrStale refuses an edit made from a form shown before another edit
	// or move of the case (Patch.Base); it answers 409 / exit 2.
	ErrStale = errors.New("case changed meanwhile")
)

// MoveError is a refused move, with its Vietnamese explanation.
type MoveError struct{ From, To, Msg string }

func (e *MoveError) Error() string {
	return fmt.Sprintf("không thể chuyển từ %q sang %q: %s", StatusName(e.From), StatusName(e.To), e.Msg)
}

// Unwrap makes errors.Is(err, ErrInvalidMove) true.
func (e *MoveError) Unwrap() error { return ErrInvalidMove }

// inputError is an ErrBadInput with a message for the user.
func inputError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadInput, fmt.Sprintf(format, args...))
}

func statusIndex(s string) int { return slices.Index(Statuses, s) }

// CheckMove says whether a case in status from may move to status to with
// the given verdict (the case's, or the one given with the move) and note.
// Moving one step forward is always allowed; skipping steps needs a note
// giving the reason; reaching verified or beyond needs a verdict; moving
// back is allowed only to reopen a closed case (to received or verifying),
// with a note.
func CheckMove(from, to, verdict, note string) error {
	fi, ti := statusIndex(from), statusIndex(to)
	if ti < 0 {
		return inputError("trạng thái %q không tồn tại (hợp lệ: received, verifying, verified, responded, reported, closed)", to)
	}
	if verdict != "" && !slices.Contains(Verdicts, verdict) {
		return inputError("kết luận %q không tồn tại (hợp lệ: false, misleading, true, unproven)", verdict)
	}
	switch {
	case fi == ti:
		return &MoveError{from, to, "vụ việc đã ở trạng thái này"}
	case ti < fi:
		if from != StatusClosed {
			return &MoveError{from, to, "không được lùi trạng thái; chỉ mở lại vụ việc đã đóng"}
		}
		if to != StatusReceived && to != StatusVerifying {
			return &MoveError{from, to, "mở lại vụ việc chỉ về Tiếp nhận hoặc Đang xác minh"}
		}
		if note == "" {
			return &MoveError{from, to, "mở lại vụ việc cần ghi lý do"}
		}
		return nil
	case ti > fi+1 && note == "":
		return &MoveError{from, to, "bỏ qua bước cần ghi lý do"}
	}
	if ti >= statusIndex(StatusVerified) && verdict == "" && to != StatusClosed {
		return &MoveError{from, to, "cần kết luận xác minh (false, misleading, true, unproven)"}
	}
	return nil
}

// sortedItems returns the items by first appearance (then as added).
func sortedItems(c Case) []Item {
	out := slices.Clone(c.Items)
	slices.SortStableFunc(out, func(a, b Item) int { return a.FirstSeen.Compare(b.FirstSeen) })
	return out
}

// SortedItems returns the items by first appearance: the spread timeline.
func (c Case) SortedItems() []Item { return sortedItems(c) }
