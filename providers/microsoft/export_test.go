package microsoft

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/shadowscan/shadowscan/internal/golden"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

func exportProvider(t testing.TB, path string) (*provider, *scanner.Diagnostics) {
	t.Helper()
	cfg := NewConfig()
	cfg.ExportFile = path
	p, diag, _ := newTestProvider(t, cfg, nil)
	return p, diag
}

func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestExportDemo reads the demo's Graph PowerShell export (PascalCase, AdditionalProperties, nulls) into records.
func TestExportDemo(t *testing.T) {
	p, diag := exportProvider(t, "../../configs/demo/entra.json")
	p.cfg.TenantID = "9c1d7a52-3e8b-4f1a-b6d2-0e5f4c3a2b10"
	recs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if e := errorsText(diag); e != "" {
		t.Errorf("coverage errors: %s", e)
	}
	golden.JSON(t, filepath.Join("testdata", "demo.golden.json"), recs)
}

// savedResponses fetches every listing of the fake (one page each) as Graph returns it, and bundles the responses:
// the "saved Graph responses" form of an export.
func savedResponses(t *testing.T) []byte {
	t.Helper()
	srv := fixture()
	srv.PageSize, srv.Errorf = 1000, t.Errorf
	hs := httptest.NewServer(srv)
	defer hs.Close()
	get := func(path string) json.RawMessage {
		resp, err := hs.Client().Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	var assignments []json.RawMessage
	for _, sp := range srv.ServicePrincipals {
		var pg struct{ Value []json.RawMessage }
		_ = json.Unmarshal(get("/v1.0/servicePrincipals/"+sp.ID+"/appRoleAssignments"), &pg)
		assignments = append(assignments, pg.Value...)
	}
	bundle := map[string]any{
		"tenantId":                         tenantID,
		"servicePrincipals":                get("/v1.0/servicePrincipals?$select=" + spSelect),
		"oauth2PermissionGrants":           get("/v1.0/oauth2PermissionGrants"),
		"appRoleAssignments":               assignments,
		"users":                            get("/v1.0/users?$select=" + userSelect),
		"directoryAudits":                  get("/v1.0/auditLogs/directoryAudits"),
		"servicePrincipalSignInActivities": get("/beta/reports/servicePrincipalSignInActivities"),
	}
	b, err := json.Marshal(bundle)
	if err != nil {
		t.Fatal(err)
	}
	client := hs.Client()
	client.CloseIdleConnections()
	return b
}

// TestExportMatchesAPI: saved Graph responses read in export mode give the same records as the API.
func TestExportMatchesAPI(t *testing.T) {
	api := runFake(t, fixture(), nil)
	p, diag := exportProvider(t, writeTemp(t, "saved.json", savedResponses(t)))
	recs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if e := errorsText(diag); e != "" {
		t.Errorf("coverage errors: %s", e)
	}
	norm := func(rs []scanner.Record) string {
		for i := range rs {
			if rs[i].Attributes["source"] == "export" {
				rs[i].Attributes["source"] = "api"
			}
		}
		b, _ := json.MarshalIndent(rs, "", " ")
		return string(b)
	}
	// The audit log's removed grant is the one kind that does not depend on the mode.
	if a, e := norm(api.records), norm(recs); a != e {
		t.Errorf("export records differ from API records:\n%s", golden.FirstDiff(a, e))
	}
}

func utf16LE(s string) []byte {
	u := utf16.Encode([]rune(s))
	out := []byte{0xFF, 0xFE}
	for _, c := range u {
		out = append(out, byte(c), byte(c>>8))
	}
	return out
}

// TestExportShapes: the shapes Graph PowerShell and saved responses come in, and files that are wrong.
func TestExportShapes(t *testing.T) {
	sp := `{"Id":"sp-1","AppId":"` + leadAppID + `","DisplayName":"LeadMagnet Pro","AppOwnerOrganizationId":"` + otherTenant + `","VerifiedPublisher":"Microsoft.Graph.PowerShell.Models.MicrosoftGraphVerifiedPublisher","AdditionalProperties":{"createdDateTime":"/Date(1767225600000)/"}}`
	res := `{"Id":"sp-g","AppId":"` + graphAppID + `","DisplayName":"Microsoft Graph","AppOwnerOrganizationId":"` + msTenant + `"}`
	gr := `{"Id":"g-1","ClientId":"sp-1","ConsentType":"AllPrincipals","PrincipalId":null,"ResourceId":"sp-g","Scope":"Mail.Read"}`
	cases := []struct {
		name     string
		data     []byte
		wantIDs  int    // records
		wantErr  string // fatal error
		wantDiag string // coverage error
	}{
		{name: "bundle", data: []byte(`{"servicePrincipals":[` + sp + `,` + res + `],"oauth2PermissionGrants":[` + gr + `]}`), wantIDs: 2},
		{name: "bundle, UTF-8 BOM", data: append([]byte{0xEF, 0xBB, 0xBF}, `{"servicePrincipals":[`+sp+`,`+res+`],"oauth2PermissionGrants":`+gr+`}`...), wantIDs: 2},
		{name: "bundle, UTF-16 LE (Windows PowerShell >)", data: utf16LE(`{"servicePrincipals":[` + sp + `,` + res + "],\r\n\"oauth2PermissionGrants\":[" + gr + `]}`), wantIDs: 2},
		{name: "one array of mixed entries", data: []byte(`[` + sp + `,` + res + `,` + gr + `]`), wantIDs: 2},
		{name: "a saved Graph response", data: []byte(`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals","value":[` + sp + `]}`), wantIDs: 1},
		{name: "a single object", data: []byte(sp), wantIDs: 1},
		{name: "a bad entry is reported, the rest kept", data: []byte(`{"servicePrincipals":[` + sp + `,` + res + `],"oauth2PermissionGrants":[` + gr + `,{"Id":"g-2","ConsentType":"Principal"}]}`), wantIDs: 2, wantDiag: "oauth2PermissionGrants[1]: permission grant without clientId"},
		{name: "unknown collection", data: []byte(`{"servicePrincipals":[` + sp + `],"groups":[]}`), wantIDs: 1, wantDiag: "groups: unknown collection"},
		{name: "not JSON", data: []byte("{\n  \"servicePrincipals\": [\n    {\"Id\": oops}\n  ]\n}"), wantErr: ":3:"},
		{name: "truncated", data: []byte(`{"servicePrincipals":[` + sp[:40]), wantErr: "ends early"},
		{name: "a number", data: []byte(`42`), wantErr: "want a JSON object or array"},
		{name: "nothing recognisable", data: []byte(`[{"foo":1}]`), wantErr: "no entry is a service principal"},
		{name: "two values", data: []byte(`[] []`), wantErr: "more than one JSON value"},
		{name: "latin-1", data: []byte("[\"caf\xe9\"]"), wantErr: "not UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, "export.json", tc.data)
			p, diag := exportProvider(t, path)
			recs, err := collect(t, p)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("error = %v, want %q naming the file", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != tc.wantIDs {
				t.Errorf("%d records, want %d: %v", len(recs), tc.wantIDs, scannertest.IDs(recs))
			}
			cov := errorsText(diag)
			if tc.wantDiag == "" && cov != "" || !strings.Contains(cov, tc.wantDiag) {
				t.Errorf("coverage errors %q, want %q", cov, tc.wantDiag)
			}
			for _, r := range recs {
				if r.Attributes["publisher_verified"] != false {
					t.Errorf("a depth-truncated VerifiedPublisher must read as unverified: %v", r.Attributes)
				}
				if r.Kind == KindServicePrincipal && r.FirstSeen.IsZero() {
					t.Errorf("createdDateTime from AdditionalProperties (/Date(ms)/) not read")
				}
			}
		})
	}
}

// FuzzParseExport: any input gives records or an error naming the file, never a panic; records have unique, non-empty
// IDs of the two kinds, and the same input gives the same records.
func FuzzParseExport(f *testing.F) {
	demo, _ := os.ReadFile("../../configs/demo/entra.json")
	f.Add(demo)
	f.Add([]byte(`[{"AppId":"a","Id":"b"},{"ClientId":"b","ResourceId":"b","ConsentType":"AllPrincipals","Scope":"Mail.Read"}]`))
	f.Add([]byte(`{"value":[{"appId":"x","id":"y","createdDateTime":"/Date(-1)/"}]}`))
	f.Add(utf16LE(`{"servicePrincipals":[]}`))
	f.Add([]byte(`{"directoryAudits":[{"activityDisplayName":"Consent to application","targetResources":[{"id":"s","type":"ServicePrincipal","modifiedProperties":[{"displayName":"ConsentAction.Permissions","newValue":"[] => [[ClientId: s, ResourceId: r, ConsentType: Principal, PrincipalId: u, Scope: a b]]"},{"displayName":"TargetId.ServicePrincipalNames","newValue":"11111111-1111-1111-1111-111111111111"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		records := func() ([]scanner.Record, error) {
			tn, _, err := parseExport("fuzz.json", data, "")
			if err != nil {
				if !strings.HasPrefix(err.Error(), "fuzz.json") {
					t.Fatalf("error does not name the file: %v", err)
				}
				return nil, err
			}
			p := &provider{cfg: *NewConfig(), deps: scanner.Deps{Diagnostics: &scanner.Diagnostics{}}}
			var out []scanner.Record
			if err := p.emitTenant(tn, scanner.NewEmitter(func(r scanner.Record) error { out = append(out, r); return nil }, nil)); err != nil {
				t.Fatal(err)
			}
			return out, nil
		}
		a, err := records()
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, r := range a {
			if r.ID == "" || seen[r.ID] {
				t.Fatalf("empty or duplicate ID %q", r.ID)
			}
			seen[r.ID] = true
			if r.Kind != scanner.KindOAuthGrant && r.Kind != KindServicePrincipal {
				t.Fatalf("kind %q", r.Kind)
			}
		}
		b, _ := records()
		if !slices.EqualFunc(a, b, func(x, y scanner.Record) bool { return x.ID == y.ID && x.Summary == y.Summary }) {
			t.Fatal("the same export gave different records")
		}
	})
}

// FuzzGraphResponses: whatever a Graph listing answers, decoding and building records never panics, and an entry
// the provider kept always yields a well-formed record.
func FuzzGraphResponses(f *testing.F) {
	f.Add([]byte(`{"value":[{"id":"a","appId":"b","verifiedPublisher":{"verifiedPublisherId":"1"}}],"@odata.nextLink":"x"}`), []byte(`{"value":[{"id":"g","clientId":"a","resourceId":"a","scope":"Mail.Read  User.Read","consentType":"Principal","principalId":"u"}]}`))
	f.Add([]byte(`{"value":null}`), []byte(`{"value":[{"clientId":"zz","consentType":null}]}`))
	f.Add([]byte(`{"value":[{"id":"a","appId":"b","createdDateTime":12}]}`), []byte(`{"responses":[]}`))
	f.Fuzz(func(t *testing.T, sps, grants []byte) {
		var ps page[servicePrincipal]
		var pg page[grant]
		if json.Unmarshal(sps, &ps) != nil || json.Unmarshal(grants, &pg) != nil {
			return
		}
		tn := newTenant(tenantID, "api")
		for _, sp := range ps.Value {
			tn.addSP(sp)
		}
		tn.grants = pg.Value
		p := &provider{cfg: *NewConfig(), deps: scanner.Deps{Diagnostics: &scanner.Diagnostics{}}}
		var out []scanner.Record
		if err := p.emitTenant(tn, scanner.NewEmitter(func(r scanner.Record) error { out = append(out, r); return nil }, nil)); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, r := range out {
			if !strings.HasPrefix(r.ID, "entra:") || seen[r.ID] {
				t.Fatalf("bad or duplicate ID %q", r.ID)
			}
			seen[r.ID] = true
			if r.Kind == scanner.KindOAuthGrant && r.Principal == nil {
				t.Fatalf("grant without principal: %+v", r)
			}
		}
	})
}
