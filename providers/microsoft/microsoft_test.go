package microsoft

import (
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/internal/golden"
	"github.com/shadowscan/shadowscan/providers/internal/fakes/graph"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

// TestCollectFake: a scan of the fake yields every third-party app, grant, app-role assignment and consenting user
// exactly (the golden file), with complete coverage.
func TestCollectFake(t *testing.T) {
	srv := fixture()
	srv.RequireSelect = true
	res := runFake(t, srv, nil)
	if res.err != nil {
		t.Fatalf("Collect: %v", res.err)
	}
	if e := errorsText(res.diag); e != "" {
		t.Errorf("coverage errors on a clean fake:\n%s", e)
	}
	if s := res.diag.Skipped(); len(s) != 0 {
		t.Errorf("skipped on a clean fake: %v", s)
	}
	golden.JSON(t, filepath.Join("testdata", "api.golden.json"), res.records)

	m := scannertest.ByID(res.records)
	want := []string{
		"entra:" + tenantID + ":approle:" + hubspotAppID + ":" + graphAppID,
		"entra:" + tenantID + ":approle:" + leadAppID + ":" + graphAppID,
		"entra:" + tenantID + ":approle:" + intAppID + ":" + graphAppID,
		"entra:" + tenantID + ":consent:" + oldAppID + ":" + daveID + ":" + graphAppID,
		"entra:" + tenantID + ":grant:" + hubspotAppID + ":" + aliceID + ":" + graphAppID,
		"entra:" + tenantID + ":grant:" + hubspotAppID + ":" + bobID + ":" + graphAppID,
		"entra:" + tenantID + ":grant:" + leadAppID + ":all:" + graphAppID,
		"entra:" + tenantID + ":grant:" + leadAppID + ":" + carolID + ":" + graphAppID,
		"entra:" + tenantID + ":grant:" + explorerID + ":" + aliceID + ":" + graphAppID,
		"entra:" + tenantID + ":grant:" + intAppID + ":" + aliceID + ":" + graphAppID,
		"entra:" + tenantID + ":sp:" + hubspotAppID,
		"entra:" + tenantID + ":sp:" + leadAppID,
		"entra:" + tenantID + ":sp:" + intAppID,
		"entra:" + tenantID + ":sp:" + miAppID,
	}
	got := scannertest.IDs(res.records)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("record IDs:\n got  %v\n want %v", got, want)
	}
	alice := m["entra:"+tenantID+":grant:"+hubspotAppID+":"+aliceID+":"+graphAppID]
	if alice.Principal.Email != "alice@northwind.example" || alice.Principal.Department != "Marketing" || alice.Attributes["usage_location"] != "FR" {
		t.Errorf("alice's grant principal = %+v attrs %v", alice.Principal, alice.Attributes)
	}
	if !slices.Equal(alice.Scopes, []string{"Mail.Read", "User.Read", "offline_access"}) {
		t.Errorf("scopes = %v", alice.Scopes)
	}
	if alice.Attributes["consented_by"] != "alice@northwind.example" || alice.Attributes["last_sign_in"] != "2026-11-17T12:00:00Z" {
		t.Errorf("consent/sign-in attributes = %v", alice.Attributes)
	}
	tenantWide := m["entra:"+tenantID+":grant:"+leadAppID+":all:"+graphAppID]
	if tenantWide.Attributes["consent_type"] != "AllPrincipals" || tenantWide.Principal.Type != "tenant" ||
		tenantWide.Attributes["publisher_verified"] != false || tenantWide.Attributes["consented_by"] != "admin@northwind.example" {
		t.Errorf("tenant-wide grant = %+v %v", tenantWide.Principal, tenantWide.Attributes)
	}
	carol := m["entra:"+tenantID+":grant:"+leadAppID+":"+carolID+":"+graphAppID]
	if carol.Attributes["user_deleted"] != true || carol.Principal.ID != carolID {
		t.Errorf("deleted user's grant = %+v %v", carol.Principal, carol.Attributes)
	}
	appOnly := m["entra:"+tenantID+":approle:"+leadAppID+":"+graphAppID]
	if !slices.Equal(appOnly.Scopes, []string{"Files.Read.All", "Mail.Read"}) || appOnly.Attributes["consent_type"] != "Application" {
		t.Errorf("app-only = %v %v", appOnly.Scopes, appOnly.Attributes)
	}
	unknownRole := m["entra:"+tenantID+":approle:"+hubspotAppID+":"+graphAppID]
	if !slices.Equal(unknownRole.Scopes, []string{"approle:" + roleUnknownApp}) {
		t.Errorf("an unresolvable role ID must stay visible: %v", unknownRole.Scopes)
	}
	internal := m["entra:"+tenantID+":sp:"+intAppID]
	if internal.Attributes["ownership"] != "internal" || len(internal.Hints) != 1 {
		t.Errorf("internal app = %v hints %v (internal apps carry no name hint: they are not vendors)", internal.Attributes, internal.Hints)
	}
	old := m["entra:"+tenantID+":consent:"+oldAppID+":"+daveID+":"+graphAppID]
	if old.Attributes["revoked"] != true || old.Principal.Email != "dave@northwind.example" ||
		!slices.Equal(old.Scopes, []string{"Contacts.Read", "User.Read"}) || old.Attributes["consented_at"] != "2026-10-26T12:00:00Z" {
		t.Errorf("removed grant from the audit log = %+v %v %v", old.Principal, old.Scopes, old.Attributes)
	}
	// Least calls: SPs 3 pages, grants 3, users 2, one getByIds for the deleted user, 1 $batch (5 apps), sign-ins
	// 1, audits 3 activities × 1-2 pages.
	for _, r := range srv.Requests() {
		if r.Key == "servicePrincipals#1" && !strings.Contains(r.URL, "%24select=") && !strings.Contains(r.URL, "$select=") {
			t.Errorf("servicePrincipals read without $select: %s", r.URL)
		}
	}
}

// TestCollectUnderFaults: throttling (429 and 503 with Retry-After, per request and inside $batch), 5xx, and a
// truncated body are retried; nothing the service served is lost and coverage stays complete.
func TestCollectUnderFaults(t *testing.T) {
	clean := runFake(t, fixture(), nil)
	srv := fixture()
	srv.Faults = map[string][]graph.Fault{
		"servicePrincipals#1":        {graph.Throttled429("7")},
		"servicePrincipals#2":        {graph.Truncated, graph.Internal500},
		"oauth2PermissionGrants#2":   {graph.Unavailable503},
		"users#1":                    {graph.Truncated},
		"batch":                      {{Status: 503, RetryAfter: "2"}},
		"appRoleAssignments/sp-lead": {graph.Throttled429("11"), graph.Unavailable503},
		"appRoleAssignments/sp-int":  {graph.Throttled429("3")},
		"signIns#1":                  {graph.Throttled429("1")},
		"directoryAudits#1":          {graph.Internal500},
		"getByIds":                   {graph.Throttled429("1")},
	}
	res := runFake(t, srv, nil)
	if res.err != nil {
		t.Fatalf("Collect: %v", res.err)
	}
	if e := errorsText(res.diag); e != "" {
		t.Errorf("faults that retries absorb must not make coverage partial:\n%s", e)
	}
	if !slices.Equal(scannertest.IDs(res.records), scannertest.IDs(clean.records)) {
		t.Errorf("records under faults differ:\n got  %v\n want %v", scannertest.IDs(res.records), scannertest.IDs(clean.records))
	}
	sleeps := res.clock.Sleeps()
	for _, want := range []int{7, 2} {
		found := false
		for _, d := range sleeps {
			if int(d.Seconds()) == want {
				found = true
			}
		}
		if !found {
			t.Errorf("no wait of %ds (Retry-After) among %v", want, sleeps)
		}
	}
}

// TestBatchHonoursRetryAfter: a request throttled inside a $batch is sent again (in a later batch) only after its
// own Retry-After.
func TestBatchHonoursRetryAfter(t *testing.T) {
	srv := fixture()
	srv.Faults = map[string][]graph.Fault{"appRoleAssignments/sp-lead": {graph.Throttled429("11")}}
	res := runFake(t, srv, func(c *Config) { c.AuditLogs, c.SignInActivity = false, false })
	if res.err != nil || errorsText(res.diag) != "" {
		t.Fatalf("Collect: %v %s", res.err, errorsText(res.diag))
	}
	if got := res.clock.Sleeps(); !slices.Equal(got, []time.Duration{11 * time.Second}) {
		t.Errorf("waits %v, want the one Retry-After of 11s", got)
	}
	batches := 0
	for _, r := range srv.Requests() {
		if r.Key == "batch" {
			batches++
		}
	}
	if batches != 2 {
		t.Errorf("%d $batch calls, want 2 (the first, then the retried request)", batches)
	}
}

// TestCoverageUnderPersistentFaults: what cannot be read is named in coverage; the rest is kept.
func TestCoverageUnderPersistentFaults(t *testing.T) {
	cases := []struct {
		name     string
		setup    func(*graph.Server)
		wantErr  string   // Collect's error (fatal)
		wantCov  []string // substrings of coverage errors
		wantSkip string   // substring of a skip
		keep     []string // record IDs that must survive
		lose     []string // record IDs that must be missing
	}{
		{
			name:    "403 on grants: partial, apps and app-only permissions kept",
			setup:   func(s *graph.Server) { s.Forbidden = map[string]bool{"oauth2PermissionGrants": true} },
			wantCov: []string{"oauth2PermissionGrants: 403 Forbidden (Authorization_RequestDenied)", "Directory.Read.All"},
			keep:    []string{"sp:" + leadAppID, "approle:" + leadAppID + ":" + graphAppID},
			lose:    []string{"grant:" + leadAppID + ":all:" + graphAppID},
		},
		{
			name:     "403 on the audit log: skipped with the reason, coverage complete",
			setup:    func(s *graph.Server) { s.Forbidden = map[string]bool{"directoryAudits": true} },
			wantSkip: "needs the optional AuditLog.Read.All",
			keep:     []string{"grant:" + leadAppID + ":all:" + graphAppID},
			lose:     []string{"consent:" + oldAppID},
		},
		{
			name:     "403 on the sign-in report: skipped",
			setup:    func(s *graph.Server) { s.Forbidden = map[string]bool{"signIns": true} },
			wantSkip: "Entra ID P1/P2",
			keep:     []string{"sp:" + hubspotAppID},
		},
		{
			name: "repeating nextLink: stopped, entries of the pages read kept",
			setup: func(s *graph.Server) {
				s.RepeatNextLink = map[string]bool{"oauth2PermissionGrants#2": true}
			},
			wantCov: []string{"@odata.nextLink repeats"},
			keep:    []string{"grant:" + hubspotAppID + ":" + aliceID, "grant:" + leadAppID + ":all"},
			lose:    []string{"grant:" + intAppID},
		},
		{
			name: "throttled inside $batch beyond the attempts: that app named, others kept",
			setup: func(s *graph.Server) {
				s.FaultFunc = func(key string, n int) *graph.Fault {
					if key == "appRoleAssignments/sp-lead" {
						f := graph.Throttled429("1")
						return &f
					}
					return nil
				}
			},
			wantCov: []string{"LeadMagnet Pro (" + leadAppID + ")", "429", "Retry-After 1"},
			keep:    []string{"approle:" + intAppID, "grant:" + leadAppID + ":all"},
			lose:    []string{"approle:" + leadAppID},
		},
		{
			name:    "truncated page every time: gives up, names the listing",
			setup:   func(s *graph.Server) { s.FaultFunc = truncatedAlways("users#1") },
			wantCov: []string{"users: gave up after 5 attempts", "not valid JSON"},
			keep:    []string{"grant:" + hubspotAppID + ":" + aliceID},
		},
		{
			name:    "403 on service principals: nothing can be attributed, the provider fails",
			setup:   func(s *graph.Server) { s.Forbidden = map[string]bool{"servicePrincipals": true} },
			wantErr: "needs the Application.Read.All application permission",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := fixture()
			tc.setup(srv)
			res := runFake(t, srv, nil)
			if tc.wantErr != "" {
				if res.err == nil || !strings.Contains(res.err.Error(), tc.wantErr) {
					t.Fatalf("Collect error = %v, want %q", res.err, tc.wantErr)
				}
				return
			}
			if res.err != nil {
				t.Fatalf("Collect: %v", res.err)
			}
			cov := errorsText(res.diag)
			for _, w := range tc.wantCov {
				if !strings.Contains(cov, w) {
					t.Errorf("coverage errors lack %q:\n%s", w, cov)
				}
			}
			if len(tc.wantCov) == 0 && cov != "" {
				t.Errorf("unexpected coverage errors:\n%s", cov)
			}
			if tc.wantSkip != "" && !strings.Contains(strings.Join(res.diag.Skipped(), "\n"), tc.wantSkip) {
				t.Errorf("skips %v lack %q", res.diag.Skipped(), tc.wantSkip)
			}
			all := strings.Join(scannertest.IDs(res.records), "\n")
			for _, k := range tc.keep {
				if !strings.Contains(all, k) {
					t.Errorf("record %s lost; have:\n%s", k, all)
				}
			}
			for _, l := range tc.lose {
				if strings.Contains(all, l) {
					t.Errorf("record %s should not be there", l)
				}
			}
		})
	}
}

func truncatedAlways(key string) func(string, int) *graph.Fault {
	return func(k string, _ int) *graph.Fault {
		if k == key {
			f := graph.Truncated
			return &f
		}
		return nil
	}
}

// TestShards: in a sharded scan each app's records come from exactly one shard, and the shards together give the
// records of the whole scan; each shard reads only its own apps' app-only permissions.
func TestShards(t *testing.T) {
	whole := runFake(t, fixture(), nil)
	var union []string
	batchParts, nonEmpty := 0, 0
	for i := range 3 {
		srv := fixture()
		hs := httptest.NewServer(srv)
		t.Cleanup(hs.Close)
		cfg := NewConfig()
		cfg.Auth, cfg.GraphEndpoint, cfg.TenantID = AuthNone, hs.URL+"/v1.0", tenantID
		client := hs.Client()
		t.Cleanup(client.CloseIdleConnections)
		srv.Errorf = t.Errorf
		p, diag, _ := newTestProvider(t, cfg, client)
		p.deps.Shard = scanner.Shard{Index: i, Count: 3}
		recs, err := collect(t, p)
		if err != nil || errorsText(diag) != "" {
			t.Fatalf("shard %d: %v %s", i, err, errorsText(diag))
		}
		union = append(union, scannertest.IDs(recs)...)
		if len(recs) > 0 {
			nonEmpty++
		}
		for _, r := range srv.Requests() {
			if r.Batch {
				batchParts++
			}
		}
	}
	slices.Sort(union)
	if !slices.Equal(union, scannertest.IDs(whole.records)) {
		t.Errorf("shards together:\n %v\nwhole scan:\n %v", union, scannertest.IDs(whole.records))
	}
	if nonEmpty < 2 {
		t.Errorf("only %d of 3 shards got records: the apps are not spread", nonEmpty)
	}
	if batchParts != 4 { // the four apps not owned by Microsoft, each read by one shard
		t.Errorf("%d appRoleAssignments reads across shards, want 4", batchParts)
	}
}
