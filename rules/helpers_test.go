package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/rules/policy/policytest"
	"github.com/shadowscan/shadowscan/scanner"
)

var testVendors = policytest.Vendors

func newFakeIndex() *policytest.Index { return policytest.NewIndex() }

// fakeResolver resolves hints by exact value (lower-case) to a vendor ID.
type fakeResolver struct {
	hints map[string]*scanner.Vendor // lower-case hint value → vendor
}

func newFakeResolver(hints map[string]string) *fakeResolver {
	idx := newFakeIndex()
	r := &fakeResolver{hints: map[string]*scanner.Vendor{}}
	for k, id := range hints {
		v, ok := idx.Lookup(id)
		if !ok {
			panic("fakeResolver: unknown vendor " + id)
		}
		r.hints[strings.ToLower(k)] = &v
	}
	return r
}

func (r *fakeResolver) Resolve(rec *scanner.Record) scanner.Resolution {
	for _, t := range scanner.HintTypes {
		for _, h := range rec.Hints {
			if h.Type != t {
				continue
			}
			if v, ok := r.hints[strings.ToLower(h.Value)]; ok {
				return scanner.Resolution{Vendor: v, Confidence: 0.9, Reason: "hint", Hint: h}
			}
		}
	}
	if len(rec.Hints) > 0 {
		return scanner.Resolution{Hint: rec.Hints[0]}
	}
	return scanner.Resolution{}
}

// testPolicy parses an approved-tools file over the test vendors.
func testPolicy(tb testing.TB, approvals string, now time.Time, sups []scanner.Suppression) *policy.Policy {
	tb.Helper()
	a, err := policy.ParseApprovals("approved.yaml", []byte(approvals), newFakeIndex(), now)
	if err != nil {
		tb.Fatal(err)
	}
	return policy.New(a, sups)
}

// parseRules compiles rule-file text into a rule set, failing the test on any error.
func parseRules(tb testing.TB, src string) *RuleSet {
	tb.Helper()
	rs, errs := ParseFile("t.yaml", []byte(src))
	if len(errs) > 0 {
		tb.Fatal(errs)
	}
	set, err := newRuleSet(rs, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return set
}
