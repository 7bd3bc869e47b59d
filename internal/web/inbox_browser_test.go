package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// shotDir is where this package's page screenshots go: a folder of the
// test's own (t.TempDir) unless DIEMBAO_SCREENSHOTS names one to keep.
func shotDir(t *testing.T) string {
	if d := os.Getenv("DIEMBAO_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// shots saves full-page PNGs of path at 1400 px and 390 px wide as
// <name>-1400.png and <name>-390.png in dir, and fails when the page is
// wider than the window (a horizontal scroll bar on a phone).
func shots(t *testing.T, ctx context.Context, dir, url, name string) {
	t.Helper()
	for _, w := range []int64{1400, 390} {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
		if w < 700 {
			opts = append(opts, chromedp.EmulateMobile)
		}
		do(t, ctx,
			chromedp.EmulateViewport(w, 900, opts...),
			chromedp.Navigate(url),
			chromedp.WaitReady(chromedp.CSS("footer")),
		)
		width := run(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		buf := run(t, ctx, chromedp.FullScreenshot(100))
		path := filepath.Join(dir, name+"-"+map[int64]string{1400: "1400", 390: "390"}[w]+".png")
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", path)
		if int64(width) > w {
			t.Errorf("%s is %d px wide in a %d px window", name, width, w)
		}
	}
	do(t, ctx, chromedp.EmulateViewport(1400, 900))
}

func TestBrowserInboxTriage(t *testing.T) {
	e := inboxEnv(t)
	ctx := browser(t, nil)
	dir := shotDir(t)
	do(t, ctx, chromedp.EmulateViewport(1400, 900), browserLogin(e, "an"))
	if n := run(t, ctx, chromedp.Text(chromedp.ID("nav-unacked"))); n != "8" {
		t.Errorf("navigation count %q on the search page, want 8", n)
	}
	do(t, ctx, chromedp.Navigate(e.ts.URL+"/alerts"), chromedp.WaitVisible(chromedp.ID("inbox")))
	first := run(t, ctx, chromedp.Evaluate[string](`document.querySelector("#inbox li").dataset.id`))
	if first != "in00" {
		t.Errorf("first alert %s, want the critical in00", first)
	}

	// Filter by clicking facets: severity "Cao", then state "Chưa xác nhận".
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-facet="severity"] a[data-term="high"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-facet="severity"] a.on`)),
		chromedp.Click(chromedp.CSS(`[data-facet="state"] a[data-term="unacked"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-facet="state"] a.on`)),
	)
	ids := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#inbox li")).map(l => l.dataset.id)`))
	if strings.Join(ids, " ") != "in07 in04" {
		t.Errorf("high + unacknowledged: %v, want in07 in04", ids)
	}

	// Keyboard: help overlay, then j j x k x selects the first two, a acknowledges.
	do(t, ctx, chromedp.Navigate(e.ts.URL+"/alerts?state=unacked"), chromedp.WaitVisible(chromedp.ID("inbox")),
		chromedp.KeyEvent("?"))
	if hidden := run(t, ctx, chromedp.Evaluate[bool](`document.getElementById("help").hidden`)); hidden {
		t.Error("? did not open the help overlay")
	}
	do(t, ctx, chromedp.KeyEvent("\u001b")) // Escape
	if hidden := run(t, ctx, chromedp.Evaluate[bool](`document.getElementById("help").hidden`)); !hidden {
		t.Error("Escape did not close the help overlay")
	}
	do(t, ctx, chromedp.KeyEvent("j"), chromedp.KeyEvent("j"), chromedp.KeyEvent("x"), chromedp.KeyEvent("k"), chromedp.KeyEvent("x"))
	sel := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#inbox input.sel:checked")).map(b => b.value)`))
	if strings.Join(sel, " ") != "in00 in07" {
		t.Errorf("selected %v, want in00 in07", sel)
	}
	cur := run(t, ctx, chromedp.Evaluate[string](`document.querySelector("#inbox li.cur").dataset.id`))
	if cur != "in00" {
		t.Errorf("current %s after j j k, want in00", cur)
	}
	do(t, ctx, chromedp.SendKeys(chromedp.ID("bulk-note"), "chuyển đồn biên phòng"),
		chromedp.Click(chromedp.ID("inbox"), chromedp.NodeVisible), // leave the note box
	)
	do(t, ctx, chromedp.KeyEvent("a"), chromedp.WaitVisible(chromedp.ID("acked-notice")))
	for _, id := range []string{"in00", "in07"} {
		if a, _ := e.alerts.Get(context.Background(), id); a.AckedBy != "an" || a.AckNote != "chuyển đồn biên phòng" {
			t.Errorf("%s after keyboard acknowledge: %+v", id, a)
		}
	}
	if n := run(t, ctx, chromedp.Text(chromedp.ID("nav-unacked"))); n != "6" {
		t.Errorf("navigation count %q after acknowledging two, want 6", n)
	}
	ids = run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#inbox li")).map(l => l.dataset.id)`))
	if len(ids) != 6 {
		t.Errorf("unacknowledged view after acknowledging two: %v", ids)
	}

	// Bulk by mouse: select all, acknowledge (the notice of the last page
	// goes first, so that waiting for it waits for the next page).
	run(t, ctx, chromedp.Evaluate[bool](`document.getElementById("acked-notice").remove() || true`))
	do(t, ctx, chromedp.Click(chromedp.ID("select-all")), chromedp.Click(chromedp.ID("ack-selected")),
		chromedp.WaitVisible(chromedp.ID("acked-notice")))
	if n := run(t, ctx, chromedp.Text(chromedp.ID("nav-unacked"))); n != "0" {
		t.Errorf("navigation count %q after acknowledging all, want 0", n)
	}

	e.alerts.recs = inboxAlerts() // fresh for the pictures
	e.srv.nav.forget()
	shots(t, ctx, dir, e.ts.URL+"/alerts", "alerts")
	shots(t, ctx, dir, e.ts.URL+"/alerts?severity=high&state=unacked", "alerts-filtered")
	shots(t, ctx, dir, e.ts.URL+"/alerts/in00", "alert")
}
