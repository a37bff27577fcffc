package dnslive_test

import (
	"context"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/internal/dnstest"
	"github.com/shadowscan/shadowscan/providers/internal/dnslive"
	"github.com/shadowscan/shadowscan/scanner"
)

func TestSettle(t *testing.T) {
	srv := dnstest.New(t,
		"live.vendor.example. 300 IN A 192.0.2.10",
		"six.vendor.example. 300 IN AAAA 2001:db8::1",
		"hop.vendor.example. 300 IN CNAME gone.cdn.example.",
		"empty.vendor.example. 300 IN TXT \"no address\"",
		"loop1.vendor.example. 300 IN CNAME loop2.vendor.example.",
		"loop2.vendor.example. 300 IN CNAME loop1.vendor.example.",
	)
	srv.ServFail("broken.vendor.example")
	c := dnslive.NewClient([]string{srv.Addr}, 500*time.Millisecond, 1, 4, zerolog.Nop())
	ctx := context.Background()
	for _, tc := range []struct {
		name            string
		hops            []string
		reach           dnslive.Reach
		err             string
		danglingSummary bool
	}{
		{name: "live.vendor.example", reach: dnslive.Reach{Resolves: true}},
		{name: "six.vendor.example", reach: dnslive.Reach{Resolves: true}},
		{name: "empty.vendor.example", reach: dnslive.Reach{}},
		{name: "nx.vendor.example", reach: dnslive.Reach{Dangling: true}, danglingSummary: true},
		// The chain goes on and its end does not exist: dangling too.
		{name: "hop.vendor.example", hops: []string{"gone.cdn.example"}, reach: dnslive.Reach{Dangling: true}, danglingSummary: true},
		// SERVFAIL and loops are failures, never dangling.
		{name: "broken.vendor.example", err: "SERVFAIL"},
		{name: "loop1.vendor.example", err: "CNAME loop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := dnslive.Follow(ctx, c, tc.name, mdns.TypeA, 8)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Follow err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(ch.Hops, ",") != strings.Join(tc.hops, ",") {
				t.Errorf("hops %v, want %v", ch.Hops, tc.hops)
			}
			reach, err := dnslive.Settle(ctx, c, ch, tc.name, 8)
			if err != nil || reach != tc.reach {
				t.Errorf("Settle = %+v, %v; want %+v", reach, err, tc.reach)
			}
			rec := scanner.Record{Summary: "CNAME x → " + tc.name}
			reach.Mark(&rec)
			if rec.Attributes["dangling"] != tc.reach.Dangling || rec.Attributes["resolves"] != tc.reach.Resolves ||
				strings.Contains(rec.Summary, "dangling") != tc.danglingSummary {
				t.Errorf("marked %+v", rec)
			}
		})
	}
	// An address is asked once; AAAA only when A has none.
	if srv.Asked("live.vendor.example", "AAAA") != 0 || srv.Asked("six.vendor.example", "AAAA") != 1 {
		t.Errorf("AAAA asked %d / %d times", srv.Asked("live.vendor.example", "AAAA"), srv.Asked("six.vendor.example", "AAAA"))
	}
	if st := c.Stats(); st.Failed == 0 || st.Answered == 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestServers(t *testing.T) {
	for in, want := range map[string]string{"192.0.2.1": "192.0.2.1:53", "192.0.2.1:5353": "192.0.2.1:5353",
		"[2001:db8::1]:53": "[2001:db8::1]:53", "dns.example": "dns.example:53"} {
		if got, err := dnslive.Servers(in, "/nonexistent"); err != nil || len(got) != 1 || got[0] != want {
			t.Errorf("Servers(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"a b", "host:0", ":53", "host:x"} {
		if _, err := dnslive.ServerAddr(bad); err == nil {
			t.Errorf("ServerAddr(%q) accepted", bad)
		}
	}
	if _, err := dnslive.Servers("", t.TempDir()+"/missing.conf"); err == nil {
		t.Error("missing resolv.conf accepted")
	}
}
