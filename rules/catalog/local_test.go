package catalog

import (
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

func TestLoadWithLocal(t *testing.T) {
	leadforge := Local{ID: "leadforge", Name: "LeadForge", File: "approved.yaml", Line: 2, Values: []LocalValue{
		{"category", "data", 4}, {"subcategories", "web_analytics", 5}, {"domains", "leadforge.example", 6},
		{"spf", "spf.leadforge.example", 7}, {"merchants", "LEADFORGE INC", 8},
	}}
	c, err := LoadWithLocal([]Local{leadforge, {ID: "nameonly", Name: "Nameonly", File: "approved.yaml", Line: 9}})
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
		local Local
		want  string
	}{
		"bad domain":    {Local{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []LocalValue{{"domains", "not a domain", 3}}}, `a.yaml:3: entry "x1": domains[0] "not a domain"`},
		"claimed":       {Local{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []LocalValue{{"spf", "servers.mcsv.net", 4}}}, `a.yaml:4: entry "x1": spf host "servers.mcsv.net" is also claimed by vendor "mailchimp"`},
		"bad client":    {Local{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []LocalValue{{"google_client_ids", "abc", 5}}}, `a.yaml:5: entry "x1": google_client_ids[0] "abc"`},
		"bad entra":     {Local{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []LocalValue{{"entra_app_ids", "not-a-guid", 5}}}, `a.yaml:5: entry "x1": entra_app_ids[0]`},
		"bad txt":       {Local{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []LocalValue{{"txt", "re:(", 6}}}, `a.yaml:6: entry "x1": txt[0]`},
		"bad category":  {Local{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []LocalValue{{"category", "marketing", 2}}}, `a.yaml:2: entry "x1": unknown category "marketing"`},
		"unknown key":   {Local{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []LocalValue{{"sources", "me", 2}}}, `a.yaml:2: entry "x1": sources: not a key of a local vendor`},
		"catalogue ID":  {Local{ID: "hubspot", Name: "Hub Spot Inc", File: "a.yaml", Line: 7}, `a.yaml:7: entry "hubspot": local vendor "Hub Spot Inc" would take the ID of the catalogue vendor defined at rules/catalog/`},
		"wildcard host": {Local{ID: "x1", Name: "X1", File: "a.yaml", Line: 1, Values: []LocalValue{{"cname", "*.x1.example", 9}}}, `a.yaml:9: entry "x1": cname[0] "*.x1.example": wildcards are not supported`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadWithLocal([]Local{tc.local})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}
