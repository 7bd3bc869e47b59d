package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/internal/mailcatcher"
	"github.com/diembao/diembao/internal/node"
	"github.com/diembao/diembao/internal/poll"
)

// BenchmarkPipeline runs the whole pipeline in one process (embedded NATS,
// Bleve on disk, rules, notifier, SMTP to a loopback catcher) against the
// sample site, once per iteration on a fresh data dir. It reports
// articles/s from the start of the crawl until the last alert mail is
// accepted, and the latency from each alerted article's fetch to the SMTP
// server's acceptance of the mail carrying it (median, p99). group_wait is
// zero so grouping does not dominate the latency. The sub-benchmarks
// compare JetStream fsyncing every write (the default) with its default
// 2-minute sync interval.
//
//	go test -run '^$' -bench Pipeline -benchtime 3x ./cmd/diembao
func BenchmarkPipeline(b *testing.B) {
	for _, sync := range []bool{true, false} {
		name := "fsync_every_write"
		if !sync {
			name = "fsync_interval"
		}
		b.Run(name, func(b *testing.B) {
			var lat []time.Duration
			var articles int
			var elapsed time.Duration
			for b.Loop() {
				n, l, d := pipelineOnce(b, sync)
				articles += n
				lat = append(lat, l...)
				elapsed += d
			}
			slices.Sort(lat)
			b.ReportMetric(float64(articles)/elapsed.Seconds(), "articles/s")
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-fetch-to-smtp-ms")
				b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Milliseconds()), "p99-fetch-to-smtp-ms")
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}

func pipelineOnce(b *testing.B, sync bool) (int, []time.Duration, time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := b.TempDir()
	site, err := demosite.Start(ctx, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer site.Close()
	catcher, err := mailcatcher.New(mailcatcher.Config{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer catcher.Close()
	src := strings.ReplaceAll(demosite.DemoSources(site.URL()), "delay: 50ms", "delay: 1ms")
	sources := filepath.Join(dir, "sources.yaml")
	if err := os.WriteFile(sources, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Sources = sources
	cfg.NATS.Sync = &sync
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.SMTP = config.SMTP{Host: catcher.Host(), Port: catcher.Port(), TLS: "none", From: "diembao@localhost"}
	cfg.Alerts.GroupWait = 0
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := &app{cfg: cfg, log: log, stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}

	start := time.Now()
	n, err := node.Open(ctx, a.env(), node.AllRoles(), "")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()

	// The expected alerts: one per area article with a topic, per audience
	// its route gives (office for every one; police for border/laos/disinfo).
	want := 0
	for _, it := range site.Articles() {
		if it.Area && len(it.Topics) > 0 {
			want++
		}
	}
	poll.Until(b, 2*time.Minute, fmt.Sprintf("%d alerts mailed to the office", want), func() (bool, string) {
		n := officeAlerts(b, catcher)
		return n >= want, fmt.Sprintf("%d mailed", n)
	})
	elapsed := time.Since(start)
	if os.Getenv("DIEMBAO_BENCH_DEBUG") != "" {
		for _, m := range catcher.Messages() {
			b.Logf("mail at +%v to %v with %d alerts", m.Received.Sub(start), m.To, len(mailAlertIDsB(b, m.Data)))
		}
	}

	lat := mailLatencies(b, ctx, n, catcher)
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	return len(site.Articles()), lat, elapsed
}

func officeAlerts(b *testing.B, c *mailcatcher.Catcher) int {
	n := 0
	for _, m := range c.Messages() {
		if slices.Contains(m.To, "vanphong@example.org") {
			n += len(mailAlertIDsB(b, m.Data))
		}
	}
	return n
}

func mailAlertIDsB(b *testing.B, raw []byte) []string {
	t := &testing.T{}
	ids := mailAlertIDs(t, raw)
	if t.Failed() {
		b.Fatal("undecodable mail")
	}
	return ids
}

// mailLatencies pairs every alert in every mail with its article's fetch time.
func mailLatencies(b *testing.B, ctx context.Context, n *node.Node, c *mailcatcher.Catcher) []time.Duration {
	st, err := n.KV(ctx, node.BucketAlerts)
	if err != nil {
		b.Fatal(err)
	}
	store, err := alerts.NewStore(st)
	if err != nil {
		b.Fatal(err)
	}
	revs, err := n.KV(ctx, node.BucketRevisions)
	if err != nil {
		b.Fatal(err)
	}
	var out []time.Duration
	for _, m := range c.Messages() {
		for _, id := range mailAlertIDsB(b, m.Data) {
			r, err := store.Get(ctx, id)
			if err != nil {
				b.Fatalf("alert %s: %v", id, err)
			}
			e, err := revs.Get(ctx, fmt.Sprintf("%s.%d", r.Alert.ArticleID, r.Alert.Revision))
			if err != nil {
				b.Fatalf("revision of %s: %v", r.Alert.ArticleID, err)
			}
			var a article.Article
			if err := json.Unmarshal(e.Value, &a); err != nil {
				b.Fatal(err)
			}
			out = append(out, m.Received.Sub(a.Fetched))
		}
	}
	return out
}
