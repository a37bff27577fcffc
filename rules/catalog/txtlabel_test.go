package catalog

import (
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

func TestTXTLabelConvention(t *testing.T) {
	r := NewResolver(&Catalog{Entries: []Entry{
		{ID: "front", Name: "Front", Domains: []string{"frontapp.com"}},
		{ID: "red-sift", Name: "Red Sift", Aliases: []string{"OnDMARC"}, Domains: []string{"redsift.com", "ondmarc.com"}},
		{ID: "chorus-ai", Name: "Chorus.ai", Domains: []string{"chorus.ai"}},
		{ID: "uberspace", Name: "Uberspace", Domains: []string{"uber.space"}},
		{ID: "domain-com", Name: "Domain.com", Domains: []string{"domain.com"}},
		{ID: "loop-a", Name: "Loop", Domains: []string{"loop.com"}},
		{ID: "loop-b", Name: "Loop Returns", Aliases: []string{"Loop"}, Domains: []string{"loop.io"}},
		{ID: "acme", Name: "Acme", Domains: []string{"acme.com"}, Signals: Signals{TXT: []string{"acme-code="}}},
		{ID: "google", Name: "Google", Domains: []string{"google.com"}, Signals: Signals{TXT: []string{"google-site-verification="}}},
		{ID: "owned", Name: "Owned", Domains: []string{"owned.io"}, Signals: Signals{TXTOwner: []string{"_ownedx"}}},
		{ID: "other", Name: "Other", Domains: []string{"other.io"}, Signals: Signals{TXTOwner: []string{"_other-challenge"}}},
	}})
	for _, tc := range []struct {
		name, value, owner, want, reason string
	}{
		{"domain label that is the vendor's name", "frontapp-verification=x1", "", "front",
			"TXT token frontapp-verification=… (named after Front's domain; not a catalogued prefix)"},
		{"alias", "ondmarc-domain-verification=x1", "", "red-sift", ""},
		{"first word of the name", "chorus_verify=x1", "", "chorus-ai", ""},
		{"colon form", "frontapp-site-verification:x1", "", "front", ""},
		{"leading underscore", "_frontapp-verification=x1", "", "front", ""},
		{"per-organisation suffix", "frontapp-domain-verification-b2j0jf=x1", "", "front", ""},
		{"catalogued prefix wins", "google-site-verification=abc", "", "google", "TXT token google-site-verification=…"},
		{"colon variant of a catalogued prefix", "google-site-verification:abc", "", "google", ""},
		{"catalogued owner name wins", "other-domain-verification=abc", "_other-challenge.example.org", "other", ""},
		{"label is another company's name", "uber-domain-verification=x1", "", "", ""},
		{"the convention's own word", "domain-verification=x1", "", "", ""},
		{"label two vendors share", "loop-verification=x1", "", "", ""},
		{"no verification word", "frontapp-site=x1", "", "", ""},
		{"a word outside the convention", "frontapp-login-verification=x1", "", "", ""},
		{"no value", "frontapp-verification=", "", "", ""},
		{"no prefix", "frontapp", "", "", ""},
		{"label alone", "frontapp=x1", "", "", ""},
		{"short label", "ads-verification=x1", "", "", ""},
		{"unknown label", "nobody-verification=x1", "", "", ""},
		{"protocol label", "acme-verification=x1", "", "", ""},
		// Record names: the value is the vendor's random token.
		{"record name", "x1y2z3", "_frontapp-challenge.example.org", "front",
			"TXT record _frontapp-challenge.example.org (named after Front's domain; not a catalogued record name)"},
		{"record name with the organisation after the verb", "x1y2z3", "_frontapp-domain-verification-myorg.example.org", "front", ""},
		{"record name by alias", "x1y2z3", "_ondmarc-verify.example.org", "red-sift", ""},
		{"record value wins over its name", "google-site-verification=abc", "_frontapp-challenge.example.org", "google", ""},
		{"ACME challenge", "x1y2z3", "_acme-challenge.example.org", "", ""},
		{"record name without underscore is a host", "x1y2z3", "frontapp-challenge.example.org", "", ""},
		{"only an underscore opens a record name", "x1y2z3", "xfrontapp-challenge.example.org", "", ""},
		{"record name without a verb", "x1y2z3", "_frontapp.example.org", "", ""},
		{"record name with another word first", "x1y2z3", "_frontapp-login-challenge.example.org", "", ""},
		{"record name label two vendors share", "x1y2z3", "_loop-verification.example.org", "", ""},
		{"record name of another company", "x1y2z3", "_uber-challenge.example.org", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := scanner.Hint{Type: scanner.HintTXTToken, Value: tc.value, Target: tc.owner}
			res := r.Resolve(&scanner.Record{Hints: []scanner.Hint{h}})
			got := ""
			if res.Vendor != nil {
				got = res.Vendor.ID
			}
			if got != tc.want {
				t.Fatalf("%q resolves to %q, want %q (%s)", tc.value, got, tc.want, res.Reason)
			}
			if tc.reason != "" && res.Reason != tc.reason {
				t.Errorf("reason %q, want %q", res.Reason, tc.reason)
			}
		})
	}
	// Less sure than a catalogued prefix: a vendor's documented prefix or owner name outranks it in a record.
	res := r.Resolve(&scanner.Record{Hints: []scanner.Hint{{Type: scanner.HintTXTToken, Value: "frontapp-verification=x1"}}})
	if res.Confidence != confTXTLabel || confTXTLabel >= confTXTPrefix || confTXTLabel >= confTXTOwner {
		t.Errorf("confidence %v (label %v, prefix %v, owner %v)", res.Confidence, confTXTLabel, confTXTPrefix, confTXTOwner)
	}
}
