package check_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/internal/golden"
	"github.com/shadowscan/shadowscan/rules/check"
	"github.com/shadowscan/shadowscan/rules/check/checktest"
	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
)

func demoChecker(rep *scanner.Report) *check.Checker {
	cat, appr := checktest.Demo()
	c := check.New(cat, appr, rep)
	c.Now = func() time.Time { return checktest.Now }
	return c
}

const (
	googleAuth = "https://accounts.google.com/o/oauth2/v2/auth"
	hotjarURL  = googleAuth + "?client_id=" + checktest.HotjarClientID +
		"&redirect_uri=https%3A%2F%2Finsights.hotjar.com%2Fapi%2Fv2%2Fgoogle%2Fcallback&response_type=code&scope=openid+email+profile"
	leadMagnetURL = googleAuth + "?client_id=" + checktest.LeadMagnetClientID +
		"&redirect_uri=https://app.leadmagnet-pro.example/oauth&response_type=code&access_type=offline" +
		"&scope=openid%20email%20https://www.googleapis.com/auth/gmail.readonly%20https://www.googleapis.com/auth/drive.readonly"
	hubspotGmailURL = googleAuth + "?client_id=" + checktest.HubSpotClientID +
		"&scope=openid+email+https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcalendar.readonly+https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fgmail.readonly"
	hubspotOKURL = googleAuth + "?client_id=" + checktest.HubSpotClientID +
		"&scope=openid+email+profile+https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcalendar.events"
	msAdminURL = "https://login.microsoftonline.com/common/v2.0/adminconsent?client_id=" + checktest.HubSpotEntraAppID +
		"&scope=https://graph.microsoft.com/Mail.Read%20offline_access&redirect_uri=https://app.hubspot.com/oauth"
	unknownMSURL = "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=11111111-2222-3333-4444-555555555555" +
		"&scope=Mail.Read+Files.Read.All+User.Read&redirect_uri=https://app.unknown-tool.example/cb"
)

// TestVerdicts is the table of every query form and every verdict.
func TestVerdicts(t *testing.T) {
	t.Parallel()
	c := demoChecker(checktest.Report())
	tests := []struct {
		name, query, kind, verdict, vendor string
		exit                               int
		alts                               []string // alternative vendor IDs, in order
		suggest                            string   // first suggestion ID
		users                              int
		beyond                             bool
	}{
		{"name unapproved", "hotjar", check.KindName, check.VerdictUnapproved, "hotjar", 1, []string{"fullstory"}, "", 1, false},
		{"name case and spaces", "Hot Jar", check.KindName, check.VerdictUnapproved, "hotjar", 1, []string{"fullstory"}, "", 1, false},
		{"alias", "hotjar insights", check.KindName, check.VerdictUnapproved, "hotjar", 1, []string{"fullstory"}, "", 1, false},
		{"typo: did you mean", "hotjr", check.KindName, check.VerdictUnknown, "", 1, nil, "hotjar", 0, false},
		{"unknown name", "Frobnicator 3000", check.KindName, check.VerdictUnknown, "", 1, nil, "", 0, false},
		{"approved", "FullStory", check.KindName, check.VerdictApproved, "fullstory", 0, nil, "", 0, false},
		{"tolerated", "canva", check.KindName, check.VerdictTolerated, "canva", 0, nil, "", 1, false},
		{"review", "Semrush", check.KindName, check.VerdictReview, "semrush", 1, nil, "", 1, false},
		{"banned", "apollo", check.KindName, check.VerdictBanned, "apollo", 4, nil, "", 1, false},
		{"banned by domain alias", "apollo.io", check.KindDomain, check.VerdictBanned, "apollo", 4, nil, "", 1, false},
		{"expired", "mailchimp", check.KindName, check.VerdictExpired, "mailchimp", 1, []string{"hubspot"}, "", 1, false},
		{"unapproved with approved alternative", "klaviyo", check.KindName, check.VerdictUnapproved, "klaviyo", 1, []string{"hubspot"}, "", 0, false},
		{"not martech, approved", "zoom", check.KindName, check.VerdictApproved, "zoom", 0, nil, "", 1, false},
		{"domain", "hotjar.com", check.KindDomain, check.VerdictUnapproved, "hotjar", 1, []string{"fullstory"}, "", 1, false},
		{"subdomain", "static.hotjar.com", check.KindDomain, check.VerdictUnapproved, "hotjar", 1, []string{"fullstory"}, "", 1, false},
		{"unknown domain suggests by label", "hotjar.net", check.KindDomain, check.VerdictUnknown, "", 1, nil, "hotjar", 0, false},
		{"url", "https://www.hotjar.com/pricing/", check.KindURL, check.VerdictUnapproved, "hotjar", 1, []string{"fullstory"}, "", 1, false},
		{"google consent by client id", hotjarURL, check.KindGoogleConsent, check.VerdictUnapproved, "hotjar", 1, []string{"fullstory"}, "", 1, false},
		{"google consent by redirect host", strings.Replace(hotjarURL, checktest.HotjarClientID, "555-new.apps.googleusercontent.com", 1),
			check.KindGoogleConsent, check.VerdictUnapproved, "hotjar", 1, []string{"fullstory"}, "", 1, false},
		{"google consent unknown app in report", leadMagnetURL, check.KindGoogleConsent, check.VerdictUnknown, "", 1, nil, "", 2, false},
		{"google consent approved within ceiling", hubspotOKURL, check.KindGoogleConsent, check.VerdictApproved, "hubspot", 0,
			[]string{"salesforce"}, "", 3, false},
		{"google consent approved beyond ceiling", hubspotGmailURL, check.KindGoogleConsent, check.VerdictApproved, "hubspot", 1,
			[]string{"salesforce"}, "", 3, true},
		{"microsoft admin consent", msAdminURL, check.KindMicrosoftConsent, check.VerdictApproved, "hubspot", 1, []string{"salesforce"}, "", 3, true},
		{"microsoft unknown app", unknownMSURL, check.KindMicrosoftConsent, check.VerdictUnknown, "", 1, nil, "", 0, false},
		{"google client id", checktest.ApolloClientID, check.KindGoogleClientID, check.VerdictBanned, "apollo", 4, nil, "", 1, false},
		{"google client id unknown, seen", checktest.LeadMagnetClientID, check.KindGoogleClientID, check.VerdictUnknown, "", 1, nil, "", 2, false},
		{"entra app id", checktest.HubSpotEntraAppID, check.KindEntraAppID, check.VerdictApproved, "hubspot", 0, []string{"salesforce"}, "", 3, false},
		{"aws account approved", checktest.SegmentAWSAccount, check.KindAWSAccount, check.VerdictApproved, "segment", 0, nil, "", 0, false},
		{"aws account unapproved", "arn:aws:iam::324528010823:root", check.KindAWSAccount, check.VerdictUnapproved, "hightouch", 1,
			[]string{"segment"}, "", 0, false},
		{"aws account unknown", "999988887777", check.KindAWSAccount, check.VerdictUnknown, "", 1, nil, "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := c.Check(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if r.QueryKind != tt.kind || r.Verdict != tt.verdict || r.ExitCode != tt.exit {
				t.Errorf("kind, verdict, exit = %s, %s, %d; want %s, %s, %d (reason %q)", r.QueryKind, r.Verdict, r.ExitCode,
					tt.kind, tt.verdict, tt.exit, r.Reason)
			}
			gotVendor := ""
			if r.Vendor != nil {
				gotVendor = r.Vendor.ID
			}
			if gotVendor != tt.vendor {
				t.Errorf("vendor = %q, want %q", gotVendor, tt.vendor)
			}
			var alts []string
			for _, a := range r.Alternatives {
				alts = append(alts, a.Vendor.ID)
			}
			if strings.Join(alts, ",") != strings.Join(tt.alts, ",") {
				t.Errorf("alternatives = %v, want %v", alts, tt.alts)
			}
			if tt.suggest != "" && (len(r.Suggestions) == 0 || r.Suggestions[0].ID != tt.suggest) {
				t.Errorf("suggestions = %+v, want %s first", r.Suggestions, tt.suggest)
			}
			if r.Usage == nil || r.Usage.UserCount != tt.users || len(r.Usage.Users) != tt.users {
				t.Errorf("usage = %+v, want %d users", r.Usage, tt.users)
			}
			if r.ScopesBeyondApproval != tt.beyond {
				t.Errorf("scopes beyond approval = %v, want %v (%+v)", r.ScopesBeyondApproval, tt.beyond, r.Scopes)
			}
			if r.NextStep == "" || !strings.HasPrefix(r.RequestMarkdown, "## Request: ") {
				t.Errorf("next step %q, request %q", r.NextStep, r.RequestMarkdown)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	want := map[string]int{"approved": 0, "tolerated": 0, "review": 1, "banned": 4, "expired": 1, "unapproved": 1, "unknown": 1,
		"no_config": 1}
	for _, v := range check.Verdicts {
		if got := check.ExitCode(v); got != want[v] {
			t.Errorf("ExitCode(%s) = %d, want %d", v, got, want[v])
		}
		if check.VerdictLabel(v) == "" {
			t.Errorf("no label for %s", v)
		}
	}
}

func TestCheckErrors(t *testing.T) {
	t.Parallel()
	c := demoChecker(nil)
	for _, q := range []string{"", "   ", strings.Repeat("x", check.MaxQueryLen+1), "https://accounts.google.com/o/oauth2/auth?scope=x"} {
		if _, err := c.Check(q); !check.IsQueryError(err) {
			t.Errorf("Check(%.40q) error = %v, want a QueryError", q, err)
		}
	}
}

func TestNoReport(t *testing.T) {
	t.Parallel()
	r, err := demoChecker(nil).Check("hotjar")
	if err != nil {
		t.Fatal(err)
	}
	if r.Usage != nil {
		t.Errorf("usage without a report = %+v", r.Usage)
	}
	var buf bytes.Buffer
	if err := check.WriteText(&buf, r, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "No scan report (--report LAST.json, the state folder or check.report)") {
		t.Errorf("text does not say the report is missing:\n%s", buf.String())
	}
}

func TestNilDependencies(t *testing.T) {
	t.Parallel()
	c := check.New(nil, nil, nil)
	r, err := c.Check("hotjar")
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != check.VerdictUnknown || r.ExitCode != 1 {
		t.Errorf("verdict %s exit %d", r.Verdict, r.ExitCode)
	}
	cat, _ := checktest.Demo()
	r, err = check.New(cat, nil, nil).Check(hubspotGmailURL)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != check.VerdictUnapproved || r.Scopes[0].Class != policy.ClassUnknown {
		t.Errorf("verdict %s scopes %+v", r.Verdict, r.Scopes)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	c := demoChecker(checktest.Report())
	for _, q := range []string{"hotjar", leadMagnetURL, "hubspot"} {
		r, err := c.Check(q, check.Redact())
		if err != nil {
			t.Fatal(err)
		}
		if !r.Redacted || r.Usage == nil || r.Usage.UserCount == 0 || len(r.Usage.Users) != 0 {
			t.Errorf("%s: redacted usage = %+v", q, r.Usage)
		}
		for _, f := range check.Formats {
			var buf bytes.Buffer
			if err := check.Write(&buf, f, r, 0); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{"alice", "ben.okafor", "priya", "chloe", "dan.weber"} {
				if strings.Contains(buf.String(), p) {
					t.Errorf("%s %s output names %s", q, f, p)
				}
			}
		}
	}
}

// TestSameAnswer: the name, the consent URL and the domain give the same verdict and alternatives (the issue's
// "done when").
func TestSameAnswer(t *testing.T) {
	t.Parallel()
	c := demoChecker(checktest.Report())
	var first *check.Result
	for _, q := range []string{"hotjar", hotjarURL, "insights.hotjar.com"} {
		r, err := c.Check(q)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = r
			continue
		}
		if r.Verdict != first.Verdict || r.Vendor.ID != first.Vendor.ID || len(r.Alternatives) != len(first.Alternatives) ||
			r.Alternatives[0] != first.Alternatives[0] {
			t.Errorf("%s: %s %+v; %s gave %s %+v", q, r.Verdict, r.Alternatives, first.Query, first.Verdict, first.Alternatives)
		}
	}
}

func TestHostileText(t *testing.T) {
	t.Parallel()
	c := demoChecker(checktest.Report())
	q := "evil\u202e<script>alert(1)</script>|`x`*[y](javascript:z)"
	r, err := c.Check(q)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range check.Formats {
		var buf bytes.Buffer
		if err := check.Write(&buf, f, r, 0); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if strings.Contains(out, "\u202e") || strings.Contains(out, "\x1b") {
			t.Errorf("%s output holds a bidi or escape character", f)
		}
		if f == "markdown" && strings.Contains(out, "<script>") {
			t.Errorf("%s output holds raw HTML:\n%s", f, out)
		}
		if f == "markdown" && strings.Contains(out, "[y](") {
			t.Errorf("markdown output holds a live link:\n%s", out)
		}
	}
	if strings.Contains(r.RequestMarkdown, "<script>") || strings.Contains(r.RequestMarkdown, "[y](") {
		t.Errorf("request is not escaped:\n%s", r.RequestMarkdown)
	}
}

func TestTextWidth(t *testing.T) {
	t.Parallel()
	c := demoChecker(checktest.Report())
	long := googleAuth + "?client_id=" + checktest.LeadMagnetClientID + "&scope=" + strings.Repeat("https://www.googleapis.com/auth/x"+strings.Repeat("y", 120)+"+", 5)
	for _, q := range []string{"hotjar", leadMagnetURL, long, msAdminURL} {
		r, err := c.Check(q)
		if err != nil {
			t.Fatal(err)
		}
		// The terminal's width (0: the default, 100); narrower than 40 is laid out in 40.
		for width, fits := range map[int]int{0: 100, 60: 60, 132: 132, 10: 40} {
			var buf bytes.Buffer
			if err := check.WriteText(&buf, r, width); err != nil {
				t.Fatal(err)
			}
			widest := 0
			for i, l := range strings.Split(buf.String(), "\n") {
				n := len([]rune(l))
				widest = max(widest, n)
				if n > fits {
					t.Errorf("%.30s at width %d: line %d has %d runes: %q", q, width, i+1, n, l)
				}
			}
			if width == 132 && widest <= 100 {
				t.Errorf("%.30s at width 132: no line wider than 100 (%d): the width is not used", q, widest)
			}
		}
	}
}

func TestWriteRequestFile(t *testing.T) {
	t.Parallel()
	r, err := demoChecker(checktest.Report()).Check("hotjar")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "request.md")
	if err := check.WriteRequestFile(p, 0, r); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("new request file mode: %v, %v (want 600: it can name people)", fi.Mode(), err)
	}
	b, err := os.ReadFile(p)
	if err != nil || string(b) != r.RequestMarkdown {
		t.Errorf("request file = %q, %v", b, err)
	}
	if err := check.WriteRequestFile(filepath.Join(t.TempDir(), "missing", "r.md"), 0, r); err == nil {
		t.Error("writing into a missing folder did not fail")
	}
	if err := check.Write(&bytes.Buffer{}, "yaml", r, 0); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	c := demoChecker(nil)
	got := c.Suggest("ho", 5)
	if len(got) == 0 || got[0].ID != "hotjar" || got[0].Verdict != check.VerdictUnapproved {
		t.Errorf("Suggest(ho) = %+v", got)
	}
	if got := c.Suggest("  ", 5); len(got) != 0 {
		t.Errorf("Suggest(blank) = %+v", got)
	}
	if got := c.Suggest("full", 5); len(got) != 1 || got[0].Verdict != check.VerdictApproved {
		t.Errorf("Suggest(full) = %+v", got)
	}
}

// TestGolden pins the three output formats for the demo organisation.
func TestGolden(t *testing.T) {
	t.Parallel()
	c := demoChecker(checktest.Report())
	cases := []struct{ name, query string }{
		{"hotjar", "hotjar"},
		{"hotjar-consent", hotjarURL},
		{"leadmagnet-consent", leadMagnetURL},
		{"hubspot-gmail", hubspotGmailURL},
		{"apollo", "apollo"},
		{"mailchimp", "mailchimp"},
		{"semrush", "semrush"},
		{"canva", "canva"},
		{"typo", "hotjr"},
		{"ms-adminconsent", msAdminURL},
		{"aws-hightouch", "324528010823"},
		{"leadmagnet-name", "LeadMagnet Pro"},
		{"leadmagnet-domain", "www.leadmagnetpro.io"},
		{"request-to-email", "hotjar"},
		{"request-to-url", "semrush"},
		{"no-config", "hubspot"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := c
			switch tc.name {
			case "request-to-email":
				c = demoChecker(checktest.Report())
				c.Config, c.RequestTo = "shadowscan.yaml (--config)", "it-requests@northwind.example"
			case "request-to-url":
				c = demoChecker(checktest.Report())
				c.Config, c.RequestTo = "shadowscan.yaml (found at shadowscan.yaml)", "https://it.northwind.example/forms/new-saas"
			case "no-config":
				cat, _ := checktest.Demo()
				c = check.New(cat, nil, checktest.Report())
				c.Now = demoChecker(nil).Now
				c.NoConfig, c.Config = true, "looked at --config, SHADOWSCAN_CONFIG, shadowscan.yaml, /etc/shadowscan/shadowscan.yaml"
			}
			r, err := c.Check(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct{ format, ext string }{{"text", "txt"}, {"json", "json"}, {"markdown", "md"}} {
				var buf bytes.Buffer
				if err := check.Write(&buf, f.format, r, 0); err != nil {
					t.Fatal(err)
				}
				golden.Check(t, filepath.Join("testdata", "golden", tc.name+"."+f.ext), buf.Bytes())
				if f.format == "json" {
					var back check.Result
					if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back.Verdict != r.Verdict {
						t.Errorf("JSON does not round-trip: %v", err)
					}
				}
			}
		})
	}
}

func BenchmarkCheckName(b *testing.B) {
	c := demoChecker(checktest.Report())
	for b.Loop() {
		if _, err := c.Check("hotjar"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckConsentURL(b *testing.B) {
	c := demoChecker(checktest.Report())
	for b.Loop() {
		if _, err := c.Check(leadMagnetURL); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseQuery(b *testing.B) {
	for b.Loop() {
		if _, err := check.ParseQuery(hubspotGmailURL); err != nil {
			b.Fatal(err)
		}
	}
}

// TestUnidentifiedLookups: an app the catalogue does not know, but the last scan saw, is "in use", whether asked
// for by name, by client ID or by domain.
func TestUnidentifiedLookups(t *testing.T) {
	t.Parallel()
	c := demoChecker(checktest.Report())
	for _, q := range []string{"LeadMagnet Pro", "leadmagnet pro", checktest.LeadMagnetClientID, leadMagnetURL} {
		r, err := c.Check(q)
		if err != nil {
			t.Fatal(err)
		}
		if r.Vendor != nil || r.Usage == nil || !r.Usage.InReport || r.Usage.UserCount != 2 || len(r.Usage.Scopes) != 2 {
			t.Errorf("%.40s: usage %+v, want 2 people with 2 scopes", q, r.Usage)
			continue
		}
		if !strings.Contains(r.NextStep, "already in use here: 2 people granted it drive.readonly, gmail.readonly") {
			t.Errorf("%.40s: next step does not say it is in use: %s", q, r.NextStep)
		}
	}
	for q, users := range map[string]int{"leadmagnetpro.io": 1, "https://www.leadmagnetpro.io/pricing": 1, "999988887777": 0} {
		r, err := c.Check(q)
		if err != nil {
			t.Fatal(err)
		}
		if r.Usage == nil || !r.Usage.InReport || r.Usage.UserCount != users {
			t.Errorf("%s: usage %+v, want in the report with %d users", q, r.Usage, users)
		}
	}
	r, _ := c.Check("Nobody Uses This App")
	if r.Usage == nil || r.Usage.InReport {
		t.Errorf("an app the report does not list: %+v", r.Usage)
	}
}

// TestNoConfigGivesNoVerdict: without a config, a known vendor gets no approval verdict (not "not approved"), the
// answer says so at the top, and the exit code asks for IT.
func TestNoConfigGivesNoVerdict(t *testing.T) {
	t.Parallel()
	cat, _ := checktest.Demo()
	c := check.New(cat, nil, nil)
	c.NoConfig, c.Config = true, "looked at --config, SHADOWSCAN_CONFIG"
	for _, q := range []string{"hubspot", "apollo", "hotjar"} {
		r, err := c.Check(q)
		if err != nil {
			t.Fatal(err)
		}
		if r.Verdict != check.VerdictNoConfig || r.Approval != nil || r.ExitCode != check.ExitNeedsIT {
			t.Errorf("%s: verdict %s, approval %+v, exit %d", q, r.Verdict, r.Approval, r.ExitCode)
		}
		var buf bytes.Buffer
		if err := check.WriteText(&buf, r, 0); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(buf.String(), "No shadowscan config found") || strings.Contains(buf.String(), "NOT APPROVED") {
			t.Errorf("%s: text does not start by saying there is no config:\n%s", q, buf.String())
		}
	}
}
