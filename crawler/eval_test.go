package crawler

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
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
		a, err := extract(truth[k].URL, body, http.Header{}, Source{ID: "eval"}, extractEnv{loc: vietnam(), now: testNow, fastDate: true})
		if err != nil {
			failed++
		}
		x, y, z := shingleScore(truth[k].ArticleBody, a.Body)
		tp, fp, fn = tp+x, fp+y, fn+z
	}
	p, r, f := prf(tp, fp, fn)
	t.Logf("diembao Extract on %d pages: precision %.3f recall %.3f F1 %.3f (%d without text) in %s", len(keys), p, r, f, failed, time.Since(start).Round(time.Millisecond))
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
		a, pub, _ := extractFull(u, body, http.Header{}, Source{ID: "eval"}, extractEnv{loc: vietnam(), now: testNow})
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
	t.Logf("publication day accuracy %.3f (%d/%d; a date found for %d; no date expected counts as correct when none is found)", float64(correct)/float64(len(urls)), correct, len(urls), found)
	for k, v := range methods {
		t.Logf("  method %-6q correct %d of %d", k, v[0], v[1])
	}
}
