package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

func TestBrowserSavedSearchAndRules(t *testing.T) {
	e, st := savedEnv(t)
	ctx := browser(t, nil)
	dir := shotDir(t)
	do(t, ctx, chromedp.EmulateViewport(1400, 900), browserLogin(e, "an"))

	// Search with a preset, see the chart, save the search with daily mails.
	do(t, ctx,
		chromedp.SendKeys(chromedp.ID("q"), "bien gioi"),
		chromedp.Click(chromedp.ID("search")),
		chromedp.WaitVisible(chromedp.ID("presets")),
		chromedp.Click(chromedp.CSS(`#presets a[href*="range=7d"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#presets a.on[href*="range=7d"]`)),
		chromedp.WaitVisible(chromedp.ID("volume")),
	)
	bars := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#volume rect").length`))
	if bars != 7 {
		t.Errorf("7-day chart has %d bars, want 7", bars)
	}
	do(t, ctx,
		chromedp.Click(chromedp.CSS("#save-search summary")),
		chromedp.WaitVisible(chromedp.ID("save-name")),
		chromedp.SetValue(chromedp.ID("save-notify"), "daily"),
		chromedp.Click(chromedp.ID("save-submit")),
		chromedp.WaitVisible(chromedp.ID("saved-notice")),
	)
	list, _ := st.List(context.Background(), "an")
	if len(list) != 1 || list[0].Name != "bien gioi" || list[0].Notify != "daily" || list[0].Range != "7d" {
		t.Fatalf("saved %+v", list)
	}
	feed := run(t, ctx, chromedp.Text(chromedp.CSS(".feedurl")))
	if !strings.Contains(feed, "/feeds/"+list[0].FeedToken) {
		t.Errorf("feed address %q", feed)
	}
	// Revoke the feed address from the page.
	run(t, ctx, chromedp.Evaluate[bool](`document.querySelector(".feedurl").remove() || true`))
	do(t, ctx, chromedp.Click(chromedp.CSS(".ss-rotate")), chromedp.WaitVisible(chromedp.CSS(".feedurl")))
	if again := run(t, ctx, chromedp.Text(chromedp.CSS(".feedurl"))); again == feed {
		t.Error("the feed address did not change")
	}
	shots(t, ctx, dir, e.ts.URL+"/searches", "searches")
	shots(t, ctx, dir, e.ts.URL+"/?q=bien+gioi&range=30d", "search")
	shots(t, ctx, dir, e.ts.URL+"/?q=bien+gioi&range=year", "search-year")
	shots(t, ctx, dir, e.ts.URL+"/account", "account")

	// Rules page (admin): the query column keeps its room, the monospace
	// font covers Vietnamese, and the phone layout stacks.
	do(t, ctx, chromedp.Navigate(e.ts.URL+"/"), chromedp.Click(chromedp.CSS(".logout button")), chromedp.WaitVisible(chromedp.ID("user")))
	do(t, ctx, browserLogin(e, "quantri"), chromedp.Navigate(e.ts.URL+"/rules"), chromedp.WaitVisible(chromedp.ID("rules-table")))
	ok := run(t, ctx, chromedp.Evaluate[bool](`document.fonts.load('16px "Diembao Mono"', "quốc").then(f => f.length > 0 && document.fonts.check('16px "Diembao Mono"', "quốc biên giới"))`, func(p *runtime.EvaluateParams) { yes := true; p.AwaitPromise = &yes }))
	if !ok {
		t.Error("the Vietnamese monospace font did not load")
	}
	family := run(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("code.q")).fontFamily`))
	if !strings.HasPrefix(family, `"Diembao Mono"`) {
		t.Errorf("query font %s", family)
	}
	qw := run(t, ctx, chromedp.Evaluate[float64](`document.querySelector("#rules-table td.q").getBoundingClientRect().width`))
	if qw < 380 {
		t.Errorf("query column %.0f px wide at 1400 px", qw)
	}
	shots(t, ctx, dir, e.ts.URL+"/rules", "rules")
}
