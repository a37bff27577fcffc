package rules

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/scanner"
)

// A rule whose comprehension would run for hours (10^10 iterations over its scopes) stops at the cost limit: the
// scan finishes, the evaluation error lands in coverage, and the other rules' findings are kept.
func TestRunawayRuleBecomesCoverageError(t *testing.T) {
	const runaway = `rules:
  - id: runaway
    title: Runaway
    severity: low
    stage: record
    when: >
      record.scopes.all(a, record.scopes.all(b, record.scopes.all(c, record.scopes.all(d,
        record.scopes.all(e, a + b + c + d + e != "")))))
    group_by: record.id
    message: never
    remediation: none
`
	rs, err := LoadFiles(map[string][]byte{"runaway.yaml": []byte(runaway)})
	if err != nil {
		t.Fatal(err)
	}
	scopes := make([]string, 100)
	for i := range scopes {
		scopes[i] = "https://www.googleapis.com/auth/scope" + strings.Repeat("x", i%7)
	}
	recs := []scanner.Record{{Kind: scanner.KindOAuthGrant, ID: "g1", Scopes: scopes,
		Hints: []scanner.Hint{{Type: scanner.HintName, Value: "Acme"}}}}
	now := func() time.Time { return testNow }
	eng := NewEngine(rs, OrgInfo{Organization: caseOrg, Now: now})
	done := make(chan struct{})
	var rep *scanner.Report
	go func() {
		defer close(done)
		rep, err = scanner.Run(context.Background(), scanner.Options{
			Instances: []scanner.Instance{{Name: "fixture", Type: testProviderType, Config: &recordsConfig{Records: recs}}},
			Logger:    zerolog.New(zerolog.NewTestWriter(t)), Now: now, Org: caseOrg, Evaluator: eng,
		})
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Minute): // a safety net, not a timing assertion: without the limit this runs for hours
		t.Fatal("the runaway rule was not stopped by the cost limit")
	}
	if err != nil {
		t.Fatal(err)
	}
	var rulesCov *scanner.Coverage
	for i := range rep.Coverage {
		if rep.Coverage[i].Provider == "rules" {
			rulesCov = &rep.Coverage[i]
		}
	}
	if rulesCov == nil || rulesCov.Status != scanner.CoveragePartial || len(rulesCov.Errors) == 0 ||
		!strings.Contains(strings.ToLower(rulesCov.Errors[0].Message), "cost") {
		t.Fatalf("coverage %+v: want the rules partial with a cost-limit error", rep.Coverage)
	}
	for _, f := range rep.Findings {
		if f.RuleID == "runaway" {
			t.Errorf("the runaway rule produced a finding")
		}
	}
}
