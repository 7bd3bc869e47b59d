// Package browsertest starts headless Chromium for browser tests and keeps
// their screenshots as artefacts. Only tests import it.
// In: a *testing.T. Out: a chromedp context, PNG files under testartifacts/.
package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// sessionLimit bounds one browser session. A walk through several pages
// that wait on the pipeline (a crawl pass, a mail) takes about a minute on
// a quiet machine and more than 90 s on a loaded one under -race.
const sessionLimit = 4 * time.Minute

// ChromiumPath is where Debian's chromium package installs the browser.
const ChromiumPath = "/usr/bin/chromium"

// Start launches headless Chromium for one test and returns its context,
// closed when the test ends. listen, if not nil, sees every event of the tab
// (it must return fast). The context ends after sessionLimit, a guard
// against a hung browser, not a speed target. The test is skipped, with a message, only when
// Chromium is not installed; .ci/run installs it.
func Start(t *testing.T, listen func(ev any)) context.Context {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Skipf("browser tests need Chromium at %s (Debian: apt-get install -y chromium): %v", ChromiumPath, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// Without these Chromium keeps calling home, which this machine refuses.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	var copts []chromedp.ContextOption
	if listen != nil {
		copts = append(copts, chromedp.WithListener(listen))
	}
	ctx, cancelCtx := chromedp.NewContext(actx, copts...)
	ctx, cancelTimeout := context.WithTimeout(ctx, sessionLimit)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// ArtifactDir is testartifacts/<sub> at the module root (gitignored), created.
func ArtifactDir(t *testing.T, sub string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	out := filepath.Join(dir, "testartifacts", sub)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

// Screenshot saves a full-page PNG as testartifacts/<sub>/<name>.png.
func Screenshot(t *testing.T, sub, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		buf, err := chromedp.FullScreenshot(100)(ctx, tg) // quality 100: PNG
		if err != nil {
			return err
		}
		path := filepath.Join(ArtifactDir(t, sub), name+".png")
		t.Logf("screenshot %s", path)
		return os.WriteFile(path, buf, 0o644)
	})
}
