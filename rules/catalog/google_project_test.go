package catalog

import (
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// Every OAuth client of one Google Cloud project starts with that project's number, so an uncatalogued client ID of a
// catalogued project is attributed to the project's vendor, less surely than the exact ID.
func TestResolveGoogleProject(t *testing.T) {
	t.Parallel()
	const gs = ".apps.googleusercontent.com"
	c := &Catalog{Entries: []Entry{
		{ID: "alpha", Name: "Alpha", Category: "data", Signals: Signals{GoogleClientIDs: []string{
			"111111111111-aaaa" + gs, "111111111111-bbbb" + gs}}},
		{ID: "beta", Name: "Beta", Category: "data", Signals: Signals{GoogleClientIDs: []string{"222222222222-cccc" + gs}}},
		// Two vendors listing one project: the project says nothing, the exact IDs still do.
		{ID: "gamma", Name: "Gamma", Category: "data", Signals: Signals{GoogleClientIDs: []string{"333333333333-dddd" + gs}}},
		{ID: "delta", Name: "Delta", Category: "data", Signals: Signals{GoogleClientIDs: []string{"333333333333-eeee" + gs}}},
		// Old-style and service-account client IDs carry no "<project>-" prefix.
		{ID: "epsilon", Name: "Epsilon", Category: "data", Signals: Signals{GoogleClientIDs: []string{"444444444444" + gs}}},
		{ID: "zeta", Name: "Zeta", Category: "data", Signals: Signals{GoogleClientIDs: []string{"106399530826539972793"}}},
	}}
	r := NewResolver(c)
	tests := []struct {
		id     string
		vendor string // "" = unresolved
		conf   float64
		reason string
	}{
		{"111111111111-aaaa" + gs, "alpha", confExactID, "Google OAuth client 111111111111-aaaa" + gs},
		{"111111111111-zzzz" + gs, "alpha", confGoogleProj, "Google OAuth client 111111111111-zzzz" + gs + " (project 111111111111 of Alpha)"},
		{" 111111111111-ZZZZ.APPS.GOOGLEUSERCONTENT.COM ", "alpha", confGoogleProj,
			"Google OAuth client 111111111111-ZZZZ.APPS.GOOGLEUSERCONTENT.COM (project 111111111111 of Alpha)"},
		{"111111111111-zzzz", "alpha", confGoogleProj, "Google OAuth client 111111111111-zzzz (project 111111111111 of Alpha)"},
		{"222222222222-new" + gs, "beta", confGoogleProj, "Google OAuth client 222222222222-new" + gs + " (project 222222222222 of Beta)"},
		// A different project number, however close, stays unresolved.
		{"111111111112-aaaa" + gs, "", 0, ""},
		{"11111111111-aaaa" + gs, "", 0, ""},
		{"1111111111111-aaaa" + gs, "", 0, ""},
		{"-aaaa" + gs, "", 0, ""},
		{"x111111111111-aaaa" + gs, "", 0, ""},
		// A project two vendors list resolves only their exact IDs.
		{"333333333333-new" + gs, "", 0, ""},
		{"333333333333-dddd" + gs, "gamma", confExactID, "Google OAuth client 333333333333-dddd" + gs},
		{"333333333333-eeee" + gs, "delta", confExactID, "Google OAuth client 333333333333-eeee" + gs},
		{"444444444444-new" + gs, "", 0, ""},
		{"106399530826539972793", "zeta", confExactID, "Google OAuth client 106399530826539972793"},
		{"106399530826539972794", "", 0, ""},
	}
	for _, tt := range tests {
		res := r.Resolve(&scanner.Record{Kind: scanner.KindApp, ID: "x",
			Hints: []scanner.Hint{{Type: scanner.HintGoogleClientID, Value: tt.id}}})
		got := ""
		if res.Vendor != nil {
			got = res.Vendor.ID
		}
		if got != tt.vendor || res.Confidence != tt.conf || res.Reason != tt.reason {
			t.Errorf("%q: got %q %v %q, want %q %v %q", tt.id, got, res.Confidence, res.Reason, tt.vendor, tt.conf, tt.reason)
		}
	}
	if confGoogleProj >= confExactID {
		t.Errorf("a project match (%v) must be less sure than the exact ID (%v)", confGoogleProj, confExactID)
	}
}

// The validator reports two vendors sharing a Google Cloud project number, but not one vendor listing several
// clients of its own project.
func TestValidateGoogleProjectClash(t *testing.T) {
	t.Parallel()
	c := builtinT(t)
	cc := *c
	cc.Entries = append([]Entry{}, c.Entries...)
	var owner, p string // a built-in vendor with a "<project>-" client ID, and that project
	for i := range c.Entries {
		for _, id := range c.Entries[i].Signals.GoogleClientIDs {
			if q := googleProjectOf(googleIDClean(id)); q != "" && owner == "" {
				owner, p = c.Entries[i].ID, q
			}
		}
	}
	if owner == "" {
		t.Fatal("no built-in vendor lists a <project>- Google client ID")
	}
	cc.Entries = append(cc.Entries,
		Entry{ID: "acme-one", Name: "Acme One", Category: "data", Subcategories: []string{"cdp"}, File: "code.go", Line: 10,
			Signals: Signals{GoogleClientIDs: []string{"987654321098-aaaa.apps.googleusercontent.com",
				"987654321098-bbbb.apps.googleusercontent.com"}}},
		Entry{ID: "acme-two", Name: "Acme Two", Category: "data", Subcategories: []string{"cdp"}, File: "code.go", Line: 20,
			Signals: Signals{GoogleClientIDs: []string{p + "-otherclient.apps.googleusercontent.com"}}})
	var got []string
	for _, is := range Validate(&cc) {
		if is.File == "code.go" {
			got = append(got, is.String())
		}
	}
	if len(got) != 1 {
		t.Fatalf("issues = %q, want one (acme-two's project clash)", got)
	}
	want := `code.go:20: entry "acme-two": google client id "` + p + `-otherclient.apps.googleusercontent.com" is of Google Cloud project ` +
		p + `, which vendor "` + owner + `"`
	if !strings.HasPrefix(got[0], want) {
		t.Errorf("issue = %q, want prefix %q", got[0], want)
	}
}
