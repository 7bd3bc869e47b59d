package crawler

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/text/unicode/norm"

	"github.com/diembao/diembao/internal/article"
)

// The evaluations run only when DIEMBAO_EVAL names the folder holding
// extraction-scrapinghub and dates-htmldate (shared/eval); see
// docs/bench/crawler.md:
//
//	DIEMBAO_EVAL=/work/shared/eval go test -run 'TestEval' -v ./crawler/
func evalDir(t *testing.T, sub string) string {
	root := os.Getenv("DIEMBAO_EVAL")
	if root == "" {
		t.Skip("DIEMBAO_EVAL not set")
	}
	return filepath.Join(root, sub)
}

func readGz(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shingleScore is the article-extraction-benchmark metric for one document:
// token 4-gram shingles (tokens are \w+ runs), counted with multiplicity,
// tp/fp/fn normalised so that every document weighs the same.
func shingleScore(truth, pred string) (tp, fp, fn float64) {
	ts, ps := shingles(truth), shingles(pred)
	for k, tc := range ts {
		pc := ps[k]
		tp += float64(min(tc, pc))
		fn += float64(max(0, tc-pc))
	}
	for k, pc := range ps {
		fp += float64(max(0, pc-ts[k]))
	}
	if s := tp + fp + fn; s > 0 {
		tp, fp, fn = tp/s, fp/s, fn/s
	}
	return
}

var wordRe = regexp.MustCompile(`[\p{L}\p{N}_]+`)

func shingles(s string) map[string]int {
	toks := wordRe.FindAllString(s, -1)
	m := map[string]int{}
	for i := 0; i+4 <= len(toks); i++ {
		m[strings.Join(toks[i:i+4], "\x00")]++
	}
	return m
}

func prf(tp, fp, fn float64) (p, r, f float64) {
	if tp+fp > 0 {
		p = tp / (tp + fp)
	}
	if tp+fn > 0 {
		r = tp / (tp + fn)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return
}

func TestEvalExtractionScrapinghub(t *testing.T) {
	dir := evalDir(t, "extraction-scrapinghub")
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
		URL         string `json:"url"`
	}
	if err := json.Unmarshal(readGz(t, filepath.Join(dir, "ground-truth.json")), &truth); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(truth))
	for k := range truth {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// The metric, checked on the published go-trafilatura output.
	var refDoc struct {
		Output map[string]struct {
			ArticleBody string `json:"articleBody"`
		} `json:"output"`
	}
	if err := json.Unmarshal(readGz(t, filepath.Join(dir, "reference-outputs", "go_trafilatura.json.gz")), &refDoc); err == nil {
		ref := refDoc.Output
		var tp, fp, fn float64
		for _, k := range keys {
			a, b, c := shingleScore(truth[k].ArticleBody, ref[k].ArticleBody)
			tp, fp, fn = tp+a, fp+b, fn+c
		}
		p, r, f := prf(tp, fp, fn)
		t.Logf("reference go-trafilatura output: precision %.3f recall %.3f F1 %.3f", p, r, f)
	}
	var tp, fp, fn float64
	failed := 0
	start := time.Now()
	for _, k := range keys {
		body := readGz(t, filepath.Join(dir, "html", k+".html.gz"))
		a, err := extract(truth[k].URL, body, http.Header{}, Source{ID: "eval"}, extractEnv{loc: article.Vietnam(), now: testNow, fastDate: true})
		if err != nil {
			failed++
		}
		x, y, z := shingleScore(truth[k].ArticleBody, a.Body)
		tp, fp, fn = tp+x, fp+y, fn+z
	}
	p, r, f := prf(tp, fp, fn)
	t.Logf("diembao Extract on %d pages: precision %.3f recall %.3f F1 %.3f (%d without text) in %s", len(keys), p, r, f, failed, time.Since(start).Round(time.Millisecond))
	if f < 0.964 { // issue 14: keep F1 ≥ 0.964
		t.Errorf("F1 %.3f, want ≥ 0.964", f)
	}
}

func TestEvalDatesHtmldate(t *testing.T) {
	dir := evalDir(t, "dates-htmldate")
	var truth map[string]struct {
		File string `json:"file"`
		Date string `json:"date"`
	}
	raw := strings.ReplaceAll(string(readGz(t, filepath.Join(dir, "eval_mediacloud_2020.json"))), ": NaN}", ": null}") // Python wrote NaN for "no date"
	if err := json.Unmarshal([]byte(raw), &truth); err != nil {
		t.Fatal(err)
	}
	urls := make([]string, 0, len(truth))
	for u := range truth {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	methods := map[string][2]int{}
	correct, found := 0, 0
	for _, u := range urls {
		want := truth[u]
		path := filepath.Join(dir, "html", want.File+".gz")
		if _, err := os.Stat(path); err != nil {
			path = filepath.Join(dir, "html", want.File)
		}
		body := readGz(t, path)
		a, pub, _ := extractFull(u, body, http.Header{}, Source{ID: "eval"}, extractEnv{loc: article.Vietnam(), now: testNow})
		if a.PublishedFrom == article.DateFetched {
			a.PublishedFrom = "" // no date found on the page
		}
		m := methods[a.PublishedFrom]
		m[1]++
		if a.PublishedFrom != "" {
			found++
		}
		if (a.PublishedFrom != "" && pub.Format("2006-01-02") == want.Date) || (a.PublishedFrom == "" && want.Date == "") {
			correct++
			m[0]++
		}
		methods[a.PublishedFrom] = m
		if os.Getenv("DIEMBAO_EVAL_VERBOSE") != "" && !((a.PublishedFrom != "" && pub.Format("2006-01-02") == want.Date) || (a.PublishedFrom == "" && want.Date == "")) {
			t.Logf("miss %s %s: got %s via %q, want %q", want.File, u, pub.Format(time.RFC3339), a.PublishedFrom, want.Date)
		}
	}
	acc := float64(correct) / float64(len(urls))
	t.Logf("publication day accuracy %.3f (%d/%d; a date found for %d; no date expected counts as correct when none is found)", acc, correct, len(urls), found)
	for k, v := range methods {
		t.Logf("  method %-6q correct %d of %d", k, v[0], v[1])
	}
	if acc < 0.90 { // issue 14: keep ≥ 0.90
		t.Errorf("publication day accuracy %.3f, want ≥ 0.90", acc)
	}
}

// wcxbPage is one page of the WCXB development split.
type wcxbPage struct {
	URL      string `json:"url"`
	FileID   string `json:"file_id"`
	Internal struct {
		PageType struct {
			Primary string `json:"primary"`
		} `json:"page_type"`
	} `json:"_internal"`
	Truth struct {
		Title       string `json:"title"`
		PublishDate string `json:"publish_date"`
		MainContent string `json:"main_content"`
	} `json:"ground_truth"`
}

func readWCXB(t *testing.T, dir string) []wcxbPage {
	t.Helper()
	var pages []wcxbPage
	for _, line := range strings.Split(string(readGz(t, filepath.Join(dir, "ground-truth.jsonl.gz"))), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var p wcxbPage
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
	}
	return pages
}

// titleForm is the WCXB title comparison form: NFC, whitespace folded.
func titleForm(s string) string {
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// wordF1 is the WCXB body metric: F1 of the bags of lower-cased \w+ words.
func wordF1(truth, pred string) float64 {
	bag := func(s string) map[string]int {
		m := map[string]int{}
		for _, w := range wordRe.FindAllString(strings.ToLower(s), -1) {
			m[w]++
		}
		return m
	}
	tb, pb := bag(truth), bag(pred)
	var common, nt, np int
	for w, c := range tb {
		nt += c
		common += min(c, pb[w])
	}
	for _, c := range pb {
		np += c
	}
	if nt == 0 && np == 0 {
		return 1
	}
	if common == 0 {
		return 0
	}
	p, r := float64(common)/float64(np), float64(common)/float64(nt)
	return 2 * p * r / (p + r)
}

// wcxbScore accumulates the four WCXB figures for one extractor.
type wcxbScore struct {
	titleOK, titles       int
	dayOK, days           int
	f1                    float64
	articles              int
	rejected, nonArticles int
	// listing, product, forum, service: the types the target names
	rejected4, nonArticles4 int
}

func (s wcxbScore) String() string {
	return fmt.Sprintf("title exact %.3f (%d/%d), publication day %.3f (%d/%d), body word-F1 %.3f (%d articles), non-articles rejected %.3f (%d/%d; listing, product, forum, service %.3f, %d/%d)",
		ratio(s.titleOK, s.titles), s.titleOK, s.titles, ratio(s.dayOK, s.days), s.dayOK, s.days,
		s.f1/float64(max(1, s.articles)), s.articles, ratio(s.rejected, s.nonArticles), s.rejected, s.nonArticles, ratio(s.rejected4, s.nonArticles4), s.rejected4, s.nonArticles4)
}

func ratio(a, b int) float64 { return float64(a) / float64(max(1, b)) }

// add scores one page: title, day (yyyy-mm-dd, "" when none was found),
// body, and whether the extractor published it as an article.
func (s *wcxbScore) add(p wcxbPage, title, day, body string, published bool) (titleOK, dayOK bool) {
	if pt := p.Internal.PageType.Primary; pt != "article" {
		s.nonArticles++
		four := pt == "listing" || pt == "product" || pt == "forum" || pt == "service"
		if four {
			s.nonArticles4++
		}
		if !published {
			s.rejected++
			if four {
				s.rejected4++
			}
		}
		return true, true
	}
	s.articles++
	s.f1 += wordF1(p.Truth.MainContent, body)
	titleOK, dayOK = true, true
	if p.Truth.Title != "" {
		s.titles++
		titleOK = titleForm(title) == titleForm(p.Truth.Title)
		if titleOK {
			s.titleOK++
		}
	}
	if len(p.Truth.PublishDate) == 10 {
		s.days++
		dayOK = day == p.Truth.PublishDate
		if dayOK {
			s.dayOK++
		}
	}
	return titleOK, dayOK
}

// TestEvalWCXB measures title, publication day, body and page-type
// decisions on the WCXB development split beside go-trafilatura's own
// output (title, body; its date is go-htmldate's), and asserts the targets
// of docs/bench/extraction.md. DIEMBAO_EVAL_WCXB_SUBSET=N runs every N-th
// page only.
func TestEvalWCXB(t *testing.T) {
	dir := evalDir(t, "wcxb-dev")
	pages := readWCXB(t, dir)
	step := 1
	if v := os.Getenv("DIEMBAO_EVAL_WCXB_SUBSET"); v != "" {
		fmt.Sscan(v, &step)
	}
	verbose := os.Getenv("DIEMBAO_EVAL_VERBOSE")
	// DIEMBAO_EVAL_SHOW (file ids, comma-separated): what extraction reads
	// on those pages, beside the ground truth.
	show := map[string]bool{}
	for _, id := range strings.Split(os.Getenv("DIEMBAO_EVAL_SHOW"), ",") {
		show[strings.TrimSpace(id)] = true
	}
	// causes: the misses grouped by cause, largest group first.
	causes := strings.Contains(verbose, "causes")
	var misses missLog
	defer func() {
		if causes {
			misses.print(t, 200)
		}
	}()
	var ours, traf wcxbScore
	start := time.Now()
	var tookTraf time.Duration
	for i, p := range pages {
		if i%step != 0 {
			continue
		}
		body := readGz(t, filepath.Join(dir, "html", p.FileID+".html.gz"))
		if show[p.FileID] {
			showPage(t, p, body)
		}
		pageURL := p.URL
		if pageURL == "" {
			pageURL = "https://wcxb.invalid/" + p.FileID // one page has no URL; the site root would be refused
		}
		a, err := extract(pageURL, body, http.Header{}, Source{ID: "eval"}, extractEnv{loc: article.Vietnam(), now: testNow})
		day := ""
		if err == nil && a.PublishedFrom != "" && a.PublishedFrom != article.DateFetched {
			day = a.Published.Format("2006-01-02")
		}
		if err != nil {
			a.Body = "" // a rejected article scores no words
		}
		tOK, dOK := ours.add(p, a.Title, day, a.Body, err == nil)
		if causes {
			doc, derr := goquery.NewDocumentFromReader(bytes.NewReader(body))
			if derr == nil {
				id := p.FileID + " " + p.URL
				switch {
				case p.Internal.PageType.Primary != "article" && err == nil:
					misses.add("type: "+p.Internal.PageType.Primary+" published", id+" "+pageSignals(doc, pageURL))
				case p.Internal.PageType.Primary == "article" && err != nil:
					misses.add("type: article rejected", fmt.Sprintf("%s: %v", id, err))
				case p.Internal.PageType.Primary == "article":
					if !tOK {
						misses.add(titleCause(doc, pageURL, a.Title, p.Truth.Title), fmt.Sprintf("%s\n      got  %q\n      want %q", id, a.Title, p.Truth.Title))
					}
					if !dOK {
						misses.add(dateCause(doc, pageURL, a, day, p.Truth.PublishDate), fmt.Sprintf("%s got %s via %s want %s", id, day, a.PublishedFrom, p.Truth.PublishDate))
					}
				}
			}
		}
		if verbose != "" && p.Internal.PageType.Primary == "article" {
			if !tOK && strings.Contains(verbose, "title") {
				t.Logf("title %s %s:\n  got  %q\n  want %q", p.FileID, p.URL, a.Title, p.Truth.Title)
			}
			if !dOK && strings.Contains(verbose, "date") {
				t.Logf("date %s %s: got %s via %q, want %s", p.FileID, p.URL, day, a.PublishedFrom, p.Truth.PublishDate)
			}
			if f := wordF1(p.Truth.MainContent, a.Body); f < 0.5 && strings.Contains(verbose, "body") {
				t.Logf("body %s %s: F1 %.2f (%d bytes, want %d) err %v", p.FileID, p.URL, f, len(a.Body), len(p.Truth.MainContent), err)
			}
		}
		if verbose != "" && strings.Contains(verbose, "type") && p.Internal.PageType.Primary != "article" && err == nil {
			t.Logf("published %s %s %s", p.Internal.PageType.Primary, p.FileID, p.URL)
		}
		if verbose != "" && strings.Contains(verbose, "type") && p.Internal.PageType.Primary == "article" && err != nil {
			t.Logf("rejected article %s %s: %v", p.FileID, p.URL, err)
		}

		if os.Getenv("DIEMBAO_EVAL_NOREF") != "" {
			continue // tuning runs: our figures only
		}
		t0 := time.Now()
		u, _ := url.Parse(p.URL)
		tr, err := trafilatura.Extract(bytes.NewReader(body), trafilatura.Options{OriginalURL: u, EnableFallback: true, ExcludeComments: true, HtmlDateMode: trafilatura.Extensive})
		tookTraf += time.Since(t0)
		title, tday, text := "", "", ""
		if err == nil && tr != nil {
			title, text = tr.Metadata.Title, tr.ContentText
			if !tr.Metadata.Date.IsZero() {
				tday = tr.Metadata.Date.Format("2006-01-02")
			}
		}
		traf.add(p, title, tday, text, err == nil)
	}
	took := time.Since(start) - tookTraf
	t.Logf("go-trafilatura v1.12.2 (go-htmldate extensive for the date): %s (%s)", traf, tookTraf.Round(time.Millisecond))
	t.Logf("diembao Extract: %s (%s)", ours, took.Round(time.Millisecond))
	if step != 1 {
		return // the targets are for the whole set
	}
	// floor: what this version measures, asserted so that a change that
	// loses ground fails; target: issue 14's aim, asserted only with
	// DIEMBAO_EVAL_TARGETS=1 (not all met yet: docs/bench/extraction.md).
	targets := os.Getenv("DIEMBAO_EVAL_TARGETS") != ""
	for _, c := range []struct {
		name               string
		got, floor, target float64
	}{
		{"title exact", ratio(ours.titleOK, ours.titles), 0.85, 0.92},
		{"publication day", ratio(ours.dayOK, ours.days), 0.90, 0.90},
		{"body word-F1", ours.f1 / float64(max(1, ours.articles)), 0.93, 0.93},
		{"non-articles (listing, product, forum, service) rejected", ratio(ours.rejected4, ours.nonArticles4), 0.79, 0.8},
	} {
		want := c.floor
		if targets {
			want = c.target
		}
		if c.got < want {
			t.Errorf("%s %.3f, want ≥ %.2f (floor %.2f, target %.2f)", c.name, c.got, want, c.floor, c.target)
		} else if c.got < c.target {
			t.Logf("%s %.3f: below the target %.2f", c.name, c.got, c.target)
		}
	}
}
