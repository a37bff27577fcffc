package googleworkspace

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/providers/internal/fakes/googleadmin"
	"github.com/shadowscan/shadowscan/providers/internal/httpx"
	"github.com/shadowscan/shadowscan/scanner"
)

// BenchmarkSweep scans a fake tenant of 10,000 users whose every request takes 20 ms, with the real clock, and
// reports the request rate reached against the configured max_qpm. Run it once per setting:
//
//	go test -run '^$' -bench BenchmarkSweep -benchtime 1x ./providers/googleworkspace/
func BenchmarkSweep(b *testing.B) {
	const users = 10000
	var list []googleadmin.User
	for i := range users {
		u := staffUser(500000, i)
		if i%2 == 0 {
			u.Tokens = append(u.Tokens, token(zoomID, "Zoom", calendar, "openid"))
		}
		if i%5 == 0 {
			u.Tokens = append(u.Tokens, token(hubspotID, "HubSpot", "openid", "email"))
		}
		list = append(list, u)
	}
	for _, tc := range []struct{ qpm, concurrency int }{{30000, 16}, {120000, 16}} {
		b.Run(fmt.Sprintf("users=%d/latency=20ms/max_qpm=%d/concurrency=%d", users, tc.qpm, tc.concurrency), func(b *testing.B) {
			fake := &googleadmin.Server{Users: list, Latency: 20 * time.Millisecond, Errorf: b.Errorf}
			srv := httptest.NewServer(fake)
			b.Cleanup(srv.Close)
			cfg := NewConfig()
			cfg.Auth, cfg.Endpoint, cfg.Mode = AuthNone, srv.URL, ModeTokens
			cfg.MaxQPM, cfg.Concurrency = tc.qpm, tc.concurrency
			var requests, records int
			var took time.Duration
			for b.Loop() {
				p, err := newProvider(cfg, scanner.Deps{Logger: zerolog.Nop(), Diagnostics: &scanner.Diagnostics{}, HTTPClient: srv.Client()})
				if err != nil {
					b.Fatal(err)
				}
				p.clock = httpx.SystemClock
				before := len(fake.Requests())
				start := time.Now()
				n := 0
				if err := p.Collect(context.Background(), func(scanner.Record) error { n++; return nil }); err != nil {
					b.Fatal(err)
				}
				took += time.Since(start)
				requests += len(fake.Requests()) - before
				records += n
			}
			perMin := float64(requests) / took.Minutes()
			b.ReportMetric(perMin, "req/min")
			b.ReportMetric(100*perMin/float64(tc.qpm), "%max_qpm")
			b.ReportMetric(float64(records)/float64(b.N), "grants/scan")
			b.ReportMetric(took.Seconds()/float64(b.N), "s/scan")
		})
	}
}

// BenchmarkIncrementalNight is night 2 of a 50,000-user tenant in which 1% of the users granted an app since night
// 1, at the Admin SDK's 2,400 calls a minute and 20 ms a request, with the real clock. Night 1's checkpoint is
// written as a full sweep would have left it (a real night 1 would take the 21-minute floor). It reports the
// night's wall time, the calls made, and the full sweep's floor for comparison:
//
//	go test -run '^$' -bench BenchmarkIncrementalNight -benchtime 1x ./providers/googleworkspace/
func BenchmarkIncrementalNight(b *testing.B) {
	const users, qpm = 50000, 2400
	night1 := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	night2 := night1.Add(24 * time.Hour)
	fake := &googleadmin.Server{Latency: 20 * time.Millisecond, Errorf: b.Errorf}
	cp := &checkpoint{Version: checkpointVersion, Scope: DefaultCustomer + "|", LastFull: night1, AuditUntil: night1,
		Users: map[string]*userCheckpoint{}}
	zoomGrant, hubspotGrant := token(zoomID, "Zoom", calendar, "openid"), token(hubspotID, "HubSpot", "openid", "email")
	for i := range users {
		u := staffUser(500000, i)
		var saved []savedGrant
		if i%2 == 0 {
			u.Tokens = append(u.Tokens, zoomGrant)
			saved = append(saved, savedGrant{ClientID: zoomID, DisplayText: "Zoom", Scopes: zoomGrant.Scopes})
		}
		if i%10 == 0 { // an old authorisation in the audit log
			fake.Events = append(fake.Events, authorized(night1.Add(-60*24*time.Hour), u, zoomGrant))
		}
		pe := person{ID: u.ID, Email: u.Email, Name: u.Name, OrgUnit: u.OrgUnit, Department: u.Department}
		cp.Users[userKey(pe)] = &userCheckpoint{Fingerprint: fingerprint(pe), Confirmed: night1, Grants: saved}
		if i%100 == 7 { // 1% changed since night 1: a new HubSpot grant
			u.Tokens = append(u.Tokens, hubspotGrant)
			fake.Events = append(fake.Events, authorized(night1.Add(12*time.Hour), u, hubspotGrant))
		}
		fake.Users = append(fake.Users, u)
	}
	srv := httptest.NewServer(fake)
	b.Cleanup(srv.Close)
	cfg := NewConfig()
	cfg.Auth, cfg.Endpoint, cfg.Mode = AuthNone, srv.URL, ModeBoth
	cfg.MaxQPM, cfg.Concurrency = qpm, 16
	var took time.Duration
	calls, records, hubspot := 0, 0, 0
	for b.Loop() {
		state := b.TempDir()
		diag := &scanner.Diagnostics{}
		p, err := newProvider(cfg, scanner.Deps{Name: "workspace", Logger: zerolog.Nop(), Diagnostics: diag, HTTPClient: srv.Client(),
			StateDir: state, Now: func() time.Time { return night2 }})
		if err != nil {
			b.Fatal(err)
		}
		p.clock = httpx.SystemClock
		if err := p.saveCheckpoint(cp); err != nil {
			b.Fatal(err)
		}
		before := len(fake.Requests())
		start := time.Now()
		records, hubspot = 0, 0
		if err := p.Collect(context.Background(), func(r scanner.Record) error {
			records++
			if h, _ := r.Hint(scanner.HintGoogleClientID); h.Value == hubspotID {
				hubspot++
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
		calls = len(fake.Requests()) - before
		if errs := diag.Errors(); len(errs) > 0 || hubspot != users/100 {
			b.Fatalf("night 2: %d HubSpot grants (want %d), errors %v", hubspot, users/100, errs)
		}
	}
	b.ReportMetric(took.Seconds()/float64(b.N), "s/night")
	b.ReportMetric(float64(calls), "calls/night")
	b.ReportMetric(float64(records), "grants/night")
	b.ReportMetric(float64(users)/qpm, "full-sweep-floor-min")
}
