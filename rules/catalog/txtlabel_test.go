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
		{ID: "status-io", Name: "Status", Domains: []string{"status.io"}},
		{ID: "matrix-org", Name: "Matrix", Domains: []string{"matrix.org"}},
	}})
	resolve := func(value, owner string) scanner.Resolution {
		h := scanner.Hint{Type: scanner.HintTXTToken, Value: value, Target: owner}
		return r.Resolve(&scanner.Record{Hints: []scanner.Hint{h}})
	}
	// Resolved: the token (or, with a random value, the record's name) and the vendor; the reason where given.
	for _, tc := range []struct{ value, owner, want, reason string }{
		{"frontapp-verification=x1", "", "front", "TXT token frontapp-verification=… (named after Front's domain; not a catalogued prefix)"},
		{"ondmarc-domain-verification=x1", "", "red-sift", ""},                                 // an alias
		{"chorus_verify=x1", "", "chorus-ai", ""},                                              // the first word of the name
		{"frontapp-site-verification:x1", "", "front", ""},                                     // the colon form
		{"_frontapp-verification=x1", "", "front", ""},                                         // a leading underscore
		{"frontapp-domain-verification-b2j0jf=x1", "", "front", ""},                            // a per-organisation suffix
		{"google-site-verification=abc", "", "google", "TXT token google-site-verification=…"}, // a catalogued prefix wins
		{"google-site-verification:abc", "", "google", ""},                                     // its colon variant
		{"other-domain-verification=abc", "_other-challenge.example.org", "other", ""},         // a catalogued owner name wins
		{"google-site-verification=abc", "_frontapp-challenge.example.org", "google", ""},      // the value wins over the name
		{"x1y2z3", "_frontapp-challenge.example.org", "front", "TXT record _frontapp-challenge.example.org (named after Front's domain; not a catalogued record name)"},
		{"x1y2z3", "_frontapp-domain-verification-myorg.example.org", "front", ""}, // the organisation after the verb
		{"x1y2z3", "_ondmarc-verify.example.org", "red-sift", ""},
		{"x1y2z3", "_frontapp.example.org", "front", "TXT record _frontapp.example.org (named after Front's domain; not a catalogued record name)"}, // the label alone
		{"x1y2z3", "_OnDMARC.www.example.org", "red-sift", ""},
		{"x1y2z3", "_chorus.example.org", "chorus-ai", ""}, // the label alone, any case
	} {
		res := resolve(tc.value, tc.owner)
		if res.Vendor == nil || res.Vendor.ID != tc.want {
			t.Errorf("%q (record %q) resolves to %+v, want %q (%s)", tc.value, tc.owner, res.Vendor, tc.want, res.Reason)
		} else if tc.reason != "" && res.Reason != tc.reason {
			t.Errorf("%q: reason %q, want %q", tc.value, res.Reason, tc.reason)
		}
	}
	// Unresolved tokens.
	for _, value := range []string{
		"uber-domain-verification=x1",    // the label is another company's name (Uberspace's domain is uber.space)
		"domain-verification=x1",         // the convention's own word
		"loop-verification=x1",           // a label two vendors share
		"frontapp-site=x1",               // no verification word
		"frontapp-login-verification=x1", // a word outside the convention
		"frontapp-verification-login=x1", // and after the verb
		"frontapp-verification=",         // no value
		"frontapp", "frontapp=x1",        // no prefix; the label alone
		"ads-verification=x1",    // a short label
		"nobody-verification=x1", // an unknown label
		"acme-verification=x1",   // a protocol's label
	} {
		if res := resolve(value, ""); res.Vendor != nil {
			t.Errorf("%q resolves to %s (%s)", value, res.Vendor.ID, res.Reason)
		}
	}
	// Unresolved record names (with a random value).
	for _, owner := range []string{
		"_acme-challenge.example.org",           // ACME (RFC 8555), not a vendor
		"frontapp-challenge.example.org",        // no underscore: a host
		"xfrontapp-challenge.example.org",       // only an underscore opens a record name
		"_frontapp-login.example.org",           // the label alone, but with another word
		"_frontapp._tcp.example.org",            // a service record's name
		"_frontap.example.org",                  // the label alone, but no vendor's
		"_status.example.org",                   // the label alone: an everyday word (status.io's label)
		"_matrix.example.org",                   // the label alone: a protocol's (matrix.org's label)
		"_loop.example.org",                     // the label alone: short, and two vendors share it
		"_frontapp-login-challenge.example.org", // another word before the verb
		"_loop-verification.example.org",        // a label two vendors share
		"_uber-challenge.example.org",           // another company's name
	} {
		if res := resolve("x1y2z3", owner); res.Vendor != nil {
			t.Errorf("record %q resolves to %s (%s)", owner, res.Vendor.ID, res.Reason)
		}
	}
	// Less sure than a catalogued prefix: a vendor's documented prefix or owner name outranks it in a record.
	if res := resolve("frontapp-verification=x1", ""); res.Confidence != confTXTLabel || confTXTLabel >= confTXTPrefix || confTXTLabel >= confTXTOwner {
		t.Errorf("confidence %v (label %v, prefix %v, owner %v)", res.Confidence, confTXTLabel, confTXTPrefix, confTXTOwner)
	}
}
