package node

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/crawler/sourcestore"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/config"
)

// TestSourceNamerRereads: the names are read once per ttl; a read that
// fails keeps the names read before.
func TestSourceNamerRereads(t *testing.T) {
	now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	reads := 0
	var fail error
	s := &sourceNamer{ttl: time.Minute, now: func() time.Time { return now }, log: slog.New(slog.DiscardHandler),
		load: func(context.Context) (map[string]string, error) {
			reads++
			if fail != nil {
				return nil, fail
			}
			return map[string]string{"btx": "Báo Thanh Hóa", "n": string(rune('0' + reads))}, nil
		}}
	if got := s.Names()["n"]; got != "1" || reads != 1 {
		t.Fatalf("first read: n=%q after %d reads", got, reads)
	}
	now = now.Add(59 * time.Second)
	if got := s.Names()["n"]; got != "1" || reads != 1 {
		t.Errorf("within the ttl: n=%q after %d reads, want the kept names", got, reads)
	}
	now = now.Add(time.Second)
	if got := s.Names()["n"]; got != "2" || reads != 2 {
		t.Errorf("after the ttl: n=%q after %d reads, want a new read", got, reads)
	}
	fail = errors.New("bus down")
	now = now.Add(time.Minute)
	if got := s.Names()["btx"]; got != "Báo Thanh Hóa" || reads != 3 {
		t.Errorf("failed read: btx=%q after %d reads, want the last names kept", got, reads)
	}
}

// TestReadSourceNames: the names are sources.yaml's, overlaid by the edits
// kept on the bus (a renamed source, an added one), and the portals'.
func TestReadSourceNames(t *testing.T) {
	dir := t.TempDir()
	seedYAML := "sources:\n  - id: btx\n    name: Báo Thanh Hóa\n    feeds: [https://baothanhhoa.vn/rss/thoi-su.rss]\n  - id: cu\n    name: Tên cũ\n    feeds: [https://example.org/rss.xml]\n"
	path := filepath.Join(dir, "sources.yaml")
	if err := os.WriteFile(path, []byte(seedYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	seed, err := crawler.ParseSources("seed", []byte(seedYAML))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	b, err := bus.Open(ctx, bus.Config{StoreDir: filepath.Join(dir, "nats"), Sync: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	st, err := openSourceStoreOn(ctx, b, seed)
	if err != nil {
		t.Fatal(err)
	}
	renamed := seed[1]
	renamed.Name = "Cổng TTĐT tỉnh"
	if _, err := st.Save(ctx, sourcestore.Change{Source: renamed, By: "quantri"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Save(ctx, sourcestore.Change{New: true, By: "quantri", Source: crawler.Source{ID: "moi", Name: "Báo mới", Feeds: []string{"https://example.net/rss.xml"}}}); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Sources = path
	cfg.Portals = []config.Portal{{ID: "xa-xuan-mau", Name: "Cổng TTĐT xã Xuân Mẫu", URL: "https://xuanmau.example"}}
	names, err := readSourceNames(ctx, cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"btx": "Báo Thanh Hóa", "cu": "Cổng TTĐT tỉnh", "moi": "Báo mới", "xa-xuan-mau": "Cổng TTĐT xã Xuân Mẫu"}
	for id, name := range want {
		if names[id] != name {
			t.Errorf("%s named %q, want %q", id, names[id], name)
		}
	}
}
