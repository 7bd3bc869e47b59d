package portal

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/config"
	"github.com/diembao/diembao/internal/demosite"
)

// TestCheckNow: a portal that cannot be checked is reported and the others
// are still written, one JSON line per duty or a table; the new findings
// are counted once.
func TestCheckNow(t *testing.T) {
	site, err := demosite.StartPortal(t.Context(), "127.0.0.1:0", demosite.PortalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	p := demosite.DemoPortals(site.URL())[0]
	e := newEnv(t, []config.Portal{p}, nil)
	var out, errw bytes.Buffer
	failed, err := e.w.CheckNow(t.Context(), &out, &errw, []string{"nope", p.ID}, true, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if !failed || !strings.Contains(errw.String(), "diembao: portal nope: ") || !strings.Contains(errw.String(), fmt.Sprintf("diembao: portal %s: %d new finding(s) raised as alerts", p.ID, len(e.alerts()))) {
		t.Errorf("failed %v, stderr %q", failed, errw.String())
	}
	if n := strings.Count(out.String(), "\n"); n != 16 || !strings.Contains(out.String(), `"duty":"ke-hoach-ttdn"`) {
		t.Errorf("%d JSON lines, want one per default duty:\n%s", n, out.String())
	}

	out.Reset()
	errw.Reset()
	e.clock.Add(time.Hour)
	failed, err = e.w.CheckNow(t.Context(), &out, &errw, []string{p.ID}, false, time.UTC)
	if err != nil || failed || errw.Len() != 0 {
		t.Errorf("second check: failed %v, err %v, stderr %q (nothing new to raise)", failed, err, errw.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 16 || strings.Contains(out.String(), "\t") {
		t.Errorf("table: %d lines (want 16), tabs left %v:\n%s", len(lines), strings.Contains(out.String(), "\t"), out.String())
	}
}
