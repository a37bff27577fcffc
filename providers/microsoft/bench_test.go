package microsoft

import (
	"context"
	"fmt"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/providers/internal/fakes/graph"
	"github.com/shadowscan/shadowscan/providers/internal/httpx"
	"github.com/shadowscan/shadowscan/scanner"
)

// bigTenant is 10,000 third-party apps (one app role assignment each) and 100,000 delegated grants: 90,000 by
// 20,000 users, 10,000 tenant-wide.
func bigTenant() *graph.Server {
	const apps, users = 10_000, 20_000
	s := &graph.Server{TenantID: tenantID, PageSize: 999}
	s.ServicePrincipals = append(s.ServicePrincipals, graph.ServicePrincipal{ID: "sp-graph", AppID: graphAppID,
		DisplayName: "Microsoft Graph", AppOwnerOrganizationID: msTenant, AppRoles: []graph.AppRole{{ID: roleMailRead, Value: "Mail.Read"}}})
	for i := range apps {
		id := fmt.Sprintf("sp-%05d", i)
		s.ServicePrincipals = append(s.ServicePrincipals, graph.ServicePrincipal{ID: id, AppID: fmt.Sprintf("%08d-0000-4000-8000-000000000000", i),
			DisplayName: fmt.Sprintf("App %d", i), AppOwnerOrganizationID: otherTenant, Created: daysAgo(i % 700)})
		s.Assignments = append(s.Assignments, graph.Assignment{ID: "a-" + id, AppRoleID: roleMailRead, PrincipalID: id, ResourceID: "sp-graph", Created: daysAgo(10)})
	}
	for i := range users {
		s.Users = append(s.Users, graph.User{ID: fmt.Sprintf("%08d-1111-4111-8111-111111111111", i), UPN: fmt.Sprintf("user%d@northwind.example", i), Department: "Marketing"})
	}
	for i := range 100_000 {
		g := graph.Grant{ID: fmt.Sprintf("g-%06d", i), ClientID: fmt.Sprintf("sp-%05d", i%apps), ResourceID: "sp-graph", Scope: "User.Read Mail.Read offline_access"}
		if i < 10_000 {
			g.ConsentType = "AllPrincipals"
		} else {
			g.ConsentType, g.PrincipalID = "Principal", s.Users[(i/apps*7919+i)%users].ID
		}
		s.Grants = append(s.Grants, g)
	}
	return s
}

// BenchmarkCollect reads bigTenant from the Graph fake at 50 ms a request, with a 429 budget (every 100th request,
// $batch parts included as Graph counts them, is throttled with Retry-After: 1), on the real clock. It reports the
// HTTP calls made against the least possible (ceil(n/999) per listing, one $batch per 20 apps, one call per optional
// listing), the records, and the peak heap growth of the process (the in-process fake's garbage included).
//
//	go test ./providers/microsoft -run XXX -bench Collect -benchtime 1x -benchmem
func BenchmarkCollect(b *testing.B) { benchCollect(b, 100) }

// BenchmarkCollectNoThrottle is BenchmarkCollect without the 429 budget: the latency floor.
func BenchmarkCollectNoThrottle(b *testing.B) { benchCollect(b, 0) }

func benchCollect(b *testing.B, throttleEvery int64) {
	srv := bigTenant()
	srv.Latency = 50 * time.Millisecond
	var n atomic.Int64
	srv.FaultFunc = func(key string, _ int) *graph.Fault {
		if throttleEvery > 0 && n.Add(1)%throttleEvery == 0 {
			f := graph.Throttled429("1")
			return &f
		}
		return nil
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	ceil := func(a, b int) int { return (a + b - 1) / b }
	least := ceil(len(srv.ServicePrincipals), 999) + ceil(len(srv.Grants), 999) + ceil(len(srv.Users), 999) +
		ceil(len(srv.ServicePrincipals)-1, batchSize) + 1 /* sign-ins */ + len(consentActivities)
	// Warm the fake's index outside the measurement.
	if resp, err := hs.Client().Get(hs.URL + "/v1.0/organization"); err == nil {
		resp.Body.Close()
	}
	b.ResetTimer()
	for range b.N {
		before := len(srv.Requests())
		cfg := NewConfig()
		cfg.Auth, cfg.GraphEndpoint, cfg.TenantID = AuthNone, hs.URL+"/v1.0", tenantID
		diag := &scanner.Diagnostics{}
		p, err := newProvider(cfg, scanner.Deps{Name: "entra", Logger: zerolog.Nop(), Diagnostics: diag, HTTPClient: hs.Client(), Now: func() time.Time { return testNow }})
		if err != nil {
			b.Fatal(err)
		}
		p.clock = httpx.SystemClock
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base, peak := ms.HeapAlloc, ms.HeapAlloc
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			t := time.NewTicker(250 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					peak = max(peak, m.HeapAlloc)
				}
			}
		}()
		records := 0
		err = p.Collect(context.Background(), func(scanner.Record) error { records++; return nil })
		close(stop)
		<-done
		if err != nil || len(diag.Errors()) > 0 {
			b.Fatalf("Collect: %v %v", err, diag.Errors())
		}
		calls := srv.HTTPCalls() - before
		b.ReportMetric(float64(calls), "calls")
		b.ReportMetric(float64(least), "least-calls")
		b.ReportMetric(float64(records), "records")
		b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MB")
	}
}
