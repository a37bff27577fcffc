package rules

import (
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// TestPrefilterForms: each form the prefilter understands gets a Go guard (no CEL call for records it rejects), and
// the guard accepts the record `when` matches and rejects the one it does not. A form the prefilter stopped
// recognising would pass every other test, only slower; this one names it.
func TestPrefilterForms(t *testing.T) {
	withHint := scanner.Record{Kind: "x", Hints: []scanner.Hint{{Type: scanner.HintAWSAccount, Value: "123456789012"}}}
	emptyHint := scanner.Record{Kind: "x", Hints: []scanner.Hint{{Type: scanner.HintAWSAccount}}}
	plain := scanner.Record{Kind: "x"}
	recurring := scanner.Record{Kind: "x", Amount: &scanner.Amount{Value: 10, Currency: "USD", Period: "monthly"}}
	oneOff := scanner.Record{Kind: "x", Amount: &scanner.Amount{Value: 10, Currency: "USD"}}
	mail := scanner.Record{Kind: "x", Scopes: []string{"https://mail.google.com/"}}
	tier := func(v string) scanner.Record {
		return scanner.Record{Kind: "x", Attributes: map[string]any{"tier": v}}
	}
	scoped := scanner.Approval{Status: scanner.ApprovalApproved, Scopes: []string{"openid"}}
	accounts := scanner.Approval{Status: scanner.ApprovalApproved, AWSAccounts: []string{"123456789012"}}
	none := scanner.Approval{Status: scanner.ApprovalApproved}
	type input struct {
		rec  scanner.Record
		appr scanner.Approval
	}
	for _, tc := range []struct {
		when           string
		accept, reject input
	}{
		{`record.hasHint("aws_account")`, input{withHint, none}, input{emptyHint, none}},
		{`hasScopeOfClass(record.scopes, "restricted")`, input{mail, none}, input{plain, none}},
		{`approval.scopes.size() > 0`, input{plain, scoped}, input{plain, accounts}},
		{`approval.aws_accounts.size() > 0`, input{plain, accounts}, input{plain, scoped}},
		{`record.amount.recurring`, input{recurring, none}, input{oneOff, none}},
		{`record.attributes.?tier.orValue("") == "gold"`, input{tier("gold"), none}, input{plain, none}},
		{`"gold" == record.attributes.?tier.orValue("")`, input{tier("gold"), none}, input{plain, none}},
	} {
		src := "rules:\n  - id: t\n    title: T\n    severity: low\n    stage: record\n    when: '" + tc.when +
			"'\n    message: m\n    remediation: r\n"
		rs, errs := ParseFile("t.yaml", []byte(src))
		if len(errs) > 0 {
			t.Fatalf("%s: %v", tc.when, errs.Err())
		}
		r := rs[0]
		if r.prefilter == nil {
			t.Errorf("%s: no Go guard", tc.when)
			continue
		}
		for _, c := range []struct {
			in   input
			want bool
		}{{tc.accept, true}, {tc.reject, false}} {
			var in guardIn
			in.reset(&c.in.rec, nil, &c.in.appr)
			if got := r.prefilter(&in); got != c.want {
				t.Errorf("%s on %+v / %+v: guard %v, want %v", tc.when, c.in.rec, c.in.appr, got, c.want)
			}
		}
	}
}
