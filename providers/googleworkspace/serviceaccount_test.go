package googleworkspace

import (
	"testing"

	"github.com/shadowscan/shadowscan/providers/internal/fakes/googleadmin"
	"github.com/shadowscan/shadowscan/rules/catalog"
	"github.com/shadowscan/shadowscan/scanner"
)

// TestNumericClientIDResolves runs a catalogued numeric (service-account) client ID through both grant sources, the
// tokens list and the token audit log, and resolves the records with the built-in catalogue: the ID must reach the
// resolver unchanged and name the vendor that publishes it (Reclaim.ai, rules/catalog/scripts/data/oauth_ids.tsv).
func TestNumericClientIDResolves(t *testing.T) {
	t.Parallel()
	const reclaim = "106399530826539972793"
	fake := &googleadmin.Server{UsersPageSize: 5, EventsPageSize: 3, Errorf: t.Errorf,
		Users: []googleadmin.User{
			{ID: "100001", Email: "alice.moreau@northwind.example", Name: "Alice Moreau", OrgUnit: "/Sales",
				Tokens: []googleadmin.Token{{ClientID: reclaim, DisplayText: "", Scopes: []string{calendar}}}},
			{ID: "100002", Email: "ben.okafor@northwind.example", Name: "Ben Okafor", OrgUnit: "/Sales"},
		},
		Events: []googleadmin.Event{{Time: daysAgo(3), Name: "authorize", ActorEmail: "ben.okafor@northwind.example",
			ProfileID: "100002", ClientID: reclaim, ClientType: "WEB", Scopes: []string{calendar}}},
	}
	p, diag, _ := testProvider(t, fake, nil)
	recs, err := collect(t, p)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if errs := coverageErrors(diag); errs != "" {
		t.Fatalf("coverage errors:\n%s", errs)
	}
	c, err := catalog.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	r := catalog.NewResolver(c)
	sources := map[string]bool{}
	for i := range recs {
		rec := &recs[i]
		if h, _ := rec.Hint(scanner.HintGoogleClientID); h.Value != reclaim {
			t.Errorf("%s: client id hint %q, want %q", rec.ID, h.Value, reclaim)
		}
		if _, ok := rec.Hint(scanner.HintName); ok {
			t.Errorf("%s: has a name hint; the ID alone must resolve", rec.ID)
		}
		res := r.Resolve(rec)
		if res.Vendor == nil || res.Vendor.ID != "reclaim-ai" || res.Confidence != 1 {
			t.Errorf("%s (source %v): resolved to %+v (%s), want reclaim-ai at 1", rec.ID, rec.Attributes["source"], res.Vendor, res.Reason)
		}
		sources[rec.Attributes["source"].(string)] = true
	}
	if len(recs) != 2 || !sources[sourceTokens] || !sources[sourceAudit] {
		t.Errorf("records = %d from %v, want one from the tokens list and one from the audit log", len(recs), sources)
	}
}
