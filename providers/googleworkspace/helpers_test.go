package googleworkspace

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/providers/internal/fakes/googleadmin"
	"github.com/shadowscan/shadowscan/providers/internal/httpx/httpxtest"
	"github.com/shadowscan/shadowscan/scanner"
)

// testNow is the scan time of every test.
var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func daysAgo(d int) time.Time { return testNow.Add(-time.Duration(d) * 24 * time.Hour) }

// fakeClock advances virtual time on Sleep and returns at once, so retries and the rate limit cost no real time.
type fakeClock = httpxtest.Clock

// Scope URLs used by the fixtures.
const (
	gmailReadonly = "https://www.googleapis.com/auth/gmail.readonly"
	driveReadonly = "https://www.googleapis.com/auth/drive.readonly"
	calendar      = "https://www.googleapis.com/auth/calendar"
	calendarRO    = "https://www.googleapis.com/auth/calendar.readonly"
	userinfoEmail = "https://www.googleapis.com/auth/userinfo.email"
	userinfoProf  = "https://www.googleapis.com/auth/userinfo.profile"
	contactsRO    = "https://www.googleapis.com/auth/contacts.readonly"
)

// Client IDs used by the fixtures.
const (
	hubspotID    = "1040812374812-hubspot.apps.googleusercontent.com"
	typeformID   = "591024718823-typeform.apps.googleusercontent.com"
	calendlyID   = "734520918375-calendly.apps.googleusercontent.com"
	apolloID     = "902817365521-apolloio.apps.googleusercontent.com"
	zoomID       = "849883241272-zoom.apps.googleusercontent.com"
	slackID      = "603219874410-slack.apps.googleusercontent.com"
	leadMagnetID = "48213377201-leadmagnet.apps.googleusercontent.com"
	hootsuiteID  = "117683291044-hootsuite.apps.googleusercontent.com"
	mailchimpID  = "283746192837-mailchimp.apps.googleusercontent.com"
	canvaID      = "771230498123-canva.apps.googleusercontent.com"
	driveDesktop = "947318989803-drivefs.apps.googleusercontent.com"
)

// fixtureUsers is a directory of 22 users over 5 pages (page size 5): users without tokens, a suspended user, a user
// deleted during the scan (404), a token with an empty display text, scopes that are not URLs, a native app.
func fixtureUsers() []googleadmin.User {
	hub := googleadmin.Token{ClientID: hubspotID, DisplayText: "HubSpot", Scopes: []string{"openid", "email", "profile", userinfoEmail, calendarRO}}
	users := []googleadmin.User{
		{ID: "100001", Email: "alice.moreau@northwind.example", Name: "Alice Moreau", OrgUnit: "/Marketing", Department: "Marketing",
			Tokens: []googleadmin.Token{hub, {ClientID: typeformID, DisplayText: "Typeform", Scopes: []string{"email", driveReadonly}}}},
		{ID: "100002", Email: "ben.okafor@northwind.example", Name: "Ben Okafor", OrgUnit: "/Marketing", Department: "Marketing",
			Tokens: []googleadmin.Token{hub, {ClientID: leadMagnetID, DisplayText: "LeadMagnet Pro", Scopes: []string{gmailReadonly, driveReadonly, "openid"}}}},
		{ID: "100003", Email: "chloe.tan@northwind.example", Name: "Chloe Tan", OrgUnit: "/Marketing/Growth", Department: "Marketing",
			Tokens: []googleadmin.Token{
				{ClientID: hubspotID, DisplayText: "HubSpot", Scopes: []string{"openid", "email", gmailReadonly, gmailReadonly}},
				{ClientID: calendlyID, DisplayText: "Calendly", Scopes: []string{calendar, userinfoEmail}}}},
		{ID: "100004", Email: "dan.weber@northwind.example", Name: "Dan Weber", OrgUnit: "/Sales", Department: "Sales",
			Tokens: []googleadmin.Token{{ClientID: apolloID, DisplayText: "Apollo.io", Scopes: []string{gmailReadonly, "email"}},
				{ClientID: zoomID, DisplayText: "Zoom", Scopes: []string{calendar}}}},
		{ID: "100005", Email: "erin.lopez@northwind.example", Name: "Erin Lopez", OrgUnit: "/Engineering", Department: "Engineering"},
		{ID: "100006", Email: "farah.said@northwind.example", Name: "Farah Said", OrgUnit: "/Finance", Department: "Finance",
			Tokens: []googleadmin.Token{{ClientID: slackID, DisplayText: "", Scopes: []string{"openid", "email", "profile"}}}},
		{ID: "100007", Email: "gus.ito@northwind.example", Name: "Gus Ito", OrgUnit: "/IT", Department: "IT",
			Tokens: []googleadmin.Token{{ClientID: driveDesktop, DisplayText: "Google Drive for desktop", NativeApp: true, Anonymous: true,
				Scopes: []string{"https://www.googleapis.com/auth/drive", "email"}}}},
		{ID: "100008", Email: "priya.nair@northwind.example", Name: "Priya Nair", OrgUnit: "/Marketing", Department: "Marketing", Suspended: true,
			Tokens: []googleadmin.Token{{ClientID: leadMagnetID, DisplayText: "LeadMagnet Pro", Scopes: []string{gmailReadonly, driveReadonly}}}},
		{ID: "100009", Email: "zed.gone@northwind.example", Name: "Zed Gone", OrgUnit: "/Sales", Department: "Sales", Deleted: true,
			Tokens: []googleadmin.Token{{ClientID: zoomID, DisplayText: "Zoom", Scopes: []string{calendar}}}},
	}
	for i := range 13 {
		u := googleadmin.User{ID: fmt.Sprintf("2000%02d", i), Email: fmt.Sprintf("staff%02d@northwind.example", i),
			Name: fmt.Sprintf("Staff %02d", i), OrgUnit: "/Operations", Department: "Operations"}
		if i%3 == 0 {
			u.Tokens = append(u.Tokens, googleadmin.Token{ClientID: zoomID, DisplayText: "Zoom", Scopes: []string{calendar, "openid"}})
		}
		if i%4 == 1 {
			u.Tokens = append(u.Tokens, googleadmin.Token{ClientID: slackID, DisplayText: "Slack", Scopes: []string{"openid", "email"}})
		}
		users = append(users, u)
	}
	return users
}

// staffUser is the i-th user of a generated tenant: ID firstID+i, user%05d@northwind.example, in /Staff.
func staffUser(firstID, i int) googleadmin.User {
	return googleadmin.User{ID: fmt.Sprint(firstID + i), Email: fmt.Sprintf("user%05d@northwind.example", i),
		Name: fmt.Sprintf("User %05d", i), OrgUnit: "/Staff", Department: "Staff"}
}

// token is an OAuth token of client (shown as app) with scopes, as the Admin API lists it.
func token(client, app string, scopes ...string) googleadmin.Token {
	return googleadmin.Token{ClientID: client, DisplayText: app, Scopes: scopes}
}

// authorized is the audit event of u granting t at the time given.
func authorized(at time.Time, u googleadmin.User, t googleadmin.Token) googleadmin.Event {
	return googleadmin.Event{Time: at, Name: "authorize", ActorEmail: u.Email, ProfileID: u.ID, ClientID: t.ClientID,
		AppName: t.DisplayText, ClientType: "WEB", Scopes: t.Scopes}
}

// fixtureEvents is a token audit log over 4 pages (page size 3) per event name, with grants made and revoked
// between scans, a grant gone without a revoke, a user no longer in the directory, an event known by email only,
// and an event older than the lookback.
func fixtureEvents() []googleadmin.Event {
	ev := func(d int, name, email, id, client, app string, scopes ...string) googleadmin.Event {
		return googleadmin.Event{Time: daysAgo(d), Name: name, ActorEmail: email, ProfileID: id, ClientID: client, AppName: app,
			ClientType: "WEB", Scopes: scopes}
	}
	return []googleadmin.Event{
		ev(100, "authorize", "alice.moreau@northwind.example", "100001", hubspotID, "HubSpot", "openid", "email"),
		ev(10, "authorize", "alice.moreau@northwind.example", "100001", hubspotID, "HubSpot", "openid", "email", calendarRO),
		ev(30, "authorize", "ben.okafor@northwind.example", "100002", leadMagnetID, "LeadMagnet Pro", gmailReadonly, driveReadonly),
		ev(20, "authorize", "erin.lopez@northwind.example", "100005", hootsuiteID, "Hootsuite", contactsRO, userinfoEmail),
		ev(5, "revoke", "erin.lopez@northwind.example", "100005", hootsuiteID, "Hootsuite"),
		ev(3, "authorize", "dan.weber@northwind.example", "100004", mailchimpID, "Mailchimp", "openid", "email"),
		ev(2, "authorize", "former.intern@northwind.example", "100099", canvaID, "Canva", driveReadonly),
		ev(40, "authorize", "farah.said@northwind.example", "", slackID, "Slack", "openid"),
		ev(400, "authorize", "alice.moreau@northwind.example", "100001", typeformID, "Typeform", "email"), // before the lookback
		ev(12, "authorize", "staff00@northwind.example", "200000", zoomID, "Zoom", calendar),
		ev(11, "authorize", "staff01@northwind.example", "200001", slackID, "Slack", "openid"),
		ev(9, "authorize", "staff04@northwind.example", "200004", slackID, "Slack", "openid"),
		ev(8, "revoke", "staff04@northwind.example", "200004", zoomID, "Zoom"), // a revoke of a grant older than the lookback
	}
}

func newFake(t testing.TB) *googleadmin.Server {
	return &googleadmin.Server{Users: fixtureUsers(), Events: fixtureEvents(), UsersPageSize: 5, EventsPageSize: 3, Errorf: t.Errorf}
}

// fakeGoogle serves the fake's Admin SDK, behind a bearer-token check, and token as the OAuth token endpoint
// (POST /token); the config it returns uses them through a service-account key file.
func fakeGoogle(t testing.TB, fake *googleadmin.Server, token http.HandlerFunc) (*Config, *httptest.Server) {
	t.Helper()
	fake.BearerToken = testAPIToken
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", token)
	mux.Handle("/", fake)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cfg := NewConfig()
	cfg.Auth = AuthDefault
	cfg.CredentialsFile = writeKey(t, srv.URL+"/token")
	cfg.Endpoint = srv.URL
	return cfg, srv
}

// writeAccessToken answers a token request with testAPIToken.
func writeAccessToken(w http.ResponseWriter) {
	_, _ = io.WriteString(w, `{"access_token":"`+testAPIToken+`","token_type":"Bearer","expires_in":3600}`)
}

// testProvider builds a provider over the fake the way production does: a service-account key file whose token
// endpoint is the fake's, and the Admin SDK behind a bearer-token check, so a request without the access token
// fails as it would against Google. It uses a virtual clock for retries and no jitter.
func testProvider(t testing.TB, fake *googleadmin.Server, mutate func(*Config)) (*provider, *scanner.Diagnostics, *fakeClock) {
	t.Helper()
	cfg, srv := fakeGoogle(t, fake, func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("assertion") == "" {
			t.Errorf("token request without an assertion: %v", err)
		}
		w.Header().Set("Content-Type", "application/json")
		writeAccessToken(w)
	})
	cfg.Concurrency = 4
	cfg.AdminEmail = "admin@northwind.example"
	if mutate != nil {
		mutate(cfg)
	}
	diag := &scanner.Diagnostics{}
	p, err := newProvider(cfg, scanner.Deps{Name: "workspace", Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel),
		Diagnostics: diag, Now: func() time.Time { return testNow }, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatalf("newProvider: %v", err)
	}
	clock := httpxtest.NewClock(testNow)
	p.clock = clock
	p.rand = func() float64 { return 0 }
	return p, diag, clock
}

func collect(t testing.TB, p scanner.Provider) ([]scanner.Record, error) {
	t.Helper()
	var mu sync.Mutex
	var recs []scanner.Record
	err := p.Collect(context.Background(), func(r scanner.Record) error {
		mu.Lock()
		defer mu.Unlock()
		recs = append(recs, r)
		return nil
	})
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	return recs, err
}

// collectFails collects from p, which must fail with an error containing each of want; it returns the records
// emitted and the error.
func collectFails(t *testing.T, p scanner.Provider, want ...string) ([]scanner.Record, error) {
	t.Helper()
	recs, err := collect(t, p)
	if err == nil {
		t.Fatalf("Collect succeeded with %d records", len(recs))
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\ndoes not contain %q", err, w)
		}
	}
	return recs, err
}

// wantTokenGrants is every grant the fake holds now: one per (live user, client).
func wantTokenGrants(users []googleadmin.User) map[string]googleadmin.User {
	out := map[string]googleadmin.User{}
	for _, u := range users {
		if u.Deleted {
			continue
		}
		for _, tk := range u.Tokens {
			out["google:my_customer:"+u.ID+":"+tk.ClientID] = u
		}
	}
	return out
}

func tokenOf(u googleadmin.User, client string) googleadmin.Token {
	for _, tk := range u.Tokens {
		if tk.ClientID == client {
			return tk
		}
	}
	return googleadmin.Token{}
}

func sortedCopy(s []string) []string {
	return normaliseScopes(append([]string(nil), s...))
}

func jsonOf(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func coverageErrors(d *scanner.Diagnostics) string {
	var parts []string
	for _, e := range d.Errors() {
		parts = append(parts, e.API+" ["+e.Target+"] "+e.Message)
	}
	return strings.Join(parts, "\n")
}
