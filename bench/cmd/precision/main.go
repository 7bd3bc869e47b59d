// Command precision measures how precise searches typed without diacritics
// are: precision at 10 of 40 analyst queries (place names and topics of
// Thường Xuân) on articles built from the real news text of shared/corpus,
// a quarter of them carrying sentences about the area.
//
// A hit is relevant when its title or body holds the query's intended
// phrase with diacritics, syllables side by side ("bien gioi" is meant as
// "biên giới"; "phổ biến … giới thiệu" is not relevant). P@10 of a query is
// the share of relevant hits among its first ten (or fewer, when it has
// fewer hits); a query that finds nothing while relevant articles exist
// scores 0. The figure is the mean over the 40 queries.
//
//	cd bench && go run ./cmd/precision -n 3000
//	cd bench && go run ./cmd/precision -n 3000 -apart   # the words AND-ed apart, as diembao searched them before
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/textnorm"
)

// queries are typed without diacritics; want is what the analyst means.
var queries = []struct{ q, want string }{
	{"bien gioi", "biên giới"}, {"thuong xuan", "Thường Xuân"}, {"sam to", "Sầm Tớ"},
	{"bat mot", "Bát Mọt"}, {"ton giao", "tôn giáo"}, {"dan toc thieu so", "dân tộc thiểu số"},
	{"ma tuy", "ma túy"}, {"buon lau", "buôn lậu"}, {"vuot bien", "vượt biên"},
	{"cua khau", "cửa khẩu"}, {"tin lanh", "Tin Lành"}, {"cong giao", "Công giáo"},
	{"tin nguong", "tín ngưỡng"}, {"hua phan", "Hủa Phăn"}, {"thanh hoa", "Thanh Hóa"},
	{"bien phong", "biên phòng"}, {"nguoi mong", "người Mông"}, {"an ninh trat tu", "an ninh trật tự"},
	{"mang xa hoi", "mạng xã hội"}, {"sai su that", "sai sự thật"}, {"xuyen tac", "xuyên tạc"},
	{"dong bao", "đồng bào"}, {"xuan le", "Xuân Lẹ"}, {"yen nhan", "Yên Nhân"},
	{"van xuan", "Vạn Xuân"}, {"luong son", "Lương Sơn"}, {"xuan cao", "Xuân Cao"},
	{"luan thanh", "Luận Thành"}, {"ngoc phung", "Ngọc Phụng"}, {"tho thanh", "Thọ Thanh"},
	{"xuan chinh", "Xuân Chinh"}, {"mua ban nguoi", "mua bán người"}, {"di cu tu do", "di cư tự do"},
	{"xuat canh trai phep", "xuất cảnh trái phép"}, {"tuan tra", "tuần tra"}, {"cot moc", "cột mốc"},
	{"tao hon", "tảo hôn"}, {"phat giao", "Phật giáo"}, {"luu hoc sinh", "lưu học sinh"},
	{"ho tro nha o", "hỗ trợ nhà ở"},
}

// areaSentences are what articles about the area say, one or more per query.
var areaSentences = []string{
	"Đồn Biên phòng Bát Mọt phối hợp tuần tra song phương trên tuyến biên giới Việt - Lào.",
	"Hai bên kiểm tra hệ thống cột mốc và đường biên giới quốc gia.",
	"Đoàn công tác huyện Thường Xuân thăm và làm việc tại huyện Sầm Tớ, tỉnh Hủa Phăn, nước bạn Lào.",
	"Hợp tác giữa Thanh Hóa và tỉnh Hủa Phăn của Lào tiếp tục được mở rộng.",
	"Ban Tôn giáo tỉnh gặp mặt chức sắc Công giáo và Tin Lành nhân dịp lễ Giáng sinh.",
	"Địa phương bảo đảm quyền tự do tín ngưỡng, tôn giáo của nhân dân theo quy định của pháp luật.",
	"Đồng bào dân tộc thiểu số ở xã Yên Nhân được hỗ trợ nhà ở và đất sản xuất.",
	"Người Mông ở vùng cao xã Bát Mọt tham gia giữ gìn an ninh trật tự.",
	"Lực lượng chức năng triệt phá đường dây buôn lậu ma túy qua cửa khẩu phụ.",
	"Bộ đội Biên phòng bắt giữ đối tượng vượt biên, xuất cảnh trái phép sang Lào.",
	"Công an cảnh báo thông tin sai sự thật lan truyền trên mạng xã hội.",
	"Các thế lực thù địch xuyên tạc chính sách dân tộc, tôn giáo để kích động đồng bào.",
	"Xã Xuân Lẹ và xã Xuân Chinh tuyên truyền phòng chống tảo hôn, hôn nhân cận huyết.",
	"Nhân dân xã Vạn Xuân và xã Lương Sơn trồng rừng gỗ lớn.",
	"Xã Xuân Cao, Luận Thành, Ngọc Phụng, Thọ Thanh ra quân làm đường giao thông nông thôn.",
	"Tình trạng di cư tự do và mua bán người ở khu vực biên giới đã giảm.",
	"Chùa của Phật giáo được trùng tu, tín đồ Phật giáo dâng hương.",
	"Lưu học sinh Lào sang học tập tại Thanh Hóa ngày càng đông.",
	"Huyện Thường Xuân hỗ trợ nhà ở cho hộ nghèo.",
}

func main() {
	corpus := flag.String("corpus", "../../shared/corpus/binhvq-sample", "corpus directory (demo-full.txt, demo-title.txt)")
	n := flag.Int("n", 3000, "articles")
	apart := flag.Bool("apart", false, "AND the query's words apart (diembao's search before runs)")
	verbose := flag.Bool("v", false, "print each query's P@10")
	flag.Parse()
	body := readLines(filepath.Join(*corpus, "demo-full.txt"))
	titles := readLines(filepath.Join(*corpus, "demo-title.txt"))

	x, err := indexer.Open(indexer.Config{}, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		log.Fatal(err)
	}
	defer x.Close()
	arts := make([]article.Article, *n)
	batch := make([]indexer.ArticleAt, 0, 500)
	for i := range arts {
		arts[i] = build(i, body, titles)
		batch = append(batch, indexer.ArticleAt{Article: arts[i], Seq: uint64(i + 1)})
		if len(batch) == cap(batch) || i == len(arts)-1 {
			if err := x.Index(context.Background(), batch); err != nil {
				log.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	byID := map[string]article.Article{}
	for _, a := range arts {
		byID[a.ID] = a
	}

	if os.Getenv("DBG") != "" {
		for _, q := range strings.Split(os.Getenv("DBG"), "|") {
			res, err := x.Search(context.Background(), indexer.Query{Q: q, Size: 3})
			fmt.Println(q, res.Total, err, res.Notices)
			for _, h := range res.Hits {
				fmt.Println("   ", h.Snippet)
			}
		}
	}
	var sum float64
	for _, q := range queries {
		typed := q.q
		if *apart {
			typed = strings.ReplaceAll(q.q, " ", " AND ")
		}
		res, err := x.Search(context.Background(), indexer.Query{Q: typed, Size: 10})
		if err != nil {
			log.Fatalf("%s: %v", typed, err)
		}
		rel := 0
		for _, h := range res.Hits {
			if holds(byID[h.ID], q.want) {
				rel++
			}
		}
		p := 0.0
		if len(res.Hits) > 0 {
			p = float64(rel) / float64(len(res.Hits))
		}
		sum += p
		if *verbose && p < 0.5 && len(res.Hits) > 0 {
			fmt.Printf("  first hit: %s\n", res.Hits[0].Snippet)
		}
		if *verbose {
			fmt.Printf("%-22s %5d hits  P@10 %.2f\n", q.q, res.Total, p)
		}
	}
	mode := "runs (as typed)"
	if *apart {
		mode = "words apart (AND)"
	}
	fmt.Printf("%d articles, %d queries, %s: mean P@10 %.3f\n", *n, len(queries), mode, sum/float64(len(queries)))
}

// holds reports whether a's title or body has phrase, syllables side by
// side, diacritics as written (tone placement and case aside).
func holds(a article.Article, phrase string) bool {
	want := keys(phrase)
	for _, text := range []string{a.Title, a.Body} {
		got := keys(text)
	next:
		for i := 0; i+len(want) <= len(got); i++ {
			for j := range want {
				if got[i+j] != want[j] {
					continue next
				}
			}
			return true
		}
	}
	return false
}

func keys(s string) []string {
	var out []string
	for _, t := range textnorm.Tokens(textnorm.Normalize(s)) {
		out = append(out, t.Key)
	}
	return out
}

// build returns article i: 10–30 corpus lines, and in one article of four
// one to three sentences about the area.
func build(i int, body, titles []string) article.Article {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	id := fmt.Sprintf("%032x", i)
	var b strings.Builder
	lines := 10 + r.IntN(21)
	area := 0
	if r.IntN(4) == 0 {
		area = 1 + r.IntN(3)
	}
	for l := range lines {
		if area > 0 && r.IntN(lines-l) < area {
			b.WriteString(areaSentences[r.IntN(len(areaSentences))])
			area--
		} else {
			b.WriteString(body[r.IntN(len(body))])
		}
		b.WriteByte('\n')
	}
	return article.Article{
		V: 1, ID: id, URL: "https://example.vn/a/" + id, CanonicalURL: "https://example.vn/a/" + id,
		Source: "baothanhhoa", SourceKind: article.KindPress, Lang: "vi",
		Title: titles[r.IntN(len(titles))], Body: b.String(),
		Published: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour), Revision: 1,
	}
}

func readLines(p string) []string {
	b, err := os.ReadFile(p)
	if err != nil {
		log.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
