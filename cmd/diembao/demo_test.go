package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/cli"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/e2e"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/internal/poll"
)

// demoState is what a running demo has stored, read through the embedded
// server's loopback URL.
type demoState struct {
	articles, alerts uint64 // messages on ARTICLES and ALERTS
	pending          int    // messages not yet handled by the indexer, matcher and notifier
	outbox           uint64 // mails waiting
	health           []crawler.SourceHealth
}

func readDemoState(t *testing.T, ctx context.Context, natsDir string) (demoState, bool) {
	url := bus.LocalURL(filepath.Join(natsDir, "local.url"))
	if url == "" {
		return demoState{}, false
	}
	b, err := bus.Open(ctx, bus.Config{URL: url, Name: "demo-test"}, nil)
	if err != nil {
		return demoState{}, false
	}
	defer b.Close()
	var st demoState
	js := b.JetStream()
	for name, dst := range map[string]*uint64{bus.StreamArticles: &st.articles, bus.StreamAlerts: &st.alerts, bus.StreamOutbox: &st.outbox} {
		s, err := js.Stream(ctx, name)
		if err != nil {
			return st, false
		}
		info, err := s.Info(ctx)
		if err != nil {
			return st, false
		}
		*dst = info.State.Msgs
	}
	for _, c := range [][2]string{{bus.StreamArticles, "indexer"}, {bus.StreamArticles, "matcher"}, {bus.StreamAlerts, "notifier"}} {
		cons, err := js.Consumer(ctx, c[0], c[1])
		if err != nil {
			return st, false
		}
		info, err := cons.Info(ctx)
		if err != nil {
			return st, false
		}
		st.pending += int(info.NumPending) + info.NumAckPending
	}
	health, err := b.KV(ctx, node.BucketHealth)
	if err != nil {
		return st, false
	}
	e, err := health.Get(ctx, "sources")
	if err != nil || json.Unmarshal(e.Value, &st.health) != nil || len(st.health) == 0 {
		return st, false
	}
	return st, true
}

func emlCount(t *testing.T, dir string) int {
	ms, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	return len(ms)
}

// mailedHiddenLinks reports whether a mail in dir tells of the sample
// portal's injected hidden links (the watch's second check).
func mailedHiddenLinks(t *testing.T, dir string) bool {
	ms, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	for _, m := range ms {
		b, err := os.ReadFile(m)
		if err == nil && strings.Contains(e2e.MailText(t, b), "liên kết ẩn") {
			return true
		}
	}
	return false
}

// TestDemoRestartsWithoutDuplicates runs `diembao demo` twice on one data
// folder. The first run crawls, indexes and alerts the sample site; the
// second finds the site at the same address, publishes no article revision,
// raises no alert and sends no mail. The demo keeps everything under
// DATA/demo and leaves DATA's own store and index alone.
func TestDemoRestartsWithoutDuplicates(t *testing.T) {
	data := t.TempDir()
	cfgPath := filepath.Join(t.TempDir(), "diembao.yaml")
	writeTestFile(t, cfgPath, "http: {listen: \"127.0.0.1:0\"}\n")
	_, items, err := demosite.NewHandler(demosite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	demoDir := filepath.Join(data, "demo")
	mailDir := filepath.Join(demoDir, "mail")

	run := func(done func(st demoState) bool) (demoState, string) {
		ctx, cancel := context.WithCancel(context.Background())
		var out lockedBuffer
		exit := make(chan int, 1)
		go func() {
			exit <- realMain(ctx, []string{"--config", cfgPath, "--data", data, "demo", "--group-wait", "200ms"},
				strings.NewReader(""), &out, &lockedBuffer{}, func(string) string { return "" })
		}()
		var st demoState
		poll.Until(t, 3*time.Minute, "the demo to settle", func() (bool, string) {
			select {
			case code := <-exit:
				t.Fatalf("demo exited early with %d: %s", code, out.String())
			default:
			}
			var ok bool
			st, ok = readDemoState(t, ctx, filepath.Join(demoDir, "nats"))
			return ok && done(st), "state " + strings.ReplaceAll(strings.TrimSpace(out.String()), "\n", " | ")
		})
		cancel()
		if code := <-exit; code != cli.ExitOK {
			t.Fatalf("demo exit %d", code)
		}
		return st, out.String()
	}

	first, out1 := run(func(st demoState) bool {
		return st.articles >= uint64(len(items)) && st.alerts > 0 && st.pending == 0 && st.outbox == 0 &&
			st.health[0].Passes >= 1 && emlCount(t, mailDir) > 0 && mailedHiddenLinks(t, mailDir)
	})
	mails := emlCount(t, mailDir)
	start2 := time.Now()
	second, out2 := run(func(st demoState) bool {
		h := st.health[0] // written by this run once its first pass is over
		return h.Passes >= 1 && h.LastAttempt.After(start2) && st.pending == 0 && st.outbox == 0
	})

	if second.articles != first.articles || second.alerts != first.alerts {
		t.Errorf("second run: ARTICLES %d→%d, ALERTS %d→%d: want no new revision nor alert",
			first.articles, second.articles, first.alerts, second.alerts)
	}
	// Health persists across runs: Published counts since the first start.
	if h := second.health[0]; h.Published != first.health[0].Published || h.ItemsFound == 0 {
		t.Errorf("second run crawled %+v: want items found and none published (first run published %d)", h, first.health[0].Published)
	}
	if n := emlCount(t, mailDir); n != mails {
		t.Errorf("second run: %d mails, want the first run's %d", n, mails)
	}
	site := func(out string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "Trang báo mẫu:") {
				return strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
			}
		}
		return ""
	}
	if s1, s2 := site(out1), site(out2); s1 == "" || s1 != s2 {
		t.Errorf("sample site moved: %q then %q", s1, s2)
	}
	for _, p := range []string{"nats", "index"} {
		if _, err := os.Stat(filepath.Join(data, p)); err == nil {
			t.Errorf("the demo wrote %s, the folder of a real run", filepath.Join(data, p))
		}
	}
}
