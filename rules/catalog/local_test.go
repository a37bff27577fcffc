package catalog

import (
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
)

func TestLoadWithLocal(t *testing.T) {
	leadforge := policy.LocalVendor{ID: "leadforge", Name: "LeadForge", File: "approved.yaml", Line: 2, Values: []policy.LocalValue{
		{Key: "category", Value: "data", Line: 4}, {Key: "subcategories", Value: "web_analytics", Line: 5}, {Key: "domains", Value: "leadforge.example", Line: 6},
		{Key: "spf", Value: "spf.leadforge.example", Line: 7}, {Key: "merchants", Value: "LEADFORGE INC", Line: 8},
	}}
	c, err := LoadWithLocal([]policy.LocalVendor{leadforge, {ID: "nameonly", Name: "Nameonly", File: "approved.yaml", Line: 9}})
	if err != nil {
		t.Fatal(err)
	}
	e, ok := c.Vendor("leadforge")
	if !ok || !e.Local || e.Category != "data" || !e.Martech || e.Domains[0] != "leadforge.example" || e.File != "approved.yaml" {
		t.Fatalf("leadforge %+v", e)
	}
	if n, ok := c.Vendor("nameonly"); !ok || n.Category != LocalCategory || !n.Local {
		t.Errorf("nameonly %+v", n)
	}
	if h, _ := c.Vendor("hubspot"); h.Local {
		t.Error("a catalogue vendor marked local")
	}
	// The resolver recognises the local vendor's signals and name.
	r := NewResolver(c)
	for _, h := range []scanner.Hint{
		{Type: scanner.HintSPFInclude, Value: "spf.leadforge.example"},
		{Type: scanner.HintCNAMETarget, Value: "pages.leadforge.example"},
		{Type: scanner.HintMerchant, Value: "LEADFORGE INC"},
		{Type: scanner.HintName, Value: "Nameonly"},
	} {
		res := r.Resolve(&scanner.Record{Kind: "x", ID: "1", Hints: []scanner.Hint{h}})
		if res.Vendor == nil || (res.Vendor.ID != "leadforge" && res.Vendor.ID != "nameonly") {
			t.Errorf("%v resolved to %+v", h, res)
		}
	}
	// Built-in catalogue untouched.
	if b, _ := Builtin(); func() bool { _, ok := b.Vendor("leadforge"); return ok }() {
		t.Error("the built-in catalogue got the local vendor")
	}

	for name, tc := range map[string]struct {
		local policy.LocalVendor
		want  string
	}{
		"bad domain":    {policy.LocalVendor{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []policy.LocalValue{{Key: "domains", Value: "not a domain", Line: 3}}}, `a.yaml:3: entry "x1": domains[0] "not a domain"`},
		"claimed":       {policy.LocalVendor{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []policy.LocalValue{{Key: "spf", Value: "servers.mcsv.net", Line: 4}}}, `a.yaml:4: entry "x1": spf host "servers.mcsv.net" is also claimed by vendor "mailchimp"`},
		"bad client":    {policy.LocalVendor{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []policy.LocalValue{{Key: "google_client_ids", Value: "abc", Line: 5}}}, `a.yaml:5: entry "x1": google_client_ids[0] "abc"`},
		"bad entra":     {policy.LocalVendor{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []policy.LocalValue{{Key: "entra_app_ids", Value: "not-a-guid", Line: 5}}}, `a.yaml:5: entry "x1": entra_app_ids[0]`},
		"bad txt":       {policy.LocalVendor{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []policy.LocalValue{{Key: "txt", Value: "re:(", Line: 6}}}, `a.yaml:6: entry "x1": txt[0]`},
		"bad category":  {policy.LocalVendor{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []policy.LocalValue{{Key: "category", Value: "marketing", Line: 2}}}, `a.yaml:2: entry "x1": unknown category "marketing"`},
		"unknown key":   {policy.LocalVendor{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []policy.LocalValue{{Key: "sources", Value: "me", Line: 2}}}, `a.yaml:2: entry "x1": sources: not a key of a local vendor`},
		"catalogue ID":  {policy.LocalVendor{ID: "hubspot", Name: "Hub Spot Inc", File: "a.yaml", Line: 7}, `a.yaml:7: entry "hubspot": local vendor "Hub Spot Inc" would take the ID of the catalogue vendor defined at rules/catalog/`},
		"wildcard host": {policy.LocalVendor{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []policy.LocalValue{{Key: "cname", Value: "*.x1.example", Line: 9}}}, `a.yaml:9: entry "x1": cname[0] "*.x1.example": wildcards are not supported`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadWithLocal([]policy.LocalVendor{tc.local})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}
