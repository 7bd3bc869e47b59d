package alerts

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/mailcatcher"
)

// BenchmarkPipeline measures alerts from Notifier.Handle to SMTP acceptance
// by a loopback server (mailcatcher), through the flusher, an in-memory
// outbox and two Sender workers, with group_wait 0. It reports alerts/s and
// the latency median and p99 per alert.
func BenchmarkPipeline(b *testing.B) {
	for _, tc := range []struct{ n, per int }{{1000, 1}, {1000, 50}, {1, 1}} {
		n, per := tc.n, tc.per
		b.Run(fmt.Sprintf("alerts=%d/max_per_mail=%d", n, per), func(b *testing.B) {
			var lat []time.Duration
			var total time.Duration
			runs := 0
			for b.Loop() {
				l, d := runPipeline(b, n, per)
				lat = append(lat, l...)
				total += d
				runs++
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(n*runs)/total.Seconds(), "alerts/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
		})
	}
}

func runPipeline(b *testing.B, n, per int) ([]time.Duration, time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, err := mailcatcher.New(mailcatcher.Config{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	clk := newClock()
	cfg := testConfig(clk)
	cfg.Now = time.Now
	cfg.GroupWait, cfg.Repeat, cfg.MaxPerMail = 0, 0, per
	st := kv.NewMemory()
	outbox := make(chan Mail, 4096)
	var mu sync.Mutex
	mailAlerts := map[string][]string{}
	out := OutboxFunc(func(_ context.Context, m Mail) error {
		mu.Lock()
		mailAlerts[m.MessageID] = m.AlertIDs
		mu.Unlock()
		outbox <- m
		return nil
	})
	nt, err := NewNotifier(cfg, st, out, nil)
	if err != nil {
		b.Fatal(err)
	}
	mailer, err := NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: c.Port(), TLS: "none"})
	if err != nil {
		b.Fatal(err)
	}
	s, err := NewSender(cfg, st, mailer, nil)
	if err != nil {
		b.Fatal(err)
	}
	go nt.Run(ctx)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case m := <-outbox:
					if err := s.Handle(ctx, m); err != nil && ctx.Err() == nil {
						b.Error(err)
					}
				}
			}
		})
	}
	handled := map[string]time.Time{}
	start := time.Now()
	for i := range n {
		a := mkAlert(i, "religion") // office only: one mail per group
		handled[a.ID] = time.Now()
		if err := nt.Handle(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	// wait until every alert is in a received mail
	deadline, dcancel := context.WithTimeout(ctx, 2*time.Minute)
	defer dcancel()
	var lat []time.Duration
	for {
		msgs := c.Messages()
		mu.Lock()
		got := 0
		for _, m := range msgs {
			got += len(mailAlerts[m.MessageID])
		}
		mu.Unlock()
		if got >= n {
			elapsed := time.Since(start)
			mu.Lock()
			for _, m := range msgs {
				for _, id := range mailAlerts[m.MessageID] {
					lat = append(lat, m.Received.Sub(handled[id]))
				}
			}
			mu.Unlock()
			cancel()
			wg.Wait()
			return lat, elapsed
		}
		if _, err := c.Wait(deadline, len(msgs)+1); err != nil {
			b.Fatalf("%d of %d alerts received: %v", got, n, err)
		}
	}
}
