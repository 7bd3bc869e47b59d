package webdata

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao/crawler"
	"github.com/diembao/diembao/crawler/sourcestore"
	"github.com/diembao/diembao/internal/web"
)

// previewItems is how many of the newest articles a preview extracts.
const previewItems = 3

// SourceEditorFrom is the source editor on the edited-sources store; its
// Preview runs what `sources check --source` runs on the candidate source,
// with fetch settings cc.
func SourceEditorFrom(st *sourcestore.Store, cc crawler.Config, log *slog.Logger) web.SourceEditor {
	return sourceEditor{st: st, cc: cc, log: log}
}

type sourceEditor struct {
	st  *sourcestore.Store
	cc  crawler.Config
	log *slog.Logger
}

func (e sourceEditor) List(ctx context.Context) ([]web.SourceEntry, error) {
	list, err := e.st.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.SourceEntry, len(list))
	for i, x := range list {
		out[i] = toSourceEntry(x)
	}
	return out, nil
}

func (e sourceEditor) Get(ctx context.Context, id string) (web.SourceEntry, error) {
	x, err := e.st.Get(ctx, id)
	if err != nil {
		return web.SourceEntry{}, sourceErr(err)
	}
	return toSourceEntry(x), nil
}

// formSource converts the form; when its durations are wrong the store's
// checks still run on the rest, so the editor shows every problem at once.
func (e sourceEditor) formSource(ctx context.Context, f web.SourceForm) (crawler.Source, error) {
	src, err := sourceFromForm(f)
	var fe web.SourceFieldErrors
	if !errors.As(err, &fe) {
		return src, err
	}
	var v *sourcestore.ValidationError
	if _, err := e.st.Validate(ctx, src); errors.As(err, &v) {
		for k, m := range v.Fields {
			if _, ok := fe[k]; !ok {
				fe[k] = m
			}
		}
	}
	return src, fe
}

func (e sourceEditor) Save(ctx context.Context, f web.SourceForm, isNew bool, baseRev uint64, by, note string) error {
	src, err := e.formSource(ctx, f)
	if err != nil {
		return err
	}
	_, err = e.st.Save(ctx, sourcestore.Change{Source: src, New: isNew, BaseRev: baseRev, By: by, Note: note})
	return sourceErr(err)
}

func (e sourceEditor) SetDisabled(ctx context.Context, id string, disabled bool, by, note string) error {
	_, err := e.st.SetDisabled(ctx, id, disabled, by, note)
	return sourceErr(err)
}

func (e sourceEditor) History(ctx context.Context, id string) ([]web.SourceRevision, error) {
	revs, err := e.st.History(ctx, id)
	if err != nil {
		return nil, sourceErr(err)
	}
	out := make([]web.SourceRevision, 0, len(revs)+1)
	for _, r := range revs {
		out = append(out, web.SourceRevision{Rev: r.Rev, Form: formFromSource(r.Source), Disabled: r.Disabled, Action: r.Action,
			By: r.By, At: r.At, Note: r.Note, RestoredFrom: r.RestoredFrom})
	}
	if seed, ok := e.st.Seed(id); ok {
		out = append(out, web.SourceRevision{Rev: 0, Form: formFromSource(seed), Action: "seed"})
	}
	return out, nil
}

func (e sourceEditor) Restore(ctx context.Context, id string, rev uint64, by, note string) error {
	_, err := e.st.Restore(ctx, id, rev, by, note)
	return sourceErr(err)
}

// Preview checks the form as Save does, then runs discovery and extracts a
// few articles with a throwaway crawler (crawler.Preview).
func (e sourceEditor) Preview(ctx context.Context, f web.SourceForm) (web.SourcePreview, error) {
	src, err := e.formSource(ctx, f)
	if err != nil {
		return web.SourcePreview{}, err
	}
	if src, err = e.st.Validate(ctx, src); err != nil {
		return web.SourcePreview{}, sourceErr(err)
	}
	sc, err := crawler.Preview(ctx, e.cc, src, previewItems, e.log)
	p := web.SourcePreview{Found: sc.Found}
	for _, m := range sc.Errors {
		p.Errors = append(p.Errors, crawler.Explain(errors.New(m)))
	}
	if err != nil && len(p.Errors) == 0 {
		p.Errors = append(p.Errors, crawler.Explain(err))
	}
	for _, a := range sc.Sample {
		p.Items = append(p.Items, web.SourcePreviewItem{URL: a.URL, Title: a.Title, Published: a.Published,
			PublishedFrom: a.PublishedFrom, Lines: firstLines(a.Body, 3, 300)})
	}
	return p, nil
}

// firstLines returns up to n non-empty lines of text, each cut to max runes
// at a word boundary.
func firstLines(text string, n, max int) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if utf8.RuneCountInString(l) > max {
			r := []rune(l)[:max]
			cut := string(r)
			if i := strings.LastIndexByte(cut, ' '); i > max/2 {
				cut = cut[:i]
			}
			l = cut + " …"
		}
		out = append(out, l)
		if len(out) == n {
			break
		}
	}
	return out
}

// sourceFromForm reads the form's durations; other checks are the store's.
func sourceFromForm(f web.SourceForm) (crawler.Source, error) {
	src := crawler.Source{ID: f.ID, Name: f.Name, Kind: f.Kind, Feeds: f.Feeds, Sitemaps: f.Sitemaps,
		AllowPrivate: f.AllowPrivate, RequireArea: f.RequireArea,
		Selectors: crawler.Selectors{Title: f.SelTitle, Body: f.SelBody, Date: f.SelDate}}
	for _, l := range f.Listings {
		src.Listings = append(src.Listings, crawler.Listing{URL: l.URL, Links: l.Links})
	}
	fe := web.SourceFieldErrors{}
	var err error
	if src.Interval, err = sourcestore.ParseDuration(sourcestore.FieldInterval, f.Interval); err != nil {
		fe[sourcestore.FieldInterval] = fieldMsg(err, sourcestore.FieldInterval)
	}
	if src.Delay, err = sourcestore.ParseDuration(sourcestore.FieldDelay, f.Delay); err != nil {
		fe[sourcestore.FieldDelay] = fieldMsg(err, sourcestore.FieldDelay)
	}
	if len(fe) > 0 {
		return src, fe
	}
	return src, nil
}

func fieldMsg(err error, field string) string {
	var v *sourcestore.ValidationError
	if errors.As(err, &v) {
		return v.Fields[field]
	}
	return err.Error()
}

func formFromSource(s crawler.Source) web.SourceForm {
	f := web.SourceForm{ID: s.ID, Name: s.Name, Kind: s.Kind, Feeds: s.Feeds, Sitemaps: s.Sitemaps,
		Interval: shortDuration(s.Interval.D()), Delay: shortDuration(s.Delay.D()),
		AllowPrivate: s.AllowPrivate, RequireArea: s.RequireArea,
		SelTitle: s.Selectors.Title, SelBody: s.Selectors.Body, SelDate: s.Selectors.Date}
	for _, l := range s.Listings {
		f.Listings = append(f.Listings, web.SourceListing{URL: l.URL, Links: l.Links})
	}
	return f
}

// shortDuration writes 10m rather than 10m0s.
func shortDuration(d time.Duration) string {
	if d == 0 {
		return ""
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func toSourceEntry(x sourcestore.Entry) web.SourceEntry {
	return web.SourceEntry{Form: formFromSource(x.Source), Disabled: x.Disabled, Seeded: x.Seeded, Edited: x.Edited,
		Rev: x.Rev, By: x.By, At: x.At}
}

// sourceErr maps the store's errors onto the web package's.
func sourceErr(err error) error {
	var v *sourcestore.ValidationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &v):
		return web.SourceFieldErrors(v.Fields)
	case errors.Is(err, sourcestore.ErrConflict):
		return web.ErrSourceConflict
	case errors.Is(err, sourcestore.ErrNotFound):
		return fmt.Errorf("%w: %w", web.ErrNotFound, err)
	}
	return err
}
