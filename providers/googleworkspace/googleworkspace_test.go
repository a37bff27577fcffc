package googleworkspace

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/providers/internal/fakes/googleadmin"
	"github.com/shadowscan/shadowscan/providers/internal/httpx"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

func TestRegistered(t *testing.T) {
	f, ok := scanner.Lookup(Type)
	if !ok {
		t.Fatal("google_workspace is not registered")
	}
	if len(f.Permissions) != 3 {
		t.Errorf("permissions = %d, want the three scopes", len(f.Permissions))
	}
	for _, p := range f.Permissions {
		if !strings.HasPrefix(p.Name, "https://www.googleapis.com/auth/admin.") || p.Why == "" {
			t.Errorf("permission %+v", p)
		}
	}
	cfg := f.NewConfig().(*Config)
	cfg.Auth, cfg.Endpoint = AuthNone, "http://127.0.0.1:1"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.New(cfg, scanner.Deps{}); err != nil {
		t.Fatal(err)
	}
}

// TestCollectYieldsExactlyTheFakesGrants is the main check: every grant the fake holds, with its person, org unit,
// department, scopes and times, plus the grants only the audit log knows.
func TestCollectYieldsExactlyTheFakesGrants(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	p, diag, _ := testProvider(t, fake, nil)
	recs, err := collect(t, p)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if errs := coverageErrors(diag); errs != "" {
		t.Errorf("coverage errors on a healthy fake:\n%s", errs)
	}
	got := scannertest.ByID(recs)
	if len(got) != len(recs) {
		t.Errorf("duplicate record IDs")
	}

	// Every current grant, exactly.
	want := wantTokenGrants(fake.Users)
	for id, u := range want {
		r, ok := got[id]
		if !ok {
			t.Errorf("missing grant %s", id)
			continue
		}
		client := id[strings.LastIndex(id, ":")+1:]
		tk := tokenOf(u, client)
		wantP := scanner.Principal{Type: "user", ID: u.ID, Email: u.Email, Name: u.Name, OrgUnit: u.OrgUnit,
			Department: u.Department, Suspended: u.Suspended}
		if *r.Principal != wantP {
			t.Errorf("%s: principal = %+v, want %+v", id, *r.Principal, wantP)
		}
		if !reflect.DeepEqual(r.Scopes, sortedCopy(tk.Scopes)) {
			t.Errorf("%s: scopes = %v, want %v", id, r.Scopes, sortedCopy(tk.Scopes))
		}
		if h, _ := r.Hint(scanner.HintGoogleClientID); h.Value != client {
			t.Errorf("%s: client hint = %q", id, h.Value)
		}
		if r.Kind != scanner.KindOAuthGrant || r.Attributes["source"] != sourceTokens || r.Attributes["revoked"] != false ||
			r.Attributes["user_key"] != u.ID || r.Attributes["anonymous"] != tk.Anonymous || r.Attributes["native_app"] != tk.NativeApp {
			t.Errorf("%s: kind %s attributes %v", id, r.Kind, r.Attributes)
		}
	}

	// The grants only the audit log knows.
	auditOnly := map[string]struct {
		revoked   bool
		lastEvent string
		email     string
		dept      string
	}{
		"google:my_customer:100005:" + hootsuiteID: {true, "revoke", "erin.lopez@northwind.example", "Engineering"}, // made and revoked between scans
		"google:my_customer:100004:" + mailchimpID: {true, "authorize", "dan.weber@northwind.example", "Sales"},     // gone without a revoke event
		"google:my_customer:100099:" + canvaID:     {false, "authorize", "former.intern@northwind.example", ""},     // user not in the directory: state unknown
		"google:my_customer:200004:" + slackID:     {true, "authorize", "staff04@northwind.example", "Operations"},  // tokens read, not there
		"google:my_customer:200004:" + zoomID:      {true, "revoke", "staff04@northwind.example", "Operations"},     // only a revoke in the window
	}
	for id, w := range auditOnly {
		r, ok := got[id]
		if !ok {
			t.Errorf("missing audit-only grant %s", id)
			continue
		}
		if r.Attributes["source"] != sourceAudit || r.Attributes["revoked"] != w.revoked || r.Attributes["last_event"] != w.lastEvent ||
			r.Principal.Email != w.email || r.Principal.Department != w.dept {
			t.Errorf("%s: principal %+v attributes %v, want revoked=%v last_event=%s", id, *r.Principal, r.Attributes, w.revoked, w.lastEvent)
		}
	}
	if len(recs) != len(want)+len(auditOnly) {
		t.Errorf("records = %d, want %d current + %d audit-only", len(recs), len(want), len(auditOnly))
		for _, r := range recs {
			if _, ok := want[r.ID]; !ok {
				if _, ok := auditOnly[r.ID]; !ok {
					t.Errorf("unexpected record %s", r.ID)
				}
			}
		}
	}

	// Times from the audit log.
	times := []struct {
		id          string
		first, last time.Time
	}{
		{"google:my_customer:100001:" + hubspotID, daysAgo(100), daysAgo(10)},
		{"google:my_customer:100002:" + leadMagnetID, daysAgo(30), daysAgo(30)},
		{"google:my_customer:100006:" + slackID, daysAgo(40), daysAgo(40)}, // audit event known by email only
		{"google:my_customer:100005:" + hootsuiteID, daysAgo(20), daysAgo(20)},
		{"google:my_customer:200004:" + zoomID, time.Time{}, daysAgo(8)},
		{"google:my_customer:100001:" + typeformID, time.Time{}, time.Time{}}, // its event is older than the lookback
		{"google:my_customer:100003:" + hubspotID, time.Time{}, time.Time{}},
	}
	for _, tc := range times {
		r := got[tc.id]
		if !r.FirstSeen.Equal(tc.first) || !r.LastSeen.Equal(tc.last) {
			t.Errorf("%s: first/last = %s / %s, want %s / %s", tc.id, r.FirstSeen, r.LastSeen, tc.first, tc.last)
		}
	}
	if r := got["google:my_customer:100005:"+hootsuiteID]; r.Attributes["revoked_at"] != daysAgo(5).Format(time.RFC3339) {
		t.Errorf("hootsuite revoked_at = %v", r.Attributes["revoked_at"])
	}

	// The edge cases of the fixtures.
	slack := got["google:my_customer:100006:"+slackID] // empty display text: the audit log's app name fills in
	if h, _ := slack.Hint(scanner.HintName); h.Value != "Slack" {
		t.Errorf("empty display text: name hint = %q, want Slack from the audit log", h.Value)
	}
	chloe := got["google:my_customer:100003:"+hubspotID]
	if !reflect.DeepEqual(chloe.Scopes, []string{"email", gmailReadonly, "openid"}) {
		t.Errorf("chloe's HubSpot scopes = %v (duplicates dropped, bare OIDC scopes kept)", chloe.Scopes)
	}
	priya := got["google:my_customer:100008:"+leadMagnetID]
	if !priya.Principal.Suspended || !strings.Contains(priya.Summary, "suspended") {
		t.Errorf("suspended user's grant: %+v %q", priya.Principal, priya.Summary)
	}
	gus := got["google:my_customer:100007:"+driveDesktop]
	if gus.Attributes["native_app"] != true || gus.Attributes["anonymous"] != true {
		t.Errorf("native app flags: %v", gus.Attributes)
	}
	if _, ok := got["google:my_customer:100009:"+zoomID]; ok {
		t.Error("the user deleted during the scan has a record")
	}
	skipped := strings.Join(diag.Skipped(), "\n")
	if !strings.Contains(skipped, "zed.gone@northwind.example was deleted during the scan") {
		t.Errorf("skips = %q, want the deleted user", skipped)
	}

	// Partial responses and paging.
	var usersPages, activityPages int
	for _, r := range fake.Requests() {
		u, _ := url.Parse(r.URL)
		if u.Query().Get("fields") == "" {
			t.Errorf("request without a fields mask: %s", r.URL)
		}
		switch {
		case strings.HasPrefix(r.Key, "users#"):
			usersPages++
		case strings.HasPrefix(r.Key, "activities/"):
			activityPages++
		}
	}
	if usersPages != 5 || activityPages != 5 {
		t.Errorf("pages read: users %d (want 5), activities %d (want 3 authorize + 2 revoke)", usersPages, activityPages)
	}
}

// throttle answers the first request of every key with a different kind of throttling or server error, and a
// few keys with more than one.
func throttle(key string, n int) *googleadmin.Fault {
	kinds := []googleadmin.Fault{googleadmin.TooMany429("30"), googleadmin.RateLimit403, googleadmin.Unavailable503,
		googleadmin.Quota403, googleadmin.TooMany429("Fri, 20 Nov 2026 12:00:07 GMT")}
	h := 0
	for _, c := range key {
		h += int(c)
	}
	limit := 1 + h%3 // 1 to 3 failures: within the 5 attempts
	if n > limit {
		return nil
	}
	f := kinds[(h+n)%len(kinds)]
	return &f
}

func TestThrottlingLosesNothing(t *testing.T) {
	t.Parallel()
	base, _, _ := testProvider(t, newFake(t), nil)
	want, err := collect(t, base)
	if err != nil {
		t.Fatal(err)
	}

	fake := newFake(t)
	fake.FaultFunc = throttle
	fake.Faults = map[string][]googleadmin.Fault{
		"tokens/100002":          {googleadmin.Malformed}, // a malformed body, then the real one
		"users#3":                {googleadmin.Malformed}, // a malformed page in the middle of the list
		"activities/authorize#2": {googleadmin.Malformed, googleadmin.TooMany429("1")},
	}
	p, diag, clock := testProvider(t, fake, nil)
	got, err := collect(t, p)
	if err != nil {
		t.Fatalf("Collect under throttling: %v", err)
	}
	if errs := coverageErrors(diag); errs != "" {
		t.Errorf("coverage not complete although every call succeeded within its attempts:\n%s", errs)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records under throttling differ from the calm run:\n got %d records\nwant %d records\n%s", len(got), len(want), diffIDs(got, want))
	}
	if len(fake.Requests()) <= 30 {
		t.Errorf("only %d requests: the faults were not served", len(fake.Requests()))
	}
	honoured30 := false
	for _, d := range clock.Sleeps() {
		honoured30 = honoured30 || d == 30*time.Second
	}
	if !honoured30 {
		t.Errorf("Retry-After not honoured: sleeps %v", clock.Sleeps())
	}
	// No page was read twice: the users list resumed at the malformed page.
	pages := map[string]int{}
	for _, r := range fake.Requests() {
		pages[r.Key]++
	}
	if pages["users#1"] != 1+throttleCount("users#1") {
		t.Errorf("users page 1 requested %d times: the list restarted", pages["users#1"])
	}
}

func throttleCount(key string) int {
	n := 0
	for i := 1; throttle(key, i) != nil; i++ {
		n++
	}
	return n
}

func diffIDs(got, want []scanner.Record) string {
	g, w := scannertest.ByID(got), scannertest.ByID(want)
	var b strings.Builder
	for id := range w {
		if _, ok := g[id]; !ok {
			fmt.Fprintf(&b, "lost %s\n", id)
		} else if !reflect.DeepEqual(g[id], w[id]) {
			fmt.Fprintf(&b, "changed %s:\n%s\n%s\n", id, jsonOf(g[id]), jsonOf(w[id]))
		}
	}
	for id := range g {
		if _, ok := w[id]; !ok {
			fmt.Fprintf(&b, "extra %s\n", id)
		}
	}
	return b.String()
}

func TestPartialCoverageNamesHowManyAndWhy(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	always := func(f googleadmin.Fault, n int) []googleadmin.Fault {
		out := make([]googleadmin.Fault, n)
		for i := range out {
			out[i] = f
		}
		return out
	}
	fake.Faults = map[string][]googleadmin.Fault{
		"tokens/100001": always(googleadmin.TooMany429("30"), 10),
		"tokens/200003": always(googleadmin.TooMany429("30"), 10),
		"tokens/100004": always(googleadmin.Unavailable503, 10),
		"tokens/100003": always(googleadmin.Malformed, 10),
	}
	p, diag, _ := testProvider(t, fake, func(c *Config) { c.Mode = ModeTokens })
	recs, err := collect(t, p)
	if err != nil {
		t.Fatalf("Collect returned %v; partial coverage is reported through diagnostics", err)
	}
	errs := diag.Errors()
	if len(errs) != 1 {
		t.Fatalf("coverage errors = %s, want one summary", coverageErrors(diag))
	}
	e := errs[0]
	if e.API != "tokens.list" || e.Target != "4 of 22 users" {
		t.Errorf("coverage error api/target = %q / %q", e.API, e.Target)
	}
	for _, want := range []string{
		"the OAuth tokens of 4 of 22 users could not be read after retries",
		"2 × gave up after 5 attempts: 429 Too Many Requests (rateLimitExceeded, Retry-After 30s) (alice.moreau@northwind.example, staff03@northwind.example)",
		"1 × gave up after 5 attempts: 503 Service Unavailable (dan.weber@northwind.example)",
		"1 × malformed JSON response",
		"(chloe.tan@northwind.example)",
	} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("coverage message %q\ndoes not contain %q", e.Message, want)
		}
	}
	// Everything else is kept.
	want := wantTokenGrants(fake.Users)
	for id, u := range want {
		if u.ID == "100001" || u.ID == "200003" || u.ID == "100004" || u.ID == "100003" {
			delete(want, id)
		}
	}
	if len(recs) != len(want) {
		t.Errorf("records = %d, want %d (all grants of the users that were read)", len(recs), len(want))
	}
	for _, r := range recs {
		if _, ok := want[r.ID]; !ok {
			t.Errorf("unexpected %s", r.ID)
		}
	}
}

func TestRateLimitIsObeyed(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 3s of real time")
	}
	t.Parallel()
	var users []googleadmin.User
	for i := range 36 {
		users = append(users, googleadmin.User{ID: fmt.Sprint(300000 + i), Email: fmt.Sprintf("u%02d@northwind.example", i),
			Tokens: []googleadmin.Token{{ClientID: zoomID, DisplayText: "Zoom", Scopes: []string{calendar}}}})
	}
	fake := &googleadmin.Server{Users: users, UsersPageSize: 500, Errorf: t.Errorf}
	p, _, _ := testProvider(t, fake, func(c *Config) { c.MaxQPM, c.Concurrency, c.Mode = 600, 8, ModeTokens })
	p.clock = httpx.SystemClock // the real clock
	recs, err := collect(t, p)
	if err != nil || len(recs) != 36 {
		t.Fatalf("Collect: %d records, %v", len(recs), err)
	}
	reqs := fake.Requests()
	sort.Slice(reqs, func(i, j int) bool { return reqs[i].Time.Before(reqs[j].Time) })
	most := 0
	for i := range reqs {
		k := i
		for k < len(reqs) && reqs[k].Time.Sub(reqs[i].Time) < time.Second {
			k++
		}
		most = max(most, k-i)
	}
	// 600 a minute is 10 a second, with a burst of one second's worth: at most 20 in any second (+1 for noise).
	if most > 21 {
		t.Errorf("the fake saw %d requests within one second at max_qpm 600", most)
	}
	t.Logf("%d requests, at most %d in any one second, over %s", len(reqs), most, reqs[len(reqs)-1].Time.Sub(reqs[0].Time))
}

func TestSetupErrorsSayWhatToFix(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		faults map[string][]googleadmin.Fault
		mode   string
		want   []string
	}{
		{"admin sdk not enabled", map[string][]googleadmin.Fault{"users": {{Status: 403, Body: googleadmin.GoogleError(403, "accessNotConfigured", "usageLimits",
			"Admin SDK API has not been used in project 1234 before or it is disabled.")}}}, ModeTokens,
			[]string{"users.list: the Admin SDK API is not enabled", "enable admin.googleapis.com"}},
		{"admin lacks privilege to list users", map[string][]googleadmin.Fault{"users": {googleadmin.Forbidden403}}, ModeTokens,
			[]string{`users.list: admin_email "admin@northwind.example" is not allowed to list users (403 Not Authorized to access this resource/api)`, "Users › Read", ScopeUserReadonly}},
		{"tokens scope missing", map[string][]googleadmin.Fault{}, ModeTokens,
			[]string{"tokens.list: the access token lacks the scope " + ScopeUserSecurity, "Manage Domain Wide Delegation"}},
		{"bad customer", map[string][]googleadmin.Fault{"users": {{Status: 400, Body: googleadmin.GoogleError(400, "badRequest", "global", "Bad Request")}}}, ModeTokens,
			[]string{`customer "my_customer" or domain "" is not valid`}},
		{"reports privilege missing, audit only", map[string][]googleadmin.Fault{"activities/authorize": {{Status: 401, Body: googleadmin.GoogleError(401, "authError", "global", "Access denied. You are not authorized to read activity records.")}}}, ModeAudit,
			[]string{"activities.list: Google rejected the credentials (401"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			fake.Faults = tc.faults
			if tc.name == "tokens scope missing" {
				fake.FaultFunc = func(key string, n int) *googleadmin.Fault {
					if strings.HasPrefix(key, "tokens/") {
						return &googleadmin.Fault{Status: 403, Body: `{"error":{"code":403,"message":"Request had insufficient authentication scopes.","errors":[{"message":"Insufficient Permission","domain":"global","reason":"insufficientPermissions"}],"status":"PERMISSION_DENIED"}}`}
					}
					return nil
				}
			}
			p, _, _ := testProvider(t, fake, func(c *Config) { c.Mode = tc.mode })
			recs, _ := collectFails(t, p, tc.want...)
			if len(recs) != 0 {
				t.Errorf("%d records emitted although the setup is broken", len(recs))
			}
			// A setup error stops the sweep instead of failing 22 times.
			tokensCalls := 0
			for _, r := range fake.Requests() {
				if strings.HasPrefix(r.Key, "tokens/") {
					tokensCalls++
				}
			}
			if tokensCalls > 4 {
				t.Errorf("%d tokens.list calls after a setup error (concurrency 4)", tokensCalls)
			}
		})
	}
}

func TestAuditMode(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	p, diag, _ := testProvider(t, fake, func(c *Config) { c.Mode = ModeAudit })
	recs, err := collect(t, p)
	if err != nil || coverageErrors(diag) != "" {
		t.Fatalf("Collect: %v %s", err, coverageErrors(diag))
	}
	for _, r := range fake.Requests() {
		if !strings.HasPrefix(r.Key, "activities/") {
			t.Errorf("audit mode called %s", r.URL)
		}
	}
	got := scannertest.ByID(recs)
	// 12 events in the lookback over 10 (user, client) pairs.
	if len(recs) != 10 {
		t.Errorf("records = %d, want 10:\n%s", len(recs), jsonOf(recs))
	}
	for id, revoked := range map[string]bool{
		"google:my_customer:100005:" + hootsuiteID:                   true,  // last event a revoke
		"google:my_customer:100004:" + mailchimpID:                   false, // without tokens.list nobody knows it is gone
		"google:my_customer:100001:" + hubspotID:                     false,
		"google:my_customer:farah.said@northwind.example:" + slackID: false, // known by email only
	} {
		r, ok := got[id]
		if !ok {
			t.Errorf("missing %s", id)
			continue
		}
		if r.Attributes["revoked"] != revoked || r.Attributes["source"] != sourceAudit {
			t.Errorf("%s: attributes %v", id, r.Attributes)
		}
	}
	hub := got["google:my_customer:100001:"+hubspotID]
	if !reflect.DeepEqual(hub.Scopes, []string{"email", calendarRO, "openid"}) || hub.Attributes["authorizations"] != int64(2) {
		t.Errorf("hubspot from the audit log: scopes %v attributes %v", hub.Scopes, hub.Attributes)
	}
	if hub.Principal.Email != "alice.moreau@northwind.example" || hub.Principal.OrgUnit != "" {
		t.Errorf("audit mode principal = %+v (no directory read, so no org unit)", hub.Principal)
	}
}

func TestAuditFailureInBothModeKeepsTokens(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	fake.Faults = map[string][]googleadmin.Fault{"activities/revoke": {googleadmin.Forbidden403}}
	p, diag, _ := testProvider(t, fake, nil)
	recs, err := collect(t, p)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	errs := diag.Errors()
	if len(errs) != 1 || errs[0].API != "activities.list" || !strings.Contains(errs[0].Message, "Reports") {
		t.Errorf("coverage errors = %s, want the audit log, naming the Reports privilege", coverageErrors(diag))
	}
	if got := scannertest.ByID(recs); len(got) < len(wantTokenGrants(fake.Users)) {
		t.Errorf("records = %d: current grants lost", len(got))
	}
}

func TestUsersListFailingMidwayKeepsWhatWasRead(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	fake.Faults = map[string][]googleadmin.Fault{"users#3": make([]googleadmin.Fault, 5)}
	for i := range fake.Faults["users#3"] {
		fake.Faults["users#3"][i] = googleadmin.Unavailable503
	}
	p, diag, _ := testProvider(t, fake, func(c *Config) { c.Mode = ModeTokens })
	recs, err := collect(t, p)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if e := diag.Errors(); len(e) != 1 || e[0].API != "users.list" || !strings.Contains(e[0].Message, "after 10 users (2 pages)") ||
		!strings.Contains(e[0].Message, "gave up after 5 attempts: 503 Service Unavailable") {
		t.Errorf("coverage errors = %s", coverageErrors(diag))
	}
	for _, r := range recs {
		if !strings.HasPrefix(r.Principal.ID, "10000") && r.Principal.ID != "200000" {
			t.Errorf("record of a user on an unread page: %s", r.ID)
		}
	}
	if len(recs) == 0 {
		t.Error("nothing kept")
	}
}

func TestDomainScope(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	fake.Users = append(fake.Users, googleadmin.User{ID: "900001", Email: "x@other.example",
		Tokens: []googleadmin.Token{{ClientID: zoomID, Scopes: []string{calendar}}}})
	p, _, _ := testProvider(t, fake, func(c *Config) { c.Domain, c.Mode = "northwind.example", ModeTokens })
	recs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if strings.Contains(r.ID, "900001") {
			t.Errorf("a user outside the domain: %s", r.ID)
		}
	}
	for _, r := range fake.Requests() {
		if strings.HasPrefix(r.Key, "users#") && !strings.Contains(r.URL, "domain=northwind.example") {
			t.Errorf("users.list without the domain: %s", r.URL)
		}
	}
}

func TestContract(t *testing.T) {
	scannertest.RunProviderContract(t, func(t *testing.T) scanner.Provider {
		p, _, _ := testProvider(t, newFake(t), nil)
		return p
	}, scannertest.Contract{
		Kinds: []string{scanner.KindOAuthGrant},
		Populated: map[string][]string{scanner.KindOAuthGrant: {"Principal.Email", "Principal.ID", "Principal.Name",
			"Principal.OrgUnit", "Principal.Department", "Principal.Suspended", "Scopes", "Hints", "Summary", "FirstSeen",
			"LastSeen", "Attributes.source", "Attributes.user_key", "Attributes.last_event", "Attributes.revoked_at"}},
	})
}

func TestCancellationStopsTheSweep(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	fake.Latency = 20 * time.Millisecond
	p, _, _ := testProvider(t, fake, func(c *Config) { c.Concurrency = 2 })
	ctx, cancel := context.WithCancel(context.Background())
	var emitted, late atomic.Int32
	var returned atomic.Bool
	err := p.Collect(ctx, func(scanner.Record) error {
		if returned.Load() {
			late.Add(1)
		}
		if emitted.Add(1) == 3 {
			cancel()
		}
		return nil
	})
	returned.Store(true)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Collect = %v, want context.Canceled", err)
	}
	time.Sleep(50 * time.Millisecond)
	if late.Load() != 0 {
		t.Errorf("%d emits after Collect returned", late.Load())
	}
}
