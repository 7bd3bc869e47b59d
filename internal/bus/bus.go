// Package bus connects diembao's stages through NATS JetStream: an embedded
// nats-server (file store, every write synced) or an external URL, the
// streams and durable consumers of DESIGN.md, publishing with Nats-Msg-Id,
// a consume loop that acks only after the handler's effect is durable, and
// KV buckets behind the internal/kv interface.
package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/diembao/diembao/internal/errkind"
)

// Stream names and subjects (DESIGN.md "Messages on the bus").
const (
	StreamArticles  = "ARTICLES"
	StreamAlerts    = "ALERTS"
	StreamOutbox    = "OUTBOX"
	StreamSnapshots = "SNAPSHOTS"
	StreamDead      = "DEADLETTER"

	SubjectArticles  = "articles"  // articles.<source>
	SubjectAlerts    = "alerts"    // alerts.<topic>
	SubjectOutbox    = "outbox"    // outbox.<audience>
	SubjectSnapshots = "snapshots" // snapshots.<key>
	SubjectDead      = "dead"      // dead.<stream>.<durable>
)

// MaxPayload is the largest message the embedded server accepts (saved
// copies of big pages, compressed).
const MaxPayload = 8 << 20

// Config says which NATS to use.
type Config struct {
	// URL of an external NATS server; empty starts an embedded one.
	URL string
	// StoreDir is the embedded server's JetStream directory.
	StoreDir string
	// Sync makes the embedded server fsync every write before acknowledging.
	Sync bool
	// Name identifies this client in server monitoring.
	Name string
	// Replicas for streams and buckets created by Setup (1 on one machine, 3 on a cluster).
	Replicas int
	// LocalURLFile, with the embedded server, makes it also listen on a
	// random loopback port with a random token, and writes that client URL
	// to this file (mode 0600) until Close: the one-shot commands of the
	// same installation (user, digest, rules check) use the running server
	// instead of the store it holds. See LocalURL.
	LocalURLFile string
	// MinFree is the free space (bytes) the embedded store's file system
	// needs before the bus restarts a JetStream the server turned off after
	// a write error (default 64 MiB).
	MinFree uint64
	// WatchInterval is how often the bus probes JetStream (default 5s).
	WatchInterval time.Duration
}

// Bus is a connection to JetStream, owning the embedded server if it started one.
type Bus struct {
	cfg       Config
	srv       *server.Server
	localFile string // written by Open, removed by Close
	nc        *nats.Conn
	js        jetstream.JetStream
	log       *slog.Logger
	srvOpts   server.Options // the embedded server's options, to restart JetStream
	lock      *storeLock     // held on StoreDir while the embedded server runs
	health    healthState
	stopWatch context.CancelFunc
	watched   chan struct{}
}

func (c *Config) setDefaults() {
	if c.Replicas <= 0 {
		c.Replicas = 1
	}
	if c.Name == "" {
		c.Name = "diembao"
	}
	if c.MinFree == 0 {
		c.MinFree = 64 << 20
	}
	if c.WatchInterval <= 0 {
		c.WatchInterval = 5 * time.Second
	}
}

// Open starts the embedded server (cfg.URL empty) or connects to cfg.URL.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Bus, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.setDefaults()
	b := &Bus{cfg: cfg, log: log.With("component", "bus")}
	opts := b.clientOptions()
	url := cfg.URL
	if url == "" {
		more, err := b.startEmbedded(log)
		if err != nil {
			return nil, err
		}
		opts = append(opts, more...)
	} else {
		opts = append(opts, nats.RetryOnFailedConnect(true), nats.Timeout(5*time.Second))
	}
	if err := b.connect(url, opts); err != nil {
		return nil, err
	}
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	b.stopWatch, b.watched = stop, make(chan struct{})
	go func() {
		defer close(b.watched)
		b.watch(wctx, cfg.WatchInterval)
	}()
	return b, nil
}

// clientOptions are the NATS client options common to both servers:
// b's name, endless reconnection, disconnections and reconnections logged.
func (b *Bus) clientOptions() []nats.Option {
	return []nats.Option{
		nats.Name(b.cfg.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				b.log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { b.log.Info("nats reconnected") }),
	}
}

// startEmbedded locks b.cfg.StoreDir (creating it), starts the embedded
// server on it with its log going to log, and returns the client options
// that reach it. With LocalURLFile the server also listens on a loopback
// port behind a random token, whose client URL it writes to that file.
// On error nothing is left running or locked.
func (b *Bus) startEmbedded(log *slog.Logger) ([]nats.Option, error) {
	cfg := b.cfg
	if cfg.StoreDir == "" {
		return nil, errors.New("bus: embedded server needs a store dir")
	}
	if err := os.MkdirAll(cfg.StoreDir, 0o750); err != nil {
		return nil, fmt.Errorf("bus: %w", err)
	}
	var token string
	if cfg.LocalURLFile != "" {
		var rnd [16]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			return nil, fmt.Errorf("bus: local token: %w", err)
		}
		token = hex.EncodeToString(rnd[:])
	}
	lock, err := lockStore(cfg.StoreDir)
	if err != nil {
		return nil, err
	}
	b.lock = lock
	so := embeddedOptions(cfg)
	var opts []nats.Option
	if token != "" {
		so.DontListen, so.Host, so.Port, so.Authorization = false, "127.0.0.1", server.RANDOM_PORT, token
		opts = append(opts, nats.Token(token))
	}
	srv, err := server.NewServer(so)
	if err != nil {
		b.lock.release()
		return nil, fmt.Errorf("bus: embedded server: %w", err)
	}
	srv.SetLogger(serverLogger{log: log.With("component", "nats-server"), onWriteError: b.health.storeFailed}, false, false)
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		b.lock.release()
		return nil, errors.New("bus: embedded server not ready after 30s")
	}
	b.srv, b.srvOpts = srv, *so
	opts = append(opts, nats.InProcessServer(srv))
	if cfg.LocalURLFile != "" {
		if err := b.publishLocalURL(token); err != nil {
			b.shutdownServer()
			return nil, err
		}
	}
	return opts, nil
}

// embeddedOptions are the embedded server's options for cfg: JetStream on
// cfg.StoreDir, no listener, no signals, no log of its own.
func embeddedOptions(cfg Config) *server.Options {
	return &server.Options{
		ServerName: "diembao-embedded",
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		DontListen: true,
		NoSigs:     true,
		NoLog:      true,
		SyncAlways: cfg.Sync,
		MaxPayload: MaxPayload,
		// Without explicit limits the server caps JetStream at 75 % of
		// the disk space free when JetStream starts, so a JetStream
		// (re)started on a nearly full disk would refuse writes with
		// "resource limits exceeded" after space returns. The disk
		// itself is the limit; the watchdog and /healthz watch it.
		JetStreamMaxStore:  1 << 40,
		JetStreamMaxMemory: 512 << 20,
	}
}

// publishLocalURL writes the running embedded server's loopback client
// URL, with token, to cfg.LocalURLFile, which Close then removes.
func (b *Bus) publishLocalURL(token string) error {
	addr, ok := b.srv.Addr().(*net.TCPAddr)
	if !ok {
		return errors.New("bus: embedded server has no loopback listener")
	}
	if err := writeLocalURL(b.cfg.LocalURLFile, fmt.Sprintf("nats://%s@127.0.0.1:%d", token, addr.Port)); err != nil {
		return err
	}
	b.localFile = b.cfg.LocalURLFile
	return nil
}

// connect connects to url (the embedded server if empty) with opts and
// opens JetStream on the connection. On error it leaves nothing running.
func (b *Bus) connect(url string, opts []nats.Option) error {
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		b.shutdownServer()
		return fmt.Errorf("bus: connect %s: %w", displayURL(url), err)
	}
	b.nc = nc
	js, err := jetstream.New(nc)
	if err != nil {
		b.Close()
		return fmt.Errorf("bus: jetstream: %w", err)
	}
	b.js = js
	return nil
}

func displayURL(u string) string {
	if u == "" {
		return "embedded server"
	}
	return u
}

// JetStream exposes the underlying context for tools and tests.
func (b *Bus) JetStream() jetstream.JetStream { return b.js }

// Conn exposes the NATS connection.
func (b *Bus) Conn() *nats.Conn { return b.nc }

// Setup declares every stream (idempotently). Consumers are declared by the
// role that reads them, through Consume.
func (b *Bus) Setup(ctx context.Context) error {
	streams := []jetstream.StreamConfig{
		{Name: StreamArticles, Subjects: []string{SubjectArticles + ".>"}, Retention: jetstream.LimitsPolicy,
			Duplicates: time.Hour, Description: "article revisions, the log of record"},
		{Name: StreamAlerts, Subjects: []string{SubjectAlerts + ".>"}, Retention: jetstream.LimitsPolicy,
			Duplicates: time.Hour, Description: "alerts raised by the matcher"},
		{Name: StreamOutbox, Subjects: []string{SubjectOutbox + ".>"}, Retention: jetstream.WorkQueuePolicy,
			Duplicates: time.Hour, Description: "emails waiting for SMTP acceptance"},
		{Name: StreamSnapshots, Subjects: []string{SubjectSnapshots + ".>"}, Retention: jetstream.LimitsPolicy,
			Duplicates: time.Hour, MaxMsgSize: MaxPayload, MaxMsgsPerSubject: 1, Compression: jetstream.S2Compression,
			Description: "saved copies of fetched pages, one per revision key"},
		{Name: StreamDead, Subjects: []string{SubjectDead + ".>"}, Retention: jetstream.LimitsPolicy,
			MaxMsgSize: MaxPayload, Description: "messages that exhausted their retries"},
	}
	for _, sc := range streams {
		sc.Storage = jetstream.FileStorage
		sc.Replicas = b.cfg.Replicas
		err := retryTransient(ctx, func(ctx context.Context) error {
			_, err := b.js.CreateOrUpdateStream(ctx, sc)
			return err
		})
		if err != nil {
			return fmt.Errorf("bus: declare stream %s: %w", sc.Name, err)
		}
	}
	return nil
}

// retryTransient calls f with a 15 s deadline per attempt until it
// succeeds, fails with an error a retry cannot fix, or a minute has
// passed: on a cluster electing a leader (several roles starting at once,
// a node restarting) declaring a replicated stream can take a while.
func retryTransient(ctx context.Context, f func(context.Context) error) error {
	deadline := time.Now().Add(time.Minute)
	wait := 250 * time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, 15*time.Second)
		err := f(actx)
		cancel()
		if err == nil || ctx.Err() != nil || time.Now().After(deadline) || !transientPublishErr(err) {
			return err
		}
		sleepCtx(ctx, wait)
		wait = min(2*wait, 4*time.Second)
	}
}

// Publish stores data on subject with the given Nats-Msg-Id and returns once
// the stream acknowledged it (durably, with a synced store). A duplicate
// msgID inside the stream's window is accepted and dropped; dup reports it.
func (b *Bus) Publish(ctx context.Context, subject, msgID string, data []byte, hdr nats.Header) (dup bool, err error) {
	msg := &nats.Msg{Subject: subject, Data: data, Header: hdr}
	var opts []jetstream.PublishOpt
	if msgID != "" {
		opts = append(opts, jetstream.WithMsgID(msgID))
	}
	backoff := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		ack, err := b.js.PublishMsg(pctx, msg, opts...)
		cancel()
		if err == nil {
			return ack.Duplicate, nil
		}
		if ctx.Err() != nil || attempt >= 8 || !transientPublishErr(err) {
			if transientPublishErr(err) || IsUnavailable(err) || b.Health() != nil {
				return false, fmt.Errorf("bus: publish %s: %w: %w", subject, errkind.Unavailable, err)
			}
			return false, fmt.Errorf("bus: publish %s: %w", subject, err)
		}
		if b.Health() != nil && attempt >= 2 {
			// JetStream is known to be down: fail fast, the caller retries later.
			return false, fmt.Errorf("bus: publish %s: %w: %w", subject, errkind.Unavailable, err)
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("bus: publish %s: %w", subject, ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func transientPublishErr(err error) bool {
	return errors.Is(err, nats.ErrNoResponders) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, nats.ErrTimeout) || errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.Is(err, nats.ErrConnectionReconnecting) || errors.Is(err, nats.ErrDisconnected)
}

// LastBySubject returns the last message stored on subject (used to read a
// saved copy back).
func (b *Bus) LastBySubject(ctx context.Context, stream, subject string) (*jetstream.RawStreamMsg, error) {
	s, err := b.js.Stream(ctx, stream)
	if err != nil {
		return nil, fmt.Errorf("bus: stream %s: %w", stream, err)
	}
	m, err := s.GetLastMsgForSubject(ctx, subject)
	if err != nil {
		return nil, fmt.Errorf("bus: get %s: %w", subject, err)
	}
	return m, nil
}

// Close flushes pending acks, closes the connection and shuts down the
// embedded server if this Bus started it.
func (b *Bus) Close() {
	if b.stopWatch != nil {
		b.stopWatch()
		<-b.watched
		b.stopWatch = nil
	}
	if b.nc != nil {
		_ = b.nc.FlushTimeout(2 * time.Second)
		b.nc.Close()
	}
	b.shutdownServer()
}

func (b *Bus) shutdownServer() {
	if b.localFile != "" {
		_ = os.Remove(b.localFile)
		b.localFile = ""
	}
	if b.srv != nil {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
		b.srv = nil
	}
	b.lock.release()
	b.lock = nil
}

// writeLocalURL writes url to path, readable by the owner only.
func writeLocalURL(path, url string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(url+"\n"), 0o600); err != nil {
		return fmt.Errorf("bus: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("bus: write %s: %w", path, err)
	}
	return nil
}

// LocalURL returns the client URL a running process's embedded server
// wrote to path (Config.LocalURLFile) if that server answers now, else "".
// A file left by a process that died is ignored.
func LocalURL(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	url := strings.TrimSpace(string(b))
	nc, err := nats.Connect(url, nats.Timeout(2*time.Second), nats.Name("diembao-probe"))
	if err != nil {
		return ""
	}
	nc.Close()
	return url
}
