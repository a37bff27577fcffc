// Package browsertest starts headless Chromium for the tests that check pages in a real browser (the HTML report,
// the serve page). It is for tests only.
//
// Environment: BROWSER_TEST_CHROMIUM names the browser binary (default: Debian's chromium or another Chrome on
// PATH); BROWSER_TEST_ARTIFACTS is where screenshots go (default: .artifacts/ at the repository root). The names
// are outside the SHADOWSCAN_ prefix on purpose: shadowscan refuses unknown SHADOWSCAN_* variables.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Chromium returns the browser to drive. Without one the test is skipped, or fails when CI=true.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("BROWSER_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found and CI=true: install Debian's chromium package (see .ci/run)")
	}
	t.Skip("no Chromium on PATH (apt-get install chromium); set BROWSER_TEST_CHROMIUM to use another")
	return ""
}

// Start launches headless Chromium (see Chromium) in a 1100×1400 window with a fresh profile and no background
// networking, and returns a browser context that ends after timeout or with the test.
func Start(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1100, 1400),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() {
		cancel()
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

// Problems starts the browser of ctx (see Start) and collects, from then on, what its pages report as wrong:
// uncaught exceptions, console errors and failed console.assert calls, and errors in the browser's log (a
// Content-Security-Policy violation or a resource that fails to load is one). The function returned gives what has
// been reported so far.
func Problems(t testing.TB, ctx context.Context) func() []string {
	t.Helper()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	var mu sync.Mutex
	var problems []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text+exceptionDesc(ev.ExceptionDetails))
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				problems = append(problems, fmt.Sprintf("console.%s: %v", ev.Type, ev.Args))
			}
		case *cdplog.EventEntryAdded:
			if ev.Entry != nil && ev.Entry.Level == cdplog.EntryLevelError {
				problems = append(problems, "log: "+string(ev.Entry.Source)+": "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

func exceptionDesc(d *runtime.ExceptionDetails) string {
	if d == nil || d.Exception == nil {
		return ""
	}
	return " " + d.Exception.Description
}

// SaveArtifact writes data (a screenshot) as name in the artifacts folder and returns its path.
func SaveArtifact(t testing.TB, name string, data []byte) string {
	t.Helper()
	dir := os.Getenv("BROWSER_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), ".artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("artifact: %s (%d bytes)", p, len(data))
	return p
}

// repoRoot is the nearest folder above the test's working directory that holds go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", dir)
		}
	}
}
