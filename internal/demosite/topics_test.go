package demosite_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/PuerkitoBio/goquery"

	"github.com/diembao/diembao/internal/demosite"
)

// term is a phrase of the draft keyword lists (shared/domain/vietnamese.md
// §5), matched on whole syllables with diacritics; ctx, when set, must occur
// somewhere in the same text.
type term struct {
	phrase string
	ctx    []string
}

func terms(ctx []string, phrases ...string) []term {
	out := make([]term, len(phrases))
	for i, p := range phrases {
		out[i] = term{p, ctx}
	}
	return out
}

// topicTerms is a deliberately plain reading of §5: enough to check that
// the sample articles hit the topics their Items promise, and no others.
var topicTerms = map[string][]term{
	demosite.TopicBorder: append(terms(nil,
		"biên giới", "chủ quyền", "cột mốc", "mốc quốc giới", "cọc dấu", "phân giới cắm mốc", "cửa khẩu",
		"lối mở", "xuất nhập cảnh", "vượt biên", "di cư tự do", "di cư không theo kế hoạch",
		"kết hôn không giá thú", "xâm canh", "xâm cư", "tuần tra song phương", "bộ đội biên phòng",
		"bđbp", "đồn biên phòng", "ngày biên phòng toàn dân"),
		append(terms([]string{"biên giới"}, "đường mòn"),
			terms([]string{"biên giới", "cửa khẩu", "lào"}, "buôn lậu", "ma túy", "ma tuý", "mua bán người")...)...),
	demosite.TopicEthnic: terms(nil,
		"dân tộc thiểu số", "dtts", "đồng bào dân tộc", "chính sách dân tộc", "người có uy tín", "già làng",
		"trưởng bản", "người thái", "dân tộc thái", "người mường", "dân tộc mường", "người kinh",
		"người mông", "người khơ mú", "người dao", "bản sắc văn hóa", "tiếng thái", "chữ thái",
		"sở dân tộc và tôn giáo", "bộ dân tộc và tôn giáo", "ban dân tộc"),
	demosite.TopicReligion: append(terms(nil,
		"tôn giáo", "tín ngưỡng", "công giáo", "giáo xứ", "giáo họ", "giáo phận thanh hóa", "nhà thờ",
		"linh mục", "tin lành", "hội thánh", "phật giáo", "chùa", "hiện tượng tôn giáo mới", "đạo lạ",
		"tà đạo", "giê sùa", "pháp luân công", "ban tôn giáo"),
		terms([]string{"tin lành", "tôn giáo"}, "điểm nhóm")...),
	demosite.TopicLaos: append(terms(nil,
		"lào", "hủa phăn", "houaphanh", "sầm nưa", "sầm tớ", "xamtay", "tha lấu", "thà láu", "viêng xay",
		"xốp bâu", "nậm xôi", "na mèo", "tén tằn", "sổm vẳng", "bunpimay", "đối ngoại",
		"thông tin đối ngoại", "bản kết nghĩa"),
		terms([]string{"lào", "sầm tớ", "hủa phăn"}, "kết nghĩa", "phôn xay", "biên bản ghi nhớ", "hội đàm", "giao ban")...),
	demosite.TopicDisinfo: append(terms(nil,
		"xuyên tạc", "sai sự thật", "thông tin sai lệch", "thông tin sai trái", "thông tin xấu độc",
		"tin giả", "bịa đặt", "vu khống", "bôi nhọ", "kích động", "chia rẽ", "khối đại đoàn kết",
		"quan điểm sai trái", "thế lực thù địch", "lợi dụng vấn đề dân tộc", "lợi dụng tôn giáo",
		"dân chủ nhân quyền", "đính chính", "phản bác"),
		terms([]string{"sai sự thật", "xuyên tạc", "tin giả"}, "mạng xã hội")...),
}

// areaTerms is the gazetteer: old and new commune names, the border post and
// gate, landmarks, Sầm Tớ and the Lao gate. Ambiguous names need context.
var areaTerms = append(terms(nil,
	"thường xuân", "bát mọt", "cửa khẩu khẹo", "luận thành", "luận khê", "xuân chinh", "xuân lẹ",
	"xuân cao", "ngọc phụng", "thọ thanh", "xuân dương", "xuân cẩm", "hồ cửa đặt", "xuân liên",
	"sầm tớ", "tha lấu", "thà láu"),
	terms([]string{"thanh hóa", "thường xuân"}, "khẹo", "tân thành", "thắng lộc", "yên nhân", "lương sơn",
		"vạn xuân", "xuân lộc", "xuân thắng", "sông chu")...)

// stopAfter lists the longer names a term does not count inside: "Lào" in
// "Lào Cai".
var stopAfter = map[string]string{"lào": "cai"}

func syllables(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
}

func has(toks []string, phrase string) bool {
	p := syllables(phrase)
	for i := 0; i+len(p) <= len(toks); i++ {
		if slices.Equal(toks[i:i+len(p)], p) {
			if next, ok := stopAfter[phrase]; ok && i+1 < len(toks) && toks[i+1] == next {
				continue
			}
			return true
		}
	}
	return false
}

func hits(toks []string, ts []term) []string {
	var out []string
	for _, t := range ts {
		if !has(toks, t.phrase) {
			continue
		}
		if len(t.ctx) > 0 && !slices.ContainsFunc(t.ctx, func(c string) bool { return has(toks, c) }) {
			continue
		}
		out = append(out, t.phrase)
	}
	return out
}

// TestExpectedTopics checks every served page (title, lead, body, captions,
// tags) against the draft keyword lists: an Item's Topics and Area are what
// the text really says, and the traps ("lao động", "Lào Cai", "Thọ Xuân",
// "khéo", "mương", "nhà thơ") hit nothing.
func TestExpectedTopics(t *testing.T) {
	s := start(t, demosite.Options{Hostile: true})
	count := map[string]int{}
	areaCount := 0
	for _, it := range s.Articles() {
		body, _ := get(t, s.URL()+it.Path, 200)
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		text := doc.Find("article.article-detail").Text()
		toks := syllables(text)
		var got []string
		for topic, ts := range topicTerms {
			if h := hits(toks, ts); len(h) > 0 {
				got = append(got, topic)
				if !slices.Contains(it.Topics, topic) {
					t.Errorf("%s %q: hits %s (%v) but Topics = %v", it.ID, it.Title, topic, h, it.Topics)
				}
			}
		}
		slices.Sort(got)
		for _, topic := range it.Topics {
			count[topic]++
			if !slices.Contains(got, topic) {
				t.Errorf("%s %q: Topics has %s but the text never says it", it.ID, it.Title, topic)
			}
		}
		area := hits(toks, areaTerms)
		if (len(area) > 0) != it.Area {
			t.Errorf("%s %q: Area = %v but gazetteer hits %v", it.ID, it.Title, it.Area, area)
		}
		if it.Area {
			areaCount++
		}
	}
	for _, topic := range []string{demosite.TopicBorder, demosite.TopicEthnic, demosite.TopicReligion, demosite.TopicLaos, demosite.TopicDisinfo} {
		if count[topic] < 2 {
			t.Errorf("only %d articles about %s", count[topic], topic)
		}
	}
	if n := len(s.Articles()); areaCount < n/3 || areaCount > n-5 {
		t.Errorf("%d of %d articles concern the area", areaCount, n)
	}
}
