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

func (s *Store) validate(src crawler.Source, keepPrivate bool) (crawler.Source, *ValidationError) {
	var verr *ValidationError
	if src.AllowPrivate && !s.cfg.AllowPrivate && !keepPrivate {
		verr = verr.add(FieldAllowPrivate, "Máy chủ này không cho phép nguồn ở địa chỉ nội bộ (chỉ dùng cho trang thử nghiệm và bản trình diễn).")
		src.AllowPrivate = false
	}
	// Bounds of the form (sources.yaml itself is the operator's file and
	// has none): a save or a preview never fans out to thousands of URLs.
	for f, n := range map[string]int{FieldFeeds: len(src.Feeds), FieldSitemaps: len(src.Sitemaps), FieldListings: len(src.Listings)} {
		if n > MaxURLs {
			verr = verr.add(f, fmt.Sprintf("Tối đa %d địa chỉ (đang có %d).", MaxURLs, n))
		}
	}
	if utf8.RuneCountInString(src.Name) > MaxName {
		verr = verr.add(FieldName, fmt.Sprintf("Tên dài tối đa %d ký tự.", MaxName))
	}
	cand := src
	cand.Feeds = slices.Clone(src.Feeds)
	cand.Sitemaps = slices.Clone(src.Sitemaps)
	cand.Listings = slices.Clone(src.Listings)
	for range 16 {
		out, field, err := crawler.ValidateSource(cand)
		if err == nil {
			if verr != nil {
				return crawler.Source{}, verr
			}
			return out, nil
		}
		msg := err.Error()
		switch field {
		case "id":
			if strings.Contains(msg, "no feeds") {
				verr = verr.add(FieldFeeds, "Cần ít nhất một RSS/Atom, sitemap hoặc trang danh sách.")
				cand.Feeds = []string{"https://example.invalid/"}
			} else {
				verr = verr.add(FieldID, "Mã nguồn chỉ gồm chữ thường không dấu a–z, chữ số và dấu gạch ngang, ví dụ baothanhhoa.")
				cand.ID = "x"
			}
		case "kind":
			verr = verr.add(FieldKind, "Loại nguồn phải là báo chí, cổng thông tin điện tử hoặc nước ngoài.")
			cand.Kind = ""
		case "feeds":
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
		case "listings":
			i := slices.IndexFunc(cand.Listings, func(l crawler.Listing) bool {
				return strings.Contains(msg, "listing "+l.URL+":") || strings.Contains(msg, strconv.Quote(l.URL))
			})
			switch {
			case i < 0:
				verr = verr.add(FieldListings, "Trang danh sách không hợp lệ: "+msg)
				cand.Listings = nil
			case strings.Contains(msg, "empty links pattern"):
				verr = verr.add(FieldListings, fmt.Sprintf("Trang danh sách %s: thiếu mẫu liên kết bài (biểu thức chính quy, ví dụ -[0-9]+\\.htm$).", cand.Listings[i].URL))
			case strings.Contains(msg, "links:"):
				_, detail, _ := strings.Cut(msg, "links: ")
				verr = verr.add(FieldListings, fmt.Sprintf("Trang danh sách %s: mẫu liên kết “%s” không phải biểu thức chính quy hợp lệ (%s).", cand.Listings[i].URL, cand.Listings[i].Links, detail))
			default:
				verr = verr.add(FieldListings, fmt.Sprintf("“%s” không phải địa chỉ http:// hoặc https:// đầy đủ.", cand.Listings[i].URL))
			}
			if i >= 0 {
				cand.Listings = slices.Delete(cand.Listings, i, i+1)
			}
		case "interval":
			switch {
			case strings.Contains(msg, "negative") && cand.Delay < 0:
				verr = verr.add(FieldDelay, "Giãn cách giữa hai lần tải không được âm.")
				cand.Delay = 0
			case strings.Contains(msg, "negative"):
				verr = verr.add(FieldInterval, "Chu kỳ thu không được âm.")
				cand.Interval = 0
			default:
				verr = verr.add(FieldInterval, "Chu kỳ thu tối thiểu là 1 phút (1m) đối với trang công khai.")
				cand.Interval = 0
			}
		case "selectors":
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
		default:
			return crawler.Source{}, verr.add(FieldID, "Nguồn không hợp lệ: "+msg)
		}
	}
	return crawler.Source{}, verr.add(FieldID, "Nguồn có quá nhiều lỗi; kiểm tra lại từng trường.")
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
