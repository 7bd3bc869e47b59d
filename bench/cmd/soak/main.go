// Command soak runs `diembao run` for a long time against a loopback press
// site that keeps changing, and samples the process's resident memory.
//
//	cd bench && go run ./cmd/soak -pages 5000 -duration 30m -out /tmp/soak
//
// The site has -sections sections (one source each, so every section's
// listing of its newest 200 links is crawled whole), -pages articles at the
// start, and every -tick each section publishes one new article, which
// pushes its oldest link off the listing. One article in ten is about the
// Thường Xuân border area, so the matcher raises alerts and the notifier
// mails them to a loopback mail catcher. Every -sample the command reads
// VmRSS of the diembao process and the indexed-article counter on its
// /metrics, prints one line and appends it to OUT/rss.csv; at the end it
// prints the first, median, last and largest RSS and the growth over the
// second half of the run.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/diembao/diembao/internal/mailcatcher"
)

// options are the command line flags.
type options struct {
	pages, sections        int
	duration, tick, sample time.Duration
	out, bin               string
}

func main() {
	opt := parseFlags()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, opt); err != nil {
		log.Fatal(err)
	}
}

// parseFlags reads the command line.
func parseFlags() options {
	pages := flag.Int("pages", 5000, "articles on the site at the start")
	sections := flag.Int("sections", 25, "sections (sources); each lists its newest 200 articles")
	duration := flag.Duration("duration", 30*time.Minute, "how long to run")
	tick := flag.Duration("tick", 20*time.Second, "every tick each section publishes a new article")
	sample := flag.Duration("sample", 15*time.Second, "RSS sampling period")
	out := flag.String("out", "", "working directory (default: a new temp dir)")
	bin := flag.String("bin", "", "diembao binary (default: go build ../cmd/diembao)")
	flag.Parse()
	return options{pages: *pages, sections: *sections, duration: *duration, tick: *tick, sample: *sample, out: *out, bin: *bin}
}

// run sets up the working directory, the site, the mail catcher and the
// diembao process, samples it for opt.duration (or until ctx ends) and
// prints the summary. Everything it started is stopped on return, the
// diembao process first.
func run(ctx context.Context, opt options) error {
	out, bin, err := prepare(opt.out, opt.bin)
	if err != nil {
		return err
	}
	site := newSite(opt.pages, opt.sections)
	base, closeSite, err := serve(site)
	if err != nil {
		return err
	}
	defer closeSite()
	catcher, err := mailcatcher.New(mailcatcher.Config{}, nil)
	if err != nil {
		return err
	}
	defer catcher.Close()
	cfgPath, metricsPort, err := writeConfig(out, base, opt.sections, catcher)
	if err != nil {
		return err
	}
	proc, err := startDiembao(bin, cfgPath, out)
	if err != nil {
		return err
	}
	defer proc.stop()
	sm := &sampler{site: site, proc: proc, mails: catcher.Count, metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)}
	pts, err := sm.loop(ctx, opt, filepath.Join(out, "rss.csv"))
	if err != nil {
		return err
	}
	report(pts, site.count(), catcher.Count())
	return nil
}

// prepare makes the working directory (a new temporary one when out is
// empty) and, when bin is empty, builds diembao into it. It returns both
// paths.
func prepare(out, bin string) (string, string, error) {
	if out == "" {
		d, err := os.MkdirTemp("", "diembao-soak-")
		if err != nil {
			return "", "", err
		}
		out = d
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", "", err
	}
	if bin == "" {
		bin = filepath.Join(out, "diembao")
		cmd := exec.Command("go", "build", "-o", bin, "github.com/diembao/diembao/cmd/diembao")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return "", "", fmt.Errorf("build diembao: %w", err)
		}
	}
	return out, bin, nil
}

// serve serves site on a loopback port and returns its base URL and the
// function that closes the server.
func serve(site *site) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { hs.Close() }, nil
}

// writeConfig writes OUT/sources.yaml (one source per section of the site
// at base) and OUT/diembao.yaml (data in OUT/data, web and metrics on free
// loopback ports, mail to catcher) and returns the latter's path and the
// metrics port.
func writeConfig(out, base string, sections int, catcher *mailcatcher.Catcher) (string, int, error) {
	var src strings.Builder
	src.WriteString("sources:\n")
	for s := range sections {
		fmt.Fprintf(&src, "  - {id: s%02d, name: \"Chuyên mục %d\", kind: press, listings: [{url: %q, links: %q}], interval: 1m, delay: 1ms, allow_private: true}\n",
			s, s, fmt.Sprintf("%s/s%02d/", base, s), `/tin-[0-9]+\.htm$`)
	}
	srcPath := filepath.Join(out, "sources.yaml")
	if err := os.WriteFile(srcPath, []byte(src.String()), 0o644); err != nil {
		return "", 0, err
	}
	mport, hport := freePort(), freePort()
	cfg := fmt.Sprintf(`data_dir: %s
http: {listen: "127.0.0.1:%d", base_url: "http://127.0.0.1:%d"}
metrics: {listen: "127.0.0.1:%d"}
sources: %s
smtp: {host: %q, port: %d, tls: none, from: "diembao@localhost"}
alerts: {group_wait: 5s, repeat: 168h}
`, filepath.Join(out, "data"), hport, hport, mport, srcPath, catcher.Host(), catcher.Port())
	cfgPath := filepath.Join(out, "diembao.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return "", 0, err
	}
	return cfgPath, mport, nil
}

// diembao is the running `diembao run` process; its output goes to log.
type diembao struct {
	cmd     *exec.Cmd
	log     *os.File
	exited  chan struct{} // closed when the process has exited; waitErr is set then
	waitErr error
}

// startDiembao starts `BIN --config CFG run` with its output in
// OUT/diembao.log.
func startDiembao(bin, cfgPath, out string) (*diembao, error) {
	logf, err := os.Create(filepath.Join(out, "diembao.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--config", cfgPath, "run")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "DIEMBAO_LOG_LEVEL=warn")
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	p := &diembao{cmd: cmd, log: logf, exited: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// stop interrupts the process, kills it if it has not exited after a
// minute, then closes its log.
func (p *diembao) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(60 * time.Second):
		_ = p.cmd.Process.Kill()
	}
	p.log.Close()
}

// point is one RSS sample: when, and how many MiB.
type point struct {
	at  time.Duration
	rss float64
}

// sampler grows the site and samples the diembao process.
type sampler struct {
	site    *site
	proc    *diembao
	mails   func() int // mails caught so far
	metrics string     // diembao's /metrics URL
}

// loop grows the site every opt.tick and takes a sample every opt.sample
// (printed and appended to csvPath) until opt.duration has passed or ctx
// ends. It fails when diembao exits first or its RSS cannot be read.
func (sm *sampler) loop(ctx context.Context, opt options, csvPath string) ([]point, error) {
	csv, err := os.Create(csvPath)
	if err != nil {
		return nil, err
	}
	defer csv.Close()
	fmt.Fprintln(csv, "elapsed_s,rss_mib,indexed,site_articles,mails")
	start := time.Now()
	end := start.Add(opt.duration)
	tk := time.NewTicker(opt.tick)
	defer tk.Stop()
	smp := time.NewTicker(opt.sample)
	defer smp.Stop()
	var pts []point
	for time.Now().Before(end) {
		select {
		case <-ctx.Done():
			end = time.Now()
		case <-sm.proc.exited:
			return nil, fmt.Errorf("diembao exited early: %v (log: %s)", sm.proc.waitErr, sm.proc.log.Name())
		case <-tk.C:
			sm.site.grow()
		case <-smp.C:
			pt, line, err := sm.take(start)
			if err != nil {
				return nil, err
			}
			pts = append(pts, pt)
			fmt.Fprintln(csv, line)
			fmt.Println(line)
		}
	}
	return pts, nil
}

// take reads the RSS and the indexed-article counter and returns the
// point and its CSV line.
func (sm *sampler) take(start time.Time) (point, string, error) {
	rss, err := rssMiB(sm.proc.cmd.Process.Pid)
	if err != nil {
		return point{}, "", err
	}
	idx := metric(sm.metrics, "diembao_index_articles_total")
	at := time.Since(start)
	line := fmt.Sprintf("%.0f,%.1f,%.0f,%d,%d", at.Seconds(), rss, idx, sm.site.count(), sm.mails())
	return point{at, rss}, line, nil
}

// report prints the first, median, largest and last RSS and the growth
// over the second half of the run; nothing when there are no samples.
func report(pts []point, articles, mails int) {
	if len(pts) == 0 {
		return
	}
	rs := make([]float64, len(pts))
	for i, p := range pts {
		rs[i] = p.rss
	}
	half := pts[len(pts)/2]
	last := pts[len(pts)-1]
	maxRSS := slices.Max(rs)
	sorted := slices.Clone(rs)
	slices.Sort(sorted)
	fmt.Printf("samples %d over %s; RSS first %.1f MiB, median %.1f, max %.1f, last %.1f; second half %+.1f MiB (%.1f at %s → %.1f at %s); site %d articles, %d mails\n",
		len(pts), last.at.Round(time.Second), pts[0].rss, sorted[len(sorted)/2], maxRSS, last.rss,
		last.rss-half.rss, half.rss, half.at.Round(time.Second), last.rss, last.at.Round(time.Second), articles, mails)
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// rssMiB reads VmRSS of pid from /proc.
func rssMiB(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}

// metric reads an unlabelled sample from a Prometheus text page (-1 if absent).
func metric(url, name string) float64 {
	resp, err := http.Get(url)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return -1
}

// site is the changing press site: sections of numbered articles.
type site struct {
	mu       sync.Mutex
	sections [][]int // article numbers per section, oldest first
	next     int
	born     map[int]time.Time
}

func newSite(pages, sections int) *site {
	s := &site{sections: make([][]int, sections), born: map[int]time.Time{}}
	t0 := time.Now().Add(-time.Duration(pages) * time.Minute)
	for i := range pages {
		s.sections[i%sections] = append(s.sections[i%sections], i)
		s.born[i] = t0.Add(time.Duration(i) * time.Minute)
	}
	s.next = pages
	return s
}

func (s *site) grow() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.sections {
		s.sections[i] = append(s.sections[i], s.next)
		s.born[s.next] = time.Now()
		s.next++
	}
}

func (s *site) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next
}

var words = strings.Fields(`người dân xã hội kinh tế phát triển nông thôn mới huyện tỉnh
	Thanh Hóa trường học bệnh viện giao thông đường sá mùa màng lúa ngô sắn rừng phòng cháy
	hội nghị cán bộ đảng viên chính quyền địa phương văn hóa thể thao du lịch lễ hội bản làng
	hợp tác xã chăn nuôi thủy lợi điện lưới nước sạch học sinh giáo viên y tế tiêm chủng`)

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var sec, n int
	switch {
	case r.URL.Path == "/robots.txt":
		http.NotFound(w, r)
	case len(r.URL.Path) == 5 && r.URL.Path[4] == '/':
		if _, err := fmt.Sscanf(r.URL.Path, "/s%02d/", &sec); err != nil || sec >= len(s.sections) {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		list := s.sections[sec]
		list = list[max(0, len(list)-200):]
		var b strings.Builder
		fmt.Fprintf(&b, "<!doctype html><html lang=vi><head><meta charset=utf-8><title>Chuyên mục %d</title></head><body><ul>\n", sec)
		for i := len(list) - 1; i >= 0; i-- {
			fmt.Fprintf(&b, "<li><a href=\"/s%02d/tin-%d.htm\">Tin số %d</a></li>\n", sec, list[i], list[i])
		}
		b.WriteString("</ul></body></html>")
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, b.String())
	default:
		if _, err := fmt.Sscanf(r.URL.Path, "/s%02d/tin-%d.htm", &sec, &n); err != nil {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		born, ok := s.born[n]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, articleHTML(n, born))
	}
}

// articleHTML renders article n: a title, a date and a dozen paragraphs of
// words chosen by n; one in ten concerns the border area.
func articleHTML(n int, born time.Time) string {
	var b strings.Builder
	title := fmt.Sprintf("Tin số %d: %s %s %s", n, words[n%len(words)], words[(n*7)%len(words)], words[(n*13)%len(words)])
	fmt.Fprintf(&b, `<!doctype html><html lang=vi><head><meta charset=utf-8><title>%s</title>
<meta property="article:published_time" content="%s"></head><body><article><h1>%s</h1>`,
		html.EscapeString(title), born.In(time.FixedZone("ICT", 7*3600)).Format(time.RFC3339), html.EscapeString(title))
	x := uint32(n*2654435761 + 1)
	for p := range 12 {
		b.WriteString("<p>")
		if p == 3 && n%10 == 0 {
			b.WriteString("Lực lượng biên phòng xã Bát Mọt, huyện Thường Xuân tuần tra đường biên giới với huyện Sầm Tớ, tỉnh Hủa Phăn (Lào). ")
		}
		for range 40 {
			x = x*1664525 + 1013904223
			b.WriteString(words[int(x>>8)%len(words)])
			b.WriteByte(' ')
		}
		b.WriteString("</p>")
	}
	b.WriteString("</article></body></html>")
	return b.String()
}
