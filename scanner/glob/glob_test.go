package glob

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"gmail.*", "gmail.readonly", true},
		{"gmail.readonl?", "gmail.readonly", true},
		{"mail.[rs]ead", "mail.read", true},
		{"mail.[rs]ead", "mail.send", false},
		{"mail.[^r]ead", "mail.read", false},
		{"drive*", "drive.file", true},
		{"drive*", "drive/x", false}, // '*' stays within a segment
		{"*", "", true},
		{"a*b*c", "axxbyyc", true},
		{"iam:get*", "iam:getrole", true},
		{"sts:assumerol?", "sts:assumerole", true}, // IAM action patterns in trust policies
		{"sts:assumerole?", "sts:assumerole", false},
		{"[", "[", false}, // malformed: matches nothing
		{`\*`, "*", true},
	} {
		if got := Match(tc.pattern, tc.name); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
	if Validate("[") == nil || Validate(`x\`) == nil || Validate("a*[b-c]?") != nil {
		t.Error("Validate")
	}
}

// TestMatchHostile: many stars against a long name finish quickly (the matcher does not backtrack exponentially).
func TestMatchHostile(t *testing.T) {
	p := strings.Repeat("*a", 50) + "b"
	if Match(p, strings.Repeat("a", 5000)) {
		t.Error("want no match")
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("gmail.*", "gmail.readonly")
	f.Add("[a-", "x")
	f.Fuzz(func(t *testing.T, p, s string) {
		if Validate(p) != nil && Match(p, s) {
			t.Fatalf("malformed %q matched %q", p, s)
		}
		if !strings.ContainsAny(s, `*?[\`) && Validate(s) == nil && !Match(s, s) {
			t.Fatalf("%q does not match itself", s)
		}
	})
}
