package crawler

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Vietnamese date patterns (shared/domain/vietnamese.md §2): DMY only,
// unpadded day and month, separators / - . and " - ", time before or after.
var (
	reISO      = regexp.MustCompile(`\b(20\d\d|19\d\d)-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?)?`)
	reDMY      = regexp.MustCompile(`\b(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*((?:19|20)\d\d)\b`)
	reLongDate = regexp.MustCompile(`(?i)ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d\d)`)
	// WordPress and other themes in Vietnamese: "26 Tháng Mười, 2020",
	// "26 tháng 10 2020", "Tháng Mười 26, 2020", "Tháng 10 26, 2020".
	reVNDayMonth = regexp.MustCompile(`(?i)\b(\d{1,2})\s+tháng\s+(\d{1,2}|` + vnMonths + `)\s*,?\s+(?:năm\s+)?((?:19|20)\d\d)\b`)
	reVNMonthDay = regexp.MustCompile(`(?i)\btháng\s+(\d{1,2}|` + vnMonths + `)\s+(\d{1,2}),?\s+((?:19|20)\d\d)\b`)
	reTime       = regexp.MustCompile(`\b([01]?\d|2[0-3])\s*(?::|h|giờ)\s*([0-5]\d)(?:\s*:\s*([0-5]\d))?(?:\s*([AaPp]\.?[Mm]\b\.?|SA\b|CH\b))?`)
	reRelative   = regexp.MustCompile(`(?i)(\d+)\s*(giây|phút|giờ|tiếng|ngày|tuần|tháng|năm)\s+trước`)
	reRelWord    = regexp.MustCompile(`(?i)(hôm nay|hôm qua|tháng trước|năm trước|tuần trước)`)
	// English month names: "March 27, 2025", "Mar. 27th 2025", "27 March 2025".
	reMonthName = regexp.MustCompile(`(?i)\b(?:(` + monthNames + `)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)|((\d{1,2})(?:st|nd|rd|th)?\s+(` + monthNames + `)\.?,?\s+((?:19|20)\d\d)))\b`)
	// Cues before a date that it is not the publication date.
	reUpdateCue = regexp.MustCompile(`(?i)(cập nhật|sửa đổi|chỉnh sửa|updated?s?|modified|edited|reviewed)[^/.\-]{0,20}$`)
	// Cues before a date that is about a person, a product or an offer,
	// not the article: a forum member's join date, a birth date, a game's
	// or an album's release date, the end of a sale or a deadline.
	reOtherCue = regexp.MustCompile(`(?i)(joined|member since|tham gia|ngày sinh|sinh ngày|born|ngày vào|release date|ends|expires?|valid until|valid through|hết hạn|hạn chót|kết thúc)[^/.\-]{0,12}$`)
	reLunarCue = regexp.MustCompile(`(?i)^[^0-9]{0,6}(\(?\s*(âm lịch|âl|al\))|năm (giáp|ất|bính|đinh|mậu|kỷ|canh|tân|nhâm|quý))`)
	// URL timestamps: Dân trí and old Tuổi Trẻ <slug>-yyyyMMddHHmmssSSS.htm,
	// paths with /2023-11-11/ or /2023/11/11/.
	reURLStamp = regexp.MustCompile(`-((?:19|20)\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)\d{3}\.html?$`)
	reURLPath  = regexp.MustCompile(`/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})/`)
	// "/2023/october/03/"
	reURLPathMonth = regexp.MustCompile(`(?i)/((?:19|20)\d\d)/(` + monthNames + `)/(\d{1,2})/`)
)

// parseVietDate finds the first plausible date in a visible text such as
// "Thứ tư, 10/1/2024 - 14:30 (GMT+7)", "(15:19 30/11/2019)", "Đăng ngày
// 11 - 11 - 2023", "ngày 04 tháng 5 năm 2019", or "2 giờ trước" (relative to
// now). Times are wall-clock times in loc. Numeric dates are day first.
func parseVietDate(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	return parseDateText(s, now, loc, false)
}

// parseDateText is parseVietDate with the page's numeric date order:
// monthFirst reads "3/4/2025" as 4 March (US English pages). Dates marked
// as lunar ("âm lịch", "ÂL") are passed over; dates marked as an update
// ("Cập nhật", "Updated") count only when the text has no other date.
func parseDateText(s string, now time.Time, loc *time.Location, monthFirst bool) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if m := reISO.FindStringSubmatchIndex(s); m != nil && !updateCue(s, m[0]) {
		if t, ok := isoAt(s, m, loc); ok {
			return t, true // in the offset the text gives, if any
		}
	}
	cands, any := dateCandsRaw(s, loc, monthFirst)
	// The first date that is not an update; an update date only when the
	// text has nothing else.
	for _, c := range cands {
		if !c.update {
			return c.t, true
		}
	}
	if len(cands) > 0 {
		return cands[0].t, true
	}
	if any {
		return time.Time{}, false
	}

	if m := reRelative.FindStringSubmatch(s); m != nil {
		n := atoi(m[1])
		now = now.In(loc)
		switch strings.ToLower(m[2]) {
		case "giây":
			return now.Add(-time.Duration(n) * time.Second), true
		case "phút":
			return now.Add(-time.Duration(n) * time.Minute), true
		case "giờ", "tiếng":
			return now.Add(-time.Duration(n) * time.Hour), true
		case "ngày":
			return now.AddDate(0, 0, -n), true
		case "tuần":
			return now.AddDate(0, 0, -7*n), true
		case "tháng":
			return now.AddDate(0, -n, 0), true
		case "năm":
			return now.AddDate(-n, 0, 0), true
		}
	}
	if m := reRelWord.FindStringSubmatch(s); m != nil {
		now = now.In(loc)
		day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
		switch strings.ToLower(m[1]) {
		case "hôm nay":
			return day, true
		case "hôm qua":
			return day.AddDate(0, 0, -1), true
		case "tuần trước":
			return day.AddDate(0, 0, -7), true
		case "tháng trước":
			return day.AddDate(0, -1, 0), true
		case "năm trước":
			return day.AddDate(-1, 0, 0), true
		}
	}
	return time.Time{}, false
}

// dateCand is one date written in a text.
type dateCand struct {
	t      time.Time
	start  int  // byte offset in the text
	update bool // written after "Cập nhật", "Updated"…
}

// dateCands returns the valid dates written in s, in text order: ISO
// dates (with their offset), "ngày 4 tháng 5 năm 2019", numeric dates
// (day first unless monthFirst) and English month names, each with the
// nearest time of day; lunar dates are left out.
func dateCands(s string, loc *time.Location, monthFirst bool) []dateCand {
	c, _ := dateCandsRaw(s, loc, monthFirst)
	return c
}

// dateCandsRaw is dateCands; any reports whether s held anything shaped
// like a date (a valid one or not).
func dateCandsRaw(s string, loc *time.Location, monthFirst bool) (out []dateCand, any bool) {
	type cand struct{ y, mo, d, start, end int }
	var cands []cand
	overlapsCand := func(start, end int) bool {
		for _, c := range cands {
			if start < c.end && end > c.start {
				return true
			}
		}
		return false
	}
	for _, m := range reLongDate.FindAllStringSubmatchIndex(s, -1) {
		cands = append(cands, cand{atoi(s[m[6]:m[7]]), atoi(s[m[4]:m[5]]), atoi(s[m[2]:m[3]]), m[0], m[1]})
	}
	for _, m := range reVNDayMonth.FindAllStringSubmatchIndex(s, -1) {
		if !overlapsCand(m[0], m[1]) {
			cands = append(cands, cand{atoi(s[m[6]:m[7]]), vnMonth(s[m[4]:m[5]]), atoi(s[m[2]:m[3]]), m[0], m[1]})
		}
	}
	for _, m := range reVNMonthDay.FindAllStringSubmatchIndex(s, -1) {
		if !overlapsCand(m[0], m[1]) {
			cands = append(cands, cand{atoi(s[m[6]:m[7]]), vnMonth(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), m[0], m[1]})
		}
	}
	for _, m := range reDMY.FindAllStringSubmatchIndex(s, -1) {
		a, b := atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]])
		if monthFirst && a <= 12 && b <= 31 {
			a, b = b, a
		}
		cands = append(cands, cand{atoi(s[m[6]:m[7]]), b, a, m[0], m[1]})
	}
	for _, m := range reMonthName.FindAllStringSubmatchIndex(s, -1) {
		if m[2] >= 0 { // "March 27, 2025"
			cands = append(cands, cand{atoi(s[m[6]:m[7]]), monthNumber(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), m[0], m[1]})
		} else { // "27 March 2025"
			cands = append(cands, cand{atoi(s[m[14]:m[15]]), monthNumber(s[m[12]:m[13]]), atoi(s[m[10]:m[11]]), m[0], m[1]})
		}
	}
	any = len(cands) > 0
	for _, m := range reISO.FindAllStringSubmatchIndex(s, -1) {
		any = true
		overlaps := false
		for _, c := range cands {
			overlaps = overlaps || m[0] < c.end && m[1] > c.start
		}
		if t, ok := isoAt(s, m, loc); ok && !overlaps && t.Day() == atoi(s[m[6]:m[7]]) {
			out = append(out, dateCand{t, m[0], updateCue(s, m[0])})
		}
	}
	for _, c := range cands {
		if c.d < 1 || c.d > 31 || c.mo < 1 || c.mo > 12 || lunarCue(s, c.start, c.end) || reOtherCue.MatchString(s[max(0, c.start-30):c.start]) {
			continue
		}
		h, mi, sec := 0, 0, 0
		zone := loc
		// A time within 25 bytes before or after the date, with the zone
		// written after it ("22:21 (GMT+7)", "5:00 am PST").
		lo, hi := max(0, c.start-25), min(len(s), c.end+25)
		if tm := nearestTime(s, lo, hi, c.start, c.end); tm != nil {
			h, mi, sec = tm[0], tm[1], tm[2]
			if z, ok := writtenZone(s[tm[3]:min(len(s), tm[3]+16)]); ok {
				zone = z
			}
		}
		t := time.Date(c.y, time.Month(c.mo), c.d, h, mi, sec, 0, zone)
		if t.Day() != c.d { // 31/2
			continue
		}
		out = append(out, dateCand{t, c.start, updateCue(s, c.start)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	// An update cue marks the first date after it, not the next one too
	// ("Updated May 21, 2025 April 24, 2025").
	for i := 1; i < len(out); i++ {
		if out[i].update && out[i-1].update && out[i-1].start >= updateCueAt(s, out[i].start) {
			out[i].update = false
		}
	}
	return out, any
}

// nearestTime returns the hour, minute, second and end offset in s of
// the time of day written in s[lo:hi] nearest to the date s[dStart:dEnd]
// (nil when none).
func nearestTime(s string, lo, hi, dStart, dEnd int) []int {
	best, bestDist := []int(nil), 1<<30
	for _, m := range reTime.FindAllStringSubmatchIndex(s[lo:hi], -1) {
		start, end := m[0]+lo, m[1]+lo
		if start < dEnd && end > dStart { // inside the date itself
			continue
		}
		dist := start - dEnd
		if end <= dStart {
			dist = dStart - end
		}
		if dist < bestDist {
			sec := 0
			if m[6] >= 0 {
				sec = atoi(s[m[6]+lo : m[7]+lo])
			}
			h := atoi(s[m[2]+lo : m[3]+lo])
			if m[8] >= 0 { // 12-hour clock: AM/PM, SA (sáng)/CH (chiều)
				switch strings.ToUpper(s[m[8]+lo : m[8]+lo+1]) {
				case "P", "C":
					if h < 12 {
						h += 12
					}
				default:
					if h == 12 {
						h = 0
					}
				}
			}
			best, bestDist = []int{h, atoi(s[m[4]+lo : m[5]+lo]), sec, end}, dist
		}
	}
	return best
}

func isoAt(s string, m []int, loc *time.Location) (time.Time, bool) {
	y, mo, d := atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), atoi(s[m[6]:m[7]])
	if mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	h, mi, sec := 0, 0, 0
	if m[8] >= 0 {
		h, mi = atoi(s[m[8]:m[9]]), atoi(s[m[10]:m[11]])
		if m[12] >= 0 {
			sec = atoi(s[m[12]:m[13]])
		}
	}
	zone := loc
	if m[14] >= 0 {
		z := s[m[14]:m[15]]
		if z == "Z" {
			zone = time.UTC
		} else {
			z = strings.ReplaceAll(z, ":", "")
			off := atoi(z[1:3])*3600 + atoi(z[3:5])*60
			if z[0] == '-' {
				off = -off
			}
			zone = time.FixedZone("", off)
		}
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, zone), true
}

// vnMonths are the Vietnamese month names, longest first ("Mười Một"
// before "Mười"); "Giêng" and "Chạp" name lunar months and are left out.
const vnMonths = `mười một|mười hai|mười|một|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín`

// vnMonth returns the month a number or Vietnamese month name gives (0
// when none).
func vnMonth(s string) int {
	if n := atoi(s); n > 0 {
		return n
	}
	for i, name := range []string{"một", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "mười một", "mười hai"} {
		if strings.EqualFold(strings.Join(strings.Fields(s), " "), name) {
			return i + 1
		}
	}
	if strings.EqualFold(s, "bốn") {
		return 4
	}
	return 0
}

const monthNames = `jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?`

func monthNumber(s string) int {
	s = strings.ToLower(s)
	for i, p := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		if strings.HasPrefix(s, p) {
			return i + 1
		}
	}
	return 0
}

// reZoneAfter reads a UTC offset or a zone abbreviation written just
// after a time of day: "(GMT+7)", "GMT +7", "UTC+07:00", "PST", "EDT".
var reZoneAfter = regexp.MustCompile(`^\s*\(?\s*(?:(GMT|UTC)\s*(?:([+-])\s*(\d{1,2})(?::?(\d\d))?)?|(PST|PDT|MST|MDT|EST|EDT|ICT))\b`)

// zoneAbbrev are the offsets (hours) of the abbreviations reZoneAfter reads.
var zoneAbbrev = map[string]int{"PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "EST": -5, "EDT": -4, "ICT": 7}

// writtenZone returns the zone s begins with, if any.
func writtenZone(s string) (*time.Location, bool) {
	m := reZoneAfter.FindStringSubmatch(s)
	if m == nil {
		return nil, false
	}
	if m[5] != "" {
		return time.FixedZone(m[5], zoneAbbrev[m[5]]*3600), true
	}
	off := atoi(m[3])*3600 + atoi(m[4])*60
	if off > 14*3600 {
		return nil, false
	}
	if m[2] == "-" {
		off = -off
	}
	return time.FixedZone("", off), true
}

// updateCue: the date at byte i of s follows "Cập nhật", "Updated"…
func updateCue(s string, i int) bool {
	return reUpdateCue.MatchString(s[max(0, i-30):i])
}

// updateCueAt returns the byte offset in s of the update cue before the
// date at byte i (-1 when none).
func updateCueAt(s string, i int) int {
	lo := max(0, i-30)
	if m := reUpdateCue.FindStringIndex(s[lo:i]); m != nil {
		return lo + m[0]
	}
	return -1
}

// lunarCue: the date s[start:end] is a lunar date ("15/8 âm lịch",
// "ngày 15 tháng 8 năm Giáp Thìn") or is written beside one.
func lunarCue(s string, start, end int) bool {
	if reLunarCue.MatchString(s[end:min(len(s), end+40)]) {
		return true
	}
	before := strings.ToLower(s[max(0, start-20):start])
	return strings.Contains(before, "âm lịch") || strings.Contains(before, "tức ngày")
}

// parseMachineDate parses dates found in metadata (ISO 8601, RFC 1123/822
// and a few CMS variants); a date without a zone is taken in loc. The result
// keeps the zone the page wrote.
func parseMachineDate(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", time.RFC1123Z, time.RFC1123, time.RFC822Z, "Mon, 2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02", "2006/01/02 15:04:05", "2006/01/02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	if t, ok := parseMachineStrict(s, loc); ok {
		return t, true
	}
	return parseVietDate(s, time.Time{}, loc)
}

// parseMachineStrict is parseMachineDate for the unambiguous forms only
// (ISO 8601, RFC 1123/822 and their CMS variants).
func parseMachineStrict(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", time.RFC1123Z, time.RFC1123, time.RFC822Z, "Mon, 2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02", "2006/01/02 15:04:05", "2006/01/02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	if m := reISO.FindStringSubmatchIndex(s); m != nil && m[0] == 0 {
		return isoAt(s, m, loc)
	}
	return time.Time{}, false
}

// dateFromURL reads a timestamp from an article URL.
func dateFromURL(u string, loc *time.Location) (time.Time, bool) {
	if m := reURLStamp.FindStringSubmatch(u); m != nil {
		t := time.Date(atoi(m[1]), time.Month(atoi(m[2])), atoi(m[3]), atoi(m[4]), atoi(m[5]), atoi(m[6]), 0, loc)
		if t.Month() == time.Month(atoi(m[2])) && t.Day() == atoi(m[3]) {
			return t, true
		}
	}
	m := reURLPath.FindStringSubmatch(u)
	if m == nil {
		if m = reURLPathMonth.FindStringSubmatch(u); m != nil {
			m[2] = strconv.Itoa(monthNumber(m[2]))
		}
	}
	if m != nil {
		mo, d := atoi(m[2]), atoi(m[3])
		if mo >= 1 && mo <= 12 && d >= 1 && d <= 31 {
			return time.Date(atoi(m[1]), time.Month(mo), d, 0, 0, 0, 0, loc), true
		}
	}
	return time.Time{}, false
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
