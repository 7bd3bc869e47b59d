package node

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/alerts"
	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/bus"
	"github.com/diembao/diembao/internal/config"
)

func testEnv(t *testing.T) Env {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	return Env{Config: cfg, Log: slog.New(slog.DiscardHandler)}
}

// TestOpenAccountsKeepsWhatItWrote: the accounts bucket of the embedded
// store is the same from one opening to the next.
func TestOpenAccountsKeepsWhatItWrote(t *testing.T) {
	env := testEnv(t)
	ctx := context.Background()
	st, closeFn, err := OpenAccounts(ctx, env, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, "user.lan", []byte("x")); err != nil {
		t.Fatal(err)
	}
	closeFn()
	st, closeFn, err = OpenAccounts(ctx, env, "")
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	if e, err := st.Get(ctx, "user.lan"); err != nil || string(e.Value) != "x" {
		t.Fatalf("reopened accounts: %q, %v", e.Value, err)
	}
}

// TestOpenDigestDeps: with no NATS server to reach, the digest reads
// DATA/index itself and refuses while a process answers at base_url; its
// outbox puts mails on the OUTBOX stream.
func TestOpenDigestDeps(t *testing.T) {
	env := testEnv(t)
	ctx := context.Background()
	if _, _, err := OpenDigestDeps(ctx, env, "", func(context.Context) bool { return true }); err == nil || !strings.Contains(err.Error(), "answers at") {
		t.Fatalf("with a running process: %v, want a refusal", err)
	}
	deps, closeFn, err := OpenDigestDeps(ctx, env, "", func(context.Context) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := deps.Index.(*indexer.Index); !ok || deps.Alerts == nil || deps.Digests == nil {
		t.Fatalf("deps: index %T, alerts %v, digests %v", deps.Index, deps.Alerts, deps.Digests)
	}
	m := alerts.Mail{ID: "digest-2026-W49-office", Audience: "office", To: []string{"vanphong@example.org"}, Subject: "x", Created: time.Now()}
	if err := deps.Outbox.Enqueue(ctx, m); err != nil {
		t.Fatal(err)
	}
	closeFn()
	b, err := env.OpenBus(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, err := b.JetStream().Stream(ctx, bus.StreamOutbox)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil || info.State.Msgs != 1 {
		t.Fatalf("OUTBOX after one mail: %v, %v", info, err)
	}
}
