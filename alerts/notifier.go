package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/textnorm"
)

// Notifier records alerts, routes them, suppresses repeats, and flushes one
// mail per audience group onto the Outbox.
type Notifier struct {
	cfg    Config
	kv     kv.Store
	out    Outbox
	router *Router
	render *renderer
	log    *slog.Logger

	storyMu sync.Mutex // serialises repeat-window check-and-mark in this process
	flushMu sync.Mutex
	wake    chan struct{}
}

// NewNotifier checks cfg (audiences, routing tree) and returns a Notifier
// keeping its state in st and putting mails on out.
func NewNotifier(cfg Config, st kv.Store, out Outbox, log *slog.Logger) (*Notifier, error) {
	if st == nil {
		return nil, errors.New("alerts: nil kv.Store")
	}
	if out == nil {
		return nil, errors.New("alerts: nil Outbox")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	r, err := NewRouter(cfg.Routes, cfg.Audiences)
	if err != nil {
		return nil, err
	}
	return &Notifier{
		cfg: cfg, kv: st, out: out, router: r,
		render: newRenderer(cfg.BaseURL, cfg.Location, cfg.Topics, cfg.Sources),
		log:    log.With("component", "notifier"),
		wake:   make(chan struct{}, 1),
	}, nil
}

type pendingEntry struct {
	Alert string    `json:"alert"`
	At    time.Time `json:"at"`
}

type storyMark struct {
	Rules map[string]markedRule `json:"rules"`
}

type markedRule struct {
	Alert string    `json:"alert"`
	At    time.Time `json:"at"`
}

// Handle records a and queues it for each audience it routes to. A nil
// error means all of that is durable in the kv.Store: the caller may ack.
// Handling the same alert again (a redelivery) does nothing new.
func (n *Notifier) Handle(ctx context.Context, a article.Alert) error {
	if !validID(a.ID) {
		return fmt.Errorf("alert %q: %w: invalid id", a.ID, errkind.Permanent)
	}
	now := n.cfg.Now()
	routed := n.router.Route(a)
	rec, err := updateJSON(ctx, n.kv, recordKey(a.ID), func(r *Record) error {
		if r.Alert.ID == "" {
			*r = Record{Alert: a, Audiences: routed, Deliveries: map[string]Delivery{}, Received: now}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record alert %s: %w", a.ID, err)
	}
	if len(rec.Audiences) == 0 {
		n.log.Debug("alert not routed", "alert_id", a.ID)
		return nil
	}
	decided := map[string]Delivery{}
	n.storyMu.Lock()
	for _, aud := range rec.Audiences {
		if d := rec.Deliveries[aud]; d.State != "" && d.State != StatePending {
			continue
		}
		by, err := n.checkStory(ctx, aud, rec.Alert, now)
		if err != nil {
			n.storyMu.Unlock()
			return err
		}
		if by != "" {
			decided[aud] = Delivery{State: StateSuppressed, SuppressedBy: by, At: now}
			continue
		}
		if err := n.markStory(ctx, aud, rec.Alert, now); err != nil {
			n.storyMu.Unlock()
			return err
		}
		b, _ := marshal(pendingEntry{Alert: a.ID, At: now})
		if _, err := n.kv.Create(ctx, pendingKey(aud, a.ID), b); err != nil && !errors.Is(err, kv.ErrExists) {
			n.storyMu.Unlock()
			return fmt.Errorf("queue alert %s for %s: %w", a.ID, aud, err)
		}
		decided[aud] = Delivery{State: StatePending, At: now}
	}
	n.storyMu.Unlock()
	if len(decided) > 0 {
		_, err = updateJSON(ctx, n.kv, recordKey(a.ID), func(r *Record) error {
			if r.Deliveries == nil {
				r.Deliveries = map[string]Delivery{}
			}
			for aud, d := range decided {
				if r.Deliveries[aud].State == "" {
					r.Deliveries[aud] = d
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("record alert %s: %w", a.ID, err)
		}
	}
	n.log.Debug("alert handled", "alert_id", a.ID, "audiences", len(rec.Audiences))
	select {
	case n.wake <- struct{}{}:
	default:
	}
	return nil
}

func pendingKey(aud, id string) string { return "pending." + aud + "." + id }

// storyKeys are the keys under which a story is remembered for an audience:
// the article, its content hash (an identical reprint), and its title key
// (a reprint under a near-identical title).
func storyKeys(aud string, a article.Alert) []string {
	keys := []string{"story." + aud + ".a." + article.HashID(a.ArticleID)}
	if a.ContentHash != "" {
		keys = append(keys, "story."+aud+".h."+article.HashID(a.ContentHash))
	}
	if t := textnorm.Key(a.Title); strings.Count(t, " ") >= 3 { // four syllables or more
		keys = append(keys, "story."+aud+".t."+article.HashID(t))
	}
	return keys
}

func ruleIDs(a article.Alert) []string {
	var ids []string
	for _, m := range a.Matches {
		if !slices.Contains(ids, m.Rule) {
			ids = append(ids, m.Rule)
		}
	}
	if len(ids) == 0 {
		for _, t := range a.Topics {
			ids = append(ids, "topic:"+t)
		}
	}
	if len(ids) == 0 {
		ids = []string{"*"}
	}
	return ids
}

// checkStory returns the id of an earlier alert that already told aud about
// this story with every one of a's rules within the repeat window, or "".
func (n *Notifier) checkStory(ctx context.Context, aud string, a article.Alert, now time.Time) (string, error) {
	if n.cfg.Repeat <= 0 {
		return "", nil
	}
	var marks []storyMark
	for _, k := range storyKeys(aud, a) {
		m, err := getJSON[storyMark](ctx, n.kv, k)
		if errors.Is(err, kv.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", err
		}
		marks = append(marks, m)
	}
	by := ""
	for _, r := range ruleIDs(a) {
		covered := false
		for _, m := range marks {
			if mr, ok := m.Rules[r]; ok && mr.Alert != a.ID && now.Sub(mr.At) < n.cfg.Repeat {
				covered = true
				if by == "" {
					by = mr.Alert
				}
				break
			}
		}
		if !covered {
			return "", nil
		}
	}
	return by, nil
}

func (n *Notifier) markStory(ctx context.Context, aud string, a article.Alert, now time.Time) error {
	if n.cfg.Repeat <= 0 {
		return nil
	}
	for _, k := range storyKeys(aud, a) {
		_, err := updateJSON(ctx, n.kv, k, func(m *storyMark) error {
			if m.Rules == nil {
				m.Rules = map[string]markedRule{}
			}
			for _, r := range ruleIDs(a) {
				if old, ok := m.Rules[r]; ok && old.Alert != a.ID && now.Sub(old.At) < n.cfg.Repeat {
					continue
				}
				m.Rules[r] = markedRule{Alert: a.ID, At: now}
			}
			for r, old := range m.Rules { // forget what left the window
				if now.Sub(old.At) >= n.cfg.Repeat {
					delete(m.Rules, r)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("mark story %s: %w", k, err)
		}
	}
	return nil
}

type batch struct {
	Mail Mail `json:"mail"`
}

// Run flushes due groups until ctx is done. Errors are logged and retried
// on the next tick; Run returns nil when ctx ends.
func (n *Notifier) Run(ctx context.Context) error {
	t := time.NewTicker(n.cfg.Tick)
	defer t.Stop()
	for {
		if _, err := n.Flush(ctx); err != nil && ctx.Err() == nil {
			n.log.Warn("flush", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-n.wake:
			if n.cfg.GroupWait > 0 {
				continue // the tick will find it due
			}
		}
	}
}

// Flush first finishes any group a crash left between flush and outbox, then
// puts every group whose oldest alert waited group_wait onto the Outbox.
// It returns the number of mails enqueued, also when it stops at an error.
func (n *Notifier) Flush(ctx context.Context) (int, error) {
	n.flushMu.Lock()
	defer n.flushMu.Unlock()
	sent, err := n.commitLeftBatches(ctx)
	if err != nil {
		return sent, err
	}
	byAud, err := n.pendingByAudience(ctx)
	if err != nil {
		return sent, err
	}
	now := n.cfg.Now()
	auds := make([]string, 0, len(byAud))
	for a := range byAud {
		auds = append(auds, a)
	}
	sort.Strings(auds)
	for _, aud := range auds {
		k, err := n.flushAudience(ctx, aud, byAud[aud], now)
		sent += k
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// commitLeftBatches commits every batch still in the store (rendered, not
// yet known to be on the Outbox) and returns how many it committed.
func (n *Notifier) commitLeftBatches(ctx context.Context) (int, error) {
	sent := 0
	bkeys, err := n.kv.Keys(ctx, "batch.")
	if err != nil {
		return 0, fmt.Errorf("list batches: %w", err)
	}
	for _, k := range bkeys {
		b, err := getJSON[batch](ctx, n.kv, k)
		if errors.Is(err, kv.ErrNotFound) {
			continue
		}
		if err != nil {
			return sent, err
		}
		if err := n.commit(ctx, k, b.Mail); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// pendingByAudience reads the pending entries (pending.<audience>.<alert>)
// grouped by audience; a key of another form, or one deleted meanwhile, is
// passed over.
func (n *Notifier) pendingByAudience(ctx context.Context) (map[string][]pendingEntry, error) {
	pkeys, err := n.kv.Keys(ctx, "pending.")
	if err != nil {
		return nil, fmt.Errorf("list pending: %w", err)
	}
	byAud := map[string][]pendingEntry{}
	for _, k := range pkeys {
		parts := strings.SplitN(k, ".", 3)
		if len(parts) != 3 {
			continue
		}
		p, err := getJSON[pendingEntry](ctx, n.kv, k)
		if errors.Is(err, kv.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		byAud[parts[1]] = append(byAud[parts[1]], p)
	}
	return byAud, nil
}

// flushAudience sorts aud's pending entries (non-empty) oldest first, ties
// by alert id, and, once the oldest waited group_wait, flushes them in
// groups of at most MaxPerMail. It returns the number of mails enqueued.
func (n *Notifier) flushAudience(ctx context.Context, aud string, ps []pendingEntry, now time.Time) (int, error) {
	sort.Slice(ps, func(i, j int) bool {
		if !ps[i].At.Equal(ps[j].At) {
			return ps[i].At.Before(ps[j].At)
		}
		return ps[i].Alert < ps[j].Alert
	})
	if now.Sub(ps[0].At) < n.cfg.GroupWait {
		return 0, nil
	}
	sent := 0
	for len(ps) > 0 {
		chunk := ps[:min(len(ps), n.cfg.MaxPerMail)]
		ps = ps[len(chunk):]
		ok, err := n.flushGroup(ctx, aud, chunk, now)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

func (n *Notifier) flushGroup(ctx context.Context, aud string, ps []pendingEntry, now time.Time) (bool, error) {
	var alerts []article.Alert
	for _, p := range ps {
		r, err := getJSON[Record](ctx, n.kv, recordKey(p.Alert))
		if err != nil && !errors.Is(err, kv.ErrNotFound) {
			return false, err
		}
		if err != nil || r.Deliveries[aud].MailID != "" { // gone, or already in a mail
			if err := n.kv.Delete(ctx, pendingKey(aud, p.Alert)); err != nil {
				return false, fmt.Errorf("delete pending: %w", err)
			}
			continue
		}
		alerts = append(alerts, r.Alert)
	}
	if len(alerts) == 0 {
		return false, nil
	}
	audience := n.cfg.Audiences[aud]
	if !audience.Sensitive { // matches of police-only rules stay out of other audiences' mails
		sens := n.cfg.sensitiveNames()
		for i := range alerts {
			alerts[i] = alerts[i].WithoutRestricted(sens)
		}
	}
	ids := make([]string, len(alerts))
	for i, a := range alerts {
		ids[i] = a.ID
	}
	shown := aud // the mail's footer names the group as the office calls it
	if name := strings.TrimSpace(audience.Name); name != "" {
		shown = name
	}
	subject, text, html, err := n.render.render(shown, audience.Sensitive, alerts)
	if err != nil {
		return false, err
	}
	id := groupMailID(aud, ids)
	m := Mail{
		ID: id, MessageID: MessageIDFor(id), Kind: "alert", Audience: aud,
		From: n.cfg.From, To: append([]string(nil), audience.Emails...),
		Subject: subject, Text: text, HTML: html, AlertIDs: ids, Created: now,
	}
	key := "batch." + aud + "." + id
	if err := putJSON(ctx, n.kv, key, batch{Mail: m}); err != nil {
		return false, err
	}
	return true, n.commit(ctx, key, m)
}

// commit moves a rendered batch onto the Outbox: claim its alerts in their
// records, drop their pending entries, enqueue, forget the batch. Every step
// is idempotent, so a batch left by a crash is committed again on restart.
func (n *Notifier) commit(ctx context.Context, key string, m Mail) error {
	now := n.cfg.Now()
	for _, id := range m.AlertIDs {
		_, err := updateJSON(ctx, n.kv, recordKey(id), func(r *Record) error {
			if r.Deliveries == nil {
				r.Deliveries = map[string]Delivery{}
			}
			if d := r.Deliveries[m.Audience]; d.MailID == "" {
				r.Deliveries[m.Audience] = Delivery{State: StateQueued, MailID: m.ID, MessageID: m.MessageID, At: now}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("claim alert %s: %w", id, err)
		}
		if err := n.kv.Delete(ctx, pendingKey(m.Audience, id)); err != nil {
			return fmt.Errorf("delete pending: %w", err)
		}
	}
	if err := n.out.Enqueue(ctx, m); err != nil {
		return fmt.Errorf("enqueue mail %s: %w", m.ID, err)
	}
	if err := n.kv.Delete(ctx, key); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	n.log.Info("mail queued", "mail_id", m.ID, "audience", m.Audience, "alerts", len(m.AlertIDs))
	return nil
}
