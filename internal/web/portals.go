package web

import (
	"context"
	"net/http"
	"time"
)

// PortalDuty is one duty of an own portal in one period.
type PortalDuty struct {
	Duty      string    `json:"duty"`
	Name      string    `json:"name"`   // with the period filled in
	Period    string    `json:"period"` // "2026", "2026-q1", "2026-01"
	Label     string    `json:"label"`  // "năm 2026"
	Due       time.Time `json:"due"`
	Status    string    `json:"status"` // published | missing | late
	Overdue   bool      `json:"overdue"`
	URL       string    `json:"url,omitempty"`
	Published time.Time `json:"published,omitzero"`
}

// PortalView is one own portal's state.
type PortalView struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	URL       string       `json:"url"`
	LastCheck time.Time    `json:"last_check,omitzero"`
	LastOK    time.Time    `json:"last_ok,omitzero"`
	LastError string       `json:"last_error,omitempty"`
	Failures  int          `json:"failures"`
	DownSince time.Time    `json:"down_since,omitzero"`
	TLSExpiry time.Time    `json:"tls_expiry,omitzero"`
	TLSError  string       `json:"tls_error,omitempty"`
	Duties    []PortalDuty `json:"duties"`
}

// PortalDiffLine is a line of the diff between two saved copies: Op " ",
// "+", "-" or "~" (skipped lines). Text is untrusted page content.
type PortalDiffLine struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// PortalFinding is what the change watch found, behind one alert.
type PortalFinding struct {
	AlertID    string           `json:"alert_id"`
	Portal     string           `json:"portal"`
	PortalName string           `json:"portal_name"`
	URL        string           `json:"url"`
	Kinds      []string         `json:"kinds"`
	Details    []string         `json:"details"`
	Severity   string           `json:"severity"`
	Found      time.Time        `json:"found"`
	Old        string           `json:"old,omitempty"` // snapshot keys
	New        string           `json:"new,omitempty"`
	OldFetched time.Time        `json:"old_fetched,omitzero"`
	NewFetched time.Time        `json:"new_fetched,omitzero"`
	Diff       []PortalDiffLine `json:"diff,omitempty"`
}

// Portals is the own-portal watch (GET /portals, and the diff on an alert
// page). Finding returns ErrNotFound when the alert is not a portal finding.
type Portals interface {
	Overview(ctx context.Context) ([]PortalView, error)
	Findings(ctx context.Context, limit int) ([]PortalFinding, error)
	Finding(ctx context.Context, alertID string) (PortalFinding, error)
}

var findingNames = map[string]string{
	"hidden-link":  "Liên kết ẩn",
	"script":       "Mã script mới",
	"iframe":       "Khung iframe mới",
	"new-host":     "Tên miền lạ",
	"spam":         "Từ ngữ rác (cờ bạc, cho vay, thuốc)",
	"text-change":  "Trang chủ thay đổi lớn",
	"removed":      "Trang bị gỡ",
	"down":         "Không truy cập được",
	"tls-error":    "Chứng thư số lỗi",
	"tls-expiry":   "Chứng thư số sắp hết hạn",
	"duty-missing": "Quá hạn chưa đăng",
}

var dutyStatusNames = map[string]string{"published": "Đã đăng", "missing": "Chưa đăng", "late": "Đăng muộn"}

type portalsData struct {
	Portals  []PortalView
	Findings []PortalFinding
	Now      time.Time
}

func (s *Server) portalsPage(w http.ResponseWriter, r *http.Request) {
	if s.deps.Portals == nil {
		s.unavailable(w, r, "portals")
		return
	}
	list, err := s.deps.Portals.Overview(r.Context())
	if err != nil {
		s.fail(w, r, "portal overview", err)
		return
	}
	fs, err := s.deps.Portals.Findings(r.Context(), 50)
	if err != nil {
		s.fail(w, r, "portal findings", err)
		return
	}
	s.render(w, r, http.StatusOK, "portals", portalsData{Portals: list, Findings: fs, Now: s.cfg.Now()})
}

// portalFinding returns the finding behind a portal alert, or nil.
func (s *Server) portalFinding(ctx context.Context, a AlertRecord) *PortalFinding {
	if s.deps.Portals == nil || a.SourceKind != "portal" {
		return nil
	}
	f, err := s.deps.Portals.Finding(ctx, a.ID)
	if err != nil {
		if !isNotFound(err) {
			s.log.Warn("portal finding", "alert_id", a.ID, "err", err)
		}
		return nil
	}
	return &f
}
