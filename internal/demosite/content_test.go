package demosite

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// parseNow is a Thursday, 10:00 in Vietnam.
var parseNow = time.Date(2026, 11, 26, 10, 0, 0, 0, ict)

const goodHead = `id: 240150
section: xa-hoi
days: 2
time: 08:15
date: meta
modified: 90
visible: weekday
author: Lê Hà, Trần Nam ,
topics: laos, border
area: true
trap: lao động
title: Xã Bát Mọt mở lớp học
lead: Lớp học mới cho trẻ em.
tags: giáo dục, Bát Mọt
feed_entities: true
caption: Lớp học mới.
`

const goodBody = `Đoạn một
viết trên   hai dòng.

## Tiêu đề phụ


> Một trích dẫn.

[ảnh] Chú thích ảnh

Đoạn cuối.
`

// TestParseDocFields: every header key reaches its field, the dates are
// relative to now in +07:00, and the body's blank-line blocks get their
// kinds.
func TestParseDocFields(t *testing.T) {
	d, err := parseDoc(goodHead+"---\n"+goodBody, parseNow)
	if err != nil {
		t.Fatal(err)
	}
	pub := time.Date(2026, 11, 24, 8, 15, 0, 0, ict)
	want := &doc{
		Item: Item{
			ID: "240150", Title: "Xã Bát Mọt mở lớp học", Lead: "Lớp học mới cho trẻ em.",
			Path: "/xa-bat-mot-mo-lop-hoc-240150.htm", Section: "xa-hoi",
			Authors: []string{"Lê Hà", "Trần Nam"}, Published: pub, Modified: pub.Add(90 * time.Minute),
			DateFrom: DateMeta, Topics: []string{"border", "laos"}, Area: true, Trap: "lao động",
		},
		Tags: []string{"giáo dục", "Bát Mọt"}, Visible: "weekday", Format: "text",
		Body: []block{
			{"p", "Đoạn một viết trên hai dòng."}, {"h2", "Tiêu đề phụ"}, {"quote", "Một trích dẫn."},
			{"figure", "Chú thích ảnh"}, {"p", "Đoạn cuối."},
		},
		FeedEntities: true, Image: "/images/240150.png", Caption: "Lớp học mới.",
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("parsed\n%+v\nwant\n%+v", d, want)
	}
	if !d.Published.Equal(pub) || d.Published.Location() != ict {
		t.Errorf("published %v", d.Published)
	}
}

// TestParseDocDefaults: visible, format and modified are optional.
func TestParseDocDefaults(t *testing.T) {
	head := "id: 1\nsection: thoi-su\ndays: 0\ntime: 07:00\ndate: text\ntitle: Tin\nlead: Sa pô\n"
	d, err := parseDoc(head+"---\na\n\nb\n\nc\n", parseNow)
	if err != nil {
		t.Fatal(err)
	}
	if d.Visible != "plain" || d.Format != "text" || !d.Modified.IsZero() || d.Authors != nil || d.Topics != nil {
		t.Errorf("defaults: %+v", d)
	}
	if want := time.Date(2026, 11, 26, 7, 0, 0, 0, ict); !d.Published.Equal(want) {
		t.Errorf("published %v, want %v", d.Published, want)
	}
}

// TestParseDocNeverInTheFuture: a time later today than now is moved to
// 10+id%50 minutes before now; a modification after now is dropped.
func TestParseDocNeverInTheFuture(t *testing.T) {
	head := "id: 240163\nsection: thoi-su\ndays: 0\ntime: 11:30\ndate: jsonld\nmodified: 30\ntitle: Tin\nlead: Sa pô\n"
	now := parseNow.Add(42 * time.Second)
	d, err := parseDoc(head+"---\na\n\nb\n\nc\n", now)
	if err != nil {
		t.Fatal(err)
	}
	if want := parseNow.Add(-(10 + 13) * time.Minute); !d.Published.Equal(want) {
		t.Errorf("published %v, want %v", d.Published, want)
	}
	if !d.Modified.IsZero() {
		t.Errorf("modified after now kept: %v", d.Modified)
	}
	// modified lands in the past: kept.
	head = strings.Replace(head, "modified: 30", "modified: 20", 1)
	if d, err = parseDoc(head+"---\na\n\nb\n\nc\n", now); err != nil || !d.Modified.Equal(parseNow.Add(-3*time.Minute)) {
		t.Errorf("modified 20 minutes after: %v %v", d.Modified, err)
	}
}

// TestParseDocHTML: the hostile format keeps the body as raw markup (no
// block count) and gets a fixed slug, as its title makes none.
func TestParseDocHTML(t *testing.T) {
	head := "id: 999002\nsection: thoi-su\ndays: 1\ntime: 07:05\ndate: jsonld\nformat: html\ntitle: <script>x</script>\nlead: <b>l</b>\n"
	d, err := parseDoc(head+"---\n\n  <p>một</p>\n\n", parseNow)
	if err != nil {
		t.Fatal(err)
	}
	if d.RawBody != "<p>một</p>" || d.Body != nil || d.Path != "/tin-nong-999002.htm" || d.Image != "/images/999002.png" {
		t.Errorf("html doc: %+v", d)
	}
}

// TestParseDocRejects: each malformed file is refused with a message that
// says which line or field is at fault.
func TestParseDocRejects(t *testing.T) {
	good := goodHead + "---\n" + goodBody
	cases := []struct {
		name, src, want string
	}{
		{"not NFC", strings.Replace(good, "Xã", "Xa\u0303", 1), "not NFC"},
		{"no separator", goodHead + goodBody, "no --- line"},
		{"line without colon", strings.Replace(good, "area: true", "area true", 1), "line 10: want key: value"},
		{"unknown key", strings.Replace(good, "area:", "vung:", 1), `line 10: unknown key "vung"`},
		{"unknown section", strings.Replace(good, "section: xa-hoi", "section: the-thao", 1), `line 2: unknown section "the-thao"`},
		{"bad days", strings.Replace(good, "days: 2", "days: hai", 1), "line 3: strconv.Atoi"},
		{"bad modified", strings.Replace(good, "modified: 90", "modified: 1h", 1), "line 6: strconv.Atoi"},
		{"bad area", strings.Replace(good, "area: true", "area: co", 1), "line 10: strconv.ParseBool"},
		{"bad feed_entities", strings.Replace(good, "feed_entities: true", "feed_entities: 2", 1), "line 15: strconv.ParseBool"},
		{"no id", strings.Replace(good, "id: 240150", "id:", 1), "id, title, lead and section are required"},
		{"no title", strings.Replace(good, "title: Xã Bát Mọt mở lớp học", "title: ", 1), "are required"},
		{"no lead", strings.Replace(good, "lead: Lớp học mới cho trẻ em.", "lead:", 1), "are required"},
		{"no section", strings.Replace(good, "section: xa-hoi\n", "", 1), "are required"},
		{"bad date", strings.Replace(good, "date: meta", "date: html", 1), `date: want jsonld, meta or text, got "html"`},
		{"no date", strings.Replace(good, "date: meta\n", "", 1), `date: want jsonld, meta or text, got ""`},
		{"bad visible", strings.Replace(good, "visible: weekday", "visible: iso", 1), `visible: want plain, weekday or paren, got "iso"`},
		{"unknown topic", strings.Replace(good, "topics: laos, border", "topics: laos, sport", 1), `unknown topic "sport"`},
		{"no time", strings.Replace(good, "time: 08:15\n", "", 1), `time: want HH:MM, got ""`},
		{"bad hour", strings.Replace(good, "time: 08:15", "time: 24:00", 1), `time: want HH:MM, got "24:00"`},
		{"bad minute", strings.Replace(good, "time: 08:15", "time: 08:60", 1), `got "08:60"`},
		{"clock not numeric", strings.Replace(good, "time: 08:15", "time: 8h15", 1), `got "8h15"`},
		{"header line too long", strings.Replace(good, "lead: Lớp học mới cho trẻ em.", "lead: "+strings.Repeat("a", 70000), 1), "token too long"},
		{"short body", goodHead + "---\nmột\n\n\n\n## hai\n", "body too short: 2 blocks"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := parseDoc(c.src, parseNow)
			if err == nil {
				t.Fatalf("accepted: %+v", d)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to mention %q", err, c.want)
			}
			if d != nil {
				t.Errorf("a doc with the error: %+v", d)
			}
		})
	}
}
