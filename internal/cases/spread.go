package cases

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"testing/fstest"
	"time"
	"unicode"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/kv"
	"github.com/diembao/diembao/internal/textnorm"
	"github.com/diembao/diembao/rules"
)

// reprintBits is the largest SimHash distance of a reprint (as the digest).
const reprintBits = 6

// stopwords are left out of drafted case rules: they carry no claim.
var stopwords = map[string]bool{
	"bị": true, "là": true, "có": true, "không": true, "được": true, "các": true, "những": true,
	"của": true, "và": true, "đã": true, "sẽ": true, "đang": true, "cho": true, "với": true,
	"trong": true, "thì": true, "mà": true, "này": true, "đó": true, "một": true, "rằng": true,
	"cho rằng": true, "nhiều": true, "rất": true, "ở": true, "tại": true, "từ": true, "về": true,
	"người": true, "dân": true, "lại": true, "ra": true, "vào": true, "khi": true, "đến": true,
}

// DraftRule drafts a case rule from the claim: up to three two-syllable
// phrases of its content words, all required. The analyst edits it.
func DraftRule(claim string) string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(textnorm.Normalize(claim)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	}) {
		words = append(words, w)
	}
	var phrases []string
	for i := 0; i+1 < len(words) && len(phrases) < 3; {
		if stopwords[words[i]] || stopwords[words[i+1]] {
			i++
			continue
		}
		phrases = append(phrases, `"`+words[i]+" "+words[i+1]+`"`)
		i += 2
	}
	if len(phrases) == 0 {
		for _, w := range words {
			if !stopwords[w] && len(phrases) < 3 {
				phrases = append(phrases, `"`+w+`"`)
			}
		}
	}
	return strings.Join(phrases, " AND ")
}

func ruleID(caseID string) string { return "case." + strings.ToLower(caseID) }

// compileRule compiles a case rule with the default pack (for its topics and
// gazetteer). A rule the analyst can fix comes back wrapping ErrBadInput.
func compileRule(caseID, query string) (*rules.Set, error) {
	q, _ := json.Marshal(strings.TrimSpace(query))
	doc := fmt.Sprintf("rules:\n  - id: %s\n    version: 1\n    topic: disinfo\n    severity: high\n    area: false\n    description: \"case rule\"\n    query: %s\n",
		ruleID(caseID), q)
	set, err := rules.LoadFS(rules.DefaultPack(), fstest.MapFS{"case.yaml": {Data: []byte(doc)}})
	if err != nil {
		msg := err.Error()
		if i := strings.LastIndex(msg, "case.yaml"); i >= 0 {
			msg = msg[i+len("case.yaml"):]
		}
		return nil, inputError("quy tắc theo dõi không hợp lệ%s", msg)
	}
	return set, nil
}

func (s *Service) ruleSet(c Case) (*rules.Set, error) {
	s.mu.Lock()
	rc, ok := s.sets[c.ID]
	s.mu.Unlock()
	if ok && rc.query == c.Rule {
		return rc.set, nil
	}
	set, err := compileRule(c.ID, c.Rule)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.sets[c.ID] = ruleCache{query: c.Rule, set: set}
	s.mu.Unlock()
	return set, nil
}

// Backtest runs a case rule over the archive since a time, as `rules check
// --archive` does, and returns the report with up to 20 examples.
func (s *Service) Backtest(ctx context.Context, caseID, query string, since time.Time) (rules.BacktestReport, error) {
	if s.d.Archive == nil {
		return rules.BacktestReport{}, inputError("máy chủ chưa bật kho bài để chạy thử quy tắc")
	}
	set, err := compileRule(caseID, query)
	if err != nil {
		return rules.BacktestReport{}, err
	}
	return set.Backtest(ctx, s.d.Archive, since, []string{ruleID(caseID)}, 20)
}

// spreadMatch says whether a repeats the claim of c: a near-duplicate of one
// of its items (reprint) or a hit of its rule (repeat).
func (s *Service) spreadMatch(c Case, a article.Article, sh uint64) (kind, of string) {
	if sh != 0 {
		for _, it := range c.Items {
			if it.SimHash != 0 && bits.OnesCount64(it.SimHash^sh) <= reprintBits {
				return KindReprint, it.ArticleID
			}
		}
	}
	if strings.TrimSpace(c.Rule) == "" {
		return "", ""
	}
	set, err := s.ruleSet(c)
	if err != nil {
		s.log.Warn("case rule does not compile", "case_id", c.ID, "err", err)
		return "", ""
	}
	id := ruleID(c.ID)
	if slices.ContainsFunc(set.Match(a).Matches, func(m article.Match) bool { return m.Rule == id }) {
		return KindRepeat, ""
	}
	return "", ""
}

// Attach attaches a new article to every open case whose claim it repeats,
// and tells each case's owner. It returns the ids of the cases it joined.
// Calling it again with the same article attaches nothing more; it redoes
// what a failed call may have left undone after attaching (the article's
// index entry, the owner's notice, whose id makes the outbox and the sender
// drop a second copy), so an error asks for a redelivery that loses nothing.
func (s *Service) Attach(ctx context.Context, a article.Article) ([]string, error) {
	if a.ID == "" || a.Removed {
		return nil, nil
	}
	open, _, err := s.List(ctx, Filter{})
	if err != nil {
		return nil, err
	}
	sh := simhashOf(a)
	var joined []string
	for _, c := range open {
		if !c.Open() {
			continue
		}
		if it, ok := autoItem(c, a.ID); ok {
			if err := s.attached(ctx, c, it); err != nil {
				return joined, err
			}
			joined = append(joined, c.ID)
			continue
		}
		if c.HasArticle(a.ID) {
			continue
		}
		kind, of := s.spreadMatch(c, a, sh)
		if kind == "" {
			continue
		}
		now := s.d.Now().UTC()
		it := itemOf(a, kind, now, "diembao")
		it.RepeatOf = of
		added := false
		c, err := s.update(ctx, c.ID, func(c *Case) error {
			if c.HasArticle(a.ID) {
				return nil
			}
			added = true
			c.Items = append(c.Items, it)
			c.History = append(c.History, Event{At: now, By: "diembao", From: c.Status, To: c.Status, Action: "item",
				Note: "Tự động thêm (" + KindName(kind) + "): " + a.URL})
			return nil
		})
		if err != nil {
			return joined, err
		}
		if added {
			s.log.Info("article attached to case", "case_id", c.ID, "article_id", a.ID, "kind", kind)
		}
		if err := s.attached(ctx, c, it); err != nil {
			return joined, err
		}
		joined = append(joined, c.ID)
	}
	return joined, nil
}

// autoItem returns the item of article id that Attach added to c, if any.
func autoItem(c Case, id string) (Item, bool) {
	i := slices.IndexFunc(c.Items, func(it Item) bool { return it.ArticleID == id && it.AddedBy == "diembao" })
	if i < 0 {
		return Item{}, false
	}
	return c.Items[i], true
}

// attached does what follows an automatic attachment, every step safe to
// repeat: the article's index entry, then the owner's notice.
func (s *Service) attached(ctx context.Context, c Case, it Item) error {
	if err := s.indexRef(ctx, articleKey(it.ArticleID), c.ID); err != nil {
		return err
	}
	return s.notifyOwner(ctx, c, it)
}

func (s *Service) notifyOwner(ctx context.Context, c Case, it Item) error {
	if s.d.Notifier == nil {
		return nil
	}
	to := s.mailTo(c.Owner)
	if len(to) == 0 {
		to = s.officeFor(c)
	}
	if len(to) == 0 {
		return nil
	}
	text := fmt.Sprintf("Vụ việc %s: %s\n\nMột bài mới lặp lại nội dung này đã được tự động thêm vào vụ việc (%s):\n%s\n%s — %s\n\nXem vụ việc: %s\n",
		c.ID, c.Claim, KindName(it.Kind), it.Title, it.URL, s.sourceName(it.Source), s.caseURL(c.ID))
	return s.d.Notifier.Notify(ctx, Notice{ID: "case-" + c.ID + "-item-" + it.ArticleID, To: to,
		Subject: "[diembao] Vụ việc " + c.ID + ": thêm bài " + strings.ToLower(KindName(it.Kind)), Text: text})
}

// officeFor returns the addresses told about c besides its owner: the
// office's, when c has no audiences or is routed to the office; else the
// addresses of the audiences it is routed to (a case routed to police alone
// is not mailed to the office, whose analysts may not see it).
func (s *Service) officeFor(c Case) []string {
	if s.d.Emails == nil {
		return nil
	}
	if len(c.Audiences) == 0 || slices.Contains(c.Audiences, s.cfg.Office) {
		return s.d.Emails(s.cfg.Office)
	}
	var out []string
	for _, a := range c.Audiences {
		for _, e := range s.d.Emails(a) {
			if !slices.Contains(out, e) {
				out = append(out, e)
			}
		}
	}
	return out
}

// Reminders mails the owner and the office (see officeFor) about each
// overdue case, once per local day, after Config.RemindAt. It returns how
// many it queued.
func (s *Service) Reminders(ctx context.Context) (int, error) {
	now := s.d.Now()
	local := now.In(s.d.Location)
	at, _ := time.Parse("15:04", s.cfg.RemindAt)
	if local.Hour()*60+local.Minute() < at.Hour()*60+at.Minute() {
		return 0, nil
	}
	list, _, err := s.List(ctx, Filter{Overdue: true})
	if err != nil {
		return 0, err
	}
	day := local.Format("2006-01-02")
	n := 0
	for _, c := range list {
		to := s.mailTo(c.Owner)
		for _, e := range s.officeFor(c) {
			if !slices.Contains(to, e) {
				to = append(to, e)
			}
		}
		if len(to) == 0 || s.d.Notifier == nil {
			continue
		}
		mark := "remind." + c.ID + "." + day
		if _, err := s.d.Store.Create(ctx, mark, []byte(now.UTC().Format(time.RFC3339))); err != nil {
			if errors.Is(err, kv.ErrExists) {
				continue
			}
			return n, err
		}
		text := fmt.Sprintf("Vụ việc %s đã quá hạn bước \"%s\" (hạn %s).\n\nNội dung: %s\nNgười phụ trách: %s\nMức độ: %s\n\nXem vụ việc: %s\n",
			c.ID, StatusName(c.Status), c.Due.In(s.d.Location).Format("15:04 02/01/2006"), c.Claim, c.Owner, c.Severity, s.caseURL(c.ID))
		err := s.d.Notifier.Notify(ctx, Notice{ID: "case-overdue-" + c.ID + "-" + day, To: to,
			Subject: "[diembao] Vụ việc " + c.ID + " quá hạn: " + StatusName(c.Status), Text: text})
		if err != nil {
			_ = s.d.Store.Delete(ctx, mark) // try again on the next tick
			return n, err
		}
		n++
	}
	return n, nil
}
