package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/diembao/diembao/alerts/digest"
	"github.com/diembao/diembao/internal/article"
)

// Upload is a file handed in with a case (a screenshot of a post that
// cannot be fetched, a PDF).
type Upload struct {
	Name string
	Data []byte
}

// Intake is what opens a case or adds an item to one. Exactly one of
// ArticleID, AlertID, URL and Text (with or without File) names the item;
// File alone is accepted too.
type Intake struct {
	By       string
	Claim    string // required to open a case
	Owner    string // default: By
	Severity string // default: the alert's, else "high"
	Topics   []string
	Communes []string

	ArticleID string
	AlertID   string
	URL       string
	Text      string
	File      *Upload

	// Visible, if set, reports whether the person handing the item in may
	// see a case. An intake that belongs to an open case they may not see
	// is refused (ErrBadInput) and leaves that case untouched; nil: every
	// case is visible.
	Visible func(Case) bool
}

// hiddenCase is the refusal of an intake that belongs to a case its sender
// may not see: it names neither the case nor its claim.
func hiddenCase() error {
	return inputError("nội dung này đã thuộc một vụ việc đang xử lý mà tài khoản của bạn không được xem; đề nghị liên hệ quản trị viên")
}

// visibleTo reports whether the intake's sender may see c.
func (in Intake) visibleTo(c Case) bool { return in.Visible == nil || in.Visible(c) }

// acceptedTypes are the evidence types recognised by content (never by the
// name or the client's Content-Type).
var acceptedTypes = map[string]string{
	"image/png":                 ".png",
	"image/jpeg":                ".jpg",
	"image/gif":                 ".gif",
	"image/webp":                ".webp",
	"application/pdf":           ".pdf",
	"text/plain; charset=utf-8": ".txt",
}

// sniff checks an upload's size and type by content.
func (s *Service) sniff(u *Upload) (string, error) {
	if int64(len(u.Data)) > s.cfg.MaxUpload {
		return "", fmt.Errorf("%w: %s: %d bytes, at most %d", ErrTooLarge, u.Name, len(u.Data), s.cfg.MaxUpload)
	}
	if len(u.Data) == 0 {
		return "", inputError("tệp %q rỗng", u.Name)
	}
	ct := http.DetectContentType(u.Data)
	if _, ok := acceptedTypes[ct]; !ok {
		return "", fmt.Errorf("%w: %s is %s; accepted: PNG, JPEG, GIF, WebP, PDF, UTF-8 text", ErrUnsupportedType, u.Name, ct)
	}
	return ct, nil
}

func (s *Service) storeBlob(ctx context.Context, data []byte) (string, error) {
	if s.d.Blobs == nil {
		return "", inputError("máy chủ chưa bật lưu tệp chứng cứ")
	}
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	if err := s.d.Blobs.Put(ctx, "ev-"+sum, data); err != nil {
		return "", fmt.Errorf("store evidence %s: %w", sum[:12], err)
	}
	return sum, nil
}

// Blob returns an evidence file of a case by its SHA-256 (hex).
func (s *Service) Blob(ctx context.Context, c Case, sum string) (Evidence, []byte, error) {
	i := slices.IndexFunc(c.Evidence, func(e Evidence) bool { return e.SHA256 == sum })
	if i < 0 || s.d.Blobs == nil {
		return Evidence{}, nil, fmt.Errorf("%w: evidence %s", ErrNotFound, sum)
	}
	b, err := s.d.Blobs.Get(ctx, "ev-"+sum)
	if err != nil {
		return Evidence{}, nil, err
	}
	return c.Evidence[i], b, nil
}

// prepared is an intake turned into an item and evidence, before it is
// attached to a case.
type prepared struct {
	item      Item
	evidence  []Evidence
	blobs     [][]byte
	keys      []string // index keys (url., art.) that lead to the case
	severity  string
	topics    []string
	audiences []string
	title     string
}

func (s *Service) countSources(in Intake) (int, error) {
	n := 0
	for _, v := range []string{in.ArticleID, in.AlertID, in.URL} {
		if strings.TrimSpace(v) != "" {
			n++
		}
	}
	if strings.TrimSpace(in.Text) != "" || in.File != nil {
		n++
	}
	if n != 1 {
		return n, inputError("cần đúng một nguồn: bài báo, cảnh báo, địa chỉ URL, hoặc nội dung dán kèm tệp")
	}
	return n, nil
}

// existing returns the open case an intake already belongs to (the same URL
// or article handed in twice), without fetching anything.
func (s *Service) existing(ctx context.Context, in Intake) (Case, bool, error) {
	var keys []string
	if u := strings.TrimSpace(in.URL); u != "" {
		keys = append(keys, urlKey(u))
	}
	if id := strings.TrimSpace(in.ArticleID); id != "" {
		keys = append(keys, articleKey(id))
	}
	if id := strings.TrimSpace(in.AlertID); id != "" && s.d.Lookup != nil {
		al, _, err := s.d.Lookup.Alert(ctx, id)
		if err == nil {
			keys = append(keys, articleKey(al.ArticleID))
		}
	}
	for _, k := range keys {
		c, ok, err := s.openCaseFor(ctx, k)
		if err != nil || ok {
			return c, ok, err
		}
	}
	return Case{}, false, nil
}

// prepare resolves an intake: looks the article or alert up, fetches the URL
// once (keeping the saved copy), or checks the upload. The first of
// ArticleID, AlertID and URL that is set decides; none set is a manual
// item of Text with an optional upload.
func (s *Service) prepare(ctx context.Context, in Intake) (prepared, error) {
	now := s.d.Now().UTC()
	p := prepared{item: Item{Kind: KindManual, Added: now, AddedBy: in.By}}
	var err error
	switch {
	case strings.TrimSpace(in.ArticleID) != "":
		err = s.prepareArticle(ctx, in, now, &p)
	case strings.TrimSpace(in.AlertID) != "":
		err = s.prepareAlert(ctx, in, now, &p)
	case strings.TrimSpace(in.URL) != "":
		err = s.prepareURL(ctx, in, now, &p)
	default:
		err = s.prepareManual(ctx, in, now, &p)
	}
	return p, err
}

// prepareArticle makes p's item the indexed article in.ArticleID. An
// unknown article, or no look-up, is bad input.
func (s *Service) prepareArticle(ctx context.Context, in Intake, now time.Time, p *prepared) error {
	if s.d.Lookup == nil {
		return inputError("máy chủ chưa bật tra cứu bài báo")
	}
	a, err := s.d.Lookup.Article(ctx, strings.TrimSpace(in.ArticleID))
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return inputError("không tìm thấy bài báo %q", in.ArticleID)
		}
		return err
	}
	p.item = itemOf(a, KindOrigin, now, in.By)
	p.keys = append(p.keys, articleKey(a.ID))
	p.title = a.Title
	return nil
}

// prepareAlert makes p's item the article of alert in.AlertID (the
// indexed article if found, else what the alert tells of it) and takes
// the alert's severity, topics, audiences and title. An unknown alert, or
// no look-up, is bad input.
func (s *Service) prepareAlert(ctx context.Context, in Intake, now time.Time, p *prepared) error {
	if s.d.Lookup == nil {
		return inputError("máy chủ chưa bật tra cứu cảnh báo")
	}
	al, auds, err := s.d.Lookup.Alert(ctx, strings.TrimSpace(in.AlertID))
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return inputError("không tìm thấy cảnh báo %q", in.AlertID)
		}
		return err
	}
	a := article.Article{ID: al.ArticleID, URL: al.URL, Source: al.Source, Title: al.Title, Published: al.Published}
	if full, err := s.d.Lookup.Article(ctx, al.ArticleID); err == nil {
		a = full
	}
	p.item = itemOf(a, KindOrigin, now, in.By)
	p.item.AlertID = al.ID
	p.keys = append(p.keys, articleKey(a.ID))
	p.severity, p.topics, p.audiences, p.title = al.Severity, al.Topics, auds, al.Title
	return nil
}

// prepareURL fetches in.URL once and makes p's item the page, its saved
// copy the evidence. A URL that is not http(s), or no fetcher, is bad
// input.
func (s *Service) prepareURL(ctx context.Context, in Intake, now time.Time, p *prepared) error {
	raw := strings.TrimSpace(in.URL)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return inputError("địa chỉ %q không phải URL http/https", raw)
	}
	if s.d.Fetcher == nil {
		return inputError("máy chủ chưa bật tải trang theo URL")
	}
	f, err := s.d.Fetcher.Fetch(ctx, raw)
	if err != nil {
		return err
	}
	sum, err := s.storeBlob(ctx, f.Raw)
	if err != nil {
		return err
	}
	p.item = itemOf(f.Article, KindManual, now, in.By)
	if p.item.URL == "" {
		p.item.URL = raw
	}
	p.item.Evidence = sum
	ct := f.ContentType
	if ct == "" {
		ct = http.DetectContentType(f.Raw)
	}
	p.evidence = append(p.evidence, Evidence{SHA256: sum, Name: savedName(raw), ContentType: ct,
		Size: int64(len(f.Raw)), URL: raw, Added: now, By: in.By})
	p.keys = append(p.keys, urlKey(raw))
	if f.Article.ID != "" {
		p.keys = append(p.keys, articleKey(f.Article.ID))
	}
	p.title = f.Article.Title
	return nil
}

// prepareManual makes p's item the handed-in text and stores the upload,
// if any, once its type is accepted.
func (s *Service) prepareManual(ctx context.Context, in Intake, now time.Time, p *prepared) error {
	p.item.Text = cleanText(in.Text, 20000)
	p.item.FirstSeen = now
	p.item.Source = "thủ công"
	if in.File == nil {
		return nil
	}
	ct, err := s.sniff(in.File)
	if err != nil {
		return err
	}
	sum, err := s.storeBlob(ctx, in.File.Data)
	if err != nil {
		return err
	}
	p.item.Evidence = sum
	p.evidence = append(p.evidence, Evidence{SHA256: sum, Name: uploadName(in.File.Name, ct), ContentType: ct,
		Size: int64(len(in.File.Data)), Added: now, By: in.By})
	return nil
}

// typeExts are the extensions an upload's name may keep, by sniffed type.
var typeExts = map[string][]string{
	"image/png":                 {".png"},
	"image/jpeg":                {".jpg", ".jpeg", ".jfif"},
	"image/gif":                 {".gif"},
	"image/webp":                {".webp"},
	"application/pdf":           {".pdf"},
	"text/plain; charset=utf-8": {".txt", ".text", ".log", ".csv"},
}

// uploadName is the name an upload of type ct is kept and downloaded
// under: the client's name without any directory (/ or \), cleaned, with
// the type's extension added when its own does not match what the content
// is ("bao-cao.html" holding text becomes "bao-cao.html.txt"), so evidence
// is never opened as a page or a program; "tep.png" when no name is left.
func uploadName(raw, ct string) string {
	name := cleanText(path.Base(strings.ReplaceAll(raw, "\\", "/")), 200)
	if strings.Trim(name, "./") == "" {
		return "tep" + acceptedTypes[ct]
	}
	if !slices.Contains(typeExts[ct], strings.ToLower(path.Ext(name))) {
		name += acceptedTypes[ct]
	}
	return name
}

func savedName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "ban-luu.html"
	}
	return "ban-luu-" + strings.ReplaceAll(u.Host, ":", "_") + ".html"
}

// itemOf makes an item of an article; first seen is its publication time
// (or when it was fetched).
func itemOf(a article.Article, kind string, now time.Time, by string) Item {
	first := a.Published
	if first.IsZero() {
		first = a.Fetched
	}
	if first.IsZero() {
		first = now
	}
	return Item{ArticleID: a.ID, URL: a.URL, Source: a.Source, Title: a.Title, FirstSeen: first.UTC(),
		Kind: kind, Added: now, AddedBy: by, SimHash: simhashOf(a)}
}

// simhashOf is the reprint fingerprint of an article, as the digest
// computes it (body, or title, lead and body when the body is short).
func simhashOf(a article.Article) uint64 {
	text := a.Body
	if len(strings.Fields(text)) < 20 {
		text = a.Title + "\n" + a.Lead + "\n" + a.Body
	}
	if strings.TrimSpace(text) == "" {
		return 0
	}
	return digest.SimHash(text)
}
