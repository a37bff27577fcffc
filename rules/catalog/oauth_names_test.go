package catalog

import (
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// TestBuiltinOAuthNames: every consent-screen app name in the built-in catalogue (oauth_names, generated from
// scripts/data/oauth_ids.tsv "name" rows or hand-written) names its own vendor when an app record carries only that
// display name, and the generator's rows reach the catalogue ("Zaplify App" is the app Andsend asks admins to trust).
func TestBuiltinOAuthNames(t *testing.T) {
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	r := NewResolver(c)
	resolve := func(name string) string {
		res := r.Resolve(&scanner.Record{Kind: scanner.KindApp, ID: "app", Hints: []scanner.Hint{{Type: scanner.HintName, Value: name}}})
		if res.Vendor == nil {
			return ""
		}
		return res.Vendor.ID
	}
	names := 0
	for _, e := range c.Entries {
		for _, n := range e.Signals.OAuthNames {
			names++
			if got := resolve(n); got != e.ID {
				t.Errorf("app named %q (oauth_names of %s) resolved to %q", n, e.ID, got)
			}
		}
	}
	if names == 0 {
		t.Fatal("no oauth_names in the built-in catalogue")
	}
	for _, tc := range []struct{ name, want string }{
		{"Zaplify App", "andsend"},
		{"zaplify app", "andsend"},
		{"Zaplify", ""}, // the consent-screen name is matched whole, not by one of its words
	} {
		if got := resolve(tc.name); got != tc.want {
			t.Errorf("app named %q: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
