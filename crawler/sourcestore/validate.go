package sourcestore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/config"
)

// Field names of a ValidationError, as the editor's form names them.
const (
	FieldID            = "id"
	FieldName          = "name"
	FieldKind          = "kind"
	FieldFeeds         = "feeds"
	FieldSitemaps      = "sitemaps"
	FieldListings      = "listings"
	FieldInterval      = "interval"
	FieldDelay         = "delay"
	FieldAllowPrivate  = "allow_private"
	FieldSelectorTitle = "selectors.title"
	FieldSelectorBody  = "selectors.body"
	FieldSelectorDate  = "selectors.date"
)

// Limits of a source edited in the UI.
const (
	MaxURLs = 50  // feeds, sitemaps and listing pages, each
	MaxName = 200 // runes
)

// ValidationError lists the fields of a source that do not pass the checks
// of sources.yaml, each with a message in Vietnamese for the editor.
type ValidationError struct {
	Fields map[string]string
}

// Error implements error: every field and its message, in field order.
func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "sourcestore: invalid source: " + strings.Join(parts, "; ")
}

// add records msg for field (keeping the first message of a field) and
// returns the error, allocating it when e is nil.
func (e *ValidationError) add(field, msg string) *ValidationError {
	if e == nil {
		e = &ValidationError{Fields: map[string]string{}}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = msg
	}
	return e
}

// ParseDuration reads a duration typed in the editor ("10m", "2s", "1h30m";
// empty means the default), as a field error in Vietnamese.
func ParseDuration(field, text string) (config.Duration, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(text)
	if err != nil || d < 0 {
		return 0, (*ValidationError)(nil).add(field, fmt.Sprintf("“%s” không phải khoảng thời gian; viết ví dụ 10m (10 phút), 2s (2 giây), 1h (1 giờ).", text))
	}
	return config.Duration(d), nil
}

// Validate checks a source as sources.yaml is checked and returns it with
// its defaults filled in, or a *ValidationError naming every field at fault.
// The checks are crawler.ValidateSource's; after a failure the faulty
// field is set aside and the source checked again, so that the editor
// shows every problem at once. allow_private passes when Config allows it
// or the stored source already has it.
func (s *Store) Validate(ctx context.Context, src crawler.Source) (crawler.Source, error) {
	keep := false
	if cur, err := s.Get(ctx, src.ID); err == nil {
		keep = cur.Source.AllowPrivate
	}
	out, verr := s.validate(src, keep)
	if verr != nil {
		return crawler.Source{}, verr
	}
	return out, nil
}

// maxPasses bounds the check-and-set-aside passes of validate: each pass
// sets aside one fault, and a source with more faults than this is
// refused with a message saying so.
const maxPasses = 16

// validate runs the form's own bounds, then crawler.ValidateSource again
// and again on a copy of src, each time recording the field at fault and
// setting it aside, until the copy passes, a fault cannot be set aside, or
// maxPasses is reached. It returns src with its defaults filled in, or the
// fields at fault (never both).
func (s *Store) validate(src crawler.Source, keepPrivate bool) (crawler.Source, *ValidationError) {
	verr := checkFormBounds(&src, s.cfg.AllowPrivate || keepPrivate)
	cand := src
	cand.Feeds = slices.Clone(src.Feeds)
	cand.Sitemaps = slices.Clone(src.Sitemaps)
	cand.Listings = slices.Clone(src.Listings)
	for range maxPasses {
		out, field, err := crawler.ValidateSource(cand)
		if err == nil {
			if verr != nil {
				return crawler.Source{}, verr
			}
			return out, nil
		}
		var next bool
		if verr, next = setAside(verr, &cand, field, err.Error()); !next {
			return crawler.Source{}, verr
		}
	}
	return crawler.Source{}, verr.add(FieldID, "Nguồn có quá nhiều lỗi; kiểm tra lại từng trường.")
}

// checkFormBounds applies the checks of the editor's form that sources.yaml
// (the operator's own file) does not have: allow_private only where
// permitted (else it is cleared in src), and bounded URL lists and name, so
// that a save or a preview never fans out to thousands of URLs.
func checkFormBounds(src *crawler.Source, privatePermitted bool) *ValidationError {
	var verr *ValidationError
	if src.AllowPrivate && !privatePermitted {
		verr = verr.add(FieldAllowPrivate, "Máy chủ này không cho phép nguồn ở địa chỉ nội bộ (chỉ dùng cho trang thử nghiệm và bản trình diễn).")
		src.AllowPrivate = false
	}
	for f, n := range map[string]int{FieldFeeds: len(src.Feeds), FieldSitemaps: len(src.Sitemaps), FieldListings: len(src.Listings)} {
		if n > MaxURLs {
			verr = verr.add(f, fmt.Sprintf("Tối đa %d địa chỉ (đang có %d).", MaxURLs, n))
		}
	}
	if utf8.RuneCountInString(src.Name) > MaxName {
		verr = verr.add(FieldName, fmt.Sprintf("Tên dài tối đa %d ký tự.", MaxName))
	}
	return verr
}

// setAside records the fault crawler.ValidateSource reported (its field
// and message msg) and changes cand so that the next pass gets past it.
// It reports false when the fault is of a field it does not know; the
// check then stops.
func setAside(verr *ValidationError, cand *crawler.Source, field, msg string) (*ValidationError, bool) {
	switch field {
	case "id":
		return idFault(verr, cand, msg), true
	case "kind":
		cand.Kind = ""
		return verr.add(FieldKind, "Loại nguồn phải là báo chí, cổng thông tin điện tử hoặc nước ngoài."), true
	case "feeds":
		return feedFault(verr, cand, msg), true
	case "listings":
		return listingFault(verr, cand, msg), true
	case "interval":
		return intervalFault(verr, cand, msg), true
	case "selectors":
		return selectorFault(verr, cand, msg), true
	default:
		return verr.add(FieldID, "Nguồn không hợp lệ: "+msg), false
	}
}

// idFault: the check's "id" field covers both a malformed id and a source
// without any discovery URL (then a placeholder feed is set).
func idFault(verr *ValidationError, cand *crawler.Source, msg string) *ValidationError {
	if strings.Contains(msg, "no feeds") {
		cand.Feeds = []string{"https://example.invalid/"}
		return verr.add(FieldFeeds, "Cần ít nhất một RSS/Atom, sitemap hoặc trang danh sách.")
	}
	cand.ID = "x"
	return verr.add(FieldID, "Mã nguồn chỉ gồm chữ thường không dấu a–z, chữ số và dấu gạch ngang, ví dụ baothanhhoa.")
}

// feedFault: the check's "feeds" field covers feeds and sitemaps; the bad
// URL is found by its quoted form in msg, named on its own list, and
// removed from both.
func feedFault(verr *ValidationError, cand *crawler.Source, msg string) *ValidationError {
	bad := quotedIn(msg, append(slices.Clone(cand.Feeds), cand.Sitemaps...))
	f := FieldFeeds
	if slices.Contains(cand.Sitemaps, bad) {
		f = FieldSitemaps
	}
	verr = verr.add(f, fmt.Sprintf("“%s” không phải địa chỉ http:// hoặc https:// đầy đủ.", bad))
	cand.Feeds = slices.DeleteFunc(cand.Feeds, func(u string) bool { return u == bad })
	cand.Sitemaps = slices.DeleteFunc(cand.Sitemaps, func(u string) bool { return u == bad })
	if bad == "" { // cannot tell which: stop here rather than loop
		cand.Feeds, cand.Sitemaps = []string{"https://example.invalid/"}, nil
	}
	return verr
}

// listingFault names the listing page msg is about (its URL, missing or
// bad links pattern) and removes it; when msg names none, every listing
// is removed.
func listingFault(verr *ValidationError, cand *crawler.Source, msg string) *ValidationError {
	i := slices.IndexFunc(cand.Listings, func(l crawler.Listing) bool {
		return strings.Contains(msg, "listing "+l.URL+":") || strings.Contains(msg, strconv.Quote(l.URL))
	})
	if i < 0 {
		cand.Listings = nil
		return verr.add(FieldListings, "Trang danh sách không hợp lệ: "+msg)
	}
	l := cand.Listings[i]
	cand.Listings = slices.Delete(cand.Listings, i, i+1)
	switch {
	case strings.Contains(msg, "empty links pattern"):
		return verr.add(FieldListings, fmt.Sprintf("Trang danh sách %s: thiếu mẫu liên kết bài (biểu thức chính quy, ví dụ -[0-9]+\\.htm$).", l.URL))
	case strings.Contains(msg, "links:"):
		_, detail, _ := strings.Cut(msg, "links: ")
		return verr.add(FieldListings, fmt.Sprintf("Trang danh sách %s: mẫu liên kết “%s” không phải biểu thức chính quy hợp lệ (%s).", l.URL, l.Links, detail))
	default:
		return verr.add(FieldListings, fmt.Sprintf("“%s” không phải địa chỉ http:// hoặc https:// đầy đủ.", l.URL))
	}
}

// intervalFault: the check's "interval" field covers a negative delay, a
// negative interval and an interval under the public sites' minute; the
// value at fault is reset to its default.
func intervalFault(verr *ValidationError, cand *crawler.Source, msg string) *ValidationError {
	switch {
	case strings.Contains(msg, "negative") && cand.Delay < 0:
		cand.Delay = 0
		return verr.add(FieldDelay, "Giãn cách giữa hai lần tải không được âm.")
	case strings.Contains(msg, "negative"):
		cand.Interval = 0
		return verr.add(FieldInterval, "Chu kỳ thu không được âm.")
	default:
		cand.Interval = 0
		return verr.add(FieldInterval, "Chu kỳ thu tối thiểu là 1 phút (1m) đối với trang công khai.")
	}
}

// selectorFault names the CSS selector msg is about (title, body, or else
// date) with the parser's detail, and clears it.
func selectorFault(verr *ValidationError, cand *crawler.Source, msg string) *ValidationError {
	f, sel := FieldSelectorDate, &cand.Selectors.Date
	switch {
	case strings.HasPrefix(msg, "selectors.title"):
		f, sel = FieldSelectorTitle, &cand.Selectors.Title
	case strings.HasPrefix(msg, "selectors.body"):
		f, sel = FieldSelectorBody, &cand.Selectors.Body
	}
	_, detail, _ := strings.Cut(msg, ": ")
	verr = verr.add(f, fmt.Sprintf("Bộ chọn CSS “%s” không hợp lệ (%s).", *sel, detail))
	*sel = ""
	return verr
}

// quotedIn returns the candidate whose quoted form occurs in msg.
func quotedIn(msg string, candidates []string) string {
	for _, c := range candidates {
		if strings.Contains(msg, strconv.Quote(c)) {
			return c
		}
	}
	return ""
}
