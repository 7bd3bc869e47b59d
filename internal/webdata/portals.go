package webdata

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/diembao/diembao/internal/portal"
	"github.com/diembao/diembao/internal/web"
)

// PortalsFrom adapts the own-portal watch's records to Portals; now is the
// clock the duties are judged by (time.Now if nil).
func PortalsFrom(r *portal.Reader, now func() time.Time) web.Portals {
	if now == nil {
		now = time.Now
	}
	return portalViews{r: r, now: now}
}

type portalViews struct {
	r   *portal.Reader
	now func() time.Time
}

func (v portalViews) Overview(ctx context.Context) ([]web.PortalView, error) {
	list, err := v.r.Overview(ctx, v.now())
	if err != nil {
		return nil, err
	}
	out := make([]web.PortalView, len(list))
	for i, p := range list {
		pv := web.PortalView{ID: p.ID, Name: p.Name, URL: p.URL, LastCheck: p.LastCheck, LastOK: p.LastOK,
			LastError: p.LastError, Failures: p.Failures, DownSince: p.DownSince}
		if p.TLS != nil {
			pv.TLSExpiry, pv.TLSError = p.TLS.NotAfter, p.TLS.VerifyError
		}
		for _, d := range p.Duties {
			pv.Duties = append(pv.Duties, web.PortalDuty{Duty: d.Duty, Name: d.DutyName, Period: d.Period, Label: d.Label,
				Due: d.Due, Status: d.Status, Overdue: d.Overdue, URL: d.URL, Published: d.Published})
		}
		out[i] = pv
	}
	return out, nil
}

func toPortalFinding(f portal.Finding) web.PortalFinding {
	w := web.PortalFinding{AlertID: f.AlertID, Portal: f.Portal, PortalName: f.PortalName, URL: f.URL, Kinds: f.Kinds,
		Details: f.Details, Severity: f.Severity, Found: f.Found, Old: f.Old, New: f.New, OldFetched: f.OldFetched, NewFetched: f.NewFetched}
	for _, l := range f.Diff {
		w.Diff = append(w.Diff, web.PortalDiffLine{Op: l.Op, Text: l.Text})
	}
	return w
}

func (v portalViews) Findings(ctx context.Context, limit int) ([]web.PortalFinding, error) {
	fs, err := v.r.Findings(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]web.PortalFinding, len(fs))
	for i, f := range fs {
		out[i] = toPortalFinding(f)
		out[i].Diff = nil // the list does not show diffs
	}
	return out, nil
}

func (v portalViews) Finding(ctx context.Context, alertID string) (web.PortalFinding, error) {
	f, err := v.r.Finding(ctx, alertID)
	if errors.Is(err, portal.ErrNotFound) {
		return web.PortalFinding{}, fmt.Errorf("%w: %w", web.ErrNotFound, err)
	}
	if err != nil {
		return web.PortalFinding{}, err
	}
	return toPortalFinding(f), nil
}
