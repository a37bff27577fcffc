package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/internal/dnstest"
	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/scanner"
)

// A CNAME in a Route 53 zone whose target is NXDOMAIN is the dns provider's dangling-CNAME finding: config key,
// provider, shared DNS check and rule, end to end (the export file stands in for the API; the DNS server is real,
// on loopback).
func TestRoute53DanglingCNAMEFinding(t *testing.T) {
	srv := dnstest.New(t, "northwind-lp.unbouncepages.com. 300 IN A 192.0.2.7")
	dir := t.TempDir()
	testfile.Write(t, dir, "zone.json", `{"ResourceRecordSets": [
  {"Name": "promo.northwind.example.", "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": "pages.landing-vendor.example."}]},
  {"Name": "lp.northwind.example.", "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": "northwind-lp.unbouncepages.com."}]}
]}`)
	cfg := testfile.Write(t, dir, "shadowscan.yaml", `organization: {name: Northwind, domains: [northwind.example]}
providers:
  - type: aws
    name: aws
    dns: {dangling_cnames: true, resolver: "`+srv.Addr+`", timeout_per_query: 1s}
    export:
      account_id: "210987654321"
      route53_record_sets: [{zone: northwind.example, file: zone.json}]
`)
	r := run(t, nil, "scan", "--config", cfg, "--format", "json")
	if r.code != exitFindings {
		t.Fatalf("exit %d, want 1: %s", r.code, r.stderr)
	}
	var rep scanner.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		if f.RuleID == "dangling-marketing-cname" {
			// The message names the name (the group); the record's evidence names the target.
			s := f.Message
			for _, e := range f.Evidence {
				s += " | " + e.Summary
			}
			got = append(got, s)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "promo.northwind.example is a CNAME") ||
		!strings.Contains(got[0], "pages.landing-vendor.example") {
		t.Errorf("dangling findings %q", got)
	}
	for _, c := range rep.Coverage {
		if c.Status != "complete" {
			t.Errorf("coverage %+v", c)
		}
	}
}
