package catalog

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
	"golang.org/x/net/publicsuffix"
)

func hint(t scanner.HintType, v string) scanner.Hint { return scanner.Hint{Type: t, Value: v} }

func TestResolveFixture(t *testing.T) {
	t.Parallel()
	r := NewResolver(fixtureCatalog())
	if p := r.Problems(); len(p) > 0 {
		t.Fatalf("problems: %v", p)
	}
	tests := []struct {
		hints  []scanner.Hint
		vendor string // "" = unresolved
		conf   float64
		reason string
	}{
		{[]scanner.Hint{hint(scanner.HintAWSAccount, "107630771604")}, "segment", 1, "AWS account 107630771604"},
		{[]scanner.Hint{hint(scanner.HintAWSAccount, "arn:aws:iam::324528010823:root")}, "hightouch", 1, "AWS account 324528010823"},
		{[]scanner.Hint{hint(scanner.HintAWSAccount, "999988887777")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintGoogleClientID, "1055184722236-mcopgcj2rm4efo0l8f2bcn3j0q1k3ts4.apps.googleusercontent.com")},
			"hubspot", 1, "Google OAuth client 1055184722236-mcopgcj2rm4efo0l8f2bcn3j0q1k3ts4.apps.googleusercontent.com"},
		{[]scanner.Hint{hint(scanner.HintGoogleClientID, "1055184722236-otherclient.apps.googleusercontent.com")},
			"hubspot", 0.95, "Google OAuth client 1055184722236-otherclient.apps.googleusercontent.com (project 1055184722236 of HubSpot)"},
		{[]scanner.Hint{hint(scanner.HintGoogleClientID, "48213377201-leadmagnet.apps.googleusercontent.com"),
			hint(scanner.HintName, "LeadMagnet Pro")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintEntraAppID, "{D3590ED6-52B3-4102-AEFF-AAD2292AB01C}")}, "microsoft", 1,
			"Microsoft first-party app Microsoft Office ({D3590ED6-52B3-4102-AEFF-AAD2292AB01C})"},
		{[]scanner.Hint{hint(scanner.HintSPFInclude, "servers.mcsv.net")}, "mailchimp", 0.95, "SPF include servers.mcsv.net"},
		{[]scanner.Hint{hint(scanner.HintSPFInclude, "Include:SERVERS.MCSV.NET.")}, "mailchimp", 0.95, "SPF include servers.mcsv.net"},
		{[]scanner.Hint{hint(scanner.HintSPFInclude, "147202787.spf04.hubspotemail.net")}, "hubspot", 0.95,
			"SPF include 147202787.spf04.hubspotemail.net (HubSpot portal 147202787)"},
		{[]scanner.Hint{hint(scanner.HintSPFInclude, "send.klaviyo.com")}, "klaviyo", 0.95, "SPF include send.klaviyo.com"},
		{[]scanner.Hint{hint(scanner.HintSPFInclude, "bounce.mcsv.net")}, "mailchimp", 0.8,
			"SPF include bounce.mcsv.net (domain mcsv.net of Mailchimp)"},
		{[]scanner.Hint{hint(scanner.HintSPFInclude, "_spf.unknown-esp.example")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintCNAMETarget, "1234-ABC-567.mktoweb.com.")}, "marketo", 0.95,
			"CNAME target 1234-abc-567.mktoweb.com (Marketo munchkin 1234-abc-567)"},
		{[]scanner.Hint{hint(scanner.HintCNAMETarget, "mkto-a0244.com")}, "marketo", 0.95, "CNAME target mkto-a0244.com (Marketo id a0244)"},
		{[]scanner.Hint{hint(scanner.HintCNAMETarget, "northwind.unbouncepages.com")}, "unbounce", 0.95, "CNAME target northwind.unbouncepages.com"},
		{[]scanner.Hint{hint(scanner.HintCNAMETarget, "u27463899.wl150.sendgrid.net")}, "sendgrid", 0.95,
			"CNAME target u27463899.wl150.sendgrid.net (SendGrid id 27463899)"},
		{[]scanner.Hint{{Type: scanner.HintDKIMSelector, Value: "k2._domainkey.northwind.example", Target: "dkim2.mcsv.net"}},
			"mailchimp", 0.95, "DKIM selector k2 CNAME dkim2.mcsv.net"},
		{[]scanner.Hint{{Type: scanner.HintDKIMSelector, Value: "hs1-147202787", Target: "northwind-example.hs06a.dkim.hubspotemail.net"}},
			"hubspot", 0.95, "DKIM selector hs1-147202787 CNAME northwind-example.hs06a.dkim.hubspotemail.net (HubSpot domain northwind-example)"},
		{[]scanner.Hint{{Type: scanner.HintDKIMSelector, Value: "hs1-147202787"}}, "hubspot", 0.5, "DKIM selector hs1-147202787 (selector name only)"},
		{[]scanner.Hint{{Type: scanner.HintDKIMSelector, Value: "kl"}}, "klaviyo", 0.4, "DKIM selector kl (selector name only)"},
		{[]scanner.Hint{{Type: scanner.HintDKIMSelector, Value: "selector1"}}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintTXTToken, `"facebook-domain-verification=z3k9ab12cd"`)}, "meta", 0.95,
			"TXT token facebook-domain-verification=…"},
		{[]scanner.Hint{hint(scanner.HintTXTToken, "00D5g000004ABCD=northwind")}, "salesforce", 0.9, "TXT token 00D5g000004ABCD=northwind (matches Salesforce pattern ^00D[A-Za-z0-9]{12}=)"},
		{[]scanner.Hint{hint(scanner.HintTXTToken, "v=DMARC1; p=none")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintDomain, "https://www.Hotjar.com/pricing")}, "hotjar", 0.9, "domain hotjar.com"},
		{[]scanner.Hint{hint(scanner.HintDomain, "billing@insights.hotjar.com")}, "hotjar", 0.9, "domain insights.hotjar.com (hotjar.com)"},
		{[]scanner.Hint{hint(scanner.HintDomain, "ads.google.com")}, "google-ads", 0.9, "domain ads.google.com"},
		{[]scanner.Hint{hint(scanner.HintDomain, "northwind.example")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintName, "HubSpot")}, "hubspot", 0.85, `app name "HubSpot" ~ HubSpot`},
		{[]scanner.Hint{hint(scanner.HintName, "HubSpot Sales")}, "hubspot", 0.85, `app name "HubSpot Sales" ~ HubSpot`},
		{[]scanner.Hint{hint(scanner.HintName, "Mailchimp for Gmail")}, "mailchimp", 0.8, `app name "Mailchimp for Gmail" ~ Mailchimp`},
		{[]scanner.Hint{hint(scanner.HintName, "Zoom for Google Workspace")}, "zoom", 0.8, `app name "Zoom for Google Workspace" ~ Zoom`},
		{[]scanner.Hint{hint(scanner.HintName, "Apollo.io")}, "apollo", 0.85, `app name "Apollo.io" ~ Apollo.io`},
		{[]scanner.Hint{hint(scanner.HintName, "Calendly Scheduling Assistant")}, "calendly", 0.7, `app name "Calendly Scheduling Assistant" ~ Calendly`},
		{[]scanner.Hint{hint(scanner.HintName, "Hootsiute")}, "hootsuite", 0.6, `app name "Hootsiute" ~ Hootsuite (approximate)`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "SQ *HOTJAR")}, "hotjar", 0.8, `card descriptor "SQ *HOTJAR" ~ Hotjar`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "HUBSPOT* INC")}, "hubspot", 0.8, `card descriptor "HUBSPOT* INC" ~ HubSpot`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "PAYPAL *CANVA")}, "canva", 0.8, `card descriptor "PAYPAL *CANVA" ~ Canva`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "FACEBK *ADS")}, "meta", 0.8, `card descriptor "FACEBK *ADS" ~ Meta`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "LINKEDIN P1234")}, "linkedin", 0.8, `card descriptor "LINKEDIN P1234" ~ LinkedIn`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "GOOGLE *ADS1234")}, "google-ads", 0.8, `card descriptor "GOOGLE *ADS1234" ~ Google Ads`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "GOOGLE *GSUITE_NORTHWIN")}, "google", 0.7, `card descriptor "GOOGLE *GSUITE_NORTHWIN" ~ Google`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "GOOGLE *CANVA")}, "canva", 0.8, `card descriptor "GOOGLE *CANVA" ~ Canva`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "ZOOM.US 888-799-9666")}, "zoom", 0.8, `card descriptor "ZOOM.US 888-799-9666" ~ Zoom`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "ZOOMINFO TECHNOLOG")}, "zoominfo", 0.8, `card descriptor "ZOOMINFO TECHNOLOG" ~ ZoomInfo`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "HOOTSUIT MEDIA")}, "hootsuite", 0.6, `card descriptor "HOOTSUIT MEDIA" ~ Hootsuite (approximate)`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "DRIPPING SPRINGS CAFE")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintMerchant, "DRIP COFFEE CO")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintMerchant, "DRIP.COM")}, "drip", 0.8, `card descriptor "DRIP.COM" ~ Drip`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "GONG CHA NYC")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintMerchant, "APOLLO DINER")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintMerchant, "ZOOM CAR RENTAL")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintMerchant, "UBER *TRIP")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintMerchant, "REFUND SQ *HOTJAR")}, "hotjar", 0.8, `card descriptor "REFUND SQ *HOTJAR" ~ Hotjar`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "PAYPAL *JOES CAFE")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintMerchant, "STARBUCKS #1234")}, "", 0, ""},
		// Billing words and places may follow a vendor's name but not lead it: the descriptor starts with the merchant.
		{[]scanner.Hint{hint(scanner.HintMerchant, "BUSINESS HOTJAR SUBSCRIPTION")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintMerchant, "LONDON CANVA")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintMerchant, "HOTJAR SUBSCRIPTION")}, "hotjar", 0.8, `card descriptor "HOTJAR SUBSCRIPTION" ~ Hotjar`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "RECURRING CARD PURCHASE 0412 HOTJAR")}, "hotjar", 0.8,
			`card descriptor "RECURRING CARD PURCHASE 0412 HOTJAR" ~ Hotjar`},
		// A cut-off last word counts as noise only in a descriptor long enough to have been cut.
		{[]scanner.Hint{hint(scanner.HintMerchant, "CANVA KITCHEN")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintMerchant, "CANVA PTY SYDNEY KITCHEN")}, "canva", 0.8, `card descriptor "CANVA PTY SYDNEY KITCHEN" ~ Canva`},
		// 15 characters may have been cut (some banks' exports cut there), and four letters of SOLUTIONS are enough;
		// 14 are whole.
		{[]scanner.Hint{hint(scanner.HintMerchant, "CANVA PARIS SOLU")}, "canva", 0.8, `card descriptor "CANVA PARIS SOLU" ~ Canva`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "CANVA GMBH SOLU")}, "canva", 0.8, `card descriptor "CANVA GMBH SOLU" ~ Canva`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "CANVA LTD SOLU")}, "", 0, ""},
		// A legal suffix stays on a one- or two-letter name: merchant "X CORP".
		{[]scanner.Hint{hint(scanner.HintMerchant, "X CORP. PAID FEATURES")}, "x", 0.8, `card descriptor "X CORP. PAID FEATURES" ~ X`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "X MARKET")}, "", 0, ""},
		// A billing word glued to a catalogued name is split off; other glued words are not.
		{[]scanner.Hint{hint(scanner.HintMerchant, "LINKEDINPRE*P1234567")}, "linkedin", 0.8, `card descriptor "LINKEDINPRE*P1234567" ~ LinkedIn`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "HOTJARLTD")}, "hotjar", 0.8, `card descriptor "HOTJARLTD" ~ Hotjar`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "HOTJARKITCHEN")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintMerchant, "HOTJARLIMITEDMALTA")}, "hotjar", 0.8, `card descriptor "HOTJARLIMITEDMALTA" ~ Hotjar`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "PAYPAL *ZOOMVIDEOCO")}, "zoom", 0.8, `card descriptor "PAYPAL *ZOOMVIDEOCO" ~ Zoom`},
		{[]scanner.Hint{hint(scanner.HintMerchant, "ZOOMVIDEO")}, "", 0, ""},
		{[]scanner.Hint{hint(scanner.HintMerchant, "AVANGATE*HOTJAR")}, "hotjar", 0.8, `card descriptor "AVANGATE*HOTJAR" ~ Hotjar`},
		// PRE and PREM are cut-off PREMIUM, a billing word.
		{[]scanner.Hint{hint(scanner.HintMerchant, "LINKEDIN PRE 1234567")}, "linkedin", 0.8, `card descriptor "LINKEDIN PRE 1234567" ~ LinkedIn`},
		// Strongest evidence wins; an exact ID stops the search.
		{[]scanner.Hint{hint(scanner.HintName, "Segment"), hint(scanner.HintAWSAccount, "107630771604")}, "segment", 1, "AWS account 107630771604"},
		{[]scanner.Hint{hint(scanner.HintMerchant, "HUBSPOT"), hint(scanner.HintDomain, "mailchimp.com")}, "mailchimp", 0.9, "domain mailchimp.com"},
		// Of two hints as strong, the first wins.
		{[]scanner.Hint{hint(scanner.HintMerchant, "HUBSPOT"), hint(scanner.HintMerchant, "SQ *HOTJAR")}, "hubspot", 0.8, `card descriptor "HUBSPOT" ~ HubSpot`},
		{nil, "", 0, ""},
	}
	for _, tt := range tests {
		rec := &scanner.Record{Kind: scanner.KindApp, ID: "x", Hints: tt.hints}
		res := r.Resolve(rec)
		name := fmt.Sprint(tt.hints)
		got := ""
		if res.Vendor != nil {
			got = res.Vendor.ID
		}
		if got != tt.vendor {
			t.Errorf("%s: vendor %q (reason %q), want %q", name, got, res.Reason, tt.vendor)
			continue
		}
		if res.Confidence != tt.conf {
			t.Errorf("%s: confidence %v, want %v", name, res.Confidence, tt.conf)
		}
		if tt.vendor == "" {
			want := scanner.Hint{}
			if len(tt.hints) > 0 {
				want = tt.hints[0]
				// A DNS host groups by its registrable domain.
				if host := hintHost(want); host != "" {
					reg, _ := publicsuffix.EffectiveTLDPlusOne(host)
					want = scanner.Hint{Type: scanner.HintDomain, Value: reg}
				}
			}
			if len(tt.hints) > 0 && res.Hint != want {
				t.Errorf("%s: unresolved hint %+v, want %+v", name, res.Hint, want)
			}
			continue
		}
		if res.Reason != tt.reason {
			t.Errorf("%s: reason %q, want %q", name, res.Reason, tt.reason)
		}
	}
}

func TestResolveAmbiguous(t *testing.T) {
	t.Parallel()
	c := fixtureCatalog()
	c.Entries = append(c.Entries,
		Entry{ID: "hotjar-clone", Name: "Hotjar", Domains: []string{"hotjar.com"}},
		Entry{ID: "zoom2", Name: "Zoom Two", Signals: Signals{DKIM: []DKIM{{Selector: "kl"}}}})
	r := NewResolver(c)
	for _, h := range []scanner.Hint{
		hint(scanner.HintMerchant, "SQ *HOTJAR"),
		hint(scanner.HintDomain, "hotjar.com"),
		{Type: scanner.HintDKIMSelector, Value: "kl"},
	} {
		res := r.Resolve(&scanner.Record{Hints: []scanner.Hint{h}})
		if res.Vendor != nil {
			t.Errorf("%+v: want no vendor when two tie, got %s (%s)", h, res.Vendor.ID, res.Reason)
		}
		if !strings.HasPrefix(res.Reason, "ambiguous ") || res.Hint != h {
			t.Errorf("%+v: reason %q hint %+v", h, res.Reason, res.Hint)
		}
	}
}

// A vendor that lists its own site under a platform's host pattern (owner.github.io) gets the hosts under that
// site; other hosts under the pattern stay the platform's, whether named by a CNAME, an SPF include or a domain.
func TestResolvePlatformSubdomain(t *testing.T) {
	t.Parallel()
	c := fixtureCatalog()
	c.Entries = append(c.Entries, Entry{ID: "acme-sync", Name: "Acme Sync", Domains: []string{"acme-sync.github.io"}})
	r := NewResolver(c)
	for _, tc := range []struct {
		h    scanner.Hint
		want string
	}{
		{hint(scanner.HintCNAMETarget, "acme-sync.github.io"), "acme-sync"},
		{hint(scanner.HintCNAMETarget, "docs.acme-sync.github.io."), "acme-sync"},
		{hint(scanner.HintDomain, "https://acme-sync.github.io/setup"), "acme-sync"},
		{hint(scanner.HintCNAMETarget, "someone-else.github.io"), "github"},
		{hint(scanner.HintDomain, "someone-else.github.io"), "github"},
		{hint(scanner.HintCNAMETarget, "github.io"), "github"},
	} {
		res := r.Resolve(&scanner.Record{Hints: []scanner.Hint{tc.h}})
		got := ""
		if res.Vendor != nil {
			got = res.Vendor.ID
		}
		if got != tc.want {
			t.Errorf("%+v: got %q (%s), want %q", tc.h, got, res.Reason, tc.want)
		}
	}
}

func TestResolveProblems(t *testing.T) {
	t.Parallel()
	c := &Catalog{Entries: []Entry{
		{ID: "a", Name: "A", Signals: Signals{SPF: []string{"{x}"}, TXT: []string{"re:("}, AWSAccounts: []string{"12"},
			DKIM: []DKIM{{Selector: "{s}"}}}},
		{ID: "b", Name: "B", Signals: Signals{AWSAccounts: []string{"111122223333"}}},
		{ID: "c", Name: "C", Signals: Signals{AWSAccounts: []string{"111122223333"}}},
	}}
	r := NewResolver(c)
	if got := len(r.Problems()); got != 5 {
		t.Errorf("problems = %d %q, want 5", got, r.Problems())
	}
	if res := r.Resolve(&scanner.Record{Hints: []scanner.Hint{hint(scanner.HintAWSAccount, "111122223333")}}); res.Vendor == nil || res.Vendor.ID != "b" {
		t.Errorf("first claimant of an AWS account wins, got %+v", res)
	}
	if NewResolver(nil).Resolve(&scanner.Record{}).Vendor != nil {
		t.Error("nil catalogue resolves nothing")
	}
}

func TestResolveConcurrent(t *testing.T) {
	t.Parallel()
	r := NewResolver(fixtureCatalog())
	recs := syntheticRecords(2000, 1)
	want := make([]string, len(recs))
	for i := range recs {
		want[i] = r.Resolve(&recs[i]).Reason
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range recs {
				if got := r.Resolve(&recs[i]).Reason; got != want[i] {
					t.Errorf("record %d: %q, want %q", i, got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func FuzzResolve(f *testing.F) {
	for _, h := range []scanner.Hint{
		hint(scanner.HintMerchant, "SQ *HOTJAR"), hint(scanner.HintName, "Mailchimp for Gmail"),
		hint(scanner.HintSPFInclude, "147202787.spf04.hubspotemail.net"), hint(scanner.HintDomain, "https://a@b.c:1/x"),
		hint(scanner.HintTXTToken, `"MS=ms1234"`), hint(scanner.HintAWSAccount, "arn:aws:iam::1:root"),
		hint(scanner.HintGoogleClientID, "1-a.apps.googleusercontent.com"), hint(scanner.HintEntraAppID, "{}"),
		{Type: scanner.HintDKIMSelector, Value: "hs1-1._domainkey.x", Target: "a.hs1a.dkim.hubspotemail.net"},
		hint(scanner.HintCNAMETarget, "..mktoweb.com"), hint(scanner.HintMerchant, "HOOTSUIT ZOOMINFOO"),
		hint(scanner.HintMerchant, "WWW.HOTJAR.COM .- PADDLE.NET *X.Y"),
	} {
		f.Add(string(h.Type), h.Value, h.Target)
	}
	r := NewResolver(benchCatalog())
	f.Fuzz(func(t *testing.T, typ, value, target string) {
		rec := &scanner.Record{Hints: []scanner.Hint{{Type: scanner.HintType(typ), Value: value, Target: target}}}
		res := r.Resolve(rec)
		if res.Confidence < 0 || res.Confidence > 1 {
			t.Fatalf("confidence %v", res.Confidence)
		}
		if res.Vendor != nil && res.Reason == "" {
			t.Fatalf("vendor %s without a reason", res.Vendor.ID)
		}
		if res.Vendor == nil && res.Confidence != 0 {
			t.Fatalf("confidence %v without a vendor", res.Confidence)
		}
		if again := r.Resolve(rec); again.Reason != res.Reason || again.Vendor != res.Vendor {
			t.Fatalf("not deterministic: %+v vs %+v", res, again)
		}
	})
}

// TestResolveStructural covers what the resolver infers beyond one pattern: TXT record names, per-organisation
// prefixes, relayed DKIM keys, hosts named as domains, and how unresolved hosts group.
func TestResolveStructural(t *testing.T) {
	t.Parallel()
	r := NewResolver(fixtureCatalog())
	if p := r.Problems(); len(p) > 0 {
		t.Fatalf("problems: %v", p)
	}
	dkim := func(sel, target string) []scanner.Hint {
		// As a scan carries it: the selector with its target, and the target alone.
		return []scanner.Hint{{Type: scanner.HintDKIMSelector, Value: sel, Target: target},
			{Type: scanner.HintCNAMETarget, Value: target}}
	}
	type structuralCase struct {
		name   string
		hints  []scanner.Hint
		vendor string
		conf   float64
		reason string
		group  scanner.Hint // unresolved: the hint records group by
		label  string       // unresolved: the group's display name
	}
	tests := []structuralCase{
		{"owner name", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "96af7368f8", Target: "_github-challenge-kubernetes.kubernetes.io."}},
			"github", 0.9, "TXT record _github-challenge-kubernetes.kubernetes.io (GitHub org kubernetes)", scanner.Hint{}, ""},
		{"owner name, new form", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "5201e8d7d2", Target: "_gh-kubernetes-o.etcd.io"}},
			"github", 0.9, "TXT record _gh-kubernetes-o.etcd.io (GitHub org kubernetes)", scanner.Hint{}, ""},
		{"value beats owner", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "MS=ms123", Target: "_github-challenge-x.example.com"}},
			"microsoft", 0.95, "TXT token MS=…", scanner.Hint{}, ""},
		{"unknown owner", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "a1b2c3", Target: "_acme-challenge.example.com"}},
			"", 0, "", scanner.Hint{Type: scanner.HintTXTToken, Value: "a1b2c3", Target: "_acme-challenge.example.com"}, ""},
		{"per-org suffix", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-b2j0jf=NplWWqp4"}},
			"cursor", 0.95, "TXT token cursor-domain-verification=…", scanner.Hint{}, ""},
		{"suffix without a digit is not an ID", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-abcd=x"}},
			"", 0, "", scanner.Hint{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-abcd=x"}, ""},
		{"six letters are an ID", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-zvsqws=WAen"}},
			"cursor", 0.95, "TXT token cursor-domain-verification=…", scanner.Hint{}, ""},
		{"five letters are not", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-zvsqw=WAen"}},
			"", 0, "", scanner.Hint{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-zvsqw=WAen"}, ""},
		{"seven letters are not", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-zvsqwsa=WAen"}},
			"", 0, "", scanner.Hint{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-zvsqwsa=WAen"}, ""},
		// The suffix's bounds: 4 to 64 characters, each of a-z and 0-9 (both ends of each range in a0z9).
		{"shortest suffix", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-a0z9=x"}},
			"cursor", 0.95, "TXT token cursor-domain-verification=…", scanner.Hint{}, ""},
		{"longest suffix", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-" + strings.Repeat("a", 63) + "1=x"}},
			"cursor", 0.95, "TXT token cursor-domain-verification=…", scanner.Hint{}, ""},
		{"suffix too long", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-" + strings.Repeat("a", 64) + "1=x"}},
			"", 0, "", scanner.Hint{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-" + strings.Repeat("a", 64) + "1=x"}, ""},
		{"suffix too short", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-a01=x"}},
			"", 0, "", scanner.Hint{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-a01=x"}, ""},
		{"escaped quotes of a Terraform string", []scanner.Hint{{Type: scanner.HintTXTToken, Value: `\"MS=ms123\"`}},
			"microsoft", 0.95, "TXT token MS=…", scanner.Hint{}, ""},
		{"single quotes", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "'MS=ms123'"}},
			"microsoft", 0.95, "TXT token MS=…", scanner.Hint{}, ""},
		{"spaces around '='", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "cursor-domain-verification-b2j0jf = NplWWqp4"}},
			"cursor", 0.95, "TXT token cursor-domain-verification=…", scanner.Hint{}, ""},
		{"a key of two words stays apart", []scanner.Hint{{Type: scanner.HintTXTToken, Value: "not MS = ms123"}},
			"", 0, "", scanner.Hint{Type: scanner.HintTXTToken, Value: "not MS = ms123"}, ""},
		{"relayed: sender's selector, relay's host", dkim("hs1-147202787", "hs1-147202787.domainkey.u123.wl45.sendgrid.net"),
			"hubspot", 0.7, "DKIM selector hs1-147202787 of HubSpot, key hosted by SendGrid (CNAME hs1-147202787.domainkey.u123.wl45.sendgrid.net)",
			scanner.Hint{}, ""},
		{"relay's own naming", dkim("cid", "cid.domainkey.u123.wl45.sendgrid.net"),
			"sendgrid", 0.9, "DKIM selector cid CNAME cid.domainkey.u123.wl45.sendgrid.net (SendGrid id 123)", scanner.Hint{}, ""},
		// A literal selector of five characters is specific enough to name the sender behind a relay; "kl" is not.
		{"relayed: five-character selector", dkim("canva", "x7.domainkey.u123.wl45.sendgrid.net"),
			"canva", 0.7, "DKIM selector canva of Canva, key hosted by SendGrid (CNAME x7.domainkey.u123.wl45.sendgrid.net)",
			scanner.Hint{}, ""},
		// only_with_target: the relay's own naming of its customers' selectors counts on its own host, nowhere else.
		{"relay's documented naming", dkim("s627950", "dkim.smtprelay.example"),
			"smtprelay", 0.95, "DKIM selector s627950 CNAME dkim.smtprelay.example", scanner.Hint{}, ""},
		{"relay's naming alone names nobody", []scanner.Hint{{Type: scanner.HintDKIMSelector, Value: "s627950"}},
			"", 0, "", scanner.Hint{Type: scanner.HintDKIMSelector, Value: "s627950"}, ""},
		{"non-relay host with another selector", dkim("k9", "dkim2.mcsv.net"),
			"mailchimp", 0.95, "DKIM selector k9 CNAME dkim2.mcsv.net", scanner.Hint{}, ""},
		{"host named as a domain", []scanner.Hint{hint(scanner.HintDomain, "1234-abc-567.mktoweb.com")},
			"marketo", 0.9, "host 1234-abc-567.mktoweb.com (Marketo munchkin 1234-abc-567)", scanner.Hint{}, ""},
		{"NS host", []scanner.Hint{hint(scanner.HintDomain, "ns1-02.azure-dns.com")},
			"microsoft", 0.9, "host ns1-02.azure-dns.com", scanner.Hint{}, ""},
		{"unresolved CNAME groups by registrable domain", []scanner.Hint{hint(scanner.HintCNAMETarget, "x1.landing-vendor.example.")},
			"", 0, "", scanner.Hint{Type: scanner.HintDomain, Value: "landing-vendor.example"}, "Landing Vendor (landing-vendor.example)"},
		{"unresolved SPF include groups too", []scanner.Hint{hint(scanner.HintSPFInclude, "include:_spf.mail.landing-vendor.co.uk")},
			"", 0, "", scanner.Hint{Type: scanner.HintDomain, Value: "landing-vendor.co.uk"}, "Landing Vendor (landing-vendor.co.uk)"},
		{"group name: a and z start words, a leading '_' adds no space", []scanner.Hint{hint(scanner.HintCNAMETarget, "x.__zeta-alpha_x.example")},
			"", 0, "", scanner.Hint{Type: scanner.HintDomain, Value: "__zeta-alpha_x.example"}, "Zeta Alpha X (__zeta-alpha_x.example)"},
		{"group name without letters", []scanner.Hint{hint(scanner.HintCNAMETarget, "x.--.example")},
			"", 0, "", scanner.Hint{Type: scanner.HintDomain, Value: "--.example"}, "--.example"},
	}
	// A relay's key for a sender the selector does not name stays unresolved, grouped as the relay's unidentified sender.
	for _, u := range []struct{ name, sel, target, relay string }{
		{"relay for an unknown sender", "helpdesk1", "x7.domainkey.u123.wl45.sendgrid.net", "SendGrid"},
		{"relay for a sender with a short selector", "kl", "x7.domainkey.u123.wl45.sendgrid.net", "SendGrid"},
		{"relay's naming not followed", "helpdesk1", "dkim.smtprelay.example", "SMTP Relay"},
		{"relay's naming on another relay's host", "s627950", "x7.domainkey.u123.wl45.sendgrid.net", "SendGrid"},
	} {
		tests = append(tests, structuralCase{u.name, dkim(u.sel, u.target), "", 0,
			"DKIM key relayed by " + u.relay + " for an unidentified sender (selector " + u.sel + " CNAME " + u.target + ")",
			scanner.Hint{Type: scanner.HintDKIMSelector, Value: u.sel, Target: u.target},
			"Unidentified sender (DKIM key relayed by " + u.relay + ")"})
	}
	for _, tt := range tests {
		res := r.Resolve(&scanner.Record{Kind: scanner.KindDNSRecord, ID: "x", Hints: tt.hints})
		got := ""
		if res.Vendor != nil {
			got = res.Vendor.ID
		}
		if got != tt.vendor || res.Confidence != tt.conf || res.Reason != tt.reason {
			t.Errorf("%s: got %q %.2f %q, want %q %.2f %q", tt.name, got, res.Confidence, res.Reason, tt.vendor, tt.conf, tt.reason)
		}
		if tt.vendor == "" && (res.Hint != tt.group || res.Name != tt.label) {
			t.Errorf("%s: groups by %+v %q, want %+v %q", tt.name, res.Hint, res.Name, tt.group, tt.label)
		}
	}
}

func TestValidateOwnerPattern(t *testing.T) {
	t.Parallel()
	for p, ok := range map[string]bool{
		"_github-challenge-{org}": true, "_amazonses": true, "smartsheet-site-validation": true, "_gh-{org}-o": true,
		"_acme-challenge": false, "_dmarc": false, "{x}": false, "_ab": false, "": false, "_x{": false, "a b": false,
	} {
		if err := ValidateOwnerPattern(p); (err == nil) != ok {
			t.Errorf("ValidateOwnerPattern(%q) = %v, want ok=%v", p, err, ok)
		}
	}
}
