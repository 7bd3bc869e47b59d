package rules

import (
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/textnorm"
)

// benchWords is a small Vietnamese vocabulary for synthetic text and rules.
var benchWords = strings.Fields(`biên giới cửa khẩu đồn biên phòng tuần tra song phương xã huyện tỉnh Thanh Hóa
Thường Xuân Bát Mọt Lào nước bạn hợp tác hữu nghị đoàn kết nhân dân cán bộ chiến sĩ đồng bào dân tộc
thiểu số người Thái Mường Kinh Mông văn hóa lễ hội truyền thống tôn giáo tín ngưỡng giáo xứ chùa nhà thờ
kinh tế xã hội phát triển nông thôn mới đường giao thông trường học trạm y tế mưa lũ sạt lở thiệt hại
hỗ trợ gia đình chính sách học sinh nghèo vượt khó sản xuất nông nghiệp lúa ngô sắn mía keo rừng bảo vệ
phòng cháy chữa cháy an ninh trật tự công an quân sự hội nghị tổng kết triển khai kế hoạch năm quý tháng
ngày tuần thông tin tuyên truyền báo chí mạng xã hội sai sự thật xuyên tạc đính chính phản bác chia rẽ
kích động lợi dụng thế lực thù địch Hủa Phăn Sầm Tớ Tha Lấu kết nghĩa giao ban hội đàm biên bản ghi nhớ
lao động việc làm thu nhập đời sống người dân bà con thôn bản làng già làng trưởng bản người có uy tín
chính quyền Ủy ban nhân dân Hội đồng Đảng bộ chi bộ Mặt trận Tổ quốc đoàn thanh niên phụ nữ cựu chiến binh`)

func benchText(size int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	for b.Len() < size {
		for i := 0; i < 8+r.IntN(12); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(benchWords[r.IntN(len(benchWords))])
		}
		b.WriteString(". ")
	}
	return b.String()
}

// benchTerms returns n distinct terms of 1-3 syllables; about one in five
// is made of words the text uses, the others of invented syllables, so that
// the rule count grows without every rule matching.
func benchTerms(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 2))
	seen := map[string]bool{}
	var out []string
	onsets := []string{"b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "ph", "s", "t", "th", "tr", "v", "x"}
	rimes := []string{"a", "à", "á", "ai", "an", "ang", "anh", "ao", "âm", "ân", "ê", "em", "iêu", "in", "inh", "oa", "oàn", "ôi", "ông", "ơn", "ung", "ưng", "ươi", "ường", "uyên"}
	for len(out) < n {
		k := 1 + r.IntN(3)
		parts := make([]string, k)
		for i := range parts {
			if r.IntN(5) == 0 {
				parts[i] = strings.ToLower(benchWords[r.IntN(len(benchWords))])
			} else {
				parts[i] = onsets[r.IntN(len(onsets))] + rimes[r.IntN(len(rimes))]
			}
		}
		t := strings.Join(parts, " ")
		if key := textnorm.Key(t); !seen[key] {
			seen[key] = true
			out = append(out, t)
		}
	}
	return out
}

// benchSet compiles n rules of two OR'd phrases each (2n terms).
func benchSet(b testing.TB, n int) (*Set, []string) {
	terms := benchTerms(2*n, uint64(n))
	var y strings.Builder
	y.WriteString("topics: [{id: t}]\nrules:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&y, "  - {id: r%d, topic: t, query: '\"%s\" OR \"%s\"'}\n", i, terms[2*i], terms[2*i+1])
	}
	s, err := LoadFS(fstest.MapFS{"r.yaml": {Data: []byte(y.String())}})
	if err != nil {
		b.Fatal(err)
	}
	return s, terms
}

// corpusPath is real Vietnamese news text (1,000 paragraphs, 201 KB), shared
// with the textnorm benchmark.
const corpusPath = "../../shared/corpus/binhvq-sample/demo-full.txt"

// newsArticles groups the corpus paragraphs into article bodies of about
// 4 KiB, a typical news article; nil when the corpus is absent.
func newsArticles() []string {
	b, err := os.ReadFile(corpusPath)
	if err != nil {
		return nil
	}
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(line)
		if cur.Len() >= 4<<10 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// BenchmarkMatch compares, in one run, the matcher with 100, 1,000 and
// 10,000 rules against a Go regexp alternation of the same terms and
// against textnorm folding alone (the floor), on two inputs: text=news, the
// corpus as ~4 KiB articles (one Match per article), and text=dense, 64 KiB
// of synthetic text much denser in rule terms. See docs/bench/rules.md.
func BenchmarkMatch(b *testing.B) {
	inputs := []struct {
		name string
		docs []string
	}{
		{"news", newsArticles()},
		{"dense", []string{benchText(64<<10, 7)}},
	}
	// Each variant builds its set or regexp inside its own sub-benchmark
	// (b.Loop runs the body once), so that no variant's garbage collections
	// mark the others' large structures.
	regexpOf := func(n int) *regexp.Regexp {
		terms := benchTerms(2*n, uint64(n))
		quoted := make([]string, len(terms))
		for i, t := range terms {
			quoted[i] = regexp.QuoteMeta(strings.ToLower(textnorm.Normalize(t)))
		}
		return regexp.MustCompile(`(?:^|[^\p{L}\p{M}\p{N}])(?:` + strings.Join(quoted, "|") + `)(?:$|[^\p{L}\p{M}\p{N}])`)
	}
	for _, in := range inputs {
		if len(in.docs) == 0 {
			b.Logf("text=%s: corpus %s not available, skipped", in.name, corpusPath)
			continue
		}
		size := 0
		for _, d := range in.docs {
			size += len(d)
		}
		all := strings.Join(in.docs, "\n")
		small := all[:min(len(all), 4<<10)] // the regexp needs a smaller input to finish
		for strings.LastIndexByte(small, ' ') != len(small)-1 && len(small) > 0 {
			small = small[:len(small)-1]
		}
		b.Run("text="+in.name+"/floor=textnorm.Fold", func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, d := range in.docs {
					_ = textnorm.Fold(d)
				}
			}
		})
		b.Run("text="+in.name+"/floor=textnorm.Tokens", func(b *testing.B) {
			b.SetBytes(int64(size))
			var toks []textnorm.Token
			for b.Loop() {
				for _, d := range in.docs {
					toks = textnorm.AppendTokens(toks[:0], textnorm.Normalize(d))
				}
			}
		})
		for _, n := range []int{100, 1000, 10000} {
			b.Run(fmt.Sprintf("text=%s/rules=%d", in.name, n), func(b *testing.B) {
				s, _ := benchSet(b, n)
				b.SetBytes(int64(size))
				var matches int
				for b.Loop() {
					matches = 0
					for _, d := range in.docs {
						matches += len(s.Match(article.Article{Body: d}).Matches)
					}
				}
				b.ReportMetric(float64(matches), "rules_matched")
			})
			// The matcher before the throughput work (ref_test.go), same set.
			b.Run(fmt.Sprintf("text=%s/before-rules=%d", in.name, n), func(b *testing.B) {
				s, _ := benchSet(b, n)
				rt := refTriesOf(s)
				use := func(r *compiledRule) bool { return !r.Disabled }
				b.SetBytes(int64(size))
				var matches int
				for b.Loop() {
					matches = 0
					for _, d := range in.docs {
						matches += len(s.matchRef(rt, article.Article{Body: d}, use).Matches)
					}
				}
				b.ReportMetric(float64(matches), "rules_matched")
			})
			b.Run(fmt.Sprintf("text=%s/regexp=%d", in.name, n), func(b *testing.B) {
				re := regexpOf(n)
				b.SetBytes(int64(len(small)))
				low := strings.ToLower(textnorm.Normalize(small))
				for b.Loop() {
					_ = re.FindAllStringIndex(low, -1)
				}
			})
		}
	}
}
