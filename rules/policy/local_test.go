package policy

import (
	"reflect"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/rules/policy/policytest"
)

func TestLocalID(t *testing.T) {
	for in, want := range map[string]string{
		"LeadForge":             "leadforge",
		"Acme Leads.io":         "acme-leads-io",
		"  --Acme__CRM--  ":     "acme-crm",
		"Ünïcode Tool 2":        "n-code-tool-2",
		"株式会社":                  "local-",
		strings.Repeat("a", 70): strings.Repeat("a", 64),
	} {
		if got := LocalID(in); !strings.HasPrefix(got, want) || (want != "local-" && got != want) {
			t.Errorf("LocalID(%q) = %q, want %q", in, got, want)
		}
	}
	if LocalID("株式会社") == LocalID("有限会社") {
		t.Error("two names without ASCII letters share an ID")
	}
}

func TestLocalVendors(t *testing.T) {
	for name, tc := range map[string]struct {
		yaml    string
		id      string
		values  []LocalValue
		signals []string
		warning string
	}{
		"name only": {
			yaml: "- {vendor: Acme Leads, status: approved}", id: "acme-leads",
			warning: `approved.yaml:1:12: vendor "Acme Leads" is not in the catalogue: it is a local vendor matched by name only (give it domains, merchants`,
		},
		"signals in file order of keys": {
			yaml: "- vendor: Acme Leads\n  status: approved\n  cname: [pages.acme-leads.example]\n  domains: [acme-leads.example, acme.example]\n  category: data\n  aws_accounts: [\"123456789012\"]\n",
			id:   "acme-leads",
			values: []LocalValue{{"category", "data", 5}, {"domains", "acme-leads.example", 4}, {"domains", "acme.example", 4},
				{"cname", "pages.acme-leads.example", 3}, {"aws_accounts", "123456789012", 6}},
			signals: []string{"domains", "cname", "aws_accounts"},
			warning: `approved.yaml:1:11: vendor "Acme Leads" is not in the catalogue: it is a local vendor recognised by its domains, cname, aws_accounts`,
		},
		"one value as a scalar": {
			yaml: "- {vendor: Acme, status: tolerated, merchants: ACME*LEADS}", id: "acme",
			values: []LocalValue{{"merchants", "ACME*LEADS", 1}}, signals: []string{"merchants"},
			warning: "recognised by its merchants",
		},
		"a typo gets a suggestion": {
			yaml: "- {vendor: hubspt, status: approved}", id: "hubspt",
			warning: `approved.yaml:1:12: vendor "hubspt" is not in the catalogue: it is a local vendor matched by name only (give it domains, merchants, google_client_ids, entra_app_ids, spf, txt, cname or aws_accounts so that scans recognise its records) (did you mean "hubspot"?)`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := ParseApprovals("approved.yaml", []byte(tc.yaml), policytest.NewIndex(), testNow)
			if err != nil {
				t.Fatal(err)
			}
			ls := a.Locals()
			if len(ls) != 1 || ls[0].ID != tc.id || ls[0].Line != 1 || ls[0].File != "approved.yaml" {
				t.Fatalf("locals %+v", ls)
			}
			if !reflect.DeepEqual(ls[0].Values, tc.values) {
				t.Errorf("values %+v\nwant   %+v", ls[0].Values, tc.values)
			}
			if !reflect.DeepEqual(ls[0].Signals(), tc.signals) {
				t.Errorf("signals %v, want %v", ls[0].Signals(), tc.signals)
			}
			if w := a.Warnings(); len(w) != 1 || !strings.Contains(w[0], tc.warning) {
				t.Errorf("warnings %q, want %q", w, tc.warning)
			}
			// Until bound, the entry's vendor is the local one, so its approval is known by ID.
			if a.Approval(tc.id).Status == "unapproved" {
				t.Errorf("approval of %s: %+v", tc.id, a.Approval(tc.id))
			}
		})
	}
}

func TestBindLocal(t *testing.T) {
	a, err := ParseApprovals("approved.yaml", []byte("- {vendor: Acme, status: approved}\n- {vendor: zoom, status: approved}\n"), policytest.NewIndex(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	// The merged catalogue does not have it: an error, not a silent unapproved vendor.
	if err := a.BindLocal(policytest.NewIndex()); err == nil || !strings.Contains(err.Error(), `approved.yaml:1: local vendor "Acme" is missing`) {
		t.Errorf("BindLocal = %v", err)
	}
	var nilA *Approvals
	if nilA.BindLocal(nil) != nil || nilA.Warnings() != nil || nilA.Locals() != nil {
		t.Error("nil approvals")
	}
}

func TestSuppressionVendors(t *testing.T) {
	sups, warnings, err := ParseSuppressionsWith("s.yaml", []byte(`
- {rule: banned-vendor, vendor: HubSpot, owner: a, reason: b, expires: 2027-01-01}
- {rule: banned-vendor, vendor: Nonesuch Tool, owner: a, reason: b, expires: 2027-01-01}
- {rule: banned-vendor, vendor: "*", owner: a, reason: b, expires: 2027-01-01}
`), nil, policytest.NewIndex())
	if err != nil {
		t.Fatal(err)
	}
	// A known vendor's name becomes its ID; an unknown one stays as written, with a warning at its line.
	if sups[0].Vendor != "hubspot" || sups[1].Vendor != "Nonesuch Tool" || sups[2].Vendor != "*" {
		t.Errorf("vendors %q %q %q", sups[0].Vendor, sups[1].Vendor, sups[2].Vendor)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], `s.yaml:3:33: suppression 2: vendor "Nonesuch Tool" is not in the catalogue or the approved-tools file: it suppresses findings whose vendor is named "Nonesuch Tool"`) {
		t.Errorf("warnings %q", warnings)
	}
	// A name that resolves to the same vendor as another suppression's ID is a duplicate.
	_, _, err = ParseSuppressionsWith("s.yaml", []byte(`
- {rule: banned-vendor, vendor: HubSpot, owner: a, reason: b, expires: 2027-01-01}
- {rule: banned-vendor, vendor: hubspot, owner: a, reason: b, expires: 2027-01-01}
`), nil, policytest.NewIndex())
	if err == nil || !strings.Contains(err.Error(), "duplicates the suppression at line 2") {
		t.Errorf("duplicate by name and ID: %v", err)
	}
}
