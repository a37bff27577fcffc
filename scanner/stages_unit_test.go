package scanner

import (
	"strings"
	"testing"
)

func TestSuppressionMatches(t *testing.T) {
	acme := &Finding{Fingerprint: "fp", RuleID: "r", Vendor: &Vendor{ID: "acme", Name: "Acme Corp"}}
	none := &Finding{Fingerprint: "fp2", RuleID: "r"}
	for _, tc := range []struct {
		s          Suppression
		acme, none bool
	}{
		{Suppression{Fingerprint: "fp"}, true, false},
		{Suppression{RuleID: "r"}, true, true},
		{Suppression{RuleID: "r", Vendor: "*"}, true, true},
		{Suppression{RuleID: "r", Vendor: "acme"}, true, false},
		{Suppression{RuleID: "r", Vendor: "ACME CORP"}, true, false},
		{Suppression{RuleID: "r", Vendor: "other"}, false, false},
		{Suppression{RuleID: "other"}, false, false},
		{Suppression{}, false, false},
	} {
		if got := tc.s.Matches(acme); got != tc.acme {
			t.Errorf("%+v matches the acme finding: %v", tc.s, got)
		}
		if got := tc.s.Matches(none); got != tc.none {
			t.Errorf("%+v matches the vendor-less finding: %v", tc.s, got)
		}
	}
}

func TestShardSharded(t *testing.T) {
	for n, want := range map[int]bool{0: false, 1: false, 2: true} {
		if (Shard{Count: n}).Sharded() != want {
			t.Errorf("Shard{Count: %d}.Sharded() = %v", n, !want)
		}
	}
}

// A value outside the allowed set says whether it holds control characters (C0, DEL, C1), which print as nothing.
func TestOneOfNamesControlCharacters(t *testing.T) {
	for r, control := range map[rune]bool{0x00: true, 0x1f: true, 0x20: false, 0x7e: false, 0x7f: true, 0x80: true,
		0x9f: true, 0xa0: false, 'é': false} {
		err := oneOf("severity", "x"+string(r), []string{"low", "high"})
		if err == nil || strings.Contains(err.Error(), "holds control characters") != control {
			t.Errorf("rune %#x: %v, want control %v", r, err, control)
		}
	}
}
