package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
)

// TestCheckAndScanAgreeOnGraphConsent: `shadowscan check` on a Microsoft consent URL and `shadowscan scan` of a
// tenant where that consent was given (the microsoft provider's export mode) come to the same verdict, with the
// same scope classes and the same scopes beyond the approved ceiling.
func TestCheckAndScanAgreeOnGraphConsent(t *testing.T) {
	const (
		hubspot = "0b6c1c38-4b0a-4e6e-9a5e-2f1d6b8f1a01" // in the catalogue; approved in the demo with a ceiling
		unknown = "3f1c2a4e-0000-4000-8000-000000000001" // no vendor
		graph   = "00000003-0000-0000-c000-000000000000"
	)
	dir := t.TempDir()
	approved, err := filepath.Abs("../../configs/demo/approved.yaml")
	if err != nil {
		t.Fatal(err)
	}
	export := map[string]any{
		"servicePrincipals": []map[string]any{
			{"Id": "sp-graph", "AppId": graph, "DisplayName": "Microsoft Graph", "AppOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a"},
			{"Id": "sp-hub", "AppId": hubspot, "DisplayName": "HubSpot", "AppOwnerOrganizationId": "22222222-2222-4222-8222-222222222222",
				"VerifiedPublisher": map[string]any{"DisplayName": "HubSpot, Inc.", "VerifiedPublisherId": "5001234"}},
			{"Id": "sp-x", "AppId": unknown, "DisplayName": "LeadMagnet Pro", "AppOwnerOrganizationId": "33333333-3333-4333-8333-333333333333"},
		},
		"oauth2PermissionGrants": []map[string]any{
			{"Id": "g1", "ClientId": "sp-hub", "ConsentType": "AllPrincipals", "ResourceId": "sp-graph", "Scope": "Mail.Read offline_access openid"},
			{"Id": "g2", "ClientId": "sp-x", "ConsentType": "Principal", "PrincipalId": "u1", "ResourceId": "sp-graph", "Scope": "Mail.Read User.Read"},
		},
	}
	data, _ := json.Marshal(export)
	if err := os.WriteFile(filepath.Join(dir, "entra.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "shadowscan.yaml")
	if err := os.WriteFile(cfg, []byte(`organization: {name: Northwind Outfitters, domains: [northwind.example]}
policy: {approved_file: `+approved+`}
providers:
  - {type: microsoft, name: entra, tenant_id: 9c1d7a52-3e8b-4f1a-b6d2-0e5f4c3a2b10, export_file: entra.json}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "report.json")
	sr := run(t, nil, "scan", "--config", cfg, "--format", "json", "--output", out, "--log-level", "error")
	if sr.code != exitFindings {
		t.Fatalf("scan exit %d; stderr %s", sr.code, sr.stderr)
	}
	var rep scanner.Report
	raw, _ := os.ReadFile(out)
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	findings := func(vendor string) map[string]scanner.Finding {
		m := map[string]scanner.Finding{}
		for _, f := range rep.Findings {
			id := ""
			if f.Vendor != nil {
				id = f.Vendor.ID
			}
			if id == vendor {
				m[f.RuleID] = f
			}
		}
		return m
	}

	type checkScope struct {
		Scope          string `json:"scope"`
		Class          string `json:"class"`
		BeyondApproval bool   `json:"beyond_approval"`
	}
	type checkResult struct {
		Verdict              string       `json:"verdict"`
		AdminConsent         bool         `json:"admin_consent"`
		Scopes               []checkScope `json:"scopes"`
		ScopesBeyondApproval bool         `json:"scopes_beyond_approval"`
	}
	check := func(url string) (checkResult, int) {
		r := run(t, nil, "check", "--config", cfg, "--format", "json", url)
		var c checkResult
		if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
			t.Fatalf("check output: %v\n%s%s", err, r.stdout, r.stderr)
		}
		return c, r.code
	}

	// HubSpot: approved, but Mail.Read and offline_access are beyond its ceiling.
	c, code := check("https://login.microsoftonline.com/common/v2.0/adminconsent?client_id=" + hubspot +
		"&scope=https://graph.microsoft.com/Mail.Read%20offline_access%20openid&redirect_uri=https://app.hubspot.com/oauth")
	if c.Verdict != "approved" || !c.ScopesBeyondApproval || code != 1 || !c.AdminConsent {
		t.Errorf("check on HubSpot's consent URL: %+v exit %d", c, code)
	}
	var beyond []string
	for _, s := range c.Scopes {
		if want := policy.ScopeClass(s.Scope); s.Class != want {
			t.Errorf("check classes %s as %s, scan as %s", s.Scope, s.Class, want)
		}
		if s.BeyondApproval {
			beyond = append(beyond, policy.NormalizeScope(s.Scope))
		}
	}
	slices.Sort(beyond)
	hub := findings("hubspot")
	f, ok := hub["scopes-beyond-ceiling"]
	if !ok {
		t.Fatalf("scan has no scopes-beyond-ceiling finding for HubSpot: %v", hub)
	}
	if !strings.Contains(f.Message, strings.Join(beyond, ", ")+" (allowed") {
		t.Errorf("check says beyond the ceiling: %v; scan says: %s", beyond, f.Message)
	}
	if _, ok := hub["entra-tenant-wide-consent-unapproved"]; ok {
		t.Errorf("an approved vendor's tenant-wide consent is not unapproved")
	}

	// An app no vendor matches: check says unknown (needs IT), scan reports its restricted scope as unapproved.
	c, code = check("https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=" + unknown +
		"&scope=Mail.Read%20User.Read&response_type=code")
	if c.Verdict != "unknown" || code != 1 {
		t.Errorf("check on an unknown app's consent URL: %+v exit %d", c, code)
	}
	restricted := false
	for _, s := range c.Scopes {
		restricted = restricted || s.Class == policy.ClassRestricted
	}
	unk := findings("")
	if _, ok := unk["restricted-scopes-unapproved-app"]; !restricted || !ok {
		t.Errorf("check sees a restricted scope: %v; scan findings for the unknown app: %v", restricted, unk)
	}
}
