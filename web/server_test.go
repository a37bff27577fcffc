package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/rules/check"
	"github.com/shadowscan/shadowscan/rules/check/checktest"
	"github.com/shadowscan/shadowscan/scanner"
)

const testToken = "s3cret-token-for-tests-0123456789"

func demoFactory(rep *scanner.Report) *check.Checker {
	cat, appr := checktest.Demo()
	c := check.New(cat, appr, rep)
	c.Now = func() time.Time { return checktest.Now }
	return c
}

func writeReport(t *testing.T, path string, rep *scanner.Report) {
	t.Helper()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

type fixture struct {
	srv    *httptest.Server
	report string
	dir    string
}

func newFixture(t *testing.T, mod func(*Options)) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{dir: dir, report: filepath.Join(dir, "last.json")}
	writeReport(t, f.report, checktest.Report())
	opts := Options{NewChecker: demoFactory, ReportPath: f.report, Token: testToken,
		Logger: zerolog.New(zerolog.NewTestWriter(t)), ReloadInterval: -1}
	if mod != nil {
		mod(&opts)
	}
	f.srv = httptest.NewServer(New(opts))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) get(t *testing.T, path string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return v
}

func TestCheckAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)

	resp, b := f.get(t, "/api/check?q=hotjar", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	r := decode[check.Result](t, b)
	if r.Verdict != check.VerdictUnapproved || len(r.Alternatives) != 1 || r.Alternatives[0].Vendor.Name != "FullStory" ||
		r.Alternatives[0].Owner != "web-analytics@northwind.example" {
		t.Errorf("hotjar: %s %+v", r.Verdict, r.Alternatives)
	}
	if !r.Redacted || r.Usage == nil || r.Usage.UserCount != 1 || len(r.Usage.Users) != 0 || strings.Contains(string(b), "alice") {
		t.Errorf("without a token the answer names people: %s", b)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}

	_, b = f.get(t, "/api/check?q=hotjar", bearer(testToken))
	r = decode[check.Result](t, b)
	if r.Redacted || len(r.Usage.Users) != 1 || r.Usage.Users[0] != "alice.moreau@northwind.example" {
		t.Errorf("with the token: %+v", r.Usage)
	}
	if !strings.Contains(r.RequestMarkdown, "alice.moreau") {
		t.Errorf("request text with the token lacks the users")
	}

	// The consent URL gives the same verdict and alternatives as the name.
	consent := "https://accounts.google.com/o/oauth2/v2/auth?client_id=" + checktest.HotjarClientID + "&scope=openid+email"
	_, b = f.get(t, "/api/check?q="+url.QueryEscape(consent), nil)
	r2 := decode[check.Result](t, b)
	if r2.Verdict != r.Verdict || r2.QueryKind != check.KindGoogleConsent || len(r2.Alternatives) != 1 ||
		r2.Alternatives[0] != r.Alternatives[0] || len(r2.Scopes) != 2 {
		t.Errorf("consent URL: %+v", r2)
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for _, tc := range []struct {
		name string
		hdr  map[string]string
		code int
	}{
		{"wrong token", bearer("nope-nope-nope-nope"), 401},
		{"token prefix only", bearer(testToken[:10]), 401},
		{"token with extra", bearer(testToken + "x"), 401},
		{"basic auth", map[string]string{"Authorization": "Basic dXNlcjpwdw=="}, 401},
		{"empty bearer", map[string]string{"Authorization": "Bearer "}, 401},
		{"lower-case scheme", map[string]string{"Authorization": "bearer " + testToken}, 200},
		{"none", nil, 200},
	} {
		for _, p := range []string{"/api/check?q=hotjar", "/api/report/summary", "/api/catalog/search?q=hot"} {
			resp, b := f.get(t, p, tc.hdr)
			if resp.StatusCode != tc.code {
				t.Errorf("%s %s: status %d, want %d: %s", tc.name, p, resp.StatusCode, tc.code, b)
			}
			if tc.code == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: no WWW-Authenticate", tc.name)
			}
		}
	}

	// A server without a token never shows names, and says so to a client that sends one.
	nf := newFixture(t, func(o *Options) { o.Token = "" })
	resp, b := nf.get(t, "/api/report/summary", bearer(testToken))
	if resp.StatusCode != 401 || !strings.Contains(string(b), "no token configured") {
		t.Errorf("token sent to a tokenless server: %d %s", resp.StatusCode, b)
	}
	_, b = nf.get(t, "/api/report/summary", nil)
	if strings.Contains(string(b), "@northwind.example") {
		t.Errorf("tokenless summary names people: %s", b)
	}
}

func TestHostileQueries(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for _, tc := range []struct {
		name, q string
		code    int
	}{
		{"script", "<script>alert(1)</script>", 200},
		{"bidi and NUL", "hot\u202ejar\x00", 200},
		{"escape sequence", "\x1b]8;;http://evil\x1b\\hotjar", 200},
		{"javascript url", "javascript:alert(document.cookie)", 200},
		{"file url", "file:///etc/passwd", 200},
		{"metadata url (never fetched)", "http://169.254.169.254/latest/meta-data/", 400},
		{"consent without client id", "https://accounts.google.com/o/oauth2/auth?scope=email", 400},
		{"empty", "", 400},
		{"blank", "   ", 400},
		{"invalid utf-8", "hot\xffjar", 400},
		{"just over the limit", strings.Repeat("a", check.MaxQueryLen+1), 414},
		{"huge", strings.Repeat("hotjar ", 1500), 414},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := f.get(t, "/api/check?q="+url.QueryEscape(tc.q), nil)
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.code, b)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			if strings.Contains(string(b), "<script") || strings.ContainsAny(string(b), "\x00\x1b") {
				t.Errorf("raw markup or control characters in %s", b)
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Errorf("not JSON: %s", b)
			}
			if tc.code != 200 && (m["error"] == nil || len(m["error"].(string)) > 300) {
				t.Errorf("error body %s", b)
			}
		})
	}

	// A request URL beyond every limit.
	resp, _ := f.get(t, "/api/check?q=x&pad="+strings.Repeat("a", MaxURLBytes), nil)
	if resp.StatusCode != http.StatusRequestURITooLong {
		t.Errorf("huge URL: status %d", resp.StatusCode)
	}
	// Headers beyond MaxHeaderBytes are refused by net/http itself.
}

func TestMethodsHostsAndBodies(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.AllowedHosts = []string{"shadowscan.northwind.example"} })
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, "PROPFIND"} {
		req, _ := http.NewRequest(m, f.srv.URL+"/api/check?q=hotjar", strings.NewReader("x"))
		resp, err := f.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: status %d allow %q", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
	for host, code := range map[string]int{
		"evil.example": 421, "evil.example:8080": 421, "localhost:8080": 200, "127.0.0.1": 200, "[::1]:8080": 200,
		"shadowscan.northwind.example": 200, "SHADOWSCAN.northwind.example.:443": 200, "app.localhost": 200,
	} {
		resp, b := f.get(t, "/healthz", map[string]string{"Host": host})
		if resp.StatusCode != code {
			t.Errorf("Host %s: status %d, want %d: %s", host, resp.StatusCode, code, b)
		}
	}
	// A GET with a body larger than the limit.
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/api/check?q=hotjar", strings.NewReader(strings.Repeat("x", 10<<10)))
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("large body: status %d", resp.StatusCode)
	}
}

var inlineCode = regexp.MustCompile(`(?i)<script(\s[^>]*)?>\s*[^<\s]|<script>|\sstyle\s*=|\son[a-z]+\s*=|javascript:`)

func TestPageAndHeaders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for _, p := range []string{"/", "/static/app.js", "/static/app.css", "/api/check?q=hotjar", "/nope", "/api/nope", "/healthz"} {
		resp, _ := f.get(t, p, nil)
		h := resp.Header
		if h.Get("Content-Security-Policy") != ContentSecurityPolicy || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: security headers %v", p, h)
		}
	}
	for _, must := range []string{"frame-ancestors 'none'", "script-src 'self'", "default-src 'self'", "base-uri 'none'"} {
		if !strings.Contains(ContentSecurityPolicy, must) || strings.Contains(ContentSecurityPolicy, "unsafe-") {
			t.Errorf("CSP %q lacks %q or allows unsafe-*", ContentSecurityPolicy, must)
		}
	}

	resp, b := f.get(t, "/", nil)
	page := string(b)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if m := inlineCode.FindString(page); m != "" {
		t.Errorf("page has inline code or style: %q", m)
	}
	for _, must := range []string{`<html lang="en">`, `name="viewport"`, `<label for="q">`, `role="combobox"`,
		`aria-controls="suggestions"`, `role="listbox"`, `aria-live="polite"`, `src="/static/app.js"`,
		"Northwind Outfitters", `<label for="token">`} {
		if !strings.Contains(page, must) {
			t.Errorf("page lacks %s", must)
		}
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Errorf("page loads something from another origin")
	}

	js, css := "", ""
	resp, b = f.get(t, "/static/app.js", nil)
	js = string(b)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Errorf("app.js: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if strings.Contains(js, "innerHTML") || strings.Contains(js, "eval(") || strings.Contains(js, "new Function") {
		t.Errorf("app.js writes HTML or evaluates code")
	}
	resp, b = f.get(t, "/static/app.css", nil)
	css = string(b)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(css, ":focus-visible") ||
		!strings.Contains(css, "@media") {
		t.Errorf("app.css: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, p := range []string{"/static/", "/static/nope.js", "/index.html", "/api/nope"} {
		if resp, _ := f.get(t, p, nil); resp.StatusCode != 404 {
			t.Errorf("%s: status %d", p, resp.StatusCode)
		}
	}

	// The organisation name from the report is escaped in the page.
	rep := checktest.Report()
	rep.Scan.Organization = `<img src=x onerror=alert(1)>`
	writeReport(t, f.report, rep)
	bumpMtime(t, f.report)
	_, b = f.get(t, "/", nil)
	if strings.Contains(string(b), "<img") || !strings.Contains(string(b), "&lt;img") {
		t.Errorf("organisation name not escaped")
	}
}

// bumpMtime makes sure a rewritten file looks changed even on coarse-timestamp file systems.
func bumpMtime(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	next := fi.ModTime().Add(time.Second)
	if err := os.Chtimes(path, next, next); err != nil {
		t.Fatal(err)
	}
}

func TestSearchAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	_, b := f.get(t, "/api/catalog/search?q=ho", nil)
	res := decode[SearchResponse](t, b)
	if len(res.Results) == 0 || res.Results[0].ID != "hotjar" || res.Results[0].Verdict != check.VerdictUnapproved {
		t.Errorf("search ho: %+v", res)
	}
	_, b = f.get(t, "/api/catalog/search?q=a&limit=1", nil)
	if res := decode[SearchResponse](t, b); len(res.Results) != 1 {
		t.Errorf("limit 1: %+v", res)
	}
	_, b = f.get(t, "/api/catalog/search?q=a&limit=1000", nil)
	if res := decode[SearchResponse](t, b); len(res.Results) > maxSearchResults {
		t.Errorf("limit not capped: %d", len(res.Results))
	}
	for _, q := range []string{"", "https://www.hotjar.com/", "107630771604"} {
		_, b = f.get(t, "/api/catalog/search?q="+url.QueryEscape(q), nil)
		if res := decode[SearchResponse](t, b); res.Results == nil || len(res.Results) != 0 {
			t.Errorf("search %q: %s", q, b)
		}
	}
	for _, p := range []string{"/api/catalog/search?q=a&limit=x", "/api/catalog/search?q=a&limit=0"} {
		if resp, _ := f.get(t, p, nil); resp.StatusCode != 400 {
			t.Errorf("%s: status %d", p, resp.StatusCode)
		}
	}
	if resp, _ := f.get(t, "/api/catalog/search?q="+strings.Repeat("x", check.MaxQueryLen+1), nil); resp.StatusCode != 414 {
		t.Errorf("huge search: status %d", resp.StatusCode)
	}
}

func TestSummaryReloadAndHistory(t *testing.T) {
	t.Parallel()
	hist := t.TempDir()
	for i, n := range []int{3, 5} {
		rep := checktest.Report()
		rep.Scan.ID = "scan-old-" + string(rune('a'+i))
		rep.Scan.FinishedAt = time.Date(2026, 10, 1+7*i, 6, 0, 0, 0, time.UTC)
		rep.Summary.UnapprovedMartechVendors = n
		writeReport(t, filepath.Join(hist, rep.Scan.ID+".json"), rep)
	}
	if err := os.WriteFile(filepath.Join(hist, "broken.json"), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(o *Options) { o.HistoryDir = hist })

	_, b := f.get(t, "/api/report/summary", nil)
	s := decode[Summary](t, b)
	if !s.Available || !s.Redacted || s.Scan.ID != "scan-20261102-0600" || s.ByApproval["unapproved"] != 5 ||
		s.ByApproval["banned"] != 1 || len(s.Categories) == 0 || len(s.Unidentified) != 3 {
		t.Errorf("summary: %s", b)
	}
	if strings.Contains(string(b), "@northwind.example") {
		t.Errorf("redacted summary names people")
	}
	if len(s.Trend) != 3 || s.Trend[0].UnapprovedMartechVendors != 3 || s.Trend[2].ScanID != "scan-20261102-0600" {
		t.Errorf("trend: %+v", s.Trend)
	}
	first := s.Categories[0]
	if first.Category != "Advertising & promotion" || first.Vendors[0].Approval != "unapproved" {
		t.Errorf("first category: %+v", first)
	}

	_, b = f.get(t, "/api/report/summary", bearer(testToken))
	if s := decode[Summary](t, b); s.Redacted || !strings.Contains(string(b), "priya.nair@northwind.example") {
		t.Errorf("summary with the token: %s", b)
	}

	// A new report replaces the old one and joins the trend.
	rep := checktest.Report()
	rep.Scan.ID = "scan-20261103-0600"
	rep.Scan.FinishedAt = rep.Scan.FinishedAt.Add(24 * time.Hour)
	rep.Inventory = rep.Inventory[:1]
	writeReport(t, f.report, rep)
	bumpMtime(t, f.report)
	_, b = f.get(t, "/api/report/summary", nil)
	s = decode[Summary](t, b)
	if s.Scan.ID != "scan-20261103-0600" || len(s.Trend) != 4 || s.Error != "" {
		t.Errorf("after reload: scan %s trend %d error %q", s.Scan.ID, len(s.Trend), s.Error)
	}
	_, b = f.get(t, "/api/check?q=hotjar", nil)
	if r := decode[check.Result](t, b); r.Usage == nil || r.Usage.InReport || r.Usage.ScanID != "scan-20261103-0600" {
		t.Errorf("check did not use the reloaded report: %+v", r.Usage)
	}

	// A malformed file keeps the last good report and says so.
	if err := os.WriteFile(f.report, []byte(`{"schema_version": 1, "inventory": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	bumpMtime(t, f.report)
	_, b = f.get(t, "/api/report/summary", nil)
	s = decode[Summary](t, b)
	if !s.Available || s.Scan.ID != "scan-20261103-0600" || !strings.Contains(s.Error, "not a shadowscan JSON report") {
		t.Errorf("after a malformed file: %s", b)
	}
	_, b = f.get(t, "/healthz", nil)
	if !strings.Contains(string(b), `"stale"`) {
		t.Errorf("healthz after a malformed file: %s", b)
	}
	// A report of another schema version is refused the same way.
	rep.SchemaVersion = 99
	writeReport(t, f.report, rep)
	bumpMtime(t, f.report)
	_, b = f.get(t, "/api/report/summary", nil)
	if s := decode[Summary](t, b); !strings.Contains(s.Error, "schema_version 99") || s.Scan.ID != "scan-20261103-0600" {
		t.Errorf("after a v99 file: %s", b)
	}
	// A removed file, too.
	if err := os.Remove(f.report); err != nil {
		t.Fatal(err)
	}
	_, b = f.get(t, "/api/report/summary", nil)
	if s := decode[Summary](t, b); !s.Available || s.Error == "" {
		t.Errorf("after removing the file: %s", b)
	}
}

func TestNoReport(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.ReportPath = "" })
	_, b := f.get(t, "/api/report/summary", nil)
	if s := decode[Summary](t, b); s.Available || s.Categories == nil || s.Trend == nil {
		t.Errorf("summary without a report: %s", b)
	}
	_, b = f.get(t, "/api/check?q=hotjar", nil)
	if r := decode[check.Result](t, b); r.Usage != nil || r.Verdict != check.VerdictUnapproved {
		t.Errorf("check without a report: %s", b)
	}
	_, b = f.get(t, "/healthz", nil)
	if string(b) != `{"report":"none","status":"ok"}`+"\n" {
		t.Errorf("healthz: %s", b)
	}
	mf := newFixture(t, func(o *Options) { o.ReportPath = filepath.Join(t.TempDir(), "missing.json") })
	_, b = mf.get(t, "/healthz", nil)
	if !strings.Contains(string(b), `"error"`) {
		t.Errorf("healthz with a missing report: %s", b)
	}
}

func TestReloadInterval(t *testing.T) {
	t.Parallel()
	var now atomic.Int64
	now.Store(checktest.Now.UnixNano())
	f := newFixture(t, func(o *Options) {
		o.ReloadInterval = time.Minute
		o.Now = func() time.Time { return time.Unix(0, now.Load()) }
	})
	rep := checktest.Report()
	rep.Scan.ID = "scan-new"
	writeReport(t, f.report, rep)
	bumpMtime(t, f.report)
	_, b := f.get(t, "/api/report/summary", nil)
	if s := decode[Summary](t, b); s.Scan.ID != "scan-20261102-0600" {
		t.Errorf("reloaded before the interval: %s", s.Scan.ID)
	}
	now.Add(int64(2 * time.Minute))
	_, b = f.get(t, "/api/report/summary", nil)
	if s := decode[Summary](t, b); s.Scan.ID != "scan-new" {
		t.Errorf("not reloaded after the interval: %s", s.Scan.ID)
	}
}

// slowCatalog blocks every lookup until release is closed; panicCatalog panics.
type slowCatalog struct {
	check.Catalog
	release chan struct{}
}

func (c slowCatalog) Lookup(s string) (check.VendorFacts, bool) {
	<-c.release
	return c.Catalog.Lookup(s)
}

type panicCatalog struct{ check.Catalog }

func (panicCatalog) Lookup(string) (check.VendorFacts, bool) { panic("boom") }

func TestTimeoutAndPanic(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	f := newFixture(t, func(o *Options) {
		o.RequestTimeout = 50 * time.Millisecond
		o.NewChecker = func(rep *scanner.Report) *check.Checker {
			cat, appr := checktest.Demo()
			return check.New(slowCatalog{cat, release}, appr, rep)
		}
	})
	resp, b := f.get(t, "/api/check?q=hotjar", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "took too long") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("slow check: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}

	pf := newFixture(t, func(o *Options) {
		o.NewChecker = func(rep *scanner.Report) *check.Checker {
			cat, appr := checktest.Demo()
			return check.New(panicCatalog{cat}, appr, rep)
		}
	})
	resp, b = pf.get(t, "/api/check?q=hotjar", nil)
	if resp.StatusCode != 500 || strings.Contains(string(b), "boom") {
		t.Errorf("panicking check: %d %s", resp.StatusCode, b)
	}
	if resp, _ := pf.get(t, "/healthz", nil); resp.StatusCode != 200 {
		t.Errorf("server unhealthy after a panic")
	}
}

func TestServeGracefulShutdown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	finish := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-finish
		_, _ = io.WriteString(w, "done")
	})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- ServeListener(ctx, ln, h, zerolog.New(zerolog.NewTestWriter(t))) }()

	body := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			body <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body <- string(b)
	}()
	<-started
	cancel() // SIGTERM arrives while a request is in flight
	time.Sleep(50 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("still accepting connections after shutdown began")
	}
	close(finish)
	if got := <-body; got != "done" {
		t.Errorf("in-flight request got %q", got)
	}
	if err := <-errc; err != nil {
		t.Errorf("ServeListener: %v", err)
	}
}

func TestServeBadAddr(t *testing.T) {
	t.Parallel()
	if err := Serve(context.Background(), "256.0.0.1:99999", http.NotFoundHandler(), zerolog.Nop()); err == nil {
		t.Error("bad address accepted")
	}
	s := NewHTTPServer(http.NotFoundHandler(), zerolog.Nop())
	if s.ReadHeaderTimeout == 0 || s.ReadTimeout == 0 || s.WriteTimeout == 0 || s.IdleTimeout == 0 || s.MaxHeaderBytes == 0 {
		t.Errorf("server without limits: %+v", s)
	}
}

func TestReadTokenFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string { return testfile.Write(t, dir, name, content) }
	if tok, err := ReadTokenFile(write("ok", testToken+"\n# comment\n")); err != nil || tok != testToken {
		t.Errorf("ok: %q %v", tok, err)
	}
	for name, content := range map[string]string{"empty": "\n", "short": "abc\n", "spaces": "abc def ghi jkl mno pqr\n",
		"huge": strings.Repeat("a", 5000)} {
		if _, err := ReadTokenFile(write(name, content)); err == nil {
			t.Errorf("%s token accepted", name)
		}
	}
	if _, err := ReadTokenFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestNewPanicsWithoutChecker(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("New without NewChecker did not panic")
		}
	}()
	New(Options{})
}

// With a Trend source (the state database), the page's trend comes from it, not from report files.
func TestTrendFromState(t *testing.T) {
	calls := 0
	f := newFixture(t, func(o *Options) {
		o.Trend = func() ([]TrendPoint, error) {
			calls++
			if calls > 1 {
				return nil, errors.New("state locked")
			}
			return []TrendPoint{{ScanID: "night-1", UnapprovedMartechVendors: 7}, {ScanID: "night-2", UnapprovedMartechVendors: 5}}, nil
		}
	})
	_, b := f.get(t, "/api/report/summary", nil)
	if s := decode[Summary](t, b); len(s.Trend) != 2 || s.Trend[1].ScanID != "night-2" || s.Trend[0].UnapprovedMartechVendors != 7 {
		t.Errorf("trend from the state: %+v", s.Trend)
	}
	_, b = f.get(t, "/api/report/summary", nil)
	if s := decode[Summary](t, b); s.Trend == nil || len(s.Trend) != 0 {
		t.Errorf("a state error must give an empty trend, got %+v", s.Trend)
	}
}

// TestSummaryCategoryNames: "What we use" is grouped under category names, not the report's IDs.
func TestSummaryCategoryNames(t *testing.T) {
	rep := checktest.Report()
	for i := range rep.Inventory {
		rep.Inventory[i].Vendor.Category = "advertising_promotion"
	}
	f := newFixture(t, func(o *Options) {
		o.CategoryName = func(id string) string {
			return map[string]string{"advertising_promotion": "Advertising & promotion"}[id]
		}
	})
	writeReport(t, f.report, rep)
	_, b := f.get(t, "/api/report/summary", nil)
	s := decode[Summary](t, b)
	if len(s.Categories) != 1 || s.Categories[0].Category != "Advertising & promotion" {
		t.Errorf("categories: %+v", s.Categories)
	}
}
