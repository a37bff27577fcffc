package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromium returns the browser to drive: $SHADOWSCAN_CHROMIUM, else Debian's chromium or another Chrome on PATH.
func chromium() string {
	if p := os.Getenv("SHADOWSCAN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestHTMLInChromium opens the HTML report from a file in headless Chromium: the page loads with nothing blocked
// by its own Content-Security-Policy (so nothing external is needed), draws its three charts, prints to PDF, and
// leaves a screenshot in $SHADOWSCAN_ARTIFACTS (default .artifacts/ at the repository root).
func TestHTMLInChromium(t *testing.T) {
	chrome := chromium()
	if chrome == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium found and CI=true: install Debian's chromium package (see .ci/run)")
		}
		t.Skip("no Chromium on PATH (apt-get install chromium); set SHADOWSCAN_CHROMIUM to use another")
	}
	page1 := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(page1, render(t, "html", Options{CategoryName: categoryNames}), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1100, 1400),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()

	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page1), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	svgs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("svg")).filter(s => s.querySelector("rect, polyline") && s.getBoundingClientRect().width > 0).length`))
	if err != nil {
		t.Fatal(err)
	}
	polylines, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("polyline").length`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	printed, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{})
	if err != nil {
		t.Fatal(err)
	}
	pdf := printed.Data
	if !strings.Contains(title, "Northwind Outfitters") || !strings.Contains(heading, "Unapproved tools report") {
		t.Errorf("title %q, heading %q", title, heading)
	}
	if svgs != 3 || polylines != 2 {
		t.Errorf("%d charts with %d trend lines drawn, want 3 charts (severity, trend, spend) and 2 lines", svgs, polylines)
	}
	if len(pdf) < 1000 || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Errorf("printing gave %d bytes", len(pdf))
	}
	dir := os.Getenv("SHADOWSCAN_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", ".artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report-html.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
