package main

import (
	"testing"

	"github.com/shadowscan/shadowscan/rules/catalog"
	"github.com/shadowscan/shadowscan/scanner"
)

// TestCheckAndScanAgree feeds the same hosts to `check` and to the resolver a scan uses (as a CNAME target, an
// MX/NS host and a domain) and requires the same vendor from all: check and scan share one resolution path.
func TestCheckAndScanAgree(t *testing.T) {
	cat, err := catalog.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	res := catalog.NewResolver(cat)
	p := &pipeline{catalog: cat, resolver: res}
	ch := p.newChecker(nil)
	hosts := []string{
		"static.hotjar.com", "servers.mcsv.net", "dkim2.mcsv.net", "u27463899.wl150.sendgrid.net",
		"1234-abc-567.mktoweb.com", "mkto-a0244.com", "northwind.unbouncepages.com", "147202787.spf04.hubspotemail.net",
		"ns-1536.awsdns-00.co.uk", "ns-0.awsdns-00.com", "d1undivnru8ry9.cloudfront.net", "aspmx.l.google.com",
		"northwind-example.mail.protection.outlook.com", "kubernetes.netlify.app", "x1.landing-vendor.example",
		"mail.zendesk.com", "fdus-lb1-d59.freshdesk.com", "cdssnc-primary.vanitydomains.qualtrics.com",
	}
	for _, h := range hosts {
		want := ""
		for i, hint := range []scanner.Hint{{Type: scanner.HintCNAMETarget, Value: h}, {Type: scanner.HintDomain, Value: h}} {
			got := ""
			if r := res.Resolve(&scanner.Record{Kind: scanner.KindDNSRecord, Hints: []scanner.Hint{hint}}); r.Vendor != nil {
				got = r.Vendor.ID
			}
			if i == 0 {
				want = got
			} else if got != want {
				t.Errorf("%s: scan resolves a CNAME target to %q but a domain hint to %q", h, want, got)
			}
		}
		r, err := ch.Check(h)
		if err != nil {
			t.Errorf("check %s: %v", h, err)
			continue
		}
		got := ""
		if r.Vendor != nil {
			got = r.Vendor.ID
		}
		if got != want {
			t.Errorf("%s: check says %q (%s), a scan says %q", h, got, r.Reason, want)
		}
	}
}
