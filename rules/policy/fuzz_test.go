package policy

import (
	"slices"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shadowscan/shadowscan/rules/policy/policytest"
)

// FuzzParseApprovals: any input gives approvals or an error, never a panic.
func FuzzParseApprovals(f *testing.F) {
	f.Add([]byte(demoApprovals))
	f.Add([]byte("- {vendor: hubspt, status: aproved, expires: 2026-13-45, scopes: ['[']}"))
	f.Add([]byte("- vendor: [a]\n  status: {x: y}\n"))
	idx := policytest.NewIndex()
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseApprovals("approved.yaml", data, idx, testNow)
		if err != nil {
			_ = err.Error()
			return
		}
		for _, e := range a.Entries() {
			_ = a.Approval(e.Vendor.ID)
			for _, sc := range e.Vendor.Subcategories {
				_ = a.ApprovedIn(sc)
			}
		}
	})
}

// FuzzParseSuppressions: any input gives suppressions or an error, never a panic.
func FuzzParseSuppressions(f *testing.F) {
	f.Add([]byte("- {rule: banned-vendor, vendor: apollo, owner: a, reason: b, expires: 2027-01-01}\n- {fingerprint: 0123456789abcdef0123456789abcdef, owner: a, reason: b, expires: \"2027-01-01T00:00:00Z\"}"))
	f.Add([]byte("- {rule: [x]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSuppressions("s.yaml", data, nil)
		if err == nil && s == nil {
			t.Error("nil suppressions without error")
		}
	})
}

// FuzzApprovalsRoundTrip: approvals that parse, written back out as an approved-tools file, parse to the same
// decisions (vendor, status, owner, ticket, expiry, ceilings, accounts, notes, expired).
func FuzzApprovalsRoundTrip(f *testing.F) {
	f.Add([]byte(demoApprovals))
	f.Add([]byte("- {vendor: hubspot, status: approved, expires: 2026-01-01, scopes: ['https://mail.google.com/', 'gmail.*']}"))
	idx := policytest.NewIndex()
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseApprovals("approved.yaml", data, idx, testNow)
		if err != nil {
			return
		}
		var out []map[string]any
		for _, e := range a.Entries() {
			m := map[string]any{"vendor": e.Vendor.ID, "status": e.Status, "owner": e.Owner, "ticket": e.Ticket,
				"notes": e.Notes, "scopes": e.Scopes, "aws_accounts": e.AWSAccounts}
			if !e.Expires.IsZero() {
				m["expires"] = e.Expires.Format(time.RFC3339Nano)
			}
			out = append(out, m)
		}
		written, err := yaml.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ParseApprovals("approved.yaml", written, idx, testNow)
		if err != nil {
			t.Fatalf("written back, the approvals no longer parse: %v\n%s", err, written)
		}
		if len(a.Entries()) != len(b.Entries()) {
			t.Fatalf("%d entries, %d after a round trip", len(a.Entries()), len(b.Entries()))
		}
		for i, x := range a.Entries() {
			y := b.Entries()[i]
			same := x.Vendor.ID == y.Vendor.ID && x.Status == y.Status && x.Owner == y.Owner && x.Ticket == y.Ticket &&
				x.Notes == y.Notes && x.Expires.Equal(y.Expires) && x.Expired == y.Expired &&
				slices.Equal(x.Scopes, y.Scopes) && slices.Equal(x.AWSAccounts, y.AWSAccounts)
			if !same || a.Approval(x.Vendor.ID).Status != b.Approval(x.Vendor.ID).Status {
				t.Fatalf("entry %d changed in a round trip:\n%+v\n%+v", i, x, y)
			}
		}
	})
}

// FuzzSuppressionsRoundTrip: suppressions that parse, written back out, parse to the same suppressions.
func FuzzSuppressionsRoundTrip(f *testing.F) {
	f.Add([]byte("- {rule: banned-vendor, vendor: apollo, owner: a, reason: b, expires: 2027-01-01}\n- {fingerprint: 0123456789abcdef0123456789abcdef, owner: a, reason: b, expires: \"2027-01-01T00:00:00Z\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSuppressions("s.yaml", data, nil)
		if err != nil {
			return
		}
		var out []map[string]any
		for _, x := range s {
			m := map[string]any{"owner": x.Owner, "reason": x.Reason, "expires": x.Expires.Format(time.RFC3339Nano)}
			if x.Fingerprint != "" {
				m["fingerprint"] = x.Fingerprint
			}
			if x.RuleID != "" {
				m["rule"] = x.RuleID
			}
			if x.Vendor != "" {
				m["vendor"] = x.Vendor
			}
			out = append(out, m)
		}
		written, _ := yaml.Marshal(out)
		again, err := ParseSuppressions("s.yaml", written, nil)
		if err != nil {
			t.Fatalf("written back, the suppressions no longer parse: %v\n%s", err, written)
		}
		if len(again) != len(s) {
			t.Fatalf("%d suppressions, %d after a round trip", len(s), len(again))
		}
		for i := range s {
			if s[i].Fingerprint != again[i].Fingerprint || s[i].RuleID != again[i].RuleID || s[i].Vendor != again[i].Vendor ||
				s[i].Owner != again[i].Owner || s[i].Reason != again[i].Reason || !s[i].Expires.Equal(again[i].Expires) {
				t.Fatalf("suppression %d changed in a round trip:\n%+v\n%+v", i, s[i], again[i])
			}
		}
	})
}
