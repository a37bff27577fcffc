package web

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/shadowscan/shadowscan/internal/browsertest"
	"github.com/shadowscan/shadowscan/rules/check/checktest"
)

// TestBrowser drives the page in real headless Chromium: type a name, pick the suggestion with the keyboard, read
// the verdict card and the alternative, copy the request, paste a consent URL, and look at it on a phone.
func TestBrowser(t *testing.T) {
	f := newFixture(t, nil)
	if !strings.HasPrefix(f.srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server is not on loopback: %s", f.srv.URL)
	}

	ctx := browsertest.Start(t, 3*time.Minute)
	problems := browsertest.Problems(t, ctx) // a CSP violation is one

	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		browsertest.SaveArtifact(t, name, png)
	}

	run("open the page", chromedp.Navigate(f.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#inventory-body table")))
	if got := text("#inventory-body .scan-line"); !strings.Contains(got, "scan-20261102-0600") {
		t.Errorf("inventory line = %q", got)
	}

	// Keyboard: the first Tab lands on the skip link.
	run("tab", chromedp.KeyEvent(kb.Tab))
	if got := eval(`document.activeElement.className`); got != "skip" {
		t.Errorf("first focus = %q, want the skip link", got)
	}

	// Type a name, see the suggestions, pick the first with the arrow key and Enter.
	run("type hotjar", chromedp.SendKeys(chromedp.ID("q"), "hotjar"),
		chromedp.WaitVisible(chromedp.CSS("#suggestions [role=option]")))
	if got := text("#suggestions [role=option]"); !strings.Contains(got, "Hotjar") {
		t.Errorf("first suggestion = %q", got)
	}
	if got := eval(`document.getElementById("q").getAttribute("aria-expanded")`); got != "true" {
		t.Errorf("aria-expanded = %q with the list open", got)
	}
	run("arrow down", chromedp.KeyEvent(kb.ArrowDown))
	if got := eval(`document.getElementById("q").getAttribute("aria-activedescendant") || ""`); got != "suggestion-0" {
		t.Errorf("aria-activedescendant = %q after ArrowDown", got)
	}
	run("enter", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("verdict-card")))

	if got := text("#verdict"); got != "Not approved" {
		t.Errorf("verdict = %q, want Not approved", got)
	}
	if got := text("#verdict-title"); got != "Hotjar" {
		t.Errorf("vendor = %q", got)
	}
	alts := text("#alternatives")
	if !strings.Contains(alts, "FullStory") || !strings.Contains(alts, "web-analytics@northwind.example") {
		t.Errorf("alternatives = %q, want FullStory and its owner", alts)
	}
	if got := text("#next-step"); !strings.Contains(got, "Consider FullStory") {
		t.Errorf("next step = %q", got)
	}
	if page := eval(`document.getElementById("verdict-card").textContent`); strings.Contains(page, "alice.moreau") {
		t.Errorf("the page names people without a token")
	}
	if got := eval(`location.search`); got != "?q=Hotjar" {
		t.Errorf("location.search = %q (deep link)", got)
	}

	// The copy-request button exists, is a button, and copies (or selects the text where the clipboard is denied).
	if got := text("#copy-request"); got != "Copy request" {
		t.Errorf("copy button = %q", got)
	}
	run("copy", chromedp.Click(chromedp.ID("copy-request")),
		chromedp.Poll[chromedp.Void](`document.querySelector(".copied").textContent.length > 0`))
	if got := text(".copied"); !strings.Contains(got, "Copied") && !strings.Contains(got, "Select the text") {
		t.Errorf("copy status = %q", got)
	}
	if req := eval(`document.getElementById("request-text").textContent`); !strings.HasPrefix(req, "## Request: approval to use Hotjar") ||
		!strings.Contains(req, "FullStory") {
		t.Errorf("request text = %q", req)
	}
	shot("serve-check-hotjar.png")

	// The consent URL gives the same verdict and alternative.
	consent := "https://accounts.google.com/o/oauth2/v2/auth?client_id=" + checktest.HotjarClientID +
		"&scope=openid+email+https://www.googleapis.com/auth/drive.readonly&redirect_uri=" +
		url.QueryEscape("https://insights.hotjar.com/cb")
	run("paste consent URL", chromedp.SetValue(chromedp.ID("q"), consent), chromedp.Click(chromedp.ID("check-button")),
		chromedp.Poll[chromedp.Void](`document.querySelector("#verdict-card table.scopes") !== null`))
	if got := text("#verdict"); got != "Not approved" {
		t.Errorf("consent verdict = %q", got)
	}
	if got := text("#alternatives"); !strings.Contains(got, "FullStory") {
		t.Errorf("consent alternatives = %q", got)
	}
	if got := text("#verdict-card table.scopes"); !strings.Contains(got, "drive.readonly") || !strings.Contains(got, "restricted") {
		t.Errorf("scopes table = %q", got)
	}

	// Banned, not approved and unknown are unmistakable: each its own colour (none the calm information blue), an
	// icon and its word.
	look := map[string]string{}
	for q, want := range map[string]string{"apollo": "Banned", "hotjar": "Not approved", "LeadMagnet Pro": "Unknown vendor"} {
		run("check "+q, chromedp.Navigate(f.srv.URL+"/?q="+url.QueryEscape(q)), chromedp.WaitVisible(chromedp.ID("verdict-card")))
		if got := text("#verdict"); got != want {
			t.Errorf("%s: verdict %q, want %q", q, got, want)
		}
		bg := eval(`getComputedStyle(document.getElementById("verdict")).backgroundColor`)
		fg := eval(`getComputedStyle(document.getElementById("verdict")).color`)
		icon := eval(`getComputedStyle(document.getElementById("verdict"), "::before").content`)
		border := eval(`getComputedStyle(document.getElementById("verdict-card")).borderLeftColor`)
		if bg == "rgb(221, 244, 255)" || border == "rgb(10, 48, 105)" || fg == "rgb(10, 48, 105)" {
			t.Errorf("%s wears the information blue: background %s, text %s, card edge %s", want, bg, fg, border)
		}
		if icon == "" || icon == "none" || icon == "normal" {
			t.Errorf("%s: no icon (::before content %q)", want, icon)
		}
		for other, o := range look {
			if o == bg+border {
				t.Errorf("%s and %s look alike (%s)", want, other, bg)
			}
		}
		look[want] = bg + border
	}
	if got := eval(`getComputedStyle(document.getElementById("verdict")).backgroundColor`); got == "" {
		t.Error("no computed style")
	}
	if bg := eval(`(() => { const b = document.createElement("span"); b.className = "badge badge-banned"; document.body.append(b);
		const c = getComputedStyle(b).backgroundColor; b.remove(); return c; })()`); bg != "rgb(164, 14, 38)" {
		t.Errorf("banned badge background = %s, want solid red", bg)
	}
	// "What we use" is grouped under category names.
	for _, c := range strings.Split(eval(`[...document.querySelectorAll("#inventory-body caption")].map(c => c.textContent).join("|")`), "|") {
		if c == "" || strings.Contains(c, "_") {
			t.Errorf("inventory group %q is not a category name", c)
		}
	}
	run("desktop inventory", chromedp.Navigate(f.srv.URL+"/?q=apollo"), chromedp.WaitVisible(chromedp.CSS("#inventory-body table")))
	shot("serve-desktop.png")

	// On a phone (390 px): nothing scrolls sideways, with a verdict card and with the inventory.
	run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(f.srv.URL+"/?q=apollo"), chromedp.WaitVisible(chromedp.ID("verdict-card")),
		chromedp.WaitVisible(chromedp.CSS("#inventory-body table")))
	if got := text("#verdict"); got != "Banned" {
		t.Errorf("deep-linked verdict = %q", got)
	}
	noSideways := func(what string) {
		t.Helper()
		if got := eval(`String(document.documentElement.scrollWidth <= window.innerWidth)`); got != "true" {
			t.Errorf("%s scrolls sideways on a 390 px phone: %s", what, eval(`document.documentElement.scrollWidth + " > " + window.innerWidth`))
		}
		if got := eval(`String([...document.querySelectorAll(".table-wrap")].every(w => w.scrollWidth <= w.clientWidth + 1))`); got != "true" {
			t.Errorf("%s: a table scrolls sideways inside its box on a phone", what)
		}
	}
	noSideways("the banned answer")
	shot("serve-check-phone.png")
	run("phone consent", chromedp.Navigate(f.srv.URL+"/?q="+url.QueryEscape(consent)),
		chromedp.Poll[chromedp.Void](`document.querySelector("#verdict-card table.scopes") !== null`),
		chromedp.WaitVisible(chromedp.CSS("#inventory-body table")))
	noSideways("the consent answer")
	shot("serve-consent-phone.png")

	for _, p := range problems() {
		t.Errorf("browser reported: %s", p)
	}
}
