package googleworkspace

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/providers/internal/fakes/googleadmin"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

// tenant is a fake tenant of n users, every third with a HubSpot grant and every fifth with Zoom, each grant
// authorised long ago.
func tenant(n int, night1 time.Time) *googleadmin.Server {
	f := &googleadmin.Server{UsersPageSize: 100, EventsPageSize: 500}
	hubspot, zoom := token(hubspotID, "HubSpot", "openid", "email"), token(zoomID, "Zoom", calendar)
	for i := range n {
		u := staffUser(300000, i)
		if i%3 == 0 {
			u.Tokens = append(u.Tokens, hubspot)
			f.Events = append(f.Events, authorized(night1.Add(-90*24*time.Hour), u, hubspot))
		}
		if i%5 == 0 {
			u.Tokens = append(u.Tokens, zoom)
		}
		f.Users = append(f.Users, u)
	}
	return f
}

func nightProvider(t *testing.T, f *googleadmin.Server, stateDir string, at time.Time, full bool) *provider {
	p, _, _ := testProvider(t, f, nil)
	p.deps.StateDir, p.deps.FullSweep = stateDir, full
	p.now = func() time.Time { return at }
	p.deps.Diagnostics = &scanner.Diagnostics{}
	return p
}

// comparable strips what legitimately differs between a carried grant and a re-read one.
func comparable(recs []scanner.Record) map[string]string {
	out := map[string]string{}
	for _, r := range recs {
		delete(r.Attributes, "last_confirmed")
		b, _ := json.Marshal(r)
		out[r.ID] = string(b)
	}
	return out
}

func tokensCalls(f *googleadmin.Server, since int) []string {
	var out []string
	for _, r := range f.Requests()[since:] {
		if k, ok := strings.CutPrefix(r.Key, "tokens/"); ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Night 2 of a tenant re-reads only the users that changed (audit events since night 1, new, changed in
// users.list) and reports exactly the grants a full sweep of night 2 reports; a grant made and revoked between
// the nights still appears, from the audit log.
func TestIncrementalNight(t *testing.T) {
	night1 := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	night2 := night1.Add(24 * time.Hour)
	f := tenant(300, night1)
	state := t.TempDir()

	recs1, err := collect(t, nightProvider(t, f, state, night1, false))
	if err != nil || len(recs1) < 100 {
		t.Fatalf("night 1: %d records, %v", len(recs1), err)
	}
	if n := len(tokensCalls(f, 0)); n != 300 {
		t.Fatalf("night 1 read %d users' tokens; a first night sweeps all 300", n)
	}
	cp := filepath.Join(state, "checkpoints", "workspace.json")
	if st, err := os.Stat(cp); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("checkpoint: %v %v", st, err)
	}

	// Between the nights: user 10 grants Mailchimp, user 21 revokes HubSpot, user 30 moves department, user 7 is
	// new, user 40 is deleted, user 50 grants and revokes Canva within the day.
	ev := func(at time.Duration, name string, i int, client, app string) googleadmin.Event {
		return googleadmin.Event{Time: night1.Add(at), Name: name, ActorEmail: f.Users[i].Email, ProfileID: f.Users[i].ID,
			ClientID: client, AppName: app, ClientType: "WEB", Scopes: []string{"openid"}}
	}
	f.Users[10].Tokens = append(f.Users[10].Tokens, googleadmin.Token{ClientID: mailchimpID, DisplayText: "Mailchimp", Scopes: []string{"openid"}})
	f.Users[21].Tokens = nil
	f.Users[30].Department = "Marketing"
	f.Events = append(f.Events, ev(12*time.Hour, "authorize", 10, mailchimpID, "Mailchimp"), ev(13*time.Hour, "revoke", 21, hubspotID, "HubSpot"),
		ev(5*time.Hour, "authorize", 50, canvaID, "Canva"), ev(6*time.Hour, "revoke", 50, canvaID, "Canva"))
	f.Users = append(f.Users, googleadmin.User{ID: "399999", Email: "new.hire@northwind.example", Name: "New Hire", OrgUnit: "/Marketing",
		Department: "Marketing", Tokens: []googleadmin.Token{{ClientID: canvaID, DisplayText: "Canva", Scopes: []string{driveReadonly}}}})
	f.Users = append(f.Users[:40], f.Users[41:]...)

	before := len(f.Requests())
	p2 := nightProvider(t, f, state, night2, false)
	recs2, err := collect(t, p2)
	if err != nil {
		t.Fatal(err)
	}
	got := tokensCalls(f, before)
	want := []string{"300010", "300021", "300030", "300050", "399999"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("night 2 read the tokens of %v; want only the changed users %v", got, want)
	}
	skipped := strings.Join(p2.deps.Diagnostics.Skipped(), "\n")
	if !strings.Contains(skipped, "token sweep: incremental (5 of 300 users changed") ||
		!strings.Contains(skipped, "the oldest last confirmed 2026-12-01T02:00:00Z") {
		t.Errorf("coverage does not say the mode and freshness:\n%s", skipped)
	}

	carried := scannertest.ByID(recs2)["google:my_customer:300003:"+hubspotID]
	if carried.Attributes["last_confirmed"] != "2026-12-01T02:00:00Z" {
		t.Errorf("a carried grant does not say when it was last confirmed: %v", carried.Attributes)
	}

	before = len(f.Requests())
	full, err := collect(t, nightProvider(t, f, t.TempDir(), night2, false))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tokensCalls(f, before)); n != 300 {
		t.Fatalf("the reference full sweep read %d users", n)
	}
	a, b := comparable(recs2), comparable(full)
	for id, w := range b {
		if a[id] != w {
			t.Errorf("%s:\n incremental %s\n full        %s", id, a[id], w)
		}
	}
	for id := range a {
		if _, ok := b[id]; !ok {
			t.Errorf("incremental night has %s, the full sweep does not", id)
		}
	}
	canva := scannertest.ByID(recs2)["google:my_customer:300050:"+canvaID]
	if canva.ID == "" || canva.Attributes["revoked"] != true {
		t.Errorf("the grant made and revoked between the nights is missing: %+v", canva)
	}
}

// A full sweep runs when full_sweep_every has passed, on --full, and when the audit log cannot be read.
func TestIncrementalFallsBackToFull(t *testing.T) {
	night1 := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		at   time.Time
		full bool
		mut  func(*googleadmin.Server)
		why  string
	}{
		{"a week later", night1.Add(7 * 24 * time.Hour), false, nil, "the last full sweep was"},
		{"--full", night1.Add(24 * time.Hour), true, nil, "scan --full"},
		{"audit log down", night1.Add(24 * time.Hour), false, func(f *googleadmin.Server) {
			f.Faults = map[string][]googleadmin.Fault{"activities/authorize": {googleadmin.Forbidden403}}
		}, "the token audit log could not be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tenant(40, night1)
			state := t.TempDir()
			if _, err := collect(t, nightProvider(t, f, state, night1, false)); err != nil {
				t.Fatal(err)
			}
			if tc.mut != nil {
				tc.mut(f)
			}
			before := len(f.Requests())
			p := nightProvider(t, f, state, tc.at, tc.full)
			_, _ = collect(t, p)
			if n := len(tokensCalls(f, before)); n != 40 {
				t.Errorf("read %d users' tokens; want a full sweep of 40", n)
			}
			if s := strings.Join(p.deps.Diagnostics.Skipped(), "\n"); !strings.Contains(s, "token sweep: full") || !strings.Contains(s, tc.why) {
				t.Errorf("skipped %q; want the full mode and %q", s, tc.why)
			}
		})
	}
}

// A corrupt checkpoint is not trusted: the night sweeps in full and writes a good one.
func TestCorruptCheckpoint(t *testing.T) {
	night1 := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	f := tenant(20, night1)
	state := t.TempDir()
	cp := filepath.Join(state, "checkpoints", "workspace.json")
	if err := os.MkdirAll(filepath.Dir(cp), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cp, []byte(`{"version":1,"users":{`), 0o600); err != nil {
		t.Fatal(err)
	}
	p := nightProvider(t, f, state, night1, false)
	if _, err := collect(t, p); err != nil {
		t.Fatal(err)
	}
	if n := len(tokensCalls(f, 0)); n != 20 {
		t.Errorf("read %d users", n)
	}
	var c checkpoint
	if err := json.Unmarshal(mustReadFile(t, cp), &c); err != nil || len(c.Users) != 20 || !c.LastFull.Equal(night1) {
		t.Errorf("checkpoint after the night: %v, %d users, last full %s", err, len(c.Users), c.LastFull)
	}
}

func mustReadFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
