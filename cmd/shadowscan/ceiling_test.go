package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/web"
)

// hubspotClientID is a Google client ID the catalogue does not know: the vendor is found by its domain.
const hubspotClientID = "70328549120-hubspot.apps.googleusercontent.com"

// ceilingCases is the one ceiling table: each row is asked of `scan` (rule scopes-beyond-ceiling), `check` and
// serve's /api/check, which must all give the same answer. The semantics are documented in rules/policy.
var ceilingCases = []struct {
	name, ceiling, scope string
	beyond               bool
}{
	// A ceiling written as a URL and a grant holding the same URL: both normalise to mail.google.com.
	{"full gmail url", "https://mail.google.com/", "https://mail.google.com/", false},
	{"question mark", "gmail.readonl?", "https://www.googleapis.com/auth/gmail.readonly", false},
	{"character class", "mail.[rs]ead", "https://graph.microsoft.com/Mail.Read", false},
	{"graph guid prefix", "00000003-0000-0000-c000-000000000000/Mail.Read*", "Mail.ReadWrite", false},
	// '*' stays within a segment: a ceiling only widens where it says so.
	{"star and slash", "drive*", "https://www.googleapis.com/auth/drive/x", true},
	{"alias", "userinfo.*", "email", false},
	{"outside", "calendar.*", "https://www.googleapis.com/auth/gmail.readonly", true},
	{"case", "CALENDAR.READONLY", "https://www.googleapis.com/auth/calendar.readonly", false},
}

func TestCeilingOneAnswer(t *testing.T) {
	for _, tc := range ceilingCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			testfile.Write(t, dir, "approved.yaml", fmt.Sprintf("- {vendor: hubspot, status: approved, owner: it, scopes: [%q]}\n", tc.ceiling))
			rec, _ := json.Marshal(map[string]any{"kind": "oauth_grant", "id": "g1",
				"hints":     []map[string]string{{"type": "google_client_id", "value": hubspotClientID}, {"type": "domain", "value": "hubspot.com"}},
				"principal": map[string]string{"type": "user", "email": "a@example.com"}, "scopes": []string{tc.scope}})
			testfile.Write(t, dir, "records.ndjson", string(rec)+"\n")
			cfg := testfile.Write(t, dir, "shadowscan.yaml", `organization: {name: Test Org, domains: [example.com]}
policy: {approved_file: approved.yaml}
providers:
  - {type: inventory, name: inv, files: [records.ndjson]}
`)
			// scan
			out := filepath.Join(dir, "report.json")
			if r := run(t, nil, "scan", "--config", cfg, "--format", "json", "--output", out, "--log-level", "error"); r.code != 0 && r.code != exitFindings {
				t.Fatalf("scan exit %d: %s", r.code, r.stderr)
			}
			var rep struct {
				Findings []struct {
					RuleID string `json:"rule_id"`
				} `json:"findings"`
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &rep); err != nil {
				t.Fatal(err)
			}
			scanBeyond := false
			for _, f := range rep.Findings {
				scanBeyond = scanBeyond || f.RuleID == "scopes-beyond-ceiling"
			}

			// check
			consent := "https://accounts.google.com/o/oauth2/v2/auth?client_id=" + hubspotClientID + "&redirect_uri=" +
				url.QueryEscape("https://app.hubspot.com/oauth/callback") + "&scope=" + url.QueryEscape(tc.scope)
			r := run(t, nil, "check", "--config", cfg, "--format", "json", consent)
			var res struct {
				Verdict string `json:"verdict"`
				Beyond  bool   `json:"scopes_beyond_approval"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatalf("check output: %v\n%s\n%s", err, r.stdout, r.stderr)
			}
			if res.Verdict != "approved" {
				t.Fatalf("check verdict %q, want approved (stderr %s)", res.Verdict, r.stderr)
			}

			// serve
			a := newApp(&strings.Builder{}, &strings.Builder{})
			a.environ = nil // the machine's SHADOWSCAN_* variables are not this test's config
			p, err := a.loadCheckPipeline(cfg)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(web.New(web.Options{NewChecker: p.newChecker}))
			defer srv.Close()
			resp, err := http.Get(srv.URL + "/api/check?q=" + url.QueryEscape(consent))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var served struct {
				Beyond bool `json:"scopes_beyond_approval"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&served); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("serve: %d %v", resp.StatusCode, err)
			}

			if scanBeyond != tc.beyond || res.Beyond != tc.beyond || served.Beyond != tc.beyond {
				t.Errorf("ceiling %q, scope %q: scan beyond=%v, check beyond=%v, serve beyond=%v; want %v",
					tc.ceiling, tc.scope, scanBeyond, res.Beyond, served.Beyond, tc.beyond)
			}
		})
	}
}
