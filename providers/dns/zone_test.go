package dns

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/internal/dnstest"
	"github.com/shadowscan/shadowscan/internal/testfile"

	mdns "github.com/miekg/dns"

	"github.com/shadowscan/shadowscan/providers/internal/dnssignal"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

func TestZoneFileDemo(t *testing.T) {
	// A resolver that would count any query: zone-file mode must make none.
	srv := dnstest.NewZone(t, "testdata/live.zone")
	c := NewConfig()
	c.ZoneFiles = []string{"testdata/northwind.example.zone"}
	c.Domains = []string{"northwind.example", "other.example"}
	c.Resolver = srv.Addr
	diags := &scanner.Diagnostics{}
	recs, err := scannertest.Collect(t, newTestProvider(t, c, diags))
	if err != nil {
		t.Fatal(err)
	}
	if asked := srv.Questions(); asked != 0 {
		t.Errorf("zone-file mode made %d DNS queries", asked)
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	want := []string{
		"dns:go.northwind.example:CNAME:cname",
		"dns:google._domainkey.northwind.example:TXT:dkim",
		"dns:k2._domainkey.northwind.example:CNAME:dkim",
		"dns:k3._domainkey.northwind.example:CNAME:dkim",
		"dns:lp.northwind.example:CNAME:cname",
		"dns:northwind.example:MX:alt1.aspmx.l.google.com",
		"dns:northwind.example:MX:alt2.aspmx.l.google.com",
		"dns:northwind.example:MX:aspmx.l.google.com",
		"dns:northwind.example:NS:ns-0.awsdns-00.com",
		"dns:northwind.example:NS:ns-1024.awsdns-00.org",
		"dns:northwind.example:NS:ns-1536.awsdns-00.co.uk",
		"dns:northwind.example:NS:ns-512.awsdns-00.net",
		"dns:northwind.example:TXT:spf_include:_spf.google.com",
		"dns:northwind.example:TXT:spf_include:mail.zendesk.com",
		"dns:northwind.example:TXT:spf_include:send.klaviyo.com",
		"dns:northwind.example:TXT:spf_include:servers.mcsv.net",
		"dns:northwind.example:TXT:txt_token:facebook-domain-verification=q8x4n2m7k1v9d3w6z0j5h8t2r4p1c7",
		"dns:northwind.example:TXT:txt_token:google-site-verification=Vd3kM8pQ2wX7rT1yN5bH9cF4gJ6sL0aZ3eU8iO2qW5t",
		"dns:northwind.example:TXT:txt_token:hubspot-developer-verification=OTk4ZmQ2YjEtNzQ0Mi00Y2RlLWI0YTEtMzkwZTBkNjQ1YjZm",
		"dns:pages.northwind.example:CNAME:cname",
		"dns:support.northwind.example:CNAME:cname",
		"dns:zendesk1._domainkey.northwind.example:CNAME:dkim",
		"dns:zendesk2._domainkey.northwind.example:CNAME:dkim",
	}
	if strings.Join(ids, "\n") != strings.Join(want, "\n") {
		t.Errorf("ids:\n%s\nwant:\n%s", strings.Join(ids, "\n"), strings.Join(want, "\n"))
	}
	m := recordMap(t, recs)
	hint(t, m["dns:k2._domainkey.northwind.example:CNAME:dkim"], scanner.Hint{Type: scanner.HintDKIMSelector, Value: "k2", Target: "dkim2.mcsv.net"})
	hint(t, m["dns:go.northwind.example:CNAME:cname"], scanner.Hint{Type: scanner.HintCNAMETarget, Value: "mkto-ab0123.com"})
	if _, ok := m["dns:go.northwind.example:CNAME:cname"].Attributes[dnssignal.AttrResolves]; ok {
		t.Error("zone-file mode claims to know whether a target resolves")
	}
	if len(diags.Errors()) != 0 {
		t.Errorf("coverage errors %v", diags.Errors())
	}
	skipped := strings.Join(diags.Skipped(), "\n")
	if !strings.Contains(skipped, "other.example is in no zone file") {
		t.Errorf("skipped: %s", skipped)
	}
}

// The demo data the lead wires must stay the file the tests read.
func TestDemoZoneIsTestZone(t *testing.T) {
	a, err := os.ReadFile("../../configs/demo/northwind.example.zone")
	if os.IsNotExist(err) {
		t.Skip("no configs/demo in this tree")
	}
	b, _ := os.ReadFile("testdata/northwind.example.zone")
	if !bytes.Equal(a, b) {
		t.Error("configs/demo/northwind.example.zone and testdata/northwind.example.zone differ")
	}
}

func TestZoneFileOfflineFollowing(t *testing.T) {
	dir := t.TempDir()
	// origin from the file name; relative names below
	path := testfile.Write(t, dir, "db.example.org", `$TTL 60
@        IN SOA ns1 hostmaster 1 2 3 4 5
@        IN TXT "v=spf1 include:_spf.example.org include:servers.mcsv.net -all"
_spf     IN TXT "v=spf1 include:_spf2.example.org include:sendgrid.net -all"
_spf2    IN TXT "v=spf1 include:_spf.example.org -all"
go       IN CNAME hop
hop      IN CNAME t.vendor.example.
s1._domainkey IN CNAME s1.dkim
s1.dkim  IN TXT "v=DKIM1; p=abc"
`)
	c := NewConfig()
	c.ZoneFiles = []string{path}
	recs, err := scannertest.Collect(t, newTestProvider(t, c, &scanner.Diagnostics{}))
	if err != nil {
		t.Fatal(err)
	}
	m := recordMap(t, recs)
	sg := scannertest.MustRecord(t, m, "dns:example.org:TXT:spf_include:sendgrid.net")
	attr(t, sg, dnssignal.AttrSPFPath, []string{"example.org", "_spf.example.org", "sendgrid.net"})
	root := scannertest.MustRecord(t, m, "dns:example.org:TXT:spf")
	attr(t, root, dnssignal.AttrSPFLoop, true)
	attr(t, root, dnssignal.AttrSPFNotFollowed, []string{"sendgrid.net", "servers.mcsv.net"})
	for id := range m {
		if strings.HasPrefix(id, "dns:_spf") {
			t.Errorf("an SPF record only reached as an include is reported as a root: %s", id)
		}
	}
	g := scannertest.MustRecord(t, m, "dns:go.example.org:CNAME:cname")
	attr(t, g, dnssignal.AttrCNAMEChain, []string{"hop.example.org", "t.vendor.example"})
	// A DKIM CNAME inside the zone: the key record is what is reported.
	if _, ok := m["dns:s1._domainkey.example.org:CNAME:dkim"]; ok {
		t.Error("in-zone DKIM CNAME reported as a vendor target")
	}
}

func TestZoneFileErrors(t *testing.T) {
	dir := t.TempDir()
	good := testfile.Write(t, dir, "example.com.zone", "$ORIGIN example.com.\n@ 60 IN SOA ns1 h 1 2 3 4 5\n@ 60 IN TXT \"facebook-domain-verification=ok\"\n")
	bad := testfile.Write(t, dir, "bad.example.zone", "$ORIGIN bad.example.\n@ 60 IN TXT \"google-site-verification=kept\"\nwww 60 IN CNAME\n@ 60 IN TXT \"after\"\n")
	include := testfile.Write(t, dir, "inc.example.zone", "$ORIGIN inc.example.\n$INCLUDE /etc/passwd\n")
	missing := filepath.Join(dir, "missing.zone")

	diags := &scanner.Diagnostics{}
	c := NewConfig()
	c.ZoneFiles = []string{good, bad, include, missing}
	recs, err := scannertest.Collect(t, newTestProvider(t, c, diags))
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	m := recordMap(t, recs)
	scannertest.MustRecord(t, m, "dns:example.com:TXT:txt_token:facebook-domain-verification=ok")
	scannertest.MustRecord(t, m, "dns:bad.example:TXT:txt_token:google-site-verification=kept") // read before the error
	got := map[string]string{}
	for _, e := range diags.Errors() {
		got[e.Target] = e.Message
	}
	if msg := got[bad]; !strings.Contains(msg, bad+":3:") {
		t.Errorf("bad zone error %q does not name file and line", msg)
	}
	if msg := got[include]; !strings.Contains(msg, "$INCLUDE") {
		t.Errorf("include error %q", msg)
	}
	if msg := got[missing]; !strings.Contains(msg, "no such file") {
		t.Errorf("missing file error %q", msg)
	}

	// Nothing readable at all: the provider fails.
	c = NewConfig()
	c.ZoneFiles = []string{missing}
	if _, err := scannertest.Collect(t, newTestProvider(t, c, &scanner.Diagnostics{})); err == nil ||
		!strings.Contains(err.Error(), "zone_files: none could be read") {
		t.Errorf("Collect with only a missing file = %v", err)
	}
}

func TestZoneOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"/x/northwind.example.zone": "northwind.example",
		"db.example.org":            "example.org",
		"zones/EXAMPLE.COM":         "example.com",
		"primary.zone":              "",
		"bad..name.zone":            "",
	} {
		if got := zoneOrigin(in); got != want {
			t.Errorf("zoneOrigin(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzZoneFile(f *testing.F) {
	demo, err := os.ReadFile("testdata/northwind.example.zone")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo)
	f.Add([]byte("@ IN SOA a b 1 2 3 4 5\n@ IN TXT \"v=spf1 include:_s -all\"\n_s IN TXT \"v=spf1 include:example.com\"\n"))
	f.Add([]byte("a IN CNAME b\nb IN CNAME a\nc IN CNAME a\n"))
	f.Add([]byte("$GENERATE 1-3 h$ CNAME t$.vendor.example.\n"))
	f.Add([]byte("@ IN TXT \"unterminated\n$INCLUDE x\n( ( )"))
	f.Add([]byte("k1._domainkey IN CNAME k1._domainkey\n@ MX 10 .\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		z := newZoneData()
		_ = z.parseZone(bytes.NewReader(data), "example.com", "fuzz.zone")
		sets := z.rrsets()
		for _, apex := range z.apexes {
			ids := map[string]bool{}
			for _, r := range dnssignal.ZoneRecords(apex, sets) {
				if r.ID == "" || r.Kind != scanner.KindDNSRecord || ids[r.ID] {
					t.Fatalf("bad or duplicate record %+v", r)
				}
				ids[r.ID] = true
			}
		}
	})
}

func BenchmarkZoneFile(b *testing.B) {
	c := NewConfig()
	c.ZoneFiles = []string{"testdata/northwind.example.zone"}
	p, err := New(c, scanner.Deps{Diagnostics: &scanner.Diagnostics{}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Collect(context.Background(), func(scanner.Record) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// Issue 13 defect 13: a parse error quotes at most a short, sanitised token, and nothing from a file where no
// record could be read (a secret named as a zone file by mistake).
func TestZoneErrorsQuoteNoContent(t *testing.T) {
	dir := t.TempDir()
	secret := testfile.Write(t, dir, "shadow.example.zone", "root:$6$SECRETHASHVALUE:19000:0:99999:7:::\n")
	long := testfile.Write(t, dir, "long.example.zone", "$ORIGIN long.example.\n@ 60 IN TXT \"kept\"\n@ 60 IN BOGUSTYPE"+strings.Repeat("A", 200)+"\x1b[31m x\n")
	diags := &scanner.Diagnostics{}
	c := NewConfig()
	c.ZoneFiles = []string{secret, long}
	if _, err := scannertest.Collect(t, newTestProvider(t, c, diags)); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range diags.Errors() {
		got[e.Target] = e.Message
	}
	if msg := got[secret]; msg == "" || strings.Contains(msg, "SECRET") || strings.Contains(msg, "root") ||
		!strings.Contains(msg, "nothing of the file is quoted") || !strings.Contains(msg, secret+":1") {
		t.Errorf("secret file error %q", msg)
	}
	msg := got[long]
	if msg == "" || strings.Contains(msg, strings.Repeat("A", maxQuotedToken+1)) || strings.Contains(msg, "\x1b") {
		t.Errorf("long token error %q", msg)
	}
	if !strings.Contains(msg, long+":3:") {
		t.Errorf("error %q does not name file:line", msg)
	}
}

// Issue 13 defect 7: a zone file over the record limit keeps what it read, and its apex counts as covered.
func TestZoneFileOverLimitKeepsRecords(t *testing.T) {
	z := newZoneData()
	z.limit = 1000 // maxZoneRRs behaves the same, 500 times slower
	var b strings.Builder
	b.WriteString("@ 60 IN TXT \"google-site-verification=first\"\n")
	for i := range z.limit + 10 {
		fmt.Fprintf(&b, "h%d 60 IN A 192.0.2.1\n", i)
	}
	err := z.parseZone(strings.NewReader(b.String()), "big.example", "big.example.zone")
	if err == nil || !strings.Contains(err.Error(), "kept") {
		t.Fatalf("err = %v", err)
	}
	if z.apexOf("big.example") == "" {
		t.Error("the domain of a zone file over the limit counts as in no zone file")
	}
	if len(z.names["big.example"][mdns.TypeTXT]) != 1 {
		t.Error("records read before the limit were dropped")
	}
}
