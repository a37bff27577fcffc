package dnssignal

import (
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

type want struct {
	id      string
	hint    scanner.Hint
	attrs   map[string]any
	summary string
	noHints bool
}

func TestRecords(t *testing.T) {
	tests := []struct {
		name string
		rr   RRSet
		want []want
	}{
		{
			name: "spf includes and redirect",
			rr: RRSet{Name: "Northwind.Example.", Type: "txt", TTL: 300, Values: []string{
				"v=spf1 include:_spf.google.com include:Servers.MCSV.net. include:%{d}.x.example redirect=_spf.northwind.example"}},
			want: []want{
				{id: "dns:northwind.example:TXT:spf_include:_spf.google.com",
					hint:    scanner.Hint{Type: scanner.HintSPFInclude, Value: "_spf.google.com"},
					summary: "SPF include _spf.google.com (northwind.example)",
					attrs: map[string]any{AttrSPFPath: []string{"northwind.example", "_spf.google.com"}, AttrSPFDepth: int64(1),
						AttrSPFLookups: int64(4), AttrTTL: int64(300), AttrZone: "northwind.example", AttrName: "northwind.example"}},
				{id: "dns:northwind.example:TXT:spf_include:servers.mcsv.net",
					hint: scanner.Hint{Type: scanner.HintSPFInclude, Value: "servers.mcsv.net"}},
				// In-zone: the organisation's own record, no vendor hint (issue 13 defect 8).
				{id: "dns:northwind.example:TXT:spf_include:_spf.northwind.example", noHints: true,
					attrs: map[string]any{AttrSPFMechanism: "redirect", AttrSPFOwn: true}},
			},
		},
		{
			name: "duplicate spf and syntax errors",
			rr: RRSet{Name: "example.com", Type: "TXT", Values: []string{
				"v=spf1 include:b.example foo ~all", "v=spf1 include:a.example -all"}},
			want: []want{
				{id: "dns:example.com:TXT:spf_include:a.example", attrs: map[string]any{AttrSPFDuplicate: true, AttrSPFAll: "-"},
					hint: scanner.Hint{Type: scanner.HintSPFInclude, Value: "a.example"}},
				{id: "dns:example.com:TXT:spf_include:b.example", attrs: map[string]any{AttrSPFDuplicate: true,
					AttrSPFErrors: []string{`"foo": unknown mechanism`}},
					hint: scanner.Hint{Type: scanner.HintSPFInclude, Value: "b.example"}},
				{id: "dns:example.com:TXT:spf", summary: "SPF record with problems at example.com: more than one v=spf1 record"},
				{id: "dns:example.com:TXT:spf-2", summary: `SPF record with problems at example.com: more than one v=spf1 record; "foo": unknown mechanism`},
			},
		},
		{
			name: "verification tokens",
			rr: RRSet{Name: "example.com", Type: "TXT", Values: []string{
				"facebook-domain-verification=abc123", " hubspot-developer-verification=ZmFrZQ== ", "MS=ms12345678",
				"v=STSv1; id=1", "", "pardot_12345_*=abc"}},
			want: []want{
				{id: "dns:example.com:TXT:txt_token:facebook-domain-verification=abc123",
					hint:    scanner.Hint{Type: scanner.HintTXTToken, Value: "facebook-domain-verification=abc123", Target: "example.com"},
					summary: "TXT token facebook-domain-verification=abc123 (example.com)",
					attrs:   map[string]any{AttrTXTPrefix: "facebook-domain-verification="}},
				{id: "dns:example.com:TXT:txt_token:hubspot-developer-verification=ZmFrZQ==",
					hint: scanner.Hint{Type: scanner.HintTXTToken, Value: "hubspot-developer-verification=ZmFrZQ==", Target: "example.com"}},
				{id: "dns:example.com:TXT:txt_token:MS=ms12345678", attrs: map[string]any{AttrTXTPrefix: "MS="}},
				{id: "dns:example.com:TXT:txt_token:pardot_12345_*=abc"},
			},
		},
		{
			name: "dmarc",
			rr: RRSet{Name: "_dmarc.example.com", Type: "TXT", Values: []string{
				"v=DMARC1; p=Quarantine; rua=mailto:dmarc@example.com,mailto:re+x@Dmarc.Vendor.example!10m; ruf=mailto:f@dmarc.vendor.example, https://reports.other.example/x"}},
			want: []want{
				{id: "dns:_dmarc.example.com:TXT:dmarc:dmarc.vendor.example",
					hint:    scanner.Hint{Type: scanner.HintDomain, Value: "dmarc.vendor.example"},
					summary: "DMARC reports (rua, ruf) go to dmarc.vendor.example (_dmarc.example.com)",
					attrs: map[string]any{AttrDMARCPolicy: "quarantine", AttrDMARCTags: []string{"rua", "ruf"},
						AttrDMARCAddresses: []string{"mailto:re+x@Dmarc.Vendor.example!10m", "mailto:f@dmarc.vendor.example"}}},
				{id: "dns:_dmarc.example.com:TXT:dmarc:reports.other.example",
					hint: scanner.Hint{Type: scanner.HintDomain, Value: "reports.other.example"}},
			},
		},
		{
			name: "dkim key",
			rr:   RRSet{Name: "google._domainkey.example.com", Type: "TXT", Values: []string{"v=DKIM1; k=rsa; p=MIIBIjAN"}},
			want: []want{{id: "dns:google._domainkey.example.com:TXT:dkim",
				hint:  scanner.Hint{Type: scanner.HintDKIMSelector, Value: "google"},
				attrs: map[string]any{AttrDKIMKeyPresent: true, AttrDKIMSelector: "google"}}},
		},
		{
			name: "dkim revoked key without version",
			rr:   RRSet{Name: "s1._domainkey.example.com", Type: "TXT", Values: []string{"k=rsa; p="}},
			want: []want{{id: "dns:s1._domainkey.example.com:TXT:dkim",
				hint:  scanner.Hint{Type: scanner.HintDKIMSelector, Value: "s1"},
				attrs: map[string]any{AttrDKIMKeyPresent: false}}},
		},
		{
			name: "dkim cname",
			rr:   RRSet{Name: "k2._domainkey.example.com", Type: "CNAME", Values: []string{"dkim2.mcsv.net."}},
			want: []want{{id: "dns:k2._domainkey.example.com:CNAME:dkim",
				hint:    scanner.Hint{Type: scanner.HintDKIMSelector, Value: "k2", Target: "dkim2.mcsv.net"},
				summary: "DKIM selector k2 → dkim2.mcsv.net (k2._domainkey.example.com)",
				attrs:   map[string]any{AttrCNAMETarget: "dkim2.mcsv.net"}}},
		},
		{
			name: "marketing cname",
			rr:   RRSet{Name: "go.example.com", Type: "CNAME", Values: []string{"mkto-ab123.com"}},
			want: []want{{id: "dns:go.example.com:CNAME:cname",
				hint:    scanner.Hint{Type: scanner.HintCNAMETarget, Value: "mkto-ab123.com"},
				summary: "CNAME go.example.com → mkto-ab123.com",
				attrs:   map[string]any{AttrSubdomain: "go", AttrCNAMEChain: []string{"mkto-ab123.com"}}}},
		},
		{
			name: "in-zone cname gives nothing",
			rr:   RRSet{Name: "www.example.com", Type: "CNAME", Values: []string{"example.com."}},
		},
		{
			name: "mx",
			rr:   RRSet{Name: "example.com", Type: "MX", Values: []string{"1 aspmx.l.google.com.", "10 mail.example.com.", "0 ."}},
			want: []want{{id: "dns:example.com:MX:aspmx.l.google.com",
				hint:    scanner.Hint{Type: scanner.HintDomain, Value: "aspmx.l.google.com"},
				summary: "MX 1 aspmx.l.google.com (example.com)",
				attrs:   map[string]any{AttrMXPreference: int64(1)}}},
		},
		{
			name: "ns",
			rr:   RRSet{Name: "example.com", Type: "NS", Values: []string{"ns-1.awsdns-01.org."}},
			want: []want{{id: "dns:example.com:NS:ns-1.awsdns-01.org",
				hint: scanner.Hint{Type: scanner.HintDomain, Value: "ns-1.awsdns-01.org"}}},
		},
		{
			name: "other types",
			rr:   RRSet{Name: "example.com", Type: "A", Values: []string{"192.0.2.1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := Records("Example.com", tt.rr)
			if tt.rr.Name == "Northwind.Example." {
				recs = Records("northwind.example", tt.rr)
			}
			var wantIDs []string
			for _, w := range tt.want {
				wantIDs = append(wantIDs, w.id)
			}
			sort.Strings(wantIDs)
			got := scannertest.IDs(recs)
			slices.Sort(got)
			if !reflect.DeepEqual(got, wantIDs) {
				t.Fatalf("ids = %q\nwant %q", got, wantIDs)
			}
			m := scannertest.ByID(recs)
			for _, w := range tt.want {
				r := m[w.id]
				if r.Kind != scanner.KindDNSRecord {
					t.Errorf("%s: kind %q", w.id, r.Kind)
				}
				if w.noHints && len(r.Hints) > 0 {
					t.Errorf("%s: hints %+v, want none", w.id, r.Hints)
				}
				if w.hint.Type != "" && (len(r.Hints) == 0 || r.Hints[0] != w.hint) {
					t.Errorf("%s: hints %+v, want first %+v", w.id, r.Hints, w.hint)
				}
				if w.summary != "" && r.Summary != w.summary {
					t.Errorf("%s: summary %q, want %q", w.id, r.Summary, w.summary)
				}
				for k, v := range w.attrs {
					if !reflect.DeepEqual(r.Attributes[k], v) {
						t.Errorf("%s: attribute %s = %#v, want %#v", w.id, k, r.Attributes[k], v)
					}
				}
				checkAttrTypes(t, r)
			}
		})
	}
}

// checkAttrTypes enforces the attribute value types the scanner allows.
func checkAttrTypes(t *testing.T, r scanner.Record) {
	t.Helper()
	for k, v := range r.Attributes {
		switch v.(type) {
		case string, bool, int64, float64, []string:
		default:
			t.Errorf("%s: attribute %s has type %T", r.ID, k, v)
		}
	}
}

func TestSPFIncludeRecordNested(t *testing.T) {
	r := SPFIncludeRecord("northwind.example", "northwind.example", []string{"northwind.example", "_spf.google.com"}, "include", "_netblocks.google.com")
	if r.ID != "dns:northwind.example:TXT:spf_include:_netblocks.google.com" {
		t.Errorf("id %q", r.ID)
	}
	if r.Summary != "SPF include _netblocks.google.com (northwind.example → _spf.google.com)" {
		t.Errorf("summary %q", r.Summary)
	}
	if d := r.Attributes[AttrSPFDepth]; d != int64(2) {
		t.Errorf("depth %v", d)
	}
}

func TestTokenIDLongValue(t *testing.T) {
	long := "some-verification=" + strings.Repeat("a", 100)
	recs := Records("example.com", RRSet{Name: "example.com", Type: "TXT", Values: []string{long, "has space in it"}})
	got := scannertest.IDs(recs)
	slices.Sort(got)
	if len(got) != 2 || !strings.HasPrefix(got[0], "dns:example.com:TXT:txt_token:#") ||
		!strings.HasPrefix(got[1], "dns:example.com:TXT:txt_token:some-verification=#") {
		t.Fatalf("ids %q", got)
	}
	for _, id := range got {
		if len(id) > 100 {
			t.Errorf("id too long: %q", id)
		}
	}
	if again := scannertest.IDs(Records("example.com", RRSet{Name: "example.com", Type: "TXT", Values: []string{"has space in it", long}})); !reflect.DeepEqual(again, got) {
		t.Errorf("ids not stable: %q vs %q", again, got)
	}
}

func FuzzRecords(f *testing.F) {
	f.Add("example.com", "TXT", "v=DMARC1; p=none; rua=mailto:a@b.example")
	f.Add("x._domainkey.example.com", "CNAME", "x.vendor.example.")
	f.Add("example.com", "MX", "10 mx.vendor.example.")
	f.Add("example.com", "TXT", "v=spf1 include:a include:b redirect=c")
	f.Fuzz(func(t *testing.T, name, typ, value string) {
		for _, r := range Records("example.com", RRSet{Name: name, Type: typ, Values: []string{value}}) {
			if r.ID == "" || r.Kind != scanner.KindDNSRecord {
				t.Fatalf("bad record %+v", r)
			}
			checkAttrTypes(t, r)
		}
	})
}

func BenchmarkRecordsTXT(b *testing.B) {
	rr := RRSet{Name: "northwind.example", Type: "TXT", Values: []string{
		"v=spf1 include:_spf.google.com include:servers.mcsv.net include:send.klaviyo.com include:mail.zendesk.com ~all",
		"facebook-domain-verification=abc123", "hubspot-developer-verification=xyz", "google-site-verification=q"}}
	b.ReportAllocs()
	for b.Loop() {
		_ = Records("northwind.example", rr)
	}
}
