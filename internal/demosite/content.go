package demosite

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

//go:embed content templates
var files embed.FS

// ict is Vietnam's time zone (UTC+7, no DST); pages state times in it.
var ict = time.FixedZone("ICT", 7*3600)

// section is a category of the site.
type section struct {
	Slug, Name string
}

// sections in menu order. The slugs are the listing pages' paths.
var sections = []section{
	{"thoi-su", "Thời sự"},
	{"quoc-phong-an-ninh", "Quốc phòng - An ninh"},
	{"dan-toc-mien-nui", "Dân tộc - Miền núi"},
	{"kinh-te", "Kinh tế"},
	{"nong-nghiep", "Nông nghiệp - Nông thôn"},
	{"xa-hoi", "Xã hội"},
	{"giao-duc", "Giáo dục"},
	{"van-hoa", "Văn hóa"},
}

func sectionName(slug string) string {
	for _, s := range sections {
		if s.Slug == slug {
			return s.Name
		}
	}
	return ""
}

// doc is one parsed content file: an Item plus what the page renders.
type doc struct {
	Item
	Tags         []string
	Visible      string // "weekday" | "paren" | "plain": the visible date format
	Format       string // "text" (default) or "html" (body is raw markup: hostile page)
	Body         []block
	RawBody      string
	FeedEntities bool // the feed title carries HTML entities (&quot; &#8211;)
	Image        string
	Caption      string
}

// block is a body element: a paragraph, a subheading or a quote.
type block struct {
	Kind string // "p", "h2", "quote", "figure"
	Text string
}

// loadDocs reads the embedded articles (and the hostile one when asked),
// dates them relative to now and returns them newest first.
func loadDocs(now time.Time, hostile bool) ([]*doc, error) {
	dirs := []string{"content/articles"}
	if hostile {
		dirs = append(dirs, "content/hostile")
	}
	var docs []*doc
	for _, dir := range dirs {
		names, err := fs.Glob(files, dir+"/*.txt")
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			b, err := files.ReadFile(name)
			if err != nil {
				return nil, err
			}
			d, err := parseDoc(string(b), now)
			if err != nil {
				return nil, fmt.Errorf("demosite: %s: %w", name, err)
			}
			d.Hostile = dir == "content/hostile"
			docs = append(docs, d)
		}
	}
	// Two articles may not share a minute: a clamp below may have moved one.
	slices.SortStableFunc(docs, func(a, b *doc) int {
		if c := b.Published.Compare(a.Published); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	seen := map[string]bool{}
	for _, d := range docs {
		if seen[d.ID] {
			return nil, fmt.Errorf("demosite: duplicate article id %s", d.ID)
		}
		seen[d.ID] = true
	}
	return docs, nil
}

// parseDoc parses "key: value" header lines, a "---" line, then the body:
// paragraphs separated by blank lines, "## " subheadings, "> " quotes and
// "[ảnh] caption" figures. Dates are relative to now (see setDates).
func parseDoc(src string, now time.Time) (*doc, error) {
	if !norm.NFC.IsNormalString(src) {
		return nil, fmt.Errorf("text is not NFC")
	}
	head, body, ok := strings.Cut(src, "\n---\n")
	if !ok {
		return nil, fmt.Errorf("no --- line after the header")
	}
	d := &doc{Format: "text", Visible: "plain"}
	tm, err := d.parseHeader(head)
	if err != nil {
		return nil, err
	}
	if err := d.checkHeader(); err != nil {
		return nil, err
	}
	if err := d.setDates(tm, now); err != nil {
		return nil, err
	}
	d.setPaths()
	if d.Format == "html" {
		d.RawBody = strings.TrimSpace(body)
		return d, nil
	}
	d.Body = parseBody(body)
	if len(d.Body) < 3 {
		return nil, fmt.Errorf("body too short: %d blocks", len(d.Body))
	}
	return d, nil
}

// docTiming is what a header says about dates, before they are made
// relative to now: days before today, the clock ("HH:MM") and the minutes
// from publication to modification (0: none).
type docTiming struct {
	days, modMinutes int
	clock            string
}

// parseHeader reads the header lines into d and the returned timing. An
// error names the line (1-based).
func (d *doc) parseHeader(head string) (docTiming, error) {
	var tm docTiming
	sc := bufio.NewScanner(strings.NewReader(head))
	line := 0
	for sc.Scan() {
		line++
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			return docTiming{}, fmt.Errorf("line %d: want key: value", line)
		}
		if err := d.setHeader(&tm, k, strings.TrimSpace(v)); err != nil {
			return docTiming{}, fmt.Errorf("line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return docTiming{}, fmt.Errorf("after line %d: %w", line, err)
	}
	return tm, nil
}

// setHeader sets the field of header key k (spaces around it ignored) to
// the trimmed value v; the date keys go to tm.
func (d *doc) setHeader(tm *docTiming, k, v string) error {
	var err error
	switch strings.TrimSpace(k) {
	case "id":
		d.ID = v
	case "section":
		if sectionName(v) == "" {
			return fmt.Errorf("unknown section %q", v)
		}
		d.Section = v
	case "days":
		tm.days, err = strconv.Atoi(v)
	case "time":
		tm.clock = v
	case "modified":
		tm.modMinutes, err = strconv.Atoi(v)
	case "date":
		d.DateFrom = v
	case "visible":
		d.Visible = v
	case "author":
		d.Authors = splitList(v)
	case "topics":
		d.Topics = splitList(v)
		slices.Sort(d.Topics)
	case "area":
		d.Area, err = strconv.ParseBool(v)
	case "trap":
		d.Trap = v
	case "title":
		d.Title = v
	case "lead":
		d.Lead = v
	case "tags":
		d.Tags = splitList(v)
	case "feed_entities":
		d.FeedEntities, err = strconv.ParseBool(v)
	case "format":
		d.Format = v
	case "caption":
		d.Caption = v
	default:
		return fmt.Errorf("unknown key %q", k)
	}
	return err
}

// checkHeader checks the required fields and the enumerated values.
func (d *doc) checkHeader() error {
	switch {
	case d.ID == "" || d.Title == "" || d.Section == "" || d.Lead == "":
		return fmt.Errorf("id, title, lead and section are required")
	case d.DateFrom != DateJSONLD && d.DateFrom != DateMeta && d.DateFrom != DateText:
		return fmt.Errorf("date: want jsonld, meta or text, got %q", d.DateFrom)
	case d.Visible != "plain" && d.Visible != "weekday" && d.Visible != "paren":
		return fmt.Errorf("visible: want plain, weekday or paren, got %q", d.Visible)
	}
	for _, t := range d.Topics {
		switch t {
		case TopicBorder, TopicEthnic, TopicReligion, TopicLaos, TopicDisinfo:
		default:
			return fmt.Errorf("unknown topic %q", t)
		}
	}
	return nil
}

// setDates sets Published to tm.days before now's date at tm.clock, in
// +07:00, but never after now (then 10 to 59 minutes before now, by id, so
// that the day's articles keep an order), and Modified tm.modMinutes
// later when that is not after now.
func (d *doc) setDates(tm docTiming, now time.Time) error {
	hh, mm, err := parseClock(tm.clock)
	if err != nil {
		return err
	}
	n := now.In(ict)
	day := time.Date(n.Year(), n.Month(), n.Day()-tm.days, hh, mm, 0, 0, ict)
	if day.After(now) {
		// Written for earlier in the day than the clock shows: keep the
		// order of the day's articles but never publish in the future.
		idn, _ := strconv.Atoi(d.ID)
		day = now.In(ict).Truncate(time.Minute).Add(-time.Duration(10+idn%50) * time.Minute)
	}
	d.Published = day
	if tm.modMinutes > 0 {
		if m := day.Add(time.Duration(tm.modMinutes) * time.Minute); !m.After(now) {
			d.Modified = m
		}
	}
	return nil
}

// setPaths sets the page's path (slug of the title, then the id) and its
// image's.
func (d *doc) setPaths() {
	d.Path = "/" + slugify(d.Title) + "-" + d.ID + ".htm"
	if d.Format == "html" { // the hostile page: its title makes no slug
		d.Path = "/tin-nong-" + d.ID + ".htm"
	}
	d.Image = "/images/" + d.ID + ".png"
}

// parseBody splits a text body into blocks at blank lines, each block's
// lines joined by single spaces, and gives each its kind by its prefix.
func parseBody(body string) []block {
	var out []block
	for _, para := range strings.Split(strings.TrimSpace(body), "\n\n") {
		para = strings.Join(strings.Fields(para), " ")
		switch {
		case para == "":
		case strings.HasPrefix(para, "## "):
			out = append(out, block{"h2", para[3:]})
		case strings.HasPrefix(para, "> "):
			out = append(out, block{"quote", para[2:]})
		case strings.HasPrefix(para, "[ảnh] "):
			out = append(out, block{"figure", strings.TrimPrefix(para, "[ảnh] ")})
		default:
			out = append(out, block{"p", para})
		}
	}
	return out
}

func parseClock(s string) (int, int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh > 23 || mm > 59 {
		return 0, 0, fmt.Errorf("time: want HH:MM, got %q", s)
	}
	return hh, mm, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// slugify turns a Vietnamese title into the ASCII slug Vietnamese CMSs use:
// diacritics removed, đ→d, lower case, words joined by '-'.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		}
		r = unicode.ToLower(r)
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	out := b.String()
	if len(out) > 90 {
		out = strings.TrimRight(out[:90], "-")
		if i := strings.LastIndexByte(out, '-'); i > 60 {
			out = out[:i]
		}
	}
	return path.Clean(out)
}

// vnWeekdays are the Vietnamese weekday names, Sunday first.
var vnWeekdays = [7]string{"Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"}

// visibleDate formats t the way the page's byline shows it.
func visibleDate(t time.Time, style string) string {
	t = t.In(ict)
	switch style {
	case "weekday": // "Thứ tư, 10/1/2024 - 14:30"
		return fmt.Sprintf("%s, %d/%d/%d - %02d:%02d", vnWeekdays[t.Weekday()], t.Day(), int(t.Month()), t.Year(), t.Hour(), t.Minute())
	case "paren": // "(15:19 30/11/2019)"
		return fmt.Sprintf("(%02d:%02d %d/%d/%d)", t.Hour(), t.Minute(), t.Day(), int(t.Month()), t.Year())
	default: // "Thứ Tư, 10/01/2024, 14:30 (GMT+7)"
		return fmt.Sprintf("%s, %02d/%02d/%d, %02d:%02d (GMT+7)", vnWeekdays[t.Weekday()], t.Day(), int(t.Month()), t.Year(), t.Hour(), t.Minute())
	}
}

// relativeTime is how listings show age: "5 phút trước", "3 giờ trước",
// "2 ngày trước".
func relativeTime(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "vừa xong"
	case d < time.Hour:
		return fmt.Sprintf("%d phút trước", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d giờ trước", int(d/time.Hour))
	case d < 7*24*time.Hour:
		return fmt.Sprintf("%d ngày trước", int(d/(24*time.Hour)))
	default:
		return fmt.Sprintf("%d tuần trước", int(d/(7*24*time.Hour)))
	}
}
