package catalog

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Loading an organisation's files checks only what they add (validateLater): the built-in layer is trusted. Over the
// clean built-in catalogue that must report exactly what checking everything reports (validateAll), for every kind
// of collision between an organisation's entry and a built-in one, or between two of the organisation's.
func TestValidateLaterReportsWhatValidateAllReports(t *testing.T) {
	p := parseBuiltin()
	find := func(ok func(*rawEntry) bool) *rawEntry {
		for _, e := range p.base {
			if ok(e) {
				return e
			}
		}
		t.Fatal("no built-in entry for a case")
		return nil
	}
	hub := find(func(e *rawEntry) bool { return e.ID == "hubspot" && len(e.Domains) > 0 })
	sf := find(func(e *rawEntry) bool { return e.ID == "salesforce" && len(e.Domains) > 0 })
	gid := find(func(e *rawEntry) bool {
		return len(e.Signals.GoogleClientIDs) > 0 && googleProjectOf(googleIDClean(e.Signals.GoogleClientIDs[0])) != ""
	})
	dk := find(func(e *rawEntry) bool {
		return len(e.Signals.DKIM) > 0 && e.Signals.DKIM[0].Selector != "" && e.Signals.DKIM[0].Target != ""
	})
	own := find(func(e *rawEntry) bool { return len(e.Signals.TXTOwner) > 0 })
	merch := find(func(e *rawEntry) bool { return len(e.Signals.Merchants) > 0 })
	project := googleProjectOf(googleIDClean(gid.Signals.GoogleClientIDs[0]))

	vendor := func(id, name, body string) string {
		return fmt.Sprintf("  - id: %s\n    name: %s\n    category: data\n%s", id, name, body)
	}
	cases := []struct {
		name   string
		org    string
		issues int
	}{
		{"a new vendor of its own", vendor("acme-leads", "Acme Leads", "    domains: [acme-leads.example]\n"), 0},
		{"a built-in vendor's domain", vendor("acme-leads", "Acme Leads", "    domains: ["+hub.Domains[0]+"]\n"), 1},
		{"an override takes another built-in vendor's domain", "  - id: hubspot\n    domains: [" + sf.Domains[0] + "]\n", 1},
		{"an override gives up a domain another entry takes", "  - id: hubspot\n    domains: [hubspot-own.example]\n" +
			vendor("acme-leads", "Acme Leads", "    domains: ["+hub.Domains[0]+"]\n"), 0},
		{"two organisation vendors, one merchant", vendor("acme-a", "Acme A", "    merchants: [ACME LEADS]\n") +
			vendor("acme-b", "Acme B", "    merchants: [acme  leads]\n"), 1},
		{"a built-in merchant", vendor("acme-leads", "Acme Leads", "    merchants: ["+merch.Signals.Merchants[0]+"]\n"), 1},
		{"a client ID of a built-in vendor's Google project", vendor("acme-leads", "Acme Leads",
			"    google_client_ids: ["+project+"-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.apps.googleusercontent.com]\n"), 1},
		{"a built-in DKIM key", vendor("acme-leads", "Acme Leads",
			fmt.Sprintf("    dkim: [{selector: %q, target: %q}]\n", dk.Signals.DKIM[0].Selector, dk.Signals.DKIM[0].Target)), 1},
		{"a built-in TXT record name", vendor("acme-leads", "Acme Leads", fmt.Sprintf("    txt_owner: [%q]\n", own.Signals.TXTOwner[0])), 1},
		{"a built-in vendor's name", vendor("acme-leads", hub.Name, ""), 1},
		{"repeats within the entry", vendor("acme-leads", "Acme Leads",
			"    aliases: [Acme Leads]\n    domains: [acme-leads.example, ACME-LEADS.example]\n"), 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			org, iss := parseVendorFile("org.yaml", []byte("vendors:\n"+tc.org))
			if len(iss) > 0 {
				t.Fatal(iss)
			}
			_, all := assemble(p.cats, []layer{p.base, org}, p.msApps, nil, validateAll)
			_, later := assemble(p.cats, []layer{p.base, org}, p.msApps, nil, validateLater)
			sortIssues(all)
			sortIssues(later)
			if !reflect.DeepEqual(all, later) {
				t.Fatalf("validateLater reports\n%v\nvalidateAll reports\n%v", later, all)
			}
			if len(later) != tc.issues {
				t.Errorf("%d issues, want %d: %v", len(later), tc.issues, later)
			}
			for _, is := range later {
				if is.File != "org.yaml" || strings.Contains(is.String(), "<nil>") {
					t.Errorf("issue not on the organisation's file: %v", is)
				}
			}
		})
	}
}
