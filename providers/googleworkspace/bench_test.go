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
		u := googleadmin.User{ID: fmt.Sprint(500000 + i), Email: fmt.Sprintf("user%05d@northwind.example", i),
			Name: fmt.Sprintf("User %05d", i), OrgUnit: "/Staff", Department: "Staff"}
		if i%2 == 0 {
			u.Tokens = append(u.Tokens, googleadmin.Token{ClientID: zoomID, DisplayText: "Zoom", Scopes: []string{calendar, "openid"}})
		}
		if i%5 == 0 {
			u.Tokens = append(u.Tokens, googleadmin.Token{ClientID: hubspotID, DisplayText: "HubSpot", Scopes: []string{"openid", "email"}})
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
