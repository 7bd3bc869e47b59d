package savedsearch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/url"
	"slices"
	"sort"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/kv"
)

// Hit is one article a saved search finds.
type Hit struct {
	ID        string
	Title     string
	URL       string
	Source    string
	Published time.Time
	Snippet   string // plain text
}

// Finder runs a saved search on the archive as its owner may see it and
// returns the newest matching articles first (a page of them is enough:
// the Notifier runs every minute). internal/node wires the index.
type Finder interface {
	Find(ctx context.Context, s Search) ([]Hit, error)
}

// FinderFunc adapts a function to Finder.
type FinderFunc func(ctx context.Context, s Search) ([]Hit, error)

// Find implements Finder.
func (f FinderFunc) Find(ctx context.Context, s Search) ([]Hit, error) { return f(ctx, s) }

// Message is one subscription mail, addressed to a search's owner.
type Message struct {
	// ID is deterministic (the search and the articles it reports), so a
	// retry after a crash is dropped downstream as a duplicate.
	ID      string
	Owner   string
	To      string
	Subject string
	Text    string
	HTML    string
	// Headers are List-Unsubscribe and List-Unsubscribe-Post (RFC 8058).
	Headers map[string]string
	Created time.Time
}

// Mailer puts a message on the outbox; a nil error means it is durable there.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// MailerFunc adapts a function to Mailer.
type MailerFunc func(ctx context.Context, m Message) error

// Send implements Mailer.
func (f MailerFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }

// Recipients gives a user's e-mail address, "" when the user has none (the
// search then waits: nothing is marked as reported).
type Recipients interface {
	Email(ctx context.Context, user string) (string, error)
}

// RecipientsFunc adapts a function to Recipients.
type RecipientsFunc func(ctx context.Context, user string) (string, error)

// Email implements Recipients.
func (f RecipientsFunc) Email(ctx context.Context, user string) (string, error) { return f(ctx, user) }

// NotifierConfig configures a Notifier; zero values mean the defaults.
type NotifierConfig struct {
	BaseURL  string         // the web UI, for links
	From     string         // not used in Message; kept for the caller
	Location *time.Location // nil: article.Vietnam()
	// DailyAt is the time of day of daily summaries (default 07:00).
	DailyAt time.Duration
	// Interval between runs of Run (default 1 minute).
	Interval time.Duration
	Now      func() time.Time
	// SourceNames gives the sources' display names by id (nil or a missing
	// id: the id is shown).
	SourceNames article.SourceNames
}

// Notifier mails owners the new articles of their saved searches.
type Notifier struct {
	cfg    NotifierConfig
	st     *Store
	find   Finder
	mail   Mailer
	emails Recipients
	log    *slog.Logger
	html   *template.Template
	text   *texttemplate.Template
}

// NewNotifier checks its collaborators and returns a Notifier.
func NewNotifier(cfg NotifierConfig, st *Store, find Finder, mail Mailer, emails Recipients, log *slog.Logger) (*Notifier, error) {
	if st == nil || find == nil || mail == nil || emails == nil {
		return nil, errors.New("savedsearch: NewNotifier needs a Store, Finder, Mailer and Recipients")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Location == nil {
		cfg.Location = article.Vietnam()
	}
	if cfg.DailyAt <= 0 {
		cfg.DailyAt = 7 * time.Hour
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	funcs := map[string]any{"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(cfg.Location).Format("02/01/2006 15:04")
	}}
	return &Notifier{cfg: cfg, st: st, find: find, mail: mail, emails: emails, log: log.With("component", "subscriptions"),
		html: template.Must(template.New("h").Funcs(funcs).Parse(mailHTML)),
		text: texttemplate.Must(texttemplate.New("t").Funcs(funcs).Parse(mailText))}, nil
}

// Run runs Tick every Interval until ctx ends; errors are logged and the
// next tick tries again.
func (n *Notifier) Run(ctx context.Context) error {
	t := time.NewTicker(n.cfg.Interval)
	defer t.Stop()
	for {
		if err := n.Tick(ctx); err != nil && ctx.Err() == nil {
			n.log.Warn("subscriptions tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

type seenSet struct {
	Init bool     `json:"init"`
	IDs  []string `json:"ids"`
}

type pendingSet struct {
	Hits []hitJSON `json:"hits"`
}

type hitJSON struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Source    string    `json:"source"`
	Published time.Time `json:"published"`
	Snippet   string    `json:"snippet,omitempty"`
}

const maxSeen = 2000

func (n *Notifier) load(ctx context.Context, key string, v any) error {
	e, err := n.st.kv.Get(ctx, key)
	if errors.Is(err, kv.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get %s: %w", key, err)
	}
	if err := json.Unmarshal(e.Value, v); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}

func (n *Notifier) save(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := n.st.kv.Put(ctx, key, b); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Tick looks once at every search that notifies: new articles are mailed at
// once (immediate) or kept for the day's summary (daily), which goes out at
// DailyAt. The first look at a search only records what it finds (no mail
// for articles that were there when it was saved). It returns the first
// error after trying every search.
func (n *Notifier) Tick(ctx context.Context) error {
	all, err := n.st.List(ctx, "")
	if err != nil {
		return err
	}
	var first error
	for _, s := range all {
		if s.Notify == NotifyNone {
			continue
		}
		if err := n.tickOne(ctx, s); err != nil {
			n.log.Warn("saved search", "search_id", s.ID, "owner", s.Owner, "err", err)
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// tickOne looks once at one search. Its side effects come in this order,
// so that a failure at any step leaves what the next tick needs to retry:
// the baseline only marks what it finds as seen; a daily search saves its
// pending articles before marking them seen and, when due, mails the
// summary before clearing the pending list and recording the day; an
// immediate search mails before marking seen and clearing pending. A mail
// sent again after a later failure has the same Message ID.
func (n *Notifier) tickOne(ctx context.Context, s Search) error {
	to, err := n.emails.Email(ctx, s.Owner)
	if err != nil {
		return fmt.Errorf("address of %s: %w", s.Owner, err)
	}
	if to == "" {
		n.log.Debug("saved search owner has no e-mail address", "owner", s.Owner, "search_id", s.ID)
		return nil
	}
	hits, err := n.find.Find(ctx, s)
	if err != nil {
		return fmt.Errorf("run search %s: %w", s.ID, err)
	}
	var seen seenSet
	if err := n.load(ctx, "ssseen."+s.ID, &seen); err != nil {
		return err
	}
	fresh := seen.unseen(hits)
	if !seen.Init { // the baseline: what the search found when it was saved
		return n.markSeen(ctx, s.ID, seen, fresh)
	}
	var pend pendingSet
	if err := n.load(ctx, "sspending."+s.ID, &pend); err != nil {
		return err
	}
	pend.add(fresh)
	if s.Notify == NotifyDaily {
		return n.tickDaily(ctx, s, to, seen, fresh, pend)
	}
	return n.tickImmediate(ctx, s, to, seen, fresh, pend)
}

// unseen returns the hits not yet reported, in their order.
func (seen seenSet) unseen(hits []Hit) []Hit {
	var fresh []Hit
	for _, h := range hits {
		if !slices.Contains(seen.IDs, h.ID) {
			fresh = append(fresh, h)
		}
	}
	return fresh
}

// add appends the hits not already pending.
func (p *pendingSet) add(hits []Hit) {
	for _, h := range hits {
		if !slices.ContainsFunc(p.Hits, func(q hitJSON) bool { return q.ID == h.ID }) {
			p.Hits = append(p.Hits, hitJSON(h))
		}
	}
}

// markSeen saves seen with fresh added (only the last maxSeen ids are
// kept) and the baseline marked as taken.
func (n *Notifier) markSeen(ctx context.Context, id string, seen seenSet, fresh []Hit) error {
	for _, h := range fresh {
		seen.IDs = append(seen.IDs, h.ID)
	}
	if len(seen.IDs) > maxSeen {
		seen.IDs = seen.IDs[len(seen.IDs)-maxSeen:]
	}
	seen.Init = true
	return n.save(ctx, "ssseen."+id, seen)
}

// clearPending deletes a search's pending list; an absent list is no error.
func (n *Notifier) clearPending(ctx context.Context, id string) error {
	if err := n.st.kv.Delete(ctx, "sspending."+id); err != nil && !errors.Is(err, kv.ErrNotFound) {
		return fmt.Errorf("clear pending: %w", err)
	}
	return nil
}

// keepPending saves pend (fresh included) and then marks fresh seen, so a
// hit is either still unseen or kept pending until a mail carries it, even
// when newer hits push it out of the search's first page meanwhile.
func (n *Notifier) keepPending(ctx context.Context, id string, seen seenSet, fresh []Hit, pend pendingSet) error {
	if len(fresh) == 0 {
		return nil
	}
	if err := n.save(ctx, "sspending."+id, pend); err != nil {
		return err
	}
	return n.markSeen(ctx, id, seen, fresh)
}

// tickDaily keeps fresh articles pending and sends the summary once the
// day's DailyAt has passed and the search has not had one since.
func (n *Notifier) tickDaily(ctx context.Context, s Search, to string, seen seenSet, fresh []Hit, pend pendingSet) error {
	now := n.cfg.Now()
	if err := n.keepPending(ctx, s.ID, seen, fresh, pend); err != nil {
		return err
	}
	n0 := now.In(n.cfg.Location)
	due := time.Date(n0.Year(), n0.Month(), n0.Day(), 0, 0, 0, 0, n.cfg.Location).Add(n.cfg.DailyAt)
	if now.Before(due) || !s.LastDaily.Before(due) {
		return nil
	}
	return n.sendSummary(ctx, s, to, pend.Hits, now, due)
}

// sendSummary mails the pending hits (no mail when there are none), then
// clears them and records now as the search's LastDaily. A failure after
// the mail leaves the day unrecorded, so the next tick sends the same
// message (ID from the search, the due day and the hits) again.
func (n *Notifier) sendSummary(ctx context.Context, s Search, to string, hits []hitJSON, now, due time.Time) error {
	if len(hits) > 0 {
		if err := n.send(ctx, s, to, hits, "daily-"+due.Format("2006-01-02")); err != nil {
			return err
		}
	}
	if err := n.clearPending(ctx, s.ID); err != nil {
		return err
	}
	cur, err := n.st.Get(ctx, s.Owner, s.ID)
	if err != nil {
		return err
	}
	cur.LastDaily = now.UTC()
	return n.st.put(ctx, cur, false)
}

// tickImmediate keeps fresh articles pending, then mails the pending hits
// (the fresh ones, those a failed mail left, anything a daily mode left)
// and clears them. A mail that cannot be queued is tried again on the next
// tick with what is new by then.
func (n *Notifier) tickImmediate(ctx context.Context, s Search, to string, seen seenSet, fresh []Hit, pend pendingSet) error {
	if err := n.keepPending(ctx, s.ID, seen, fresh, pend); err != nil {
		return err
	}
	if len(pend.Hits) == 0 {
		return nil
	}
	if err := n.send(ctx, s, to, pend.Hits, "now"); err != nil {
		return err
	}
	return n.clearPending(ctx, s.ID)
}

type mailView struct {
	Name, SearchURL, Unsubscribe, Manage string
	Daily                                bool
	Hits                                 []hitView
}

type hitView struct {
	hitJSON
	Link, Orig string
}

const mailHTML = `<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Tìm kiếm đã lưu</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222;max-width:720px">
<h2 style="font-size:18px;margin:0 0 12px">{{if .Daily}}Tổng hợp trong ngày{{else}}Bài mới{{end}} cho tìm kiếm “{{.Name}}”: {{len .Hits}} bài</h2>
{{range .Hits}}<div style="border-left:4px solid #0b57a4;padding:6px 10px;margin:10px 0">
<h3 style="font-size:16px;margin:0 0 4px"><a href="{{.Link}}">{{.Title}}</a></h3>
<p style="margin:0 0 4px;font-size:12px;color:#555">{{.Source}} · {{date .Published}}{{if .Orig}} · <a href="{{.Orig}}">Bài gốc</a>{{end}}</p>
{{with .Snippet}}<p style="margin:0">{{.}}</p>{{end}}
</div>
{{end}}<p><a href="{{.SearchURL}}">Mở tìm kiếm trên hệ thống</a> · <a href="{{.Manage}}">Quản lý tìm kiếm đã lưu</a></p>
<p style="font-size:11px;color:#888">Bạn nhận thư này vì đã đăng ký theo dõi tìm kiếm “{{.Name}}”. <a href="{{.Unsubscribe}}">Hủy nhận thư cho tìm kiếm này</a>.</p>
</body></html>
`

const mailText = `{{if .Daily}}Tổng hợp trong ngày{{else}}Bài mới{{end}} cho tìm kiếm "{{.Name}}": {{len .Hits}} bài
{{range .Hits}}
- {{.Title}}
  {{.Source}} · {{date .Published}}
  {{.Link}}
{{end}}
Mở tìm kiếm: {{.SearchURL}}
Quản lý tìm kiếm đã lưu: {{.Manage}}

--
Bạn nhận thư này vì đã đăng ký theo dõi tìm kiếm "{{.Name}}".
Hủy nhận thư cho tìm kiếm này: {{.Unsubscribe}}
`

// UnsubscribeURL is the one-click unsubscribe address of a search's mails.
func UnsubscribeURL(baseURL, owner, id, token string) string {
	return strings.TrimRight(baseURL, "/") + "/unsubscribe?" + url.Values{"u": {owner}, "s": {id}, "t": {token}}.Encode()
}

// Values returns the search page's query parameters for s.
func (s Search) Values() url.Values {
	v := url.Values{}
	if s.Query != "" {
		v.Set("q", s.Query)
	}
	if len(s.Sources) > 0 {
		v["source"] = s.Sources
	}
	if len(s.Topics) > 0 {
		v["topic"] = s.Topics
	}
	if s.Area != "" {
		v.Set("area", s.Area)
	}
	if s.Range != "" {
		v.Set("range", s.Range)
	} else {
		if s.From != "" {
			v.Set("from", s.From)
		}
		if s.To != "" {
			v.Set("to", s.To)
		}
	}
	return v
}

func (n *Notifier) send(ctx context.Context, s Search, to string, hits []hitJSON, kind string) error {
	tok, err := n.st.UnsubscribeToken(ctx, s.Owner, s.ID)
	if err != nil {
		return err
	}
	hs := slices.Clone(hits)
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].Published.After(hs[j].Published) })
	mv := mailView{Name: s.Name, Daily: kind != "now",
		SearchURL:   n.cfg.BaseURL + "/?" + s.Values().Encode(),
		Unsubscribe: UnsubscribeURL(n.cfg.BaseURL, s.Owner, s.ID, tok),
		Manage:      n.cfg.BaseURL + "/searches"}
	ids := make([]string, 0, len(hs))
	for _, h := range hs {
		ids = append(ids, h.ID)
		v := hitView{hitJSON: h, Link: n.cfg.BaseURL + "/articles/" + url.PathEscape(h.ID)}
		v.Source = n.cfg.SourceNames.Name(h.Source) // the view's copy; the pending list keeps the id
		if u, err := url.Parse(h.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			v.Orig = h.URL
		}
		mv.Hits = append(mv.Hits, v)
	}
	var hb, tb bytes.Buffer
	if err := n.html.Execute(&hb, mv); err != nil {
		return fmt.Errorf("render subscription mail: %w", err)
	}
	if err := n.text.Execute(&tb, mv); err != nil {
		return fmt.Errorf("render subscription mail: %w", err)
	}
	sort.Strings(ids)
	sum := sha256.Sum256([]byte("savedsearch\x00" + s.ID + "\x00" + kind + "\x00" + strings.Join(ids, ",")))
	subject := fmt.Sprintf("[diembao] %d bài mới: %s", len(hs), s.Name)
	if kind != "now" {
		subject = fmt.Sprintf("[diembao] Tổng hợp ngày: %d bài cho “%s”", len(hs), s.Name)
	}
	m := Message{ID: hex.EncodeToString(sum[:16]), Owner: s.Owner, To: to, Subject: subject, Text: tb.String(), HTML: hb.String(),
		Headers: map[string]string{
			"List-Unsubscribe":      "<" + mv.Unsubscribe + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		}, Created: n.cfg.Now()}
	if err := n.mail.Send(ctx, m); err != nil {
		return fmt.Errorf("send subscription mail %s: %w", m.ID, err)
	}
	n.log.Info("subscription mail queued", "search_id", s.ID, "owner", s.Owner, "articles", len(hs), "kind", kind)
	return nil
}
