package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/web"
)

// An approved-tools file naming vendors the catalogue lacks: they become local vendors, recognised by their
// signals (or by name) in scan, check, catalog list and doctor, with a warning, never exit 2.
func TestLocalVendorsEndToEnd(t *testing.T) {
	dir := t.TempDir()
	testfile.Write(t, dir, "approved.yaml", `
- vendor: LeadForge
  status: approved
  owner: marketing-ops@example.com
  domains: [leadforge.example]
  spf: [spf.leadforge.example]
- vendor: Qqzzy Widgets
  status: banned
  merchants: ["QQZZY WIDGETS"]
- vendor: Nameonly Tool
  status: approved
`)
	testfile.Write(t, dir, "suppressions.yaml", `
- {rule: banned-vendor, vendor: Nonesuch Tool, owner: it, reason: not ours, expires: 2030-01-01}
`)
	testfile.Write(t, dir, "records.ndjson", strings.Join([]string{
		`{"kind":"dns_record","id":"promo.example.com","hints":[{"type":"cname_target","value":"pages.leadforge.example"}]}`,
		`{"kind":"dns_record","id":"example.com/spf","hints":[{"type":"spf_include","value":"spf.leadforge.example"}]}`,
		`{"kind":"expense","id":"e1","hints":[{"type":"merchant","value":"QQZZY WIDGETS"}]}`,
		`{"kind":"app","id":"a1","hints":[{"type":"name","value":"Nameonly Tool"}]}`,
	}, "\n")+"\n")
	cfg := testfile.Write(t, dir, "shadowscan.yaml", `organization: {name: Test Org, domains: [example.com]}
policy: {approved_file: approved.yaml, suppressions_file: suppressions.yaml}
providers:
  - {type: inventory, name: inv, files: [records.ndjson]}
`)
	r := run(t, nil, "scan", "--config", cfg, "--format", "json", "--log-format", "json")
	// The banned local vendor is a high finding: exit 1, not 2.
	if r.code != exitFindings {
		t.Fatalf("exit %d, want 1: %s", r.code, r.stderr)
	}
	var rep scanner.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range rep.Inventory {
		got[it.Vendor.ID] = it.Approval
	}
	want := map[string]string{"leadforge": "approved", "qqzzy-widgets": "banned", "nameonly-tool": "approved"}
	for id, st := range want {
		if got[id] != st {
			t.Errorf("inventory %s = %q, want %q (all: %v)", id, got[id], st, got)
		}
	}
	if len(rep.Unidentified) != 0 {
		t.Errorf("unidentified: %+v", rep.Unidentified)
	}
	var rules []string
	for _, f := range rep.Findings {
		rules = append(rules, f.RuleID+"/"+f.Vendor.ID)
	}
	if strings.Join(rules, ",") != "banned-vendor/qqzzy-widgets" {
		t.Errorf("findings %v, want only banned-vendor/qqzzy-widgets", rules)
	}
	for _, w := range []string{
		`approved.yaml:2:11: vendor \"LeadForge\" is not in the catalogue: it is a local vendor recognised by its domains, spf`,
		`approved.yaml:10:11: vendor \"Nameonly Tool\" is not in the catalogue: it is a local vendor matched by name only`,
		`suppressions.yaml:2:33: suppression 1: vendor \"Nonesuch Tool\" is not in the catalogue or the approved-tools file`,
	} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("no warning %q in\n%s", w, r.stderr)
		}
	}

	if c := run(t, nil, "check", "--config", cfg, "leadforge"); c.code != 0 || !strings.Contains(c.stdout, "APPROVED") {
		t.Errorf("check leadforge: exit %d\n%s%s", c.code, c.stdout, c.stderr)
	}
	if c := run(t, nil, "check", "--config", cfg, "pages.leadforge.example"); c.code != 0 {
		t.Errorf("check pages.leadforge.example: exit %d\n%s%s", c.code, c.stdout, c.stderr)
	}
	// serve answers as check does.
	srv := httptest.NewServer(web.New(web.Options{NewChecker: checkPipeline(t, cfg).newChecker}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/check?q=leadforge")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Verdict string `json:"verdict"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || v.Verdict != "approved" {
		t.Errorf("serve /api/check?q=leadforge: verdict %q, %v", v.Verdict, err)
	}
	resp.Body.Close()
	l := run(t, nil, "catalog", "list", "--config", cfg)
	if !strings.Contains(l.stdout, "LeadForge (local)") || !strings.Contains(l.stdout, "Qqzzy Widgets (local)") {
		t.Errorf("catalog list does not mark local vendors:\n%s", l.stdout)
	}
	d := run(t, nil, "doctor", "--config", cfg)
	if !strings.Contains(d.stdout, "3 local vendor(s)") || !strings.Contains(d.stdout, `WARN  `+dir) {
		t.Errorf("doctor:\n%s", d.stdout)
	}

	// A bad signal value or one another vendor claims stops the scan with the file and line.
	testfile.Write(t, dir, "approved.yaml", `
- vendor: LeadForge
  status: approved
  domains: [hubspot.com, "not a domain"]
`)
	r = run(t, nil, "scan", "--config", cfg)
	if r.code != exitUsage || !strings.Contains(r.stderr, `approved.yaml:4: entry "leadforge": domain "hubspot.com" is also claimed by vendor "hubspot"`) ||
		!strings.Contains(r.stderr, `approved.yaml:4: entry "leadforge": domains[1] "not a domain"`) {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}
