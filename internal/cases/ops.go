package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/diembao/diembao/internal/article"
)

// Open opens a case from an intake, or, when the same URL or article was
// handed in before and its case is still open, returns that case (existing
// true) with the intake recorded in its history. Nothing is fetched twice.
func (s *Service) Open(ctx context.Context, in Intake) (Case, bool, error) {
	if _, err := s.countSources(in); err != nil {
		return Case{}, false, err
	}
	if c, ok, err := s.existing(ctx, in); err != nil {
		return Case{}, false, err
	} else if ok {
		if !in.visibleTo(c) {
			return Case{}, false, hiddenCase()
		}
		c, err = s.update(ctx, c.ID, func(c *Case) error {
			c.History = append(c.History, Event{At: s.d.Now().UTC(), By: in.By, From: c.Status, To: c.Status,
				Action: "intake", Note: "Tiếp nhận trùng: " + firstNonEmpty(in.URL, in.ArticleID, in.AlertID) + " đã thuộc vụ việc này"})
			return nil
		})
		return c, true, err
	}
	claim := cleanText(in.Claim, 1000)
	if claim == "" {
		return Case{}, false, inputError("cần nêu nội dung thông tin sai lệch (claim) trong một câu")
	}
	sev := in.Severity
	if sev != "" && article.SeverityRank(sev) < 0 {
		return Case{}, false, inputError("mức độ %q không hợp lệ (info, low, medium, high, critical)", sev)
	}
	p, err := s.prepare(ctx, in)
	if err != nil {
		return Case{}, false, err
	}
	// The fetched article may already be an item of an open case (a
	// different URL of the same page).
	for _, k := range p.keys {
		if c, ok, err := s.openCaseFor(ctx, k); err != nil {
			return Case{}, false, err
		} else if ok {
			if !in.visibleTo(c) {
				return Case{}, false, hiddenCase()
			}
			c, err := s.attach(ctx, c.ID, in.By, p)
			return c, true, err
		}
	}
	if sev == "" {
		sev = p.severity
	}
	if sev == "" {
		sev = "high"
	}
	topics := cleanList(in.Topics)
	if len(topics) == 0 {
		topics = p.topics
	}
	if len(topics) == 0 {
		topics = []string{"disinfo"}
	}
	auds := p.audiences
	if len(auds) == 0 && s.d.Route != nil {
		auds = s.d.Route(topics, sev)
	}
	id, err := s.nextID(ctx)
	if err != nil {
		return Case{}, false, err
	}
	now := s.d.Now().UTC()
	owner := cleanText(in.Owner, 100)
	if owner == "" {
		owner = in.By
	}
	c := Case{ID: id, Claim: claim, Status: StatusReceived, Owner: owner, Severity: sev, Topics: topics,
		Communes: cleanList(in.Communes), Audiences: auds, Opened: now, Updated: now,
		Items: []Item{p.item}, Evidence: p.evidence, Outcome: []string{}, Notes: []Note{},
		Rule: DraftRule(claim)}
	c.History = []Event{{At: now, By: in.By, From: "", To: StatusReceived, Action: "open",
		Note: "Mở vụ việc từ " + describe(p.item)}}
	s.setDue(&c)
	b, err := json.Marshal(c)
	if err != nil {
		return Case{}, false, err
	}
	if _, err := s.d.Store.Create(ctx, caseKey(id), b); err != nil {
		return Case{}, false, fmt.Errorf("save case %s: %w", id, err)
	}
	for _, k := range p.keys {
		if err := s.indexRef(ctx, k, id); err != nil {
			return c, false, err
		}
	}
	s.log.Info("case opened", "case_id", id, "by", in.By)
	return c, false, nil
}

// AddItem adds a handed-in item (URL, article, alert, text or file) to a
// case. An item the case already has is not added twice.
func (s *Service) AddItem(ctx context.Context, id string, in Intake) (Case, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return Case{}, err
	}
	if _, err := s.countSources(in); err != nil {
		return Case{}, err
	}
	if u := strings.TrimSpace(in.URL); u != "" {
		if slices.ContainsFunc(c.Items, func(it Item) bool { return urlKey(it.URL) == urlKey(u) }) {
			return Case{}, inputError("địa chỉ %s đã có trong vụ việc %s", u, c.ID)
		}
	}
	p, err := s.prepare(ctx, in)
	if err != nil {
		return Case{}, err
	}
	if c.HasArticle(p.item.ArticleID) {
		return Case{}, inputError("bài %s đã có trong vụ việc %s", p.item.URL, c.ID)
	}
	p.item.Kind = KindManual
	return s.attach(ctx, c.ID, in.By, p)
}

func (s *Service) attach(ctx context.Context, id, by string, p prepared) (Case, error) {
	c, err := s.update(ctx, id, func(c *Case) error {
		if c.HasArticle(p.item.ArticleID) {
			return nil
		}
		c.Items = append(c.Items, p.item)
		for _, e := range p.evidence {
			if !slices.ContainsFunc(c.Evidence, func(x Evidence) bool { return x.SHA256 == e.SHA256 }) {
				c.Evidence = append(c.Evidence, e)
			}
		}
		c.History = append(c.History, Event{At: s.d.Now().UTC(), By: by, From: c.Status, To: c.Status,
			Action: "item", Note: "Thêm " + KindName(p.item.Kind) + ": " + describe(p.item)})
		return nil
	})
	if err != nil {
		return Case{}, err
	}
	for _, k := range p.keys {
		if err := s.indexRef(ctx, k, id); err != nil {
			return c, err
		}
	}
	return c, nil
}

func describe(it Item) string {
	switch {
	case it.URL != "":
		return it.URL
	case it.Text != "":
		t := []rune(it.Text)
		if len(t) > 80 {
			t = append(t[:80], '…')
		}
		return "nội dung dán: " + string(t)
	case it.Evidence != "":
		return "tệp " + it.Evidence[:12]
	}
	return "?"
}

// Move changes the status (see CheckMove), recording who, when and the note.
// A verdict given with the move is kept.
func (s *Service) Move(ctx context.Context, id, by, to, verdict, note string) (Case, error) {
	note = cleanText(note, 2000)
	to = strings.TrimSpace(to)
	verdict = strings.TrimSpace(verdict)
	c, err := s.Get(ctx, id)
	if err != nil {
		return Case{}, err
	}
	return s.update(ctx, c.ID, func(c *Case) error {
		v := verdict
		if v == "" {
			v = c.Verdict
		}
		if err := CheckMove(c.Status, to, v, note); err != nil {
			return err
		}
		from := c.Status
		c.Status = to
		if verdict != "" {
			c.Verdict = verdict
		}
		if from == StatusClosed {
			c.Verdict = verdict // a reopened case is checked afresh
		}
		if verdict != "" && note == "" {
			note = "Kết luận: " + VerdictName(verdict)
		}
		c.History = append(c.History, Event{At: s.d.Now().UTC(), By: by, From: from, To: to, Action: "move", Note: note})
		if to == StatusResponded && c.Clarification.PublishedURL != "" && !slices.Contains(c.Outcome, OutcomePublished) {
			c.Outcome = append(c.Outcome, OutcomePublished)
		}
		return nil
	})
}

// Patch changes a case's fields; nil fields are left alone.
type Patch struct {
	Claim    *string
	Owner    *string
	Severity *string
	Topics   *[]string
	Communes *[]string
	Rule     *string
	// Clarification
	ClarText     *string
	PublishedURL *string
	PublishedAt  *time.Time
	AddContact   *Contact
	// Report to the province
	ReportNumber     *string
	ReportDate       *time.Time
	ReportRecipients *[]string
	Outcome          *[]string
	// Base, if set, is the case's EditCount when the form was shown: the
	// patch is refused with ErrStale (naming who changed the case, when and
	// what) if the case was edited or moved since.
	Base *int
}

// staleError is the refusal of a patch made from a form older than the
// case: it names the last edit or move.
func (s *Service) staleError(c Case) error {
	for i := len(c.History) - 1; i >= 0; i-- {
		if e := c.History[i]; e.Action == "edit" || e.Action == "move" {
			return fmt.Errorf("%w: vụ việc %s đã được %s thay đổi lúc %s (%s) sau khi bạn mở trang", ErrStale, c.ID, e.By,
				e.At.In(s.d.Location).Format("15:04 02/01/2006"), e.Note)
		}
	}
	return fmt.Errorf("%w: vụ việc %s đã thay đổi sau khi bạn mở trang", ErrStale, c.ID)
}

// Edit applies a patch and records what changed in the history.
func (s *Service) Edit(ctx context.Context, id, by string, p Patch) (Case, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return Case{}, err
	}
	if p.Severity != nil && article.SeverityRank(*p.Severity) < 0 {
		return Case{}, inputError("mức độ %q không hợp lệ", *p.Severity)
	}
	if p.Outcome != nil {
		for _, o := range *p.Outcome {
			if !slices.Contains(Outcomes, o) {
				return Case{}, inputError("kết quả %q không hợp lệ (removed, corrected, published, none)", o)
			}
		}
	}
	if p.Rule != nil && strings.TrimSpace(*p.Rule) != "" {
		if _, err := compileRule(c.ID, *p.Rule); err != nil {
			return Case{}, err
		}
	}
	if p.PublishedURL != nil && *p.PublishedURL != "" && !strings.HasPrefix(*p.PublishedURL, "http://") && !strings.HasPrefix(*p.PublishedURL, "https://") {
		return Case{}, inputError("địa chỉ đăng tải phải bắt đầu bằng http:// hoặc https://")
	}
	return s.update(ctx, c.ID, func(c *Case) error {
		if p.Base != nil && *p.Base != c.EditCount() {
			return s.staleError(*c)
		}
		var changed []string
		setS := func(dst *string, v *string, max int, what string) {
			if v == nil {
				return
			}
			nv := cleanText(*v, max)
			if nv != *dst {
				*dst = nv
				changed = append(changed, what)
			}
		}
		if p.Claim != nil && cleanText(*p.Claim, 1000) == "" {
			return inputError("nội dung thông tin sai lệch không được để trống")
		}
		setS(&c.Claim, p.Claim, 1000, "nội dung")
		setS(&c.Owner, p.Owner, 100, "người phụ trách")
		setS(&c.Severity, p.Severity, 20, "mức độ")
		setS(&c.Rule, p.Rule, 2000, "quy tắc theo dõi")
		setS(&c.Clarification.Text, p.ClarText, 20000, "nội dung làm rõ")
		setS(&c.Clarification.PublishedURL, p.PublishedURL, 500, "nơi đăng tải")
		setS(&c.Report.Number, p.ReportNumber, 50, "số báo cáo")
		if p.Topics != nil && !slices.Equal(cleanList(*p.Topics), c.Topics) {
			c.Topics, changed = cleanList(*p.Topics), append(changed, "chủ đề")
		}
		if p.Communes != nil && !slices.Equal(cleanList(*p.Communes), c.Communes) {
			c.Communes, changed = cleanList(*p.Communes), append(changed, "địa bàn")
		}
		if p.PublishedAt != nil && !p.PublishedAt.Equal(c.Clarification.PublishedAt) {
			c.Clarification.PublishedAt, changed = p.PublishedAt.UTC(), append(changed, "ngày đăng tải")
		}
		if p.AddContact != nil && strings.TrimSpace(p.AddContact.Agency) != "" {
			ct := Contact{Agency: cleanText(p.AddContact.Agency, 200), At: p.AddContact.At.UTC()}
			if ct.At.IsZero() {
				ct.At = s.d.Now().UTC()
			}
			c.Clarification.Contacts = append(c.Clarification.Contacts, ct)
			changed = append(changed, "đã gửi "+ct.Agency)
		}
		if p.ReportDate != nil && !p.ReportDate.Equal(c.Report.Date) {
			c.Report.Date, changed = p.ReportDate.UTC(), append(changed, "ngày báo cáo")
		}
		if p.ReportRecipients != nil && !slices.Equal(cleanList(*p.ReportRecipients), c.Report.Recipients) {
			c.Report.Recipients, changed = cleanList(*p.ReportRecipients), append(changed, "nơi nhận báo cáo")
		}
		if p.Outcome != nil && !slices.Equal(*p.Outcome, c.Outcome) {
			c.Outcome, changed = slices.Clone(*p.Outcome), append(changed, "kết quả")
		}
		if len(changed) == 0 {
			return nil
		}
		c.History = append(c.History, Event{At: s.d.Now().UTC(), By: by, From: c.Status, To: c.Status,
			Action: "edit", Note: "Cập nhật: " + strings.Join(changed, ", ")})
		return nil
	})
}

// AddNote appends a verification note (or a police annotation).
func (s *Service) AddNote(ctx context.Context, id, by, text string) (Case, error) {
	text = cleanText(text, 5000)
	if text == "" {
		return Case{}, inputError("ghi chú rỗng")
	}
	c, err := s.Get(ctx, id)
	if err != nil {
		return Case{}, err
	}
	return s.update(ctx, c.ID, func(c *Case) error {
		now := s.d.Now().UTC()
		c.Notes = append(c.Notes, Note{At: now, By: by, Text: text})
		c.History = append(c.History, Event{At: now, By: by, From: c.Status, To: c.Status, Action: "note", Note: text})
		return nil
	})
}

// AddEvidence stores an uploaded file (size and type checked by content)
// and lists it with its SHA-256.
func (s *Service) AddEvidence(ctx context.Context, id, by string, u Upload) (Case, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return Case{}, err
	}
	ct, err := s.sniff(&u)
	if err != nil {
		return Case{}, err
	}
	sum, err := s.storeBlob(ctx, u.Data)
	if err != nil {
		return Case{}, err
	}
	return s.update(ctx, c.ID, func(c *Case) error {
		if slices.ContainsFunc(c.Evidence, func(e Evidence) bool { return e.SHA256 == sum }) {
			return inputError("tệp này (SHA-256 %s) đã có trong vụ việc", sum[:12])
		}
		now := s.d.Now().UTC()
		name := uploadName(u.Name, ct)
		c.Evidence = append(c.Evidence, Evidence{SHA256: sum, Name: name, ContentType: ct,
			Size: int64(len(u.Data)), Added: now, By: by})
		c.History = append(c.History, Event{At: now, By: by, From: c.Status, To: c.Status, Action: "evidence",
			Note: "Thêm chứng cứ " + name + " (SHA-256 " + sum + ")"})
		return nil
	})
}

func cleanList(in []string) []string {
	out := []string{}
	for _, v := range in {
		for _, p := range strings.Split(v, ",") {
			if p = cleanText(p, 200); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
