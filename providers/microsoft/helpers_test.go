package microsoft

import (
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/shadowscan/shadowscan/providers/internal/fakes/graph"
	"github.com/shadowscan/shadowscan/providers/internal/httpx/httpxtest"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testNow is the scan time of every test.
var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func daysAgo(d int) time.Time { return testNow.Add(-time.Duration(d) * 24 * time.Hour) }

// The fixture tenant.
const (
	tenantID     = "11111111-1111-4111-8111-111111111111"
	otherTenant  = "22222222-2222-4222-8222-222222222222"
	msTenant     = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
	graphAppID   = "00000003-0000-0000-c000-000000000000"
	hubspotAppID = "0b6c1c38-4b0a-4e6e-9a5e-2f1d6b8f1a01"
	leadAppID    = "3f1c2a4e-0000-4000-8000-000000000001"
	intAppID     = "44444444-0000-4000-8000-000000000004"
	explorerID   = "de8bc8b5-d9f9-48b1-a8ad-b748da725064"
	miAppID      = "55555555-0000-4000-8000-000000000005"
	oldAppID     = "66666666-0000-4000-8000-000000000006"

	aliceID = "a11ce000-0000-4000-8000-000000000001"
	bobID   = "b0b00000-0000-4000-8000-000000000002"
	carolID = "ca501000-0000-4000-8000-000000000003" // deleted after she consented
	daveID  = "da7e0000-0000-4000-8000-000000000004"

	roleMailRead   = "810c84a8-4a9e-49e6-bf7d-12d183f40d01"
	roleFilesRead  = "01d4889c-1287-42c6-ac1f-5d1e02578ef6"
	roleUserRead   = "df021288-bdef-4463-88db-98f22de89214"
	roleUnknownApp = "99999999-9999-4999-8999-999999999999"
)

// fixture is a small tenant with one of everything the provider must tell apart.
func fixture() *graph.Server {
	return &graph.Server{
		TenantID: tenantID,
		ServicePrincipals: []graph.ServicePrincipal{
			{ID: "sp-graph", AppID: graphAppID, DisplayName: "Microsoft Graph", AppOwnerOrganizationID: msTenant, PublisherName: "Microsoft Services",
				AppRoles: []graph.AppRole{{ID: roleMailRead, Value: "Mail.Read"}, {ID: roleFilesRead, Value: "Files.Read.All"}, {ID: roleUserRead, Value: "User.Read.All"}}},
			{ID: "sp-hub", AppID: hubspotAppID, DisplayName: "HubSpot", AppOwnerOrganizationID: otherTenant, PublisherName: "HubSpot, Inc.",
				VerifiedPublisherID: "5001234", VerifiedPublisherName: "HubSpot, Inc.", Created: daysAgo(400),
				Homepage: "https://www.hubspot.com", ReplyURLs: []string{"https://app.hubspot.com/oauth"}, Tags: []string{"WindowsAzureActiveDirectoryIntegratedApp"}},
			{ID: "sp-lead", AppID: leadAppID, DisplayName: "LeadMagnet Pro", AppOwnerOrganizationID: "33333333-3333-4333-8333-333333333333",
				PublisherName: "LeadMagnet Labs", Created: daysAgo(200), Homepage: "https://leadmagnet.example"},
			{ID: "sp-int", AppID: intAppID, DisplayName: "Northwind HR Sync", AppOwnerOrganizationID: tenantID, Created: daysAgo(900)},
			{ID: "sp-ge", AppID: explorerID, DisplayName: "Graph Explorer", AppOwnerOrganizationID: msTenant},
			{ID: "sp-mi", AppID: miAppID, DisplayName: "backup-identity", Type: "ManagedIdentity", Created: daysAgo(30)},
		},
		Grants: []graph.Grant{
			{ID: "g1", ClientID: "sp-hub", ConsentType: "Principal", PrincipalID: aliceID, ResourceID: "sp-graph", Scope: " User.Read Mail.Read offline_access "},
			{ID: "g2", ClientID: "sp-hub", ConsentType: "Principal", PrincipalID: bobID, ResourceID: "sp-graph", Scope: "User.Read"},
			{ID: "g3", ClientID: "sp-lead", ConsentType: "AllPrincipals", ResourceID: "sp-graph", Scope: "Mail.Read Files.Read.All"},
			{ID: "g4", ClientID: "sp-lead", ConsentType: "Principal", PrincipalID: carolID, ResourceID: "sp-graph", Scope: "User.Read"},
			{ID: "g5", ClientID: "sp-ge", ConsentType: "Principal", PrincipalID: aliceID, ResourceID: "sp-graph", Scope: "Mail.Read"},
			{ID: "g6", ClientID: "sp-int", ConsentType: "Principal", PrincipalID: aliceID, ResourceID: "sp-graph", Scope: "User.Read"},
		},
		Assignments: []graph.Assignment{
			{ID: "a1", AppRoleID: roleMailRead, PrincipalID: "sp-lead", ResourceID: "sp-graph", ResourceDisplayName: "Microsoft Graph", Created: daysAgo(150)},
			{ID: "a2", AppRoleID: roleFilesRead, PrincipalID: "sp-lead", ResourceID: "sp-graph", ResourceDisplayName: "Microsoft Graph", Created: daysAgo(120)},
			{ID: "a3", AppRoleID: roleUserRead, PrincipalID: "sp-int", ResourceID: "sp-graph", ResourceDisplayName: "Microsoft Graph", Created: daysAgo(800)},
			{ID: "a4", AppRoleID: roleUnknownApp, PrincipalID: "sp-hub", ResourceID: "sp-graph", ResourceDisplayName: "Microsoft Graph", Created: daysAgo(300)},
		},
		Users: []graph.User{
			{ID: aliceID, UPN: "alice@northwind.example", DisplayName: "Alice Moreau", Department: "Marketing", UsageLocation: "FR"},
			{ID: bobID, UPN: "bob@northwind.example", DisplayName: "Bob Okafor", Department: "Sales", UsageLocation: "US"},
			{ID: carolID, UPN: "carol@northwind.example", Deleted: true},
			{ID: daveID, UPN: "dave@northwind.example", DisplayName: "Dave Weber", Department: "Marketing", UsageLocation: "DE"},
		},
		Audits: []map[string]any{
			graph.ConsentEvent(daysAgo(10), "alice@northwind.example", "sp-hub", hubspotAppID, "HubSpot", aliceID, "sp-graph", "Principal", "User.Read Mail.Read offline_access", false),
			graph.ConsentEvent(daysAgo(20), "admin@northwind.example", "sp-lead", leadAppID, "LeadMagnet Pro", "", "sp-graph", "AllPrincipals", "Mail.Read Files.Read.All", true),
			graph.ConsentEvent(daysAgo(25), "dave@northwind.example", "sp-old", oldAppID, "Old Survey Tool", daveID, "sp-graph", "Principal", "User.Read Contacts.Read", false),
			graph.ConsentEvent(daysAgo(400), "dave@northwind.example", "sp-old", oldAppID, "Old Survey Tool", daveID, "sp-graph", "Principal", "User.Read", false),
		},
		SignIns:  []graph.SignIn{{AppID: hubspotAppID, Last: daysAgo(3)}, {AppID: intAppID, Last: daysAgo(1)}},
		PageSize: 2,
	}
}

// run collects from srv with cfg adjusted by adjust, and returns the records (sorted by ID) and diagnostics.
type result struct {
	records []scanner.Record
	diag    *scanner.Diagnostics
	err     error
	clock   *httpxtest.Clock
}

func newTestProvider(t testing.TB, cfg *Config, client *http.Client) (*provider, *scanner.Diagnostics, *httpxtest.Clock) {
	t.Helper()
	diag := &scanner.Diagnostics{}
	p, err := newProvider(cfg, scanner.Deps{Name: "entra", Logger: zerolog.New(zerolog.NewTestWriter(t)), Diagnostics: diag,
		Now: func() time.Time { return testNow }, HTTPClient: client})
	if err != nil {
		t.Fatalf("newProvider: %v", err)
	}
	clock := httpxtest.NewClock(testNow)
	p.clock = clock
	return p, diag, clock
}

func collect(t testing.TB, p *provider) ([]scanner.Record, error) {
	t.Helper()
	recs, err := scannertest.Collect(t, p)
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	return recs, err
}

func runFake(t *testing.T, srv *graph.Server, adjust func(*Config)) result {
	t.Helper()
	if srv.Errorf == nil {
		srv.Errorf = t.Errorf
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	cfg := NewConfig()
	cfg.Auth, cfg.GraphEndpoint, cfg.TenantID = AuthNone, hs.URL+"/v1.0", tenantID
	if adjust != nil {
		adjust(cfg)
	}
	client := hs.Client()
	t.Cleanup(client.CloseIdleConnections)
	p, diag, clock := newTestProvider(t, cfg, client)
	recs, err := collect(t, p)
	return result{records: recs, diag: diag, err: err, clock: clock}
}

func errorsText(d *scanner.Diagnostics) string {
	var b strings.Builder
	for _, e := range d.Errors() {
		b.WriteString(e.API + " " + e.Target + ": " + e.Message + "\n")
	}
	return b.String()
}
