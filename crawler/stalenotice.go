package crawler

import (
	"fmt"
	"strings"
	"time"
)

// StaleNotice is the mail that tells the administrators a source went
// stale: a deterministic id (one per stale episode, so a redelivery is not
// a second mail), a subject and a plain-text body in Vietnamese.
type StaleNotice struct{ ID, Subject, Text string }

// NewStaleNotice writes the notice for h; intervals is the crawler's
// stale_after (0: DefaultStaleAfter), baseURL the web UI's address.
func NewStaleNotice(h SourceHealth, intervals int, loc *time.Location, baseURL string) StaleNotice {
	if intervals == 0 {
		intervals = DefaultStaleAfter
	}
	id := fmt.Sprintf("source-stale-%s-%d", h.Source, h.StaleSince.Unix())
	last := "chưa có bài mới nào kể từ khi bắt đầu theo dõi"
	if !h.LastNewArticle.IsZero() {
		last = "bài mới gần nhất lúc " + h.LastNewArticle.In(loc).Format("15:04 02/01/2006")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Nguồn tin %q (%s) không cho bài mới trong %d chu kỳ thu (%s mỗi chu kỳ); %s.\n",
		h.Name, h.Source, intervals, h.Interval, last)
	fmt.Fprintf(&b, "Số lượt thu lỗi liên tiếp: %d.\n", h.FailedPasses)
	if h.LastError != "" {
		fmt.Fprintf(&b, "Lỗi gần nhất: %s\n", h.LastError)
	}
	fmt.Fprintf(&b, "\nXem tình trạng các nguồn: %s/sources\n", strings.TrimRight(baseURL, "/"))
	return StaleNotice{ID: id, Subject: "[diembao] Nguồn tin không có bài mới: " + h.Name, Text: b.String()}
}
