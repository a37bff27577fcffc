package policy

import (
	"testing"

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
