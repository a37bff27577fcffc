package rules

import (
	"context"
	"testing"
)

// TestBuiltinExamples runs every example of every built-in rule.
func TestBuiltinExamples(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatalf("loading the built-in rules:\n%v", err)
	}
	if len(rs.Rules) == 0 {
		t.Fatal("no built-in rules")
	}
	for _, r := range rs.Rules {
		t.Run(r.ID, func(t *testing.T) {
			if len(r.Examples.Match) == 0 || len(r.Examples.NoMatch) == 0 {
				t.Errorf("rule %s needs at least one match and one no_match example", r.ID)
			}
			for _, res := range RunRuleExamples(context.Background(), r) {
				if !res.OK {
					t.Error(res.String())
				} else if res.Match != nil {
					t.Logf("%s\n  message: %s\n  remediation: %s", res, res.Match.Message, res.Match.Remediation)
				}
			}
		})
	}
}
