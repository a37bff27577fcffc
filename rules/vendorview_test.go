package rules

import (
	"context"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// evalCase evaluates a record-stage expression over a whole case (record, resolution, approval).
func evalCase(t *testing.T, expr string, c *Case) bool {
	t.Helper()
	return evalStage(t, "record", expr, c)
}

// evalStage evaluates an expression at a stage over a case.
func evalStage(t *testing.T, stage, expr string, c *Case) bool {
	t.Helper()
	src := "rules:\n  - id: t\n    title: t\n    severity: low\n    stage: " + stage + "\n    message: m\n    remediation: r\n    when: '" +
		strings.ReplaceAll(expr, "'", "''") + "'\n"
	rs, errs := ParseFile("t.yaml", []byte(src))
	if len(errs) > 0 {
		t.Fatalf("%s: %v", expr, errs)
	}
	m, err := RunCase(context.Background(), rs[0], c)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return m != nil
}

// The vendor fields a rule reads, for a catalogue vendor and for the fallbacks of an unknown one.
func TestVendorFields(t *testing.T) {
	hubspot := scanner.Vendor{ID: "hubspot", Name: "HubSpot", Category: "management", Martech: true,
		Subcategories: []string{"marketing-automation", "crm"}}
	known := &Case{Record: &scanner.Record{Kind: "oauth_grant", ID: "r1"}, Resolution: scanner.Resolution{Vendor: &hubspot, Confidence: 0.9}}
	noHints := func(summary string) *Case {
		return &Case{Record: &scanner.Record{Kind: "saas_subscription", ID: "exp-7", Summary: summary}}
	}
	for _, tc := range []struct {
		name string
		c    *Case
		expr string
	}{
		{"known", known, `vendor.known && vendor.id == "hubspot" && vendor.name == "HubSpot" && vendor.key == "hubspot" && vendor.martech`},
		{"subcategories", known, `vendor.subcategories == ["marketing-automation", "crm"] && "crm" in vendor.subcategories && vendor.subcategories[0] == "marketing-automation"`},
		{"subcategories twice", known, `vendor.subcategories.size() == 2 && vendor.subcategories.size() == 2`},
		{"no hints: the summary", noHints("Canva Pro"), `!vendor.known && vendor.name == "Canva Pro" && vendor.key == "kind:saas_subscription"`},
		{"no hints, no summary: the record ID", noHints(""), `vendor.name == "exp-7" && vendor.id == "" && vendor.subcategories == []`},
	} {
		if !evalCase(t, tc.expr, tc.c) {
			t.Errorf("%s: %s is false", tc.name, tc.expr)
		}
	}
}
