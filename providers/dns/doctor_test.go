package dns

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/internal/dnstest"

	mdns "github.com/miekg/dns"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

// TestCheckPermissions runs doctor's DNS checks against the loopback server: UDP and TCP reachability of the
// resolver and one NS query per domain, each failing with what is lost and the fix.
func TestCheckPermissions(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.zone")
	cases := []struct {
		name  string
		set   func(s *dnstest.Server)
		zones []string
		want  map[string]bool // check name (server address as "ADDR") → OK
		words []string
	}{
		{name: "healthy", want: map[string]bool{"UDP ADDR": true, "TCP ADDR": true, "domain northwind.example": true, "domain nowhere.example": false},
			words: []string{"NS northwind.example answered with 2 record(s)", "NS nowhere.example:"}},
		{name: "TCP blocked", set: func(s *dnstest.Server) {
			s.SetHook(func(_ mdns.ResponseWriter, _ *mdns.Msg, _ string, tcp bool, _ int) bool { return tcp })
		}, want: map[string]bool{"UDP ADDR": true, "TCP ADDR": false, "domain northwind.example": true, "domain nowhere.example": false},
			words: []string{"allow TCP port 53"}},
		{name: "refused", set: func(s *dnstest.Server) { s.SetRefuse(true) },
			want:  map[string]bool{"UDP ADDR": false, "TCP ADDR": false, "domain northwind.example": false, "domain nowhere.example": false},
			words: []string{"REFUSED — the server does not resolve for us"}},
		{name: "zone files", zones: []string{"testdata/live.zone", missing},
			want: map[string]bool{"read testdata/live.zone": true, "read " + missing: false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := dnstest.NewZone(t, "testdata/live.zone")
			if tc.set != nil {
				tc.set(srv)
			}
			c := NewConfig()
			c.Domains = []string{"northwind.example", "nowhere.example"}
			c.Resolver = srv.Addr
			c.TimeoutPerQuery = 300 * time.Millisecond // the blocked and refused cases wait it out; nothing else does
			c.Retries = 0
			if tc.zones != nil {
				c.Domains, c.Resolver, c.ZoneFiles = nil, "", tc.zones
			}
			p := newTestProvider(t, c, &scanner.Diagnostics{})
			rename := func(s string) string { return strings.ReplaceAll(s, srv.Addr, "ADDR") }
			scannertest.CheckDoctor(t, p.CheckPermissions(t.Context()), rename, tc.want, tc.words...)
		})
	}
}
