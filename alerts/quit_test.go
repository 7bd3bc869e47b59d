package alerts

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/mailcatcher"
)

// quitProxy relays SMTP between a client and a real server (the mail
// catcher) and never answers the client's QUIT: it holds the connection
// until the client closes it or release is closed (stall), or closes it at
// once (drop).
type quitProxy struct {
	ln       net.Listener
	upstream string
	drop     bool
	quitSeen chan struct{} // closed when the first QUIT arrives
	release  chan struct{} // close to drop every held connection
	once     sync.Once
}

func newQuitProxy(t *testing.T, upstream string, drop bool) *quitProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &quitProxy{ln: ln, upstream: upstream, drop: drop, quitSeen: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *quitProxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

func (p *quitProxy) serve(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.upstream)
	if err != nil {
		return
	}
	defer server.Close()
	go func() { _, _ = io.Copy(client, server) }()
	r := bufio.NewReader(client)
	inData := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimRight(line, "\r\n"))
		switch {
		case inData && cmd == ".":
			inData = false
		case !inData && cmd == "DATA":
			inData = true
		case !inData && cmd == "QUIT":
			p.once.Do(func() { close(p.quitSeen) })
			if p.drop {
				return
			}
			go func() { <-p.release; client.Close() }()
			_, _ = io.Copy(io.Discard, r) // hold QUIT unanswered
			return
		}
		if _, err := server.Write([]byte(line)); err != nil {
			return
		}
	}
}

// snapshot copies every key of m, as the state a process killed now leaves.
func snapshot(t *testing.T, m *kv.Memory) *kv.Memory {
	t.Helper()
	ctx := context.Background()
	out := kv.NewMemory()
	keys, err := m.Keys(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		e, err := m.Get(ctx, k)
		if err != nil {
			continue
		}
		if _, err := out.Put(ctx, k, e.Value); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func delivered(t *testing.T, st kv.Store, id string) bool {
	t.Helper()
	s, err := getJSON[mailState](context.Background(), st, "mail."+id)
	return err == nil && s.Done && len(s.Delivered) > 0
}

// TestSMTPQuitStallRecordsOnce: the server accepts the mail (250 to DATA)
// and then never answers QUIT. The mail must be recorded as sent while QUIT
// is still unanswered, so that a process killed in that wait does not send
// it again after a restart.
func TestSMTPQuitStallRecordsOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := must(mailcatcher.New(mailcatcher.Config{}, nil))(t)
	defer c.Close()
	p := newQuitProxy(t, c.Addr(), false)
	clk := newClock()
	cfg := testConfig(clk)
	mem := kv.NewMemory()
	// A generous conversation timeout: only the proxy ends the held QUIT.
	m1 := must(NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: p.port(), TLS: "none", Timeout: 10 * time.Minute}))(t)
	s1 := must(NewSender(cfg, mem, m1, nil))(t)
	mail := Mail{ID: "quitstall", MessageID: MessageIDFor("quitstall"), Kind: "alert", Audience: "office",
		From: cfg.From, To: []string{"vanphong@example.org"}, Subject: "Cảnh báo", Text: "nội dung"}
	done := make(chan error, 1)
	go func() { done <- s1.Handle(ctx, mail) }()

	select {
	case <-p.quitSeen:
	case <-ctx.Done():
		t.Fatal("no QUIT")
	}
	// While QUIT waits for its answer, the mail must become recorded; the
	// process is killed at that moment (or at the deadline, if never).
	deadline := time.Now().Add(30 * time.Second)
	for !delivered(t, mem, mail.ID) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !delivered(t, mem, mail.ID) {
		t.Errorf("the mail is not recorded as sent while QUIT waits for an answer: a crash now resends it")
	}
	state := snapshot(t, mem)
	close(p.release) // the held connection drops
	if err := <-done; err != nil {
		t.Errorf("Handle = %v: an unanswered QUIT is not a delivery failure", err)
	}

	// Restart on the state the killed process left; the bus redelivers.
	s2 := must(NewSender(cfg, state, smtpMailer(t, c), nil))(t)
	if err := s2.Handle(ctx, mail); err != nil {
		t.Fatal(err)
	}
	if n := c.Count(); n != 1 {
		t.Errorf("the server received the mail %d times, want 1", n)
	}
}

// TestSMTPQuitDropIsNotFailure: a server that drops the connection instead
// of answering QUIT has still accepted the mail.
func TestSMTPQuitDropIsNotFailure(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := must(mailcatcher.New(mailcatcher.Config{}, nil))(t)
	defer c.Close()
	p := newQuitProxy(t, c.Addr(), true)
	m := must(NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: p.port(), TLS: "none", Timeout: 5 * time.Second}))(t)
	clk := newClock()
	cfg := testConfig(clk)
	mem := kv.NewMemory()
	s := must(NewSender(cfg, mem, m, nil))(t)
	mail := Mail{ID: "quitdrop", MessageID: MessageIDFor("quitdrop"), Kind: "alert", Audience: "office",
		From: cfg.From, To: []string{"vanphong@example.org"}, Subject: "Cảnh báo", Text: "nội dung"}
	for range 2 { // a redelivery does not send again
		if err := s.Handle(ctx, mail); err != nil {
			t.Fatalf("Handle = %v", err)
		}
	}
	if !delivered(t, mem, mail.ID) {
		t.Error("mail not recorded as sent")
	}
	if n := c.Count(); n != 1 {
		t.Errorf("the server received the mail %d times, want 1", n)
	}
}
