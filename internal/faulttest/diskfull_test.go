package faulttest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/e2e"
	"github.com/diembao/diembao/internal/mailcatcher"
)

// bigSite serves a listing of n article pages of about size bytes each;
// every third page is about the Thường Xuân border area, so it raises an
// alert.
type bigSite struct {
	n, size int
	url     string
}

func startBigSite(t *testing.T, n, size int) *bigSite {
	t.Helper()
	s := &bigSite{n: n, size: size}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.url = "http://" + ln.Addr().String()
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	return s
}

func (s *bigSite) pageURL(i int) string { return fmt.Sprintf("%s/tin-%d.htm", s.url, i) }

func (s *bigSite) area(i int) bool { return i%3 == 0 }

var filler = strings.Fields(`người dân xã hội kinh tế phát triển nông thôn mới tỉnh Thanh Hóa
	trường học bệnh viện giao thông mùa màng lúa ngô sắn rừng phòng cháy hội nghị cán bộ chính
	quyền địa phương văn hóa thể thao du lịch lễ hội bản làng hợp tác xã chăn nuôi thủy lợi`)

func (s *bigSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.URL.Path == "/" {
		var b strings.Builder
		b.WriteString("<!doctype html><html lang=vi><head><meta charset=utf-8><title>Tin tức</title></head><body><ul>")
		for i := range s.n {
			fmt.Fprintf(&b, `<li><a href="/tin-%d.htm">Tin %d</a></li>`, i, i)
		}
		b.WriteString("</ul></body></html>")
		_, _ = io.WriteString(w, b.String())
		return
	}
	var i int
	if _, err := fmt.Sscanf(r.URL.Path, "/tin-%d.htm", &i); err != nil || i < 0 || i >= s.n {
		http.NotFound(w, r)
		return
	}
	_, _ = io.WriteString(w, s.page(i))
}

func (s *bigSite) page(i int) string {
	var b strings.Builder
	title := fmt.Sprintf("Bản tin số %d về đời sống miền núi", i)
	fmt.Fprintf(&b, `<!doctype html><html lang=vi><head><meta charset=utf-8><title>%s</title>
<meta property="article:published_time" content="2026-11-%02dT08:00:00+07:00"></head><body><article><h1>%s</h1>`, title, 1+i%28, title)
	if s.area(i) {
		b.WriteString("<p>Đồn biên phòng Bát Mọt, huyện Thường Xuân phối hợp với huyện Sầm Tớ (Lào) tuần tra đường biên giới.</p>")
	}
	x := uint32(i*2654435761 + 7)
	for b.Len() < s.size {
		b.WriteString("<p>")
		for range 60 {
			x = x*1664525 + 1013904223
			b.WriteString(filler[int(x>>8)%len(filler)])
			b.WriteByte(' ')
		}
		b.WriteString("</p>\n")
	}
	b.WriteString("</article></body></html>")
	return b.String()
}

// mountTmpfs mounts a tmpfs of sizeMB at dir and unmounts it at cleanup.
func mountTmpfs(t *testing.T, dir string, sizeMB int) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm", sizeMB), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("mount a %d MB tmpfs at %s (the disk-full test needs root, as CI runs): %v: %s", sizeMB, dir, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
}

func resizeTmpfs(t *testing.T, dir string, sizeMB int) {
	t.Helper()
	out, err := exec.Command("mount", "-o", fmt.Sprintf("remount,size=%dm", sizeMB), dir).CombinedOutput()
	if err != nil {
		t.Fatalf("remount %s with %d MB: %v: %s", dir, sizeMB, err, out)
	}
}

type healthBody struct {
	Status  string            `json:"status"`
	Failing map[string]string `json:"failing"`
}

func getHealth(url string) (int, healthBody, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, healthBody{}, err
	}
	defer resp.Body.Close()
	var h healthBody
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &h); err != nil {
		return resp.StatusCode, h, fmt.Errorf("healthz body %q: %w", b, err)
	}
	return resp.StatusCode, h, nil
}

// TestDiskFull runs `diembao run` with its data dir on a 30 MB tmpfs and
// crawls pages of about 1.4 MB until writes fail. While the disk is full
// the process must stay up, no request may fail with a panic, and both
// /healthz endpoints answer 503 naming the failing part. Then the tmpfs
// grows (space returns, no restart): the pipeline resumes by itself, and
// every page ends up indexed once and every alert mailed once per audience.
func TestDiskFull(t *testing.T) {
	bin := e2e.BuildBinary(t, "diembao", e2e.DiembaoPkg)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	mountTmpfs(t, data, 30)

	const pages = 18
	site := startBigSite(t, pages, 1400<<10)
	catcher, err := mailcatcher.New(mailcatcher.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { catcher.Close() })
	sources := filepath.Join(dir, "sources.yaml")
	e2e.WriteFile(t, sources, fmt.Sprintf(`sources:
  - {id: big, name: "Báo Lớn", kind: press, listings: [{url: %q, links: "/tin-[0-9]+\\.htm$"}], interval: 5s, delay: 1ms, allow_private: true}
`, site.url+"/"))
	httpPort, metricsPort := e2e.FreePort(t), e2e.FreePort(t)
	cfg := filepath.Join(dir, "diembao.yaml")
	e2e.WriteFile(t, cfg, e2e.Config(data, sources, httpPort, catcher, "",
		fmt.Sprintf("metrics: {listen: \"127.0.0.1:%d\"}\nhealth: {min_free_mb: 4}\n", metricsPort)))
	e2e.AddUser(t, bin, cfg)
	api := e2e.API{Base: fmt.Sprintf("http://127.0.0.1:%d", httpPort), User: "tester", Pass: e2e.Password}

	run := e2e.StartProc(t, dir, "run", nil, bin, "--config", cfg, "run")

	e2e.Poll(t, 2*time.Minute, "the web server answering", func() (bool, string) {
		resp, err := http.Get(api.Base + "/healthz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return true, ""
	})
	// Searches and article reads run all along; none may fail with a panic
	// or a dropped connection.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var requests atomic.Int64
	var reqErrs sync.Map
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(150 * time.Millisecond):
			}
			for _, path := range []string{"/api/search?q=bien+gioi", "/api/articles/" + article.ID(site.pageURL(i%pages))} {
				req, _ := http.NewRequest("GET", api.Base+path, nil)
				req.SetBasicAuth(api.User, api.Pass)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					if ok, _ := run.Exited(); ok {
						return
					}
					reqErrs.Store(path+": "+err.Error(), true)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				requests.Add(1)
				if resp.StatusCode >= 500 && strings.Contains(strings.ToLower(string(b)), "panic") {
					reqErrs.Store(fmt.Sprintf("%s: %d %s", path, resp.StatusCode, b), true)
				}
			}
		}
	})
	t.Cleanup(func() { close(stop); wg.Wait() })

	webHealth := api.Base + "/healthz"
	metricsHealth := fmt.Sprintf("http://127.0.0.1:%d/healthz", metricsPort)
	e2e.Poll(t, 3*time.Minute, "writes failing for lack of space", func() (bool, string) {
		if ok, err := run.Exited(); ok {
			t.Fatalf("diembao exited while the disk filled: %v", err)
		}
		return strings.Contains(run.Output(), "no space left on device"), ""
	})
	// Both health endpoints say which part fails.
	for _, u := range []string{webHealth, metricsHealth} {
		e2e.Poll(t, time.Minute, "503 from "+u, func() (bool, string) {
			code, h, err := getHealth(u)
			if err != nil {
				return false, err.Error()
			}
			return code == http.StatusServiceUnavailable && h.Status == "unavailable" && len(h.Failing) > 0,
				fmt.Sprintf("%d %+v", code, h)
		})
		_, h, _ := getHealth(u)
		t.Logf("%s while the disk is full: %+v", u, h)
		for part := range h.Failing {
			if part != "bus" && part != "index" && part != "disk" {
				t.Errorf("%s names unknown part %q", u, part)
			}
		}
	}
	// Stay full for a while: the stages must keep retrying without dying
	// or dead-lettering.
	time.Sleep(20 * time.Second)
	if ok, err := run.Exited(); ok {
		t.Fatalf("diembao exited while the disk was full: %v", err)
	}

	resizeTmpfs(t, data, 400)
	t.Log("tmpfs grown to 400 MB")
	for _, u := range []string{webHealth, metricsHealth} {
		e2e.Poll(t, 2*time.Minute, "200 from "+u+" after space returned", func() (bool, string) {
			code, h, err := getHealth(u)
			return err == nil && code == http.StatusOK, fmt.Sprintf("%d %+v %v", code, h, err)
		})
	}
	e2e.Poll(t, 8*time.Minute, "every page indexed once", func() (bool, string) {
		missing := 0
		for i := range pages {
			var doc map[string]any
			if err := api.Get("/api/articles/"+article.ID(site.pageURL(i)), &doc); err != nil {
				missing++
			}
		}
		return missing == 0, fmt.Sprintf("%d of %d pages missing", missing, pages)
	})
	r, err := api.Search(`"Bản tin số"`)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, h := range r.Hits {
		seen[h.URL]++
	}
	for i := range pages {
		if n := seen[site.pageURL(i)]; n != 1 {
			t.Errorf("page %d found %d times in search, want 1", i, n)
		}
	}
	alerts := e2e.WaitAlertsMailed(t, api, catcher, 4*time.Minute)
	wantAlerts := 0
	for i := range pages {
		if site.area(i) {
			wantAlerts++
		}
	}
	if len(alerts) != wantAlerts {
		t.Errorf("%d alerts, want %d (one per area page)", len(alerts), wantAlerts)
	}
	if body, err := api.Raw("/deadletters"); err != nil {
		t.Errorf("dead letters page: %v", err)
	} else if strings.Contains(body, "no space") || strings.Contains(body, "insufficient") {
		t.Errorf("messages were dead-lettered for a full disk")
	}
	reqErrs.Range(func(k, _ any) bool {
		t.Errorf("request failed while the disk was full: %v", k)
		return true
	})
	t.Logf("%d requests during the run", requests.Load())
	if ok, err := run.Exited(); ok {
		t.Fatalf("diembao exited: %v", err)
	}
	run.Stop(t)
}
