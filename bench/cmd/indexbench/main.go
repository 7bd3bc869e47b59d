// Command indexbench compares, in one run on the same synthetic articles,
// the diembao indexer (Bleve scorch, monthly indexes, textnorm analyzers)
// with SQLite FTS5 (modernc.org/sqlite, tokenize 'unicode61 remove_diacritics 2'):
// articles indexed per second and query latency (median, p99) for a word
// query, a phrase, a folded (diacritic-free) word query and filter + facet.
//
//	cd bench && go run ./cmd/indexbench -n 100000
//
// Articles are built from shared/corpus: a title line and 10–30 body lines
// drawn at random (fixed seed), 12 sources, 24 published months.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/textnorm"
)

var ict = time.FixedZone("ICT", 7*3600)

var sources = []string{"baothanhhoa", "bienphong", "vnexpress", "dantri", "tuoitre", "thanhnien",
	"vietnamplus", "nhandan", "qdnd", "vov", "baochinhphu", "cand"}

var topics = []string{"border", "ethnic", "religion", "laos", "disinfo"}

// options are the command line flags.
type options struct {
	n          int    // articles
	corpus     string // directory of demo-full.txt and demo-title.txt
	dir        string // work directory; "" for a temporary one
	batch      int    // articles per Index call / SQLite transaction
	queries    int    // queries per kind
	skipSQLite bool
	cpuProfile string // FILE: profiles to FILE.index and FILE.query
	plain      bool   // also query with Bleve's own phrase searcher
	warm       bool   // one untimed pass over the queries first
	slowest    int    // list the N slowest queries of each kind
	reuse      bool   // query the indexes already in dir
}

func main() {
	o := parseFlags()
	work, cleanup := workDir(o.dir)
	defer cleanup()
	bodyLines := readLines(filepath.Join(o.corpus, "demo-full.txt"))
	titles := readLines(filepath.Join(o.corpus, "demo-title.txt"))
	gen := newGen(bodyLines, titles, o.n)
	fmt.Printf("indexbench: %d articles, batch %d, GOMAXPROCS %d, %s\n", o.n, o.batch, runtime.GOMAXPROCS(0), runtime.Version())

	qs := gen.queries(o.queries)
	ctx := context.Background()
	engines := benchBleve(ctx, o, work, gen, qs)
	var sq sqliteResult
	if !o.skipSQLite {
		sq = benchSQLite(o, work, gen, qs)
	}
	printTable(engines, sq)
	if o.slowest > 0 {
		printSlowest(engines[len(engines)-1], o.slowest)
	}
	printExamples(qs)
}

// parseFlags reads the command line.
func parseFlags() options {
	n := flag.Int("n", 100000, "articles")
	corpus := flag.String("corpus", "../../shared/corpus/binhvq-sample", "corpus directory (demo-full.txt, demo-title.txt)")
	dir := flag.String("dir", "", "work directory (default: a temporary one, removed afterwards)")
	batch := flag.Int("batch", 1000, "articles per Index call / SQLite transaction")
	queries := flag.Int("queries", 300, "queries per kind")
	skipSQLite := flag.Bool("skip-sqlite", false, "only the Bleve indexer")
	cpuProfile := flag.String("cpuprofile", "", "write CPU profiles of the Bleve phases to FILE.index and FILE.query")
	plain := flag.Bool("plain", false, "also query the index with Bleve's own phrase searcher (indexer.Config.BlevePhrases), in turns: before/after in one run")
	warm := flag.Bool("warm", false, "run every query once, untimed, before measuring (both engines): the steady state of a server whose index sits in the page cache, instead of the first, cold pass")
	slowest := flag.Int("slowest", 0, "list the N slowest queries of each kind for the last Bleve engine")
	reuse := flag.Bool("reuse", false, "with -dir: query the indexes already there (built by an earlier run with the same -n) instead of indexing again")
	flag.Parse()
	return options{n: *n, corpus: *corpus, dir: *dir, batch: *batch, queries: *queries, skipSQLite: *skipSQLite,
		cpuProfile: *cpuProfile, plain: *plain, warm: *warm, slowest: *slowest, reuse: *reuse}
}

// workDir returns dir, or a new temporary directory when dir is empty,
// and the function that removes the temporary one (a no-op for dir).
func workDir(dir string) (string, func()) {
	if dir != "" {
		return dir, func() {}
	}
	d, err := os.MkdirTemp("", "indexbench")
	if err != nil {
		log.Fatal(err)
	}
	return d, func() { os.RemoveAll(d) }
}

// startProfile starts a CPU profile to path when path is not empty and
// returns the function that stops it.
func startProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	pprof.StartCPUProfile(f)
	return pprof.StopCPUProfile
}

// benchBleve indexes the articles into WORK/bleve (unless -reuse finds
// them there), then times the queries on the engines (one, or two with
// -plain) and closes them. It returns the engines with their latencies.
func benchBleve(ctx context.Context, o options, work string, gen *gen, qs map[string][]query) []*engine {
	bleveDir := filepath.Join(work, "bleve")
	x, err := indexer.Open(indexer.Config{Dir: bleveDir}, classifier{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		log.Fatal(err)
	}
	indexBleve(ctx, x, o, work, gen)
	engines := openEngines(x, o.plain, bleveDir)
	stop := startProfile(profilePath(o.cpuProfile, ".query"))
	if o.warm {
		warmBleve(ctx, engines, qs, o.queries)
	}
	timeBleve(ctx, engines, qs, o.queries)
	stop()
	for _, e := range engines {
		e.x.Close()
	}
	return engines
}

// profilePath is base+suffix, or "" when no profile is asked for.
func profilePath(base, suffix string) string {
	if base == "" {
		return ""
	}
	return base + suffix
}

// indexBleve indexes o.n articles into x in batches of o.batch, under the
// ".index" CPU profile, and prints the rate and the index size; with
// -reuse and an index of o.n articles already there it indexes nothing
// and says so.
func indexBleve(ctx context.Context, x *indexer.Index, o options, work string, gen *gen) {
	var textBytes int64
	stop := startProfile(profilePath(o.cpuProfile, ".index"))
	t0, cpu0 := time.Now(), cpuTime()
	toIndex := o.n
	if c, _ := x.Count(); o.reuse && c == uint64(o.n) {
		fmt.Printf("bleve: reusing %d indexed articles in %s\n", c, work)
		toIndex = 0
	}
	for i := 0; i < toIndex; i += o.batch {
		b := make([]indexer.ArticleAt, 0, o.batch)
		for j := i; j < min(i+o.batch, o.n); j++ {
			a := gen.article(j)
			textBytes += int64(len(a.Title) + len(a.Body))
			b = append(b, indexer.ArticleAt{Article: a, Seq: uint64(j + 1)})
		}
		if err := x.Index(ctx, b); err != nil {
			log.Fatal(err)
		}
	}
	bleveDur, bleveCPU := time.Since(t0), cpuTime()-cpu0
	stop()
	count, _ := x.Count()
	if toIndex > 0 {
		fmt.Printf("\nbleve:  indexed %d articles (%.0f MB text) in %s: %.0f articles/s; %.2f ms CPU per article (%.0f articles/s per 2 CPU-seconds); index %s on disk\n",
			count, float64(textBytes)/1e6, bleveDur.Round(time.Millisecond), float64(o.n)/bleveDur.Seconds(),
			bleveCPU.Seconds()*1000/float64(o.n), 2*float64(o.n)/bleveCPU.Seconds(), size(filepath.Join(work, "bleve")))
	}
}

// openEngines returns the engines to query: x itself, or with plain, x
// closed once background merging settles and two read-only handles on
// its directory, the first with Bleve's own phrase searcher (the indexer
// before diembao's). Their result maps are ready.
func openEngines(x *indexer.Index, plain bool, bleveDir string) []*engine {
	engines := []*engine{{name: "bleve", x: x}}
	if plain {
		fmt.Printf("bleve:  background merging settled after %s\n", settle(2*time.Minute).Round(time.Second))
		x.Close()
		engines = nil
		for _, e := range []*engine{{name: "bleve-phrase", blevePhrases: true}, {name: "bleve"}} {
			var err error
			if e.x, err = indexer.Open(indexer.Config{Dir: bleveDir, ReadOnly: true, BlevePhrases: e.blevePhrases}, classifier{}, nil); err != nil {
				log.Fatal(err)
			}
			engines = append(engines, e)
		}
	}
	for _, e := range engines {
		e.lat, e.hits, e.slow = map[string][]time.Duration{}, map[string]uint64{}, map[string][]timed{}
	}
	return engines
}

// warmBleve runs every query once on every engine, untimed.
func warmBleve(ctx context.Context, engines []*engine, qs map[string][]query, queries int) {
	for _, kind := range kinds {
		for _, q := range qs[kind][:queries] {
			for _, e := range engines {
				if _, err := e.x.Search(ctx, q.bleve); err != nil {
					log.Fatalf("%s %s %q: %v", e.name, kind, q.bleve.Q, err)
				}
			}
		}
	}
}

// timeBleve runs the queries and records each one's latency and hits on
// its engine. Kinds take turns, and so do the engines, so background
// merging after the last batch and a cold page cache weigh on all of
// them alike.
func timeBleve(ctx context.Context, engines []*engine, qs map[string][]query, queries int) {
	for i := range queries {
		for _, kind := range kinds {
			q := qs[kind][i]
			for k := range engines {
				e := engines[(i+k)%len(engines)]
				s := time.Now()
				res, err := e.x.Search(ctx, q.bleve)
				if err != nil {
					log.Fatalf("%s %s %q: %v", e.name, kind, q.bleve.Q, err)
				}
				e.lat[kind] = append(e.lat[kind], time.Since(s))
				e.slow[kind] = append(e.slow[kind], timed{q.bleve.Q, time.Since(s), res.Total})
				e.hits[kind] += res.Total
			}
		}
	}
}

// sqliteResult is SQLite's latencies and hit totals per query kind (empty
// with -skip-sqlite).
type sqliteResult struct {
	lat  map[string][]time.Duration
	hits map[string]uint64
}

// benchSQLite indexes the articles into WORK/fts.db (unless -reuse finds
// them there) and times the queries.
func benchSQLite(o options, work string, gen *gen, qs map[string][]query) sqliteResult {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(work, "fts.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	toIndex := o.n
	var have int
	if o.reuse && db.QueryRow(`SELECT count(*) FROM art`).Scan(&have) == nil && have == o.n {
		fmt.Printf("sqlite: reusing %d indexed articles\n", have)
		toIndex = 0
	} else {
		mustExec(db, `CREATE TABLE art(id INTEGER PRIMARY KEY, source TEXT, topics TEXT, published INTEGER)`)
		mustExec(db, `CREATE INDEX art_pub ON art(published)`)
		mustExec(db, `CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')`)
	}
	indexSQLite(db, o, toIndex, work, gen)
	r := querySQLite(db, qs, o.queries, o.warm)
	db.Close()
	return r
}

// querySQLite runs the queries (first once untimed when warm), kinds
// taking turns, and returns their latencies and hit totals.
func querySQLite(db *sql.DB, qs map[string][]query, queries int, warm bool) sqliteResult {
	if warm {
		for _, kind := range kinds {
			for _, q := range qs[kind][:queries] {
				runSQLite(db, kind, q)
			}
		}
	}
	r := sqliteResult{lat: map[string][]time.Duration{}, hits: map[string]uint64{}}
	for i := range queries {
		for _, kind := range kinds {
			q := qs[kind][i]
			s := time.Now()
			hits := runSQLite(db, kind, q)
			r.lat[kind] = append(r.lat[kind], time.Since(s))
			r.hits[kind] += hits
		}
	}
	return r
}

// indexSQLite inserts the first toIndex articles in transactions of
// o.batch and, when it inserted any, prints the rate and the db size.
func indexSQLite(db *sql.DB, o options, toIndex int, work string, gen *gen) {
	t0, cpu0 := time.Now(), cpuTime()
	for i := 0; i < toIndex; i += o.batch {
		tx, err := db.Begin()
		if err != nil {
			log.Fatal(err)
		}
		for j := i; j < min(i+o.batch, o.n); j++ {
			a := gen.article(j)
			tp, _ := classifier{}.Classify(a)
			if _, err := tx.Exec(`INSERT INTO art(id, source, topics, published) VALUES(?,?,?,?)`, j+1, a.Source, strings.Join(tp, " "), a.Published.Unix()); err != nil {
				log.Fatal(err)
			}
			if _, err := tx.Exec(`INSERT INTO fts(rowid, title, body) VALUES(?,?,?)`, j+1, a.Title, a.Body); err != nil {
				log.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			log.Fatal(err)
		}
	}
	sqliteDur := time.Since(t0)
	sqliteCPU := cpuTime() - cpu0
	if toIndex > 0 {
		fmt.Printf("sqlite: indexed %d articles in %s: %.0f articles/s; %.2f ms CPU per article (%.0f articles/s per 2 CPU-seconds); db %s on disk\n",
			o.n, sqliteDur.Round(time.Millisecond), float64(o.n)/sqliteDur.Seconds(),
			sqliteCPU.Seconds()*1000/float64(o.n), 2*float64(o.n)/sqliteCPU.Seconds(), size(filepath.Join(work, "fts.db")))
	}
}

// printTable prints the Markdown table of p50, p99 and average hits per
// query kind, one column group per engine and SQLite last.
func printTable(engines []*engine, sq sqliteResult) {
	fmt.Printf("\n| query kind |")
	for _, e := range engines {
		fmt.Printf(" %[1]s p50 | %[1]s p99 | %[1]s avg hits |", e.name)
	}
	fmt.Printf(" sqlite p50 | sqlite p99 | sqlite avg hits |\n|---|")
	for range engines {
		fmt.Printf("---|---|---|")
	}
	fmt.Printf("---|---|---|\n")
	for _, kind := range kinds {
		fmt.Printf("| %s |", kind)
		for _, e := range engines {
			b := e.lat[kind]
			fmt.Printf(" %s | %s | %d |", pct(b, 50), pct(b, 99), avg(e.hits[kind], len(b)))
		}
		s := sq.lat[kind]
		fmt.Printf(" %s | %s | %d |\n", pct(s, 50), pct(s, 99), avg(sq.hits[kind], len(s)))
	}
}

// printSlowest lists e's n slowest queries of each kind.
func printSlowest(e *engine, n int) {
	fmt.Printf("\nslowest queries (%s):\n", e.name)
	for _, kind := range kinds {
		ts := slices.Clone(e.slow[kind])
		slices.SortFunc(ts, func(a, b timed) int { return int(b.d - a.d) })
		for _, t := range ts[:min(n, len(ts))] {
			fmt.Printf("  %-22s %8.1f ms %7d hits  %s\n", kind, float64(t.d.Microseconds())/1000, t.hits, t.q)
		}
	}
}

// printExamples shows the first query of each generated kind.
func printExamples(qs map[string][]query) {
	fmt.Printf("\nexamples: word %q, phrase %q, folded %q, filter+facet %q source=%v %s..%s\n",
		qs["word"][0].bleve.Q, qs["phrase"][0].bleve.Q, qs["folded"][0].bleve.Q, qs["filter+facet"][0].bleve.Q,
		qs["filter+facet"][0].bleve.Sources, qs["filter+facet"][0].bleve.From.Format("2006-01-02"), qs["filter+facet"][0].bleve.To.Format("2006-01-02"))
}

// timed is one query's latency and hit count.
type timed struct {
	q    string
	d    time.Duration
	hits uint64
}

type engine struct {
	name         string
	blevePhrases bool
	x            *indexer.Index
	lat          map[string][]time.Duration
	slow         map[string][]timed
	hits         map[string]uint64
}

// settle waits, up to max, until the process uses less than a tenth of a
// CPU for two seconds in a row (background merging done), and says how long
// it waited.
func settle(max time.Duration) time.Duration {
	start := time.Now()
	quiet := 0
	for time.Since(start) < max && quiet < 2 {
		c0 := cpuTime()
		time.Sleep(time.Second)
		if cpuTime()-c0 < 100*time.Millisecond {
			quiet++
		} else {
			quiet = 0
		}
	}
	return time.Since(start)
}

var kinds = []string{"word", "phrase", "folded", "filter+facet",
	"analyst word", "analyst phrase", "analyst folded", "analyst filter+facet",
	"folded phrase", "analyst folded phrase"}

type query struct {
	bleve  indexer.Query
	fts    string // FTS5 MATCH expression
	source string
	from   time.Time
	to     time.Time
}

func runSQLite(db *sql.DB, kind string, q query) uint64 {
	var rows *sql.Rows
	var err error
	filter := strings.HasSuffix(kind, "filter+facet")
	if filter {
		rows, err = db.Query(`SELECT fts.rowid, snippet(fts, 1, '<mark>', '</mark>', '…', 20) FROM fts JOIN art ON art.id = fts.rowid
			WHERE fts MATCH ? AND art.source = ? AND art.published BETWEEN ? AND ? ORDER BY rank LIMIT 20`,
			q.fts, q.source, q.from.Unix(), q.to.Unix())
	} else {
		rows, err = db.Query(`SELECT fts.rowid, snippet(fts, 1, '<mark>', '</mark>', '…', 20) FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 20`, q.fts)
	}
	if err != nil {
		log.Fatalf("sqlite %s %q: %v", kind, q.fts, err)
	}
	for rows.Next() {
	}
	rows.Close()
	// Total and facets, as the search page shows them.
	var total uint64
	if filter {
		frows, err := db.Query(`SELECT art.source, count(*) FROM fts JOIN art ON art.id = fts.rowid
			WHERE fts MATCH ? AND art.published BETWEEN ? AND ? GROUP BY art.source`, q.fts, q.from.Unix(), q.to.Unix())
		if err != nil {
			log.Fatal(err)
		}
		for frows.Next() {
			var s string
			var c uint64
			frows.Scan(&s, &c)
			if s == q.source {
				total = c
			}
		}
		frows.Close()
	} else if err := db.QueryRow(`SELECT count(*) FROM fts WHERE fts MATCH ?`, q.fts).Scan(&total); err != nil {
		log.Fatal(err)
	}
	return total
}

type gen struct {
	body, titles []string
	n            int
}

func newGen(body, titles []string, n int) *gen { return &gen{body: body, titles: titles, n: n} }

// article i is deterministic: the same for both engines.
func (g *gen) article(i int) article.Article {
	r := rand.New(rand.NewPCG(uint64(i), 42))
	id := fmt.Sprintf("%032x", i)
	// An article the classifier tags with a topic carries one to three
	// sentences on it, as a real one would; the other lines are corpus text.
	var topical []string
	if tp, _ := (classifier{}).Classify(article.Article{ID: id}); len(tp) > 0 {
		ss := topicSentences[tp[0]]
		for range 1 + r.IntN(3) {
			topical = append(topical, ss[r.IntN(len(ss))])
		}
	}
	var b strings.Builder
	lines := 10 + r.IntN(21)
	for l := range lines {
		if len(topical) > 0 && r.IntN(lines-l) < len(topical) {
			b.WriteString(topical[0])
			topical = topical[1:]
		} else {
			b.WriteString(g.body[r.IntN(len(g.body))])
		}
		b.WriteByte('\n')
	}
	// Published in stream order over 24 months, as the crawler delivers them
	// (one article in 20 is late by up to a month).
	pub := time.Date(2024, 1, 1, 0, 0, 0, 0, ict).Add(time.Duration(float64(i) / float64(g.n) * 730 * 24 * float64(time.Hour)))
	if r.IntN(20) == 0 {
		pub = pub.Add(-time.Duration(r.IntN(30*24)) * time.Hour)
	}
	return article.Article{
		V: 1, ID: id, URL: "https://example.vn/a/" + id, CanonicalURL: "https://example.vn/a/" + id,
		Source: sources[r.IntN(len(sources))], SourceKind: article.KindPress, Lang: "vi",
		Title: g.titles[r.IntN(len(g.titles))], Body: b.String(), Published: pub, Revision: 1,
	}
}

// topicSentences are what a tagged article says about its topic: the names
// and phrases of rules/packs/default, so the analyst queries find them.
var topicSentences = map[string][]string{
	"border": {
		"Đồn Biên phòng Bát Mọt phối hợp tuần tra song phương trên tuyến biên giới Việt - Lào.",
		"Bộ đội Biên phòng tỉnh Thanh Hóa bắt giữ đối tượng vượt biên trái phép qua cửa khẩu phụ.",
		"Lực lượng chức năng triệt phá đường dây buôn lậu ma túy qua khu vực biên giới.",
		"Hai bên kiểm tra hệ thống cột mốc và đường biên giới quốc gia.",
	},
	"ethnic": {
		"Đồng bào dân tộc thiểu số ở huyện Thường Xuân được hỗ trợ nhà ở và đất sản xuất.",
		"Người Mông và người Thái ở vùng cao Thanh Hóa tham gia giữ gìn an ninh trật tự.",
		"Chính sách cho vùng đồng bào dân tộc thiểu số và miền núi được triển khai đồng bộ.",
	},
	"religion": {
		"Ban Tôn giáo tỉnh gặp mặt chức sắc Công giáo và Tin Lành nhân dịp lễ Giáng sinh.",
		"Địa phương bảo đảm quyền tự do tín ngưỡng, tôn giáo của nhân dân theo quy định của pháp luật.",
		"Một số điểm nhóm sinh hoạt tôn giáo chưa đăng ký đã được hướng dẫn làm thủ tục.",
	},
	"laos": {
		"Đoàn công tác huyện Thường Xuân thăm và làm việc tại huyện Sầm Tớ, tỉnh Hủa Phăn, nước bạn Lào.",
		"Hợp tác giữa Thanh Hóa và tỉnh Hủa Phăn của Lào tiếp tục được mở rộng.",
		"Lưu học sinh Lào sang học tập tại Thanh Hóa ngày càng đông.",
	},
	"disinfo": {
		"Cơ quan công an cảnh báo thông tin sai sự thật về tình hình biên giới lan truyền trên mạng xã hội.",
		"Các thế lực thù địch lợi dụng vấn đề tôn giáo, dân tộc để xuyên tạc, kích động.",
	},
}

// analystQueries are what a monitoring analyst types: place names and
// topic phrases of rules/packs/default.
var analystQueries = []string{
	"biên giới", "Sầm Tớ", "Bát Mọt", "tôn giáo", "Thường Xuân", "Lào", "cửa khẩu", "ma túy",
	"Tin Lành", "vượt biên", "người Mông", "buôn lậu", "tín ngưỡng", "Thanh Hóa", "biên phòng",
	"dân tộc thiểu số", "Công giáo", "Hủa Phăn", "an ninh trật tự", "mạng xã hội",
}

type classifier struct{}

// Classify tags about one article in five with a topic, like a rule pack would.
func (classifier) Classify(a article.Article) ([]string, bool) {
	h := 0
	for i := 0; i < len(a.ID); i++ {
		h = h*31 + int(a.ID[i])
	}
	if h%5 != 0 {
		return nil, false
	}
	return []string{topics[(h/5)%len(topics)]}, h%2 == 0
}

// queries draws two-syllable sequences from the corpus: word queries
// (both words), phrases, their folded forms, and filtered word queries.
func (g *gen) queries(n int) map[string][]query {
	r := rand.New(rand.NewPCG(7, 7))
	out := map[string][]query{}
	for len(out["word"]) < n {
		line := textnorm.Normalize(g.body[r.IntN(len(g.body))])
		toks := textnorm.Tokens(line)
		if len(toks) < 3 {
			continue
		}
		k := r.IntN(len(toks) - 1)
		w1, w2 := line[toks[k].Start:toks[k].End], line[toks[k+1].Start:toks[k+1].End]
		if !textnorm.HasDiacritics(w1+w2) || len(toks[k].Fold) < 2 || len(toks[k+1].Fold) < 2 ||
			strings.ContainsAny(w1+w2, "0123456789") {
			continue
		}
		f1, f2 := toks[k].Fold, toks[k+1].Fold
		if strings.Contains(f1+f2, "d") { // FTS5 does not fold đ: keep the comparison fair
			continue
		}
		src := sources[r.IntN(len(sources))]
		from := time.Date(2024, time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, ict)
		to := from.AddDate(0, 6, 0)
		out["word"] = append(out["word"], query{bleve: indexer.Query{Q: w1 + " " + w2}, fts: w1 + " " + w2})
		out["phrase"] = append(out["phrase"], query{bleve: indexer.Query{Q: `"` + w1 + " " + w2 + `"`}, fts: `"` + w1 + " " + w2 + `"`})
		out["folded"] = append(out["folded"], query{bleve: indexer.Query{Q: f1 + " " + f2}, fts: f1 + " " + f2})
		out["folded phrase"] = append(out["folded phrase"], query{bleve: indexer.Query{Q: `"` + f1 + " " + f2 + `"`}, fts: `"` + f1 + " " + f2 + `"`})
		out["filter+facet"] = append(out["filter+facet"], query{
			bleve:  indexer.Query{Q: w1 + " " + w2, Sources: []string{src}, From: from, To: to},
			fts:    w1 + " " + w2,
			source: src, from: from, to: to,
		})
	}
	for i := 0; len(out["analyst word"]) < n; i++ {
		w := analystQueries[i%len(analystQueries)]
		f := textnorm.Fold(w)
		src := sources[r.IntN(len(sources))]
		from := time.Date(2024, time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, ict)
		to := from.AddDate(0, 6, 0)
		out["analyst word"] = append(out["analyst word"], query{bleve: indexer.Query{Q: w}, fts: w})
		out["analyst phrase"] = append(out["analyst phrase"], query{bleve: indexer.Query{Q: `"` + w + `"`}, fts: `"` + w + `"`})
		out["analyst folded"] = append(out["analyst folded"], query{bleve: indexer.Query{Q: f}, fts: f})
		out["analyst folded phrase"] = append(out["analyst folded phrase"], query{bleve: indexer.Query{Q: `"` + f + `"`}, fts: `"` + f + `"`})
		out["analyst filter+facet"] = append(out["analyst filter+facet"], query{
			bleve:  indexer.Query{Q: w, Sources: []string{src}, From: from, To: to},
			fts:    w,
			source: src, from: from, to: to,
		})
	}
	return out
}

func readLines(p string) []string {
	f, err := os.Open(p)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// cpuTime is the CPU time (user + system) the process has used so far: on a
// machine shared with other work it varies far less than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mustExec(db *sql.DB, q string) {
	if _, err := db.Exec(q); err != nil {
		log.Fatalf("%s: %v", q, err)
	}
}

func pct(d []time.Duration, p int) string {
	if len(d) == 0 {
		return "-"
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := min(len(s)*p/100, len(s)-1)
	return fmt.Sprintf("%.1f ms", float64(s[i].Microseconds())/1000)
}

func avg(n uint64, k int) uint64 {
	if k == 0 {
		return 0
	}
	return n / uint64(k)
}

func size(p string) string {
	var total int64
	filepath.Walk(p, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			total += fi.Size()
		}
		return nil
	})
	return fmt.Sprintf("%.0f MB", float64(total)/1e6)
}
