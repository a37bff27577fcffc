package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/shadowscan/shadowscan/internal/browsertest"
)

// TestHTMLInChromium opens the HTML report from a file in headless Chromium: the page loads with nothing blocked
// by its own Content-Security-Policy (so nothing external is needed) and no script error, draws its three charts,
// prints to PDF, and leaves a screenshot in the artifacts folder (see internal/browsertest).
func TestHTMLInChromium(t *testing.T) {
	page1 := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(page1, render(t, "html", Options{CategoryName: categoryNames}), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.Start(t, 60*time.Second)
	problems := browsertest.Problems(t, ctx)

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
	for _, p := range problems() {
		t.Errorf("browser reported: %s", p)
	}
	browsertest.SaveArtifact(t, "report-html.png", shot)
}
