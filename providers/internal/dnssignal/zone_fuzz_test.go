package dnssignal

import (
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// FuzzZoneRecords: from any record sets, ZoneRecords emits DNS records with unique IDs, each named for an owner
// inside the zone (sets outside it are for lookups only), and is deterministic.
func FuzzZoneRecords(f *testing.F) {
	f.Add("example.com", "example.com.", "TXT", "v=spf1 include:_spf.example.com include:servers.mcsv.net -all", "_spf.example.com", "TXT", "v=spf1 include:sendgrid.net -all")
	f.Add("example.com", "go.example.com", "CNAME", "hop.example.com.", "hop.example.com", "CNAME", "go.example.com.")
	f.Add("example.com", "k1._domainkey.example.com", "CNAME", "dkim.vendor.example.", "dkim.vendor.example", "TXT", "v=DKIM1; p=abc")
	f.Add("example.com", "example.com", "MX", "10 mx.vendor.example.", "other.example", "TXT", "x=y")
	f.Fuzz(func(t *testing.T, zone, n1, t1, v1, n2, t2, v2 string) {
		sets := []RRSet{{Name: n1, Type: t1, Values: []string{v1}}, {Name: n2, Type: t2, Values: []string{v2}}}
		recs := ZoneRecords(zone, sets)
		again := ZoneRecords(zone, []RRSet{{Name: n1, Type: t1, Values: []string{v1}}, {Name: n2, Type: t2, Values: []string{v2}}})
		if len(recs) != len(again) {
			t.Fatalf("not deterministic: %d then %d records", len(recs), len(again))
		}
		z := Norm(zone)
		ids := map[string]bool{}
		for i, r := range recs {
			if r.Kind != scanner.KindDNSRecord || r.ID == "" || ids[r.ID] || r.ID != again[i].ID {
				t.Fatalf("bad, duplicate or unstable record %q (%s)", r.ID, r.Kind)
			}
			ids[r.ID] = true
			owner, _, _ := strings.Cut(strings.TrimPrefix(r.ID, "dns:"), ":")
			if owner != z && !strings.HasSuffix(owner, "."+z) {
				t.Fatalf("record %q is for %q, outside the zone %q", r.ID, owner, z)
			}
		}
	})
}
